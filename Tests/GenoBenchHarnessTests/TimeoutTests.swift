import Foundation
import GenoBenchCore
import GenoBenchHarness
@testable import GenoBenchStore
import XCTest
import _GenoBenchTestSupport

/// A family whose runs take `seconds`: one backend polls its cancellation every 10 ms, one
/// ignores it (like a backend inside one long BLAS call), one returns at once. The reference
/// takes `ref-seconds`.
struct SlowFamily: Family {
    var id: String { "slow" }
    var summary: String { "test family with slow runs" }
    var parameters: [ParameterSpec] {
        [ParameterSpec("seconds", default: .double(0), help: "seconds a run takes"),
         ParameterSpec("ref-seconds", default: .double(0), help: "seconds the reference takes")]
    }
    var tolerances: [ToleranceSpec] { [ToleranceSpec("abs_error", f32: 0.5, f64: 0.5, help: "|answer - truth|")] }
    func makeProblem(_ p: ProblemParameters, seed: UInt64) throws -> [Double] { [try p.double("seconds"), try p.double("ref-seconds")] }
    func dataHash(of problem: [Double]) -> String { ContentHash.of("\(problem)") }
    func reference(for problem: [Double]) throws -> Double {
        Thread.sleep(forTimeInterval: problem[1])
        return 1
    }
    func compare(_ s: Double, with r: Double, tolerances: Tolerances) -> [Metric] {
        [Metric(name: "abs_error", value: abs(s - r), tolerance: tolerances["abs_error"])]
    }
    func estimates(of s: Double) -> [Estimate] { [Estimate("answer", s)] }
}

struct Polling: Backend {
    typealias FamilyType = SlowFamily
    var id: String { "polling-f64" }
    var version: String { "1" }
    var precision: Precision { .f64 }
    func solve(_ problem: [Double], context: RunContext) throws -> Solved<Double> {
        let end = Date().addingTimeInterval(problem[0])
        while Date() < end {
            try context.checkCancellation("polling loop")
            Thread.sleep(forTimeInterval: 0.01)
        }
        return Solved(1)
    }
}

struct Stuck: Backend {
    typealias FamilyType = SlowFamily
    var id: String { "stuck-f64" }
    var version: String { "1" }
    var precision: Precision { .f64 }
    func solve(_ problem: [Double], context: RunContext) throws -> Solved<Double> {
        Thread.sleep(forTimeInterval: problem[0])  // never polls
        return Solved(1)
    }
}

struct Quick: Backend {
    typealias FamilyType = SlowFamily
    var id: String { "quick-f64" }
    var version: String { "1" }
    var precision: Precision { .f64 }
    func solve(_ problem: [Double], context: RunContext) throws -> Solved<Double> { Solved(1) }
}

/// Counts calls of the watchdog's stuck handler (instead of exiting the test process).
final class StuckCalls: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ m: String) { lock.lock(); messages.append(m); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return messages }
}

final class TimeoutTests: XCTestCase {
    let registry = Registry([FamilyEntry(SlowFamily(), backends: [Polling(), Stuck(), Quick()])])

    func run(_ suiteText: String, limits: RunLimits) throws -> (Store, Runner.Outcome, seconds: Double, dir: TemporaryDirectory) {
        let dir = TemporaryDirectory()
        let suite = try Suite.parse(suiteText, path: "slow.toml", registry: registry)
        let store = try Store(path: dir.file("t.sqlite"))
        try store.beginInvocation(InvocationInfo(gitCommit: "test", toolVersion: "0", suiteName: suite.name, suiteHash: suite.hash,
                                                 commandLine: "genobench run", tag: nil, threads: 1),
                                  machine: MachineInfo.current(), resume: false)
        let t0 = Date()
        let outcome = try Runner(plan: try RunPlan(suite: suite, registry: registry), threads: 1, limits: limits).run(into: store)
        return (store, outcome, Date().timeIntervalSince(t0), dir)
    }

    /// A backend that polls is stopped at the limit and recorded as `timeout` with its elapsed
    /// time; the next backend still runs. Each polling run would take 30 s without the limit.
    func testPollingRunIsRecordedAsTimeoutAndTheSuiteGoesOn() throws {
        let text = "name = \"slow\"\nrepeats = 2\nwarmup = 0\n[[problems]]\nfamily = \"slow\"\nbackends = [\"polling-f64\", \"quick-f64\"]\n[problems.params]\nseconds = 30.0"
        let (store, outcome, seconds, _) = try run(text, limits: RunLimits(timeoutSeconds: 0.3, onStuck: { _ in XCTFail("watchdog fired") }))
        XCTAssertLessThan(seconds, 15, "two 30 s runs stopped at 0.3 s each")
        XCTAssertEqual(outcome.recorded, 4)
        XCTAssertEqual(outcome.timedOut, 2)
        let rows = try store.query("SELECT backend, status, error, wall_s FROM runs ORDER BY id")
        XCTAssertEqual(rows.map { $0["status"]! }, ["timeout", "timeout", "ok", "ok"])
        XCTAssertEqual(try store.summary().map(\.verdict), ["TIMEOUT", "pass"])
        XCTAssertNil(try store.summary().first?.medianWallSeconds, "a time limit is not a cost")
        for row in rows.prefix(2) {
            let wall = Double(row["wall_s"]!)!
            XCTAssertGreaterThanOrEqual(wall, 0.3)
            XCTAssertLessThan(wall, 7)
            XCTAssert(row["error"]!.contains("time limit"), row["error"]!)
        }
    }

    /// Without a limit the same polling backend runs to completion (the test above can fail).
    func testWithoutALimitThePollingBackendFinishes() throws {
        let text = "name = \"slow\"\nrepeats = 1\nwarmup = 0\n[[problems]]\nfamily = \"slow\"\nbackends = [\"polling-f64\"]\n[problems.params]\nseconds = 0.2"
        let (store, outcome, _, _) = try run(text, limits: RunLimits())
        XCTAssertEqual(outcome.timedOut, 0)
        XCTAssertEqual(try store.query("SELECT status FROM runs").map { $0["status"]! }, ["ok"])
    }

    /// A warm-up that reaches the limit marks the counted repeats `timeout` without running them.
    func testWarmupTimeoutSkipsTheCountedRepeats() throws {
        let text = "name = \"slow\"\nrepeats = 3\nwarmup = 1\n[[problems]]\nfamily = \"slow\"\nbackends = [\"polling-f64\", \"quick-f64\"]\n[problems.params]\nseconds = 30.0"
        let (store, outcome, seconds, _) = try run(text, limits: RunLimits(timeoutSeconds: 0.2, onStuck: { _ in XCTFail("watchdog fired") }))
        XCTAssertLessThan(seconds, 10, "one warm-up stopped at 0.2 s, repeats not started")
        XCTAssertEqual(outcome.timedOut, 3)
        let rows = try store.query("SELECT backend, status, error FROM runs ORDER BY id")
        XCTAssertEqual(rows.map { $0["status"]! }, ["timeout", "timeout", "timeout", "ok", "ok", "ok"])
        XCTAssert(rows[0]["error"]!.contains("warm-up 1"), rows[0]["error"]!)
    }

    /// A backend that never polls (one long uninterruptible call) is recorded as `timeout` by
    /// the watchdog at limit + grace, and the stuck handler (the CLI exits there) is called
    /// once; when the call finally returns the run is not recorded again and the suite goes on.
    func testWatchdogRecordsAStuckRunAndCallsTheStuckHandler() throws {
        let calls = StuckCalls()
        let text = "name = \"slow\"\nrepeats = 1\nwarmup = 0\n[[problems]]\nfamily = \"slow\"\nbackends = [\"stuck-f64\", \"quick-f64\"]\n[problems.params]\nseconds = 2.5"
        let t0 = Date()
        let limits = RunLimits(timeoutSeconds: 0.2, graceSeconds: 0.3, onStuck: { m in calls.add("\(Date().timeIntervalSince(t0)) \(m)") })
        let (store, outcome, _, _) = try run(text, limits: limits)
        XCTAssertEqual(calls.all.count, 1, "\(calls.all)")
        let firedAt = Double(calls.all.first?.split(separator: " ").first ?? "") ?? .infinity
        XCTAssertLessThan(firedAt, 2.4, "fired at limit + grace (0.5 s), long before the 2.5 s call returned")
        XCTAssert(calls.all.first!.contains("--resume"), calls.all.first!)
        let rows = try store.query("SELECT backend, status, error FROM runs ORDER BY id")
        XCTAssertEqual(rows.map { "\($0["backend"]!) \($0["status"]!)" }, ["stuck-f64 timeout", "quick-f64 ok"])
        XCTAssert(rows[0]["error"]!.contains("watchdog"), rows[0]["error"]!)
        XCTAssertEqual(outcome.timedOut, 1)
    }

    /// A warm-up stuck past limit + grace: the watchdog records the counted repeats once, and
    /// they are not run or recorded again when the call returns.
    func testStuckWarmupIsRecordedOnceByTheWatchdog() throws {
        let calls = StuckCalls()
        let text = "name = \"slow\"\nrepeats = 2\nwarmup = 1\n[[problems]]\nfamily = \"slow\"\nbackends = [\"stuck-f64\", \"quick-f64\"]\n[problems.params]\nseconds = 1.5"
        let (store, outcome, _, _) = try run(text, limits: RunLimits(timeoutSeconds: 0.1, graceSeconds: 0.2, onStuck: { calls.add($0) }))
        XCTAssertEqual(calls.all.count, 1, "\(calls.all)")
        let rows = try store.query("SELECT backend, status FROM runs ORDER BY id")
        XCTAssertEqual(rows.map { "\($0["backend"]!) \($0["status"]!)" }, ["stuck-f64 timeout", "stuck-f64 timeout", "quick-f64 ok", "quick-f64 ok"])
        XCTAssertEqual(outcome.timedOut, 2)
    }

    /// A reference that takes longer than the limit marks the problem's runs `timeout` with a
    /// message naming the reference; the backends are not run.
    func testSlowReferenceMarksTheProblemsRunsAsTimeout() throws {
        let text = "name = \"slow\"\nrepeats = 2\nwarmup = 0\n[[problems]]\nfamily = \"slow\"\nbackends = [\"quick-f64\"]\n[problems.params]\nref-seconds = [0.6, 0.0]"
        let (store, outcome, _, _) = try run(text, limits: RunLimits(timeoutSeconds: 0.3, graceSeconds: 20, onStuck: { _ in XCTFail("watchdog fired") }))
        XCTAssertEqual(outcome.timedOut, 2)
        let rows = try store.query("SELECT status, error FROM runs ORDER BY id")
        XCTAssertEqual(rows.map { $0["status"]! }, ["timeout", "timeout", "ok", "ok"])
        XCTAssert(rows[0]["error"]!.contains("GSL reference"), rows[0]["error"]!)
    }

    /// A reference stuck past limit + grace is recorded by the watchdog for every pending run.
    func testStuckReferenceIsRecordedByTheWatchdog() throws {
        let calls = StuckCalls()
        let text = "name = \"slow\"\nrepeats = 2\nwarmup = 0\n[[problems]]\nfamily = \"slow\"\nbackends = [\"quick-f64\"]\n[problems.params]\nref-seconds = 1.5"
        let (store, _, _, _) = try run(text, limits: RunLimits(timeoutSeconds: 0.1, graceSeconds: 0.2, onStuck: { calls.add($0) }))
        XCTAssertEqual(calls.all.count, 1)
        let rows = try store.query("SELECT status, error FROM runs ORDER BY id")
        XCTAssertEqual(rows.map { $0["status"]! }, ["timeout", "timeout"], "recorded once each, by the watchdog")
        XCTAssert(rows[0]["error"]!.contains("GSL reference"), rows[0]["error"]!)
    }

    func testSuiteTimeoutAndMemoryBudgetKeys() throws {
        let suite = try Suite.parse("name = \"s\"\ntimeout = 2.5\nmemory_budget = \"512M\"\n[[problems]]\nfamily = \"slow\"", path: "s.toml", registry: registry)
        XCTAssertEqual(suite.timeoutSeconds, 2.5)
        XCTAssertEqual(suite.memoryBudgetBytes, 512 << 20)
        let bytes = try Suite.parse("name = \"s\"\ntimeout = 3\nmemory_budget = 1000000\n[[problems]]\nfamily = \"slow\"", path: "s.toml", registry: registry)
        XCTAssertEqual(bytes.timeoutSeconds, 3)
        XCTAssertEqual(bytes.memoryBudgetBytes, 1_000_000)
        for bad in ["timeout = -1", "timeout = \"x\"", "memory_budget = \"lots\"", "memory_budget = 0"] {
            XCTAssertThrowsError(try Suite.parse("name = \"s\"\n\(bad)\n[[problems]]\nfamily = \"slow\"", path: "s.toml", registry: registry), bad)
        }
    }

    func testByteSizes() {
        XCTAssertEqual(ByteSize.parse("1048576"), 1 << 20)
        XCTAssertEqual(ByteSize.parse("512M"), 512 << 20)
        XCTAssertEqual(ByteSize.parse("512MiB"), 512 << 20)
        XCTAssertEqual(ByteSize.parse("2g"), 2 << 30)
        XCTAssertEqual(ByteSize.parse("1.5G"), 3 << 29)
        XCTAssertEqual(ByteSize.parse("64kb"), 64 << 10)
        for bad in ["", "M", "-1M", "0", "2X", "1e3", "abc"] { XCTAssertNil(ByteSize.parse(bad), bad) }
        XCTAssertEqual(ByteSize.format(3 << 29), "1.50 GiB")
    }

    /// The deadline turns `isCancelled` true, and `cancellableMap` throws instead of finishing.
    func testCancellableMapStopsAtTheDeadline() {
        let context = RunContext(threads: 2, isCancelled: Deadline(secondsFromNow: 0.1).check)
        let t0 = Date()
        XCTAssertThrowsError(try context.cancellableMap(10_000) { _ in Thread.sleep(forTimeInterval: 0.01) }) { error in
            XCTAssert(error is RunCancelled, "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(t0), 10, "10 000 x 10 ms on 2 threads would take 50 s")
        XCTAssertEqual(try RunContext(threads: 2).cancellableMap(5) { $0 * 2 }, [0, 2, 4, 6, 8])
    }
}
