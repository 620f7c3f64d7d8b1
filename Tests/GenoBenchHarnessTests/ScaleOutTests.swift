import Foundation
import GenoBenchCatalog
import GenoBenchCore
import GenoBenchHarness
@testable import GenoBenchStore
import GRDB
import XCTest
import _GenoBenchTestSupport

/// `--shard I/N` plans, LD parts as shard units, and `genobench merge` of shard stores.
final class ScaleOutTests: XCTestCase {
    let registry = Catalog.registry

    /// LD tiles (3 parts), two LD seeds and a DiD problem: 7 units.
    let suiteText = """
        name = "scale"
        repeats = 2
        warmup = 0
        [[problems]]
        family = "ld"
        backends = ["naive-f64", "tiled-f32"]
        seeds = [1, 2]
        [problems.params]
        samples = 40
        variants = 30
        r2-min = 0
        block-size = 5
        subproblems = 3
        [[problems]]
        family = "did"
        backends = ["pseudobulk-f64", "cell-f64"]
        [problems.params]
        participants = 6
        cells-per-sample = 4
        features = 3
        """

    func invocation(_ suite: Suite, shard: Shard? = nil, batch: String? = nil) -> InvocationInfo {
        InvocationInfo(gitCommit: "test", toolVersion: "0", suiteName: suite.name, suiteHash: suite.hash,
                       commandLine: "genobench run", tag: nil, threads: 1, shard: shard, batch: batch)
    }

    func testLDSubproblemsWithoutPartPlanEveryPart() throws {
        let suite = try Suite.parse(suiteText, path: "s.toml", registry: registry)
        let plan = try RunPlan(suite: suite, registry: registry)
        XCTAssertEqual(plan.unitCount, 7)
        let ld = plan.problems.filter { $0.family.id == "ld" }
        XCTAssertEqual(ld.map { "\($0.seed):\($0.parameters["part"]!)" }, ["1:1", "1:2", "1:3", "2:1", "2:2", "2:3"])
        XCTAssertEqual(plan.problems.map(\.unitIndex), Array(0..<7))
        // An explicit part is kept as given.
        let explicit = try Suite.parse(suiteText.replacingOccurrences(of: "subproblems = 3", with: "subproblems = 3\npart = [2]"),
                                       path: "s.toml", registry: registry)
        XCTAssertEqual(try RunPlan(suite: explicit, registry: registry).problems.filter { $0.family.id == "ld" }
                        .map { "\($0.parameters["part"]!)" }, ["2", "2"])
    }

    func testShardsAreDisjointCoverThePlanAndFollowTheRule() throws {
        let suite = try Suite.parse(suiteText, path: "s.toml", registry: registry)
        let whole = try RunPlan(suite: suite, registry: registry)
        for n in 1...9 {
            var seen: [Int] = []
            for i in 1...n {
                let plan = try RunPlan(suite: suite, registry: registry, shard: try Shard(index: i, count: n))
                XCTAssert(plan.problems.allSatisfy { $0.unitIndex % n == i - 1 }, "shard \(i)/\(n)")
                XCTAssertEqual(plan.unitCount, whole.unitCount)
                seen += plan.problems.map(\.unitIndex)
            }
            XCTAssertEqual(seen.sorted(), Array(0..<whole.unitCount), "\(n) shards must be disjoint and cover the plan")
        }
        XCTAssertThrowsError(try Shard(parsing: "0/3")) { XCTAssert("\($0)".contains("I must be in 1...3"), "\($0)") }
        XCTAssertThrowsError(try Shard(parsing: "4/3"))
        XCTAssertThrowsError(try Shard(parsing: "2")) { XCTAssert("\($0)".contains("I/N"), "\($0)") }
        XCTAssertEqual(try Shard(parsing: "2/3"), try Shard(index: 2, count: 3))
    }

    /// Runs `shard` (nil: the whole plan) of the suite into the store at `path`.
    @discardableResult
    func run(_ suite: Suite, into path: String, shard: Shard? = nil, batch: String? = nil) throws -> Store {
        let store = try Store(path: path)
        try store.beginInvocation(invocation(suite, shard: shard, batch: batch), machine: MachineInfo.current(), resume: false)
        _ = try Runner(plan: try RunPlan(suite: suite, registry: registry, shard: shard), threads: 1).run(into: store)
        try store.finishInvocation()
        return store
    }

    func testMergedShardsEqualOneProcessAndMergingTwiceAddsNothing() throws {
        let dir = TemporaryDirectory()
        let suite = try Suite.parse(suiteText, path: "s.toml", registry: registry)
        let single = try run(suite, into: dir.file("single.sqlite"))
        let shards = try (1...3).map { i in
            let path = dir.file("shard-\(i).sqlite")
            try run(suite, into: path, shard: try Shard(index: i, count: 3), batch: "b1")
            return path
        }
        let first = try Store.merge(shards, into: dir.file("merged.sqlite"))
        XCTAssertEqual(first.runsAdded, 28)
        XCTAssertEqual(first.shardsAdded, 3)
        XCTAssertEqual(first.invocationsAdded, 1, "the three shards unite into one invocation")
        let merged = try Store(path: dir.file("merged.sqlite"))
        XCTAssertEqual(try merged.resultLines(), try single.resultLines())
        XCTAssertEqual(try merged.resultLines().count, 28)
        // Idempotent: the same shards again (and a shard twice) add nothing.
        let again = try Store.merge(shards + [shards[0]], into: dir.file("merged.sqlite"))
        XCTAssertEqual(again.runsAdded, 0)
        let firstShardRuns = try Store(path: shards[0]).resultLines().count
        XCTAssertEqual(again.runsAlreadyPresent, 28 + firstShardRuns)
        XCTAssertEqual(again.invocationsAdded, 0)
        XCTAssertEqual(try merged.resultLines(), try single.resultLines())
        // Reports read it as one finished invocation with every run and each problem's reference once.
        let invocations = try merged.invocations()
        XCTAssertEqual(invocations.count, 1)
        XCTAssertNotNil(invocations[0].finishedAt)
        XCTAssertEqual(try merged.runs(invocations: [invocations[0].id]).count, 28)
        XCTAssertEqual(try merged.references(invocations: [invocations[0].id]).count, 7)
        XCTAssertEqual(try merged.query("SELECT COUNT(*) AS n FROM invocation_parts")[0]["n"], "3")
        XCTAssertEqual(try merged.query("SELECT COUNT(DISTINCT part_uid) AS n FROM runs")[0]["n"], "3")
        XCTAssertEqual(try merged.query("PRAGMA foreign_key_check").count, 0)
        // A merged store merged into another one stays one invocation.
        let twice = try Store.merge([dir.file("merged.sqlite"), shards[1]], into: dir.file("merged2.sqlite"))
        XCTAssertEqual(twice.invocationsAdded, 1)
        XCTAssertEqual(try Store(path: dir.file("merged2.sqlite")).resultLines(), try single.resultLines())
        // The unsharded run merged in next to the shards is its own invocation.
        let both = try Store.merge([dir.file("single.sqlite"), dir.file("merged.sqlite")], into: dir.file("both.sqlite"))
        XCTAssertEqual(both.invocationsAdded, 2)
        XCTAssertEqual(both.runsAdded, 56)
    }

    func testAnUnfinishedShardLeavesTheUnitedInvocationUnfinished() throws {
        let dir = TemporaryDirectory()
        let suite = try Suite.parse(suiteText, path: "s.toml", registry: registry)
        try run(suite, into: dir.file("a.sqlite"), shard: try Shard(index: 1, count: 2))
        _ = try Store.merge([dir.file("a.sqlite")], into: dir.file("m.sqlite"))
        XCTAssertNil(try Store(path: dir.file("m.sqlite")).invocations()[0].finishedAt, "shard 2 of 2 is missing")
        try run(suite, into: dir.file("b.sqlite"), shard: try Shard(index: 2, count: 2))
        _ = try Store.merge([dir.file("b.sqlite")], into: dir.file("m.sqlite"))
        XCTAssertNotNil(try Store(path: dir.file("m.sqlite")).invocations()[0].finishedAt)
    }

    func testTheSameShardFromTwoRunsIsAConflict() throws {
        let dir = TemporaryDirectory()
        let suite = try Suite.parse(suiteText, path: "s.toml", registry: registry)
        try run(suite, into: dir.file("a.sqlite"), shard: try Shard(index: 1, count: 2))
        try run(suite, into: dir.file("b.sqlite"), shard: try Shard(index: 1, count: 2))
        XCTAssertThrowsError(try Store.merge([dir.file("a.sqlite"), dir.file("b.sqlite")], into: dir.file("m.sqlite"))) { e in
            XCTAssert(e is MergeError)
            XCTAssert("\(e)".contains("b.sqlite") && "\(e)".contains("shard 1/2") && "\(e)".contains("--batch"), "\(e)")
        }
        // Different batches are different runs: both kept, as two invocations.
        try run(suite, into: dir.file("c.sqlite"), shard: try Shard(index: 1, count: 2), batch: "x")
        let s = try Store.merge([dir.file("a.sqlite"), dir.file("c.sqlite")], into: dir.file("n.sqlite"))
        XCTAssertEqual(s.invocationsAdded, 2)
    }

    func testMergeRefusesCorruptAndForeignFilesByName() throws {
        let dir = TemporaryDirectory()
        let suite = try Suite.parse(suiteText, path: "s.toml", registry: registry)
        try run(suite, into: dir.file("good.sqlite"), shard: try Shard(index: 1, count: 3))
        try Data("this is not a database, just text that is long enough to look like a header\n".utf8).write(to: URL(fileURLWithPath: dir.file("text.sqlite")))
        let other = try DatabaseQueue(path: dir.file("other.sqlite"))
        try other.write { try $0.execute(sql: "CREATE TABLE t (x); INSERT INTO t VALUES (1)") }
        try other.close()
        // A store whose pages were overwritten in the middle.
        let good = try Data(contentsOf: URL(fileURLWithPath: dir.file("good.sqlite")))
        var broken = good
        for i in stride(from: 4096 + 100, to: min(broken.count, 4096 * 6), by: 1) { broken[i] = UInt8(truncatingIfNeeded: i * 31) }
        try broken.write(to: URL(fileURLWithPath: dir.file("broken.sqlite")))
        let cases: [(String, String)] = [
            ("text.sqlite", "cannot be"), ("other.sqlite", "is not a GenoBench store"), ("broken.sqlite", "refusing to merge it"),
            ("missing.sqlite", "no such file"),
        ]
        for (name, fragment) in cases {
            XCTAssertThrowsError(try Store.merge([dir.file("good.sqlite"), dir.file(name)], into: dir.file("out-\(name)")), name) { e in
                XCTAssert(e is MergeError, "\(name): \(type(of: e)) \(e)")
                XCTAssert("\(e)".contains(dir.file(name)) && "\(e)".contains(fragment), "\(name): \(e)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("out-\(name)")), "\(name): nothing may be written")
        }
        XCTAssertThrowsError(try Store.merge([dir.file("good.sqlite")], into: dir.file("good.sqlite"))) {
            XCTAssert("\($0)".contains("also the --into store"), "\($0)")
        }
    }

    /// With --batch, --resume continues the shard's invocation from another machine (a requeued
    /// Slurm task on another node), finished or not; runs from that machine name it.
    func testABatchedShardResumesOnAnotherMachineAndAFinishedOneRecordsNothing() throws {
        let dir = TemporaryDirectory()
        let suite = try Suite.parse(suiteText, path: "s.toml", registry: registry)
        let shard = try Shard(index: 2, count: 3)
        let plan = try RunPlan(suite: suite, registry: registry, shard: shard)
        let path = dir.file("s.sqlite")
        do {
            let store = try Store(path: path)
            try store.beginInvocation(invocation(suite, shard: shard, batch: "b"), machine: MachineInfo.current(), resume: true)
            _ = try? Runner(plan: plan, threads: 1).run(into: LimitedSink(store, limit: 3))
        }
        var other = MachineInfo.current()
        other.hostname += "-node2"
        let store = try Store(path: path)
        XCTAssertTrue(try store.beginInvocation(invocation(suite, shard: shard, batch: "b"), machine: other, resume: true))
        let outcome = try Runner(plan: plan, threads: 1).run(into: store)
        XCTAssertEqual(outcome.skipped, 3)
        XCTAssertEqual(outcome.recorded, plan.runCount - 3)
        try store.finishInvocation()
        XCTAssertEqual(try store.query("SELECT COUNT(*) AS n FROM runs WHERE machine_id IS NOT NULL")[0]["n"], "\(plan.runCount - 3)")
        let finished = try store.query("SELECT finished_at FROM invocations")
        let again = try Store(path: path)
        XCTAssertTrue(try again.beginInvocation(invocation(suite, shard: shard, batch: "b"), machine: other, resume: true))
        XCTAssertEqual(try Runner(plan: plan, threads: 1).run(into: again).recorded, 0, "a finished shard of the batch has nothing left")
        try again.finishInvocation()
        XCTAssertEqual(try again.query("SELECT finished_at FROM invocations"), finished, "it keeps the time it really finished")
        XCTAssertEqual(try again.query("SELECT COUNT(*) AS n FROM invocations")[0]["n"], "1")
        // Merged, the runs keep the machine that ran them.
        _ = try Store.merge([path], into: dir.file("m.sqlite"))
        let merged = try Store(path: dir.file("m.sqlite"))
        XCTAssertEqual(try merged.query("SELECT COUNT(DISTINCT machine_id) AS n FROM runs")[0]["n"], "2")
    }

    /// Two processes resuming the same invocation may both finish a run: it is stored once,
    /// with its metrics and estimates once.
    func testARunRecordedTwiceIsStoredOnce() throws {
        let dir = TemporaryDirectory()
        let suite = try Suite.parse(suiteText, path: "s.toml", registry: registry)
        let plan = try RunPlan(suite: suite, registry: registry, shard: try Shard(index: 7, count: 7))
        let path = dir.file("d.sqlite")
        let first = try Store(path: path), second = try Store(path: path)
        try first.beginInvocation(invocation(suite), machine: MachineInfo.current(), resume: false)
        XCTAssertTrue(try second.beginInvocation(invocation(suite), machine: MachineInfo.current(), resume: true))
        _ = try Runner(plan: plan, threads: 1).run(into: first)
        let counts = "SELECT (SELECT COUNT(*) FROM runs) AS runs, (SELECT COUNT(*) FROM metrics) AS metrics, (SELECT COUNT(*) FROM estimates) AS estimates"
        let before = try first.query(counts)
        XCTAssertEqual(before[0]["runs"], "\(plan.runCount)")
        // The second process had decided to run everything before the first stored it.
        final class Blind: RunSink {
            let inner: Store
            init(_ inner: Store) { self.inner = inner }
            func isRecorded(problem: PlannedProblem, backend: String, repeatIndex: Int) throws -> Bool { false }
            func record(_ run: RunRecord) throws { try inner.record(run) }
        }
        let outcome = try Runner(plan: plan, threads: 1).run(into: Blind(second))
        XCTAssertEqual(outcome.recorded, plan.runCount)
        XCTAssertEqual(try first.query(counts), before)
    }

    /// A v2 store (before invocation uids) merges, and merging it twice is idempotent.
    func testAStoreFromBeforeV3MergesIdempotently() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("v2.sqlite")
        do {
            let q = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(q, upTo: "v2")
            try q.write { db in
                try db.execute(sql: """
                    INSERT INTO machines VALUES (1, 'fp', 'h', 'cpu', 2, 1, 'os', 'blas', 2);
                    INSERT INTO invocations VALUES (1, 't0', 't1', 'c', '0', 's', 'h', 'cmd', NULL, 2, 1);
                    INSERT INTO problems VALUES (1, 'ld', '{}', 1, 'd');
                    INSERT INTO runs VALUES (1, 1, 1, 'naive-f64', '1', 'f64', 0, 'ok', NULL, 0.5, 0.5, 100, 50, 2, '{}', 't');
                    INSERT INTO metrics VALUES (1, 1, 'r_max_abs', 0, 1e-12, 1);
                    INSERT INTO estimates VALUES (1, 1, 'pairs_written', 10);
                    """)
            }
        }
        XCTAssertEqual(try Store.merge([path], into: dir.file("m.sqlite")).runsAdded, 1)
        let second = try Store.merge([path], into: dir.file("m.sqlite"))
        XCTAssertEqual(second.runsAdded, 0)
        XCTAssertEqual(second.invocationsAdded, 0)
        XCTAssertEqual(try Store(path: dir.file("m.sqlite")).resultLines(), try Store(path: path).resultLines())
    }
}
