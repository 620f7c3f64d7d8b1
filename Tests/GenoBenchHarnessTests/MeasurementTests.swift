import Foundation
import GenoBenchCore
import GenoBenchHarness
import XCTest

/// A measurement starts from a quiet process (`Measure.settle`).
final class MeasurementTests: XCTestCase {
    /// OpenBLAS's idle threads spin for ~2^28 cycles after a multi-threaded call; a measurement
    /// started right after one waits for them (at most `settleLimit`) instead of timing a call
    /// that shares the cores with them.
    func testSettleWaitsForOpenBLASThreadsAfterAMultiThreadedCall() throws {
        guard ProcessInfo.processInfo.activeProcessorCount >= 2 else { throw XCTSkip("needs 2 cores for a 2-thread BLAS call") }
        let previous = BLASThreads.current
        defer { BLASThreads.set(previous) }
        BLASThreads.set(2)
        let n = 400
        let a = Matrix<Double>(rows: n, columns: n, columnMajor: (0..<(n * n)).map { Double($0 % 7) - 3 })
        Measure.settle()
        _ = a.multiplied(by: a)  // 2·400³ flops: OpenBLAS splits it over its threads
        let waited = Measure.settle()
        XCTAssertGreaterThan(waited, 0.002, "no other thread was running after a 2-thread dgemm")
        XCTAssertLessThanOrEqual(waited, Measure.settleLimit + 0.05)
        let (_, m) = Measure.call { a.multiplied(by: a) }
        XCTAssertGreaterThan(m.wallSeconds, 0)
    }

    /// A cold measurement returns freed heap to the kernel before the call (its resident set
    /// then excludes it); a warm one keeps it, and says so in its peak method.
    func testColdHeapReturnsFreedMemoryBeforeTheCallAndWarmKeepsIt() throws {
        #if canImport(Glibc)
        let chunk = 64 << 10, count = 128  // 8 MiB in chunks below glibc's mmap threshold
        var chunks = (0...count).map { _ in UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16) }
        let pin = chunks.removeLast()  // allocated after the others: keeps them off the heap's top, which free trims itself
        defer { pin.deallocate() }
        guard chunks.allSatisfy({ $0 < pin }) else {
            for c in chunks { c.deallocate() }
            throw XCTSkip("the allocator did not place the chunks below the last one")
        }
        for c in chunks { c.initializeMemory(as: UInt8.self, repeating: 1, count: chunk) }
        for c in chunks { c.deallocate() }
        let (_, warm) = Measure.call(heap: .warm) { 0 }
        let (_, cold) = Measure.call(heap: .cold) { 0 }
        guard !cold.peakMethod.hasPrefix("maxrss") else { throw XCTSkip("no per-call peak reset here (/proc/self/clear_refs)") }
        XCTAssertEqual(cold.peakMethod, "vmhwm-reset")
        XCTAssertEqual(warm.peakMethod, "vmhwm-reset-warm-heap")
        XCTAssertGreaterThan(warm.residentBeforeBytes - cold.residentBeforeBytes, Int64(chunk * count / 2),
                             "the warm call started with the freed 8 MiB still resident, the cold one without it")
        #else
        throw XCTSkip("malloc_trim is glibc's")
        #endif
    }
}
