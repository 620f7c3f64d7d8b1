import Foundation
import GenoBenchCatalog
import GenoBenchCore
import GenoBenchHarness
@testable import GenoBenchStore
import GRDB
import Synchronization
import XCTest
import _GenoBenchTestSupport

/// A family for harness tests: the "problem" is a size, the answer is its square; one backend
/// allocates `size` MiB (to show per-run peaks), one throws, one is wrong.
struct ToyFamily: Family {
    var id: String { "toy" }
    var summary: String { "test family" }
    var parameters: [ParameterSpec] { [ParameterSpec("mib", default: .int(1), help: "MiB to allocate")] }
    var tolerances: [ToleranceSpec] { [ToleranceSpec("abs_error", f32: 0.5, f64: 0.5, help: "|answer - truth|")] }
    func makeProblem(_ p: ProblemParameters, seed: UInt64) throws -> Int { try p.int("mib") }
    func dataHash(of problem: Int) -> String { ContentHash.of("\(problem)") }
    func reference(for problem: Int) throws -> Double { Double(problem * problem) }
    func compare(_ s: Double, with r: Double, tolerances: Tolerances) -> [Metric] {
        [Metric(name: "abs_error", value: abs(s - r), tolerance: tolerances["abs_error"])]
    }
    func estimates(of s: Double) -> [Estimate] { [Estimate("answer", s)] }
}

struct Allocating: Backend {
    typealias FamilyType = ToyFamily
    var id: String { "alloc-f64" }
    var version: String { "1" }
    var precision: Precision { .f64 }
    func solve(_ problem: Int, context: RunContext) throws -> Solved<Double> {
        var buffer = [UInt8](repeating: 1, count: problem << 20)
        for i in stride(from: 0, to: buffer.count, by: 4096) { buffer[i] = UInt8(i & 0x7f) }
        var d = Diagnostics()
        d.set("touched", buffer.count)
        return Solved(Double(problem * problem), diagnostics: d)
    }
}

struct Failing: Backend {
    typealias FamilyType = ToyFamily
    var id: String { "broken-f64" }
    var version: String { "1" }
    var precision: Precision { .f64 }
    struct Boom: Error, CustomStringConvertible { var description: String { "singular design" } }
    func solve(_ problem: Int, context: RunContext) throws -> Solved<Double> { throw Boom() }
}

struct Wrong: Backend {
    typealias FamilyType = ToyFamily
    var id: String { "wrong-f32" }
    var version: String { "1" }
    var precision: Precision { .f32 }
    func solve(_ problem: Int, context: RunContext) throws -> Solved<Double> { Solved(Double(problem * problem) + 1) }
}

final class StoreTests: XCTestCase {
    let toyRegistry = Registry([FamilyEntry(ToyFamily(), backends: [Allocating(), Failing(), Wrong()])])

    func invocation(_ suite: Suite) -> InvocationInfo {
        InvocationInfo(gitCommit: "test", toolVersion: "0", suiteName: suite.name, suiteHash: suite.hash,
                       commandLine: "genobench run", tag: "t", threads: 1)
    }

    func testFailuresAreRecordedAndTheSuiteGoesOn() throws {
        let dir = TemporaryDirectory()
        let suite = try Suite.parse("name = \"toy\"\nrepeats = 2\nwarmup = 0\n[[problems]]\nfamily = \"toy\"\nbackends = \"all\"\n[problems.params]\nmib = [4]",
                                    path: "toy.toml", registry: toyRegistry)
        let store = try Store(path: dir.file("s.sqlite"))
        try store.beginInvocation(invocation(suite), machine: MachineInfo.current(), resume: false)
        let outcome = try Runner(plan: try RunPlan(suite: suite, registry: toyRegistry), threads: 1).run(into: store)
        XCTAssertEqual(outcome.recorded, 6)
        XCTAssertEqual(outcome.failed, 2)
        XCTAssertEqual(outcome.outOfTolerance, 2)
        let statuses = try store.query("SELECT backend, status, error FROM runs ORDER BY id")
        XCTAssertEqual(statuses.map { $0["status"]! }, ["ok", "ok", "failed", "failed", "out_of_tolerance", "out_of_tolerance"])
        XCTAssertEqual(statuses[2]["error"], "singular design")
        let metric = try store.query("SELECT m.value, m.tolerance, m.passed FROM metrics m JOIN runs r ON r.id = m.run_id WHERE r.backend = 'wrong-f32'")
        XCTAssertEqual(metric.first?["value"], "1.0")
        XCTAssertEqual(metric.first?["passed"], "0")
        let summary = try store.summary()
        XCTAssertEqual(summary.map(\.verdict), ["pass", "FAILED", "OUT OF TOLERANCE"])
    }

    func testReferenceCostIsRecordedOncePerProblem() throws {
        let dir = TemporaryDirectory()
        let suite = try Suite.parse("name = \"toy\"\nrepeats = 2\nwarmup = 0\n[[problems]]\nfamily = \"toy\"\nbackends = [\"alloc-f64\"]\n[problems.params]\nmib = [1, 2]",
                                    path: "toy.toml", registry: toyRegistry)
        let store = try Store(path: dir.file("r.sqlite"))
        try store.beginInvocation(invocation(suite), machine: MachineInfo.current(), resume: false)
        _ = try Runner(plan: try RunPlan(suite: suite, registry: toyRegistry), threads: 1).run(into: store)
        let refs = try store.query("SELECT problem_id, status, wall_s FROM reference_runs ORDER BY problem_id")
        XCTAssertEqual(refs.count, 2)
        XCTAssert(refs.allSatisfy { $0["status"] == "ok" && Double($0["wall_s"]!)! >= 0 })
    }

    /// Eight connections open (create or upgrade) one store at the same moment, from nothing and
    /// from each older schema: each open either migrates or finds the store migrated, none fails
    /// on a migration another one applied meanwhile ("duplicate column name: uid" in CI).
    /// `--db` naming another program's SQLite database is refused before anything is written to
    /// it; an empty file becomes a new store.
    func testAForeignDatabaseIsRefusedAndLeftAsItWas() throws {
        let dir = TemporaryDirectory()
        func tables(_ path: String) throws -> [String] {
            let q = try DatabaseQueue(path: path)
            defer { try? q.close() }
            return try q.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") }
        }
        let foreign = dir.file("mydata.sqlite")
        let q = try DatabaseQueue(path: foreign)
        try q.write { try $0.execute(sql: "CREATE TABLE mydata (x INTEGER); INSERT INTO mydata VALUES (1)") }
        try q.close()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: foreign))
        XCTAssertThrowsError(try Store(path: foreign)) { e in
            XCTAssert("\(e)".contains("\(foreign): an SQLite database but not a GenoBench store (its tables: mydata)"), "\(e)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: foreign)), bytes, "the file is left byte for byte (not even switched to WAL)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: foreign + "-wal"))
        XCTAssertEqual(try tables(foreign), ["mydata"], "nothing added")
        let otherApp = dir.file("other.sqlite")
        let o = try DatabaseQueue(path: otherApp)
        try o.write { try $0.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY); INSERT INTO grdb_migrations VALUES ('their_v1'); CREATE TABLE runs (id INTEGER)") }
        try o.close()
        XCTAssertThrowsError(try Store(path: otherApp)) { e in XCTAssert("\(e)".contains("migrations this GenoBench does not know (their_v1)"), "\(e)") }
        XCTAssertEqual(try tables(otherApp), ["grdb_migrations", "runs"])
        // A store of a newer GenoBench (a migration this one lacks) can still be read.
        let newer = dir.file("newer.sqlite")
        _ = try Store(path: newer)
        let n = try DatabaseQueue(path: newer)
        try n.write { try $0.execute(sql: "INSERT INTO grdb_migrations VALUES ('v99')") }
        try n.close()
        XCTAssertThrowsError(try Store(path: newer), "not written to")
        XCTAssertNoThrow(try Store.existing(path: newer).invocations(), "but read")
        let empty = dir.file("empty.sqlite")
        XCTAssert(FileManager.default.createFile(atPath: empty, contents: nil))
        XCTAssertNoThrow(try Store(path: empty))
        XCTAssertNoThrow(try Store(path: empty), "and reopens as a store")
    }

    func testConcurrentOpensMigrateOnce() throws {
        let dir = TemporaryDirectory()
        let versions: [String?] = [nil, "v1", "v2"]
        for round in 0..<24 {
            let path = dir.file("c\(round).sqlite")
            if let start = versions[round % versions.count] {
                let q = try DatabaseQueue(path: path)
                try Schema.migrator.migrate(q, upTo: start)
                try q.close()
            }
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                do { _ = try Store(path: path) } catch { failures.withLock { $0.append("\(error)") } }
            }
            XCTAssertEqual(failures.withLock { $0 }, [], "round \(round)")
            let store = try Store(path: path)
            XCTAssertEqual(try store.query("SELECT identifier FROM grdb_migrations ORDER BY identifier").map { $0["identifier"] },
                           Schema.migrator.migrations)
            XCTAssertEqual(try store.query("PRAGMA integrity_check"), [["integrity_check": "ok"]])
        }
    }

    /// A store written by the v1 schema keeps every row when it is opened (migrated to v2), and
    /// accepts the new `timeout` status.
    func testV1StoreMigratesWithoutLosingRows() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("old.sqlite")
        do {
            let q = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(q, upTo: "v1")
            try q.write { db in
                try db.execute(sql: """
                    INSERT INTO machines VALUES (1, 'fp', 'h', 'cpu', 2, 1, 'os', 'blas', 2);
                    INSERT INTO invocations VALUES (1, 't0', 't1', 'c', '0', 's', 'h', 'cmd', NULL, 2, 1);
                    INSERT INTO problems VALUES (1, 'ld', '{}', 1, 'd');
                    INSERT INTO runs VALUES (1, 1, 1, 'naive-f64', '1', 'f64', 0, 'ok', NULL, 0.5, 0.5, 100, 50, 2, '{}', 't');
                    INSERT INTO metrics VALUES (1, 1, 'r_max_abs', 0, 1e-12, 1);
                    """)
            }
        }
        let store = try Store(path: path)
        XCTAssertEqual(try store.query("SELECT backend, wall_s FROM runs"), [["backend": "naive-f64", "wall_s": "0.5"]])
        XCTAssertEqual(try store.query("SELECT COUNT(*) AS n FROM metrics m JOIN runs r ON r.id = m.run_id")[0]["n"], "1")
        XCTAssertEqual(try store.query("PRAGMA foreign_key_check").count, 0)
        try store.pool.write { db in
            try db.execute(sql: """
                INSERT INTO runs (id, invocation_id, problem_id, backend, backend_version, precision, repeat, status, error, wall_s, cpu_s,
                                  peak_rss_bytes, rss_before_bytes, threads, diagnostics_json, recorded_at)
                VALUES (2, 1, 1, 'naive-f64', '1', 'f64', 1, 'timeout', 'time limit', NULL, NULL, NULL, NULL, 2, '{}', 't')
                """)
        }
        XCTAssertEqual(try store.query("SELECT status FROM runs WHERE id = 2")[0]["status"], "timeout")
    }

    func testPeakMemoryIsPerRunNotPerProcess() throws {
        // A 64 MiB run followed by a 1 MiB run: the second run's peak must not inherit the first's.
        let dir = TemporaryDirectory()
        let suite = try Suite.parse("name = \"mem\"\nrepeats = 1\nwarmup = 0\n[[problems]]\nfamily = \"toy\"\nbackends = [\"alloc-f64\"]\n[problems.params]\nmib = [64, 1]",
                                    path: "mem.toml", registry: toyRegistry)
        let store = try Store(path: dir.file("m.sqlite"))
        try store.beginInvocation(invocation(suite), machine: MachineInfo.current(), resume: false)
        _ = try Runner(plan: try RunPlan(suite: suite, registry: toyRegistry), threads: 1).run(into: store)
        let rows = try store.query("SELECT peak_rss_bytes - rss_before_bytes AS grew, diagnostics_json FROM runs ORDER BY id")
        let big = Double(rows[0]["grew"]!)!, small = Double(rows[1]["grew"]!)!
        guard rows[0]["diagnostics_json"]!.contains("vmhwm-reset") else { throw XCTSkip("no per-run peak reset on this OS") }
        XCTAssertGreaterThan(big, 60 * 1_048_576, "the 64 MiB run's peak")
        XCTAssertLessThan(small, 16 * 1_048_576, "the 1 MiB run's peak must not include the earlier 64 MiB")
    }

    /// A suite with `heap = "warm"` measures every run without returning freed heap first, and
    /// each run says so in its `peak_rss_method`: with and without a time limit (the watchdog's
    /// path makes its own probe), warm-ups before the counted runs.
    func testWarmHeapSuiteMarksItsRuns() throws {
        for limits in [RunLimits(), RunLimits(timeoutSeconds: 60, onStuck: { _ in XCTFail("watchdog fired") })] {
            let dir = TemporaryDirectory()
            let suite = try Suite.parse("name = \"warm\"\nheap = \"warm\"\nrepeats = 2\nwarmup = 1\n[[problems]]\nfamily = \"toy\"\nbackends = [\"alloc-f64\"]\n[problems.params]\nmib = [1]",
                                        path: "warm.toml", registry: toyRegistry)
            let store = try Store(path: dir.file("w.sqlite"))
            try store.beginInvocation(invocation(suite), machine: MachineInfo.current(), resume: false)
            _ = try Runner(plan: try RunPlan(suite: suite, registry: toyRegistry), threads: 1, limits: limits).run(into: store)
            let methods = try store.query("SELECT json_extract(diagnostics_json, '$.peak_rss_method') AS m FROM runs ORDER BY id").map { $0["m"] }
            XCTAssertEqual(methods.count, 2)
            for m in methods { XCTAssert(m?.hasSuffix("-warm-heap") == true, "time limit \(limits.timeoutSeconds.map { "\($0)" } ?? "none"): \(m ?? "nil")") }
            XCTAssertEqual(try store.runs().compactMap(\.peakMethod), methods.compactMap { $0 }, "the reports read the same method")
        }
    }

    func testLDSuiteContentsAndResume() throws {
        let dir = TemporaryDirectory()
        let registry = Catalog.registry
        let text = """
            name = "small"
            repeats = 2
            warmup = 1
            [[problems]]
            family = "ld"
            backends = "all"
            seeds = [1]
            [problems.params]
            samples = [40]
            variants = [30, 45]
            r2-min = 0
            block-size = 10
            """
        let suite = try Suite.parse(text, path: "small.toml", registry: registry)
        let plan = try RunPlan(suite: suite, registry: registry)
        let path = dir.file("ld.sqlite")
        do {
            let store = try Store(path: path)
            try store.beginInvocation(invocation(suite), machine: MachineInfo.current(), resume: false)
            // A run killed after 8 stored runs leaves the invocation unfinished.
            _ = try Runner(plan: plan, threads: 2).run(into: LimitedSink(store, limit: 8))
            XCTFail("the limited sink should have stopped the run")
        } catch is LimitedSink.Stop {}
        let store = try Store(path: path)
        XCTAssertTrue(try store.beginInvocation(invocation(suite), machine: MachineInfo.current(), resume: true), "resumes the unfinished invocation")
        let outcome = try Runner(plan: plan, threads: 2).run(into: store)
        XCTAssertEqual(outcome.skipped, 8)
        XCTAssertEqual(outcome.recorded, 8)
        try store.finishInvocation()

        XCTAssertEqual(try store.query("SELECT COUNT(*) AS n FROM invocations")[0]["n"], "1")
        XCTAssertEqual(try store.query("SELECT COUNT(*) AS n FROM machines")[0]["n"], "1")
        let problems = try store.query("SELECT family, params_json, seed, data_hash FROM problems ORDER BY id")
        XCTAssertEqual(problems.count, 2)
        XCTAssert(problems[0]["params_json"]!.contains("\"variants\":30"))
        XCTAssertEqual(problems[0]["data_hash"]!.count, 16)
        let runs = try store.query("SELECT backend, precision, repeat, status, wall_s, cpu_s, peak_rss_bytes FROM runs")
        XCTAssertEqual(runs.count, 16)
        XCTAssert(runs.allSatisfy { $0["status"] == "ok" }, "\(runs.filter { $0["status"] != "ok" })")
        XCTAssert(runs.allSatisfy { Double($0["wall_s"]!)! > 0 && Int($0["peak_rss_bytes"]!)! > 0 })
        XCTAssertEqual(Set(runs.map { $0["precision"]! }), ["f32", "f64"])
        let metrics = try store.query("SELECT DISTINCT name FROM metrics ORDER BY name").map { $0["name"]! }
        XCTAssertEqual(metrics, ["d_max_abs", "dprime_max_abs", "r2_hap_max_abs", "r2_max_abs", "r_max_abs", "rows_differing", "tables_differing", "undefined_pairs"])
        let pairs = try store.query("SELECT DISTINCT e.value FROM estimates e WHERE e.name = 'pairs_written' ORDER BY e.value").map { $0["value"]! }
        XCTAssertEqual(pairs, ["435.0", "990.0"])
        let diag = try store.query("SELECT diagnostics_json FROM runs WHERE backend = 'tiled-f64' LIMIT 1")[0]["diagnostics_json"]!
        XCTAssert(diag.contains("\"block_pairs\""), diag)
        let mode = try store.query("PRAGMA journal_mode")[0].values.first
        XCTAssertEqual(mode, "wal")
    }
}

/// A sink that stops (like a kill) after `limit` runs.
final class LimitedSink: RunSink {
    struct Stop: Error {}
    let inner: Store
    var left: Int
    init(_ inner: Store, limit: Int) { self.inner = inner; self.left = limit }
    func isRecorded(problem: PlannedProblem, backend: String, repeatIndex: Int) throws -> Bool {
        try inner.isRecorded(problem: problem, backend: backend, repeatIndex: repeatIndex)
    }
    func record(_ run: RunRecord) throws {
        if left == 0 { throw Stop() }
        try inner.record(run)
        left -= 1
    }
}
