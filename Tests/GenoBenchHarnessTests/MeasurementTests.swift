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
}
