import Foundation
import GenoBenchLDSC
import XCTest
import _GenoBenchTestSupport

/// The staged pipeline (spec §11 cases 17 and 19): summary arithmetic, bottleneck, failures.
final class LDSCPipelineTests: XCTestCase {
    struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }

    func testSummaryArithmeticAndBottleneck() throws {
        let settings = PipelineSettings(readers: 1, computers: 4, writers: 1, computeQueueSize: 2, writerQueueSize: 3, batchSize: 10)
        let done = Counter()
        let s = try StagedPipeline(settings: settings).run(
            batches: 24, itemsPerBatch: 10,
            read: { _ in usleep(5_000); return 1 },
            compute: { _, x in usleep(60_000); return x },
            write: { _, _ in usleep(2_000); done.add() })
        XCTAssertEqual(done.value, 24)
        XCTAssertEqual(s.stages.map(\.batches), [24, 24, 24])
        for st in s.stages {
            assertClose(st.perWorkerBatchesPerSecond, 1 / st.meanSecondsPerBatch, relative: 1e-12)
            assertClose(st.totalItemsPerSecond, st.perWorkerBatchesPerSecond * 10 * Double(st.workers), relative: 1e-12)
        }
        assertClose(s.batchesPerSecond, 24 / s.elapsedSeconds, relative: 1e-12)
        assertClose(s.itemsPerSecond, s.batchesPerSecond * 10, relative: 1e-12)
        // 60 ms x 4 computers = 66.7 b/s capacity vs reader 200 b/s and writer 500 b/s.
        XCTAssertEqual(s.bottleneck, "computer")
        XCTAssertLessThanOrEqual(s.maxComputeQueueLength, 2)
        XCTAssertLessThanOrEqual(s.maxWriterQueueLength, 3)
        XCTAssert(s.render(title: "test", itemName: "spot").contains("bottleneck: computer"))
    }

    func testSpecExampleRatesUseTheStatedFormula() {
        let st = PipelineSummary.stage(name: "computer", workers: 4, seconds: [0.04, 0.04], itemsPerBatch: 500)
        assertClose(st.perWorkerBatchesPerSecond, 25, relative: 1e-12)
        assertClose(st.totalItemsPerSecond, 50_000, relative: 1e-12)
    }

    func testAFailingBatchStopsThePipelineWithItsIdAndError() {
        let settings = PipelineSettings(readers: 2, computers: 2, writers: 1, computeQueueSize: 1, writerQueueSize: 1, batchSize: 1)
        let written = Counter()
        XCTAssertThrowsError(try StagedPipeline(settings: settings).run(
            batches: 1000, itemsPerBatch: 1,
            read: { $0 },
            compute: { i, x in if i == 13 { throw Boom() }; usleep(200); return x },
            write: { _, _ in written.add() })) { e in
            let p = e as? PipelineError
            XCTAssertEqual(p?.stage, "computer")
            XCTAssertEqual(p?.batch, 13)
            XCTAssertEqual("\(e)", "computer failed on batch 13: boom")
        }
        XCTAssertLessThan(written.value, 1000, "the pipeline stopped early")
    }

    func testBackPressureBoundsTheBatchesInFlight() throws {
        let settings = PipelineSettings(readers: 3, computers: 1, writers: 1, computeQueueSize: 2, writerQueueSize: 1, batchSize: 1)
        let inFlight = Counter(), peak = Counter()
        _ = try StagedPipeline(settings: settings).run(
            batches: 60, itemsPerBatch: 1,
            read: { i in peak.max(inFlight.add()); return i },
            compute: { _, x in usleep(1_000); return x },
            write: { _, _ in inFlight.subtract() })
        // 3 readers holding one each, 2 queued, 1 computing, 1 queued for the writer, 1 writing.
        XCTAssertLessThanOrEqual(peak.value, 3 + 2 + 1 + 1 + 1)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var value = 0
    @discardableResult func add() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    func subtract() { lock.lock(); value -= 1; lock.unlock() }
    func max(_ v: Int) { lock.lock(); value = Swift.max(value, v); lock.unlock() }
}
