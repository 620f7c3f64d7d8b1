import Foundation
import GenoBenchCore
import GRDB
import XCTest
import _GenoBenchTestSupport

/// Crash safety (SIGKILL at random moments, SIGINT/SIGTERM), concurrent writers, and the
/// scale-out commands (`run --shard`, `merge`, `diff`, `slurm`) as a user runs them.
final class ReliabilityCLITests: XCTestCase {
    /// 4 LD problems x 3 backends x 3 repeats = 36 runs of 0.05–0.2 s each in a debug build
    /// (5 problems, 45 runs, for the kill test).
    let suiteText = """
        name = "reliability"
        repeats = 3
        warmup = 0
        [[problems]]
        family = "ld"
        backends = ["naive-f64", "naive-f32", "tiled-f64"]
        seeds = [1, 2, 3, 4]
        [problems.params]
        samples = 150
        variants = 100
        r2-min = 0
        """

    func writeSuite(_ dir: TemporaryDirectory, _ text: String? = nil) throws -> String {
        let path = dir.file("suite.toml")
        try (text ?? suiteText).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func start(_ args: [String], stderr: Any? = nil) throws -> Process {
        let p = Process()
        p.executableURL = productsDirectory.appendingPathComponent("genobench")
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = stderr ?? FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Opens a store without migrating or creating it (what a kill left behind).
    func inspect(_ path: String) throws -> DatabaseQueue {
        var c = Configuration()
        c.readonly = true
        return try DatabaseQueue(path: path, configuration: c)
    }

    func runKeys(_ db: DatabaseQueue) throws -> [String] {
        try db.read { try String.fetchAll($0, sql: """
            SELECT p.params_json || ' seed=' || p.seed || ' ' || r.backend || ' #' || r.repeat FROM runs r JOIN problems p ON p.id = r.problem_id
            """) }
    }

    /// 20 SIGKILLs at random moments (process start, store open, data building, a run, a
    /// write), each followed by a check of the file; then `--resume` finishes and the store
    /// holds exactly the results of an uninterrupted run.
    func testTwentyRandomKillsThenResumeGiveTheUninterruptedResults() throws {
        let dir = TemporaryDirectory()
        let suite = try writeSuite(dir, suiteText.replacingOccurrences(of: "seeds = [1, 2, 3, 4]", with: "seeds = [1, 2, 3, 4, 5]"))
        let clean = dir.file("clean.sqlite")
        // The uninterrupted run, timed: the kills below are spaced by its pace, so a fast machine
        // (runs of ~0.02 s) is not killed only after several runs and finishes the suite.
        let cleanErr = Pipe()
        let t0 = Date()
        let cleanRun = try start(["run", suite, "--db", clean, "--threads", "1"], stderr: cleanErr)
        var cleanSeen = "", firstReport: Double?
        while true {
            let chunk = cleanErr.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            cleanSeen += String(decoding: chunk, as: UTF8.self)
            if firstReport == nil && cleanSeen.contains("[1/45] ") { firstReport = Date().timeIntervalSince(t0) }
        }
        cleanRun.waitUntilExit()
        XCTAssertEqual(cleanRun.terminationStatus, 0, cleanSeen)
        let cleanSeconds = Date().timeIntervalSince(t0)
        let perRun = max(0.005, (cleanSeconds - (firstReport ?? 0)) / 44)
        let startUp = max(0, (firstReport ?? 0) - perRun)
        print(String(format: "kill test pace: start-up %.3f s, %.3f s a run", startUp, perRun))
        let db = dir.file("killed.sqlite")
        let seed = ProcessInfo.processInfo.environment["GENOBENCH_KILL_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...999_999)
        print("kill test seed \(seed) (set GENOBENCH_KILL_SEED to repeat)")
        var rng = RandomSource(seed: seed)
        var stored: Set<String> = []
        var kills = 0
        for attempt in 1...20 {
            // Half the kills land 0–0.4 s after the start (start-up, store open and migration,
            // data building; at most the start-up plus one run's time); the others once one more
            // run was reported plus 0–0.15 s (at most one run's time: inside the next run, its
            // write or the next problem's set-up). About one run of progress per attempt or less
            // (measured: 10 of the 45 stored after the 20 kills), so --resume has work left.
            let err = Pipe()
            let p = try start(["run", suite, "--db", db, "--resume", "--threads", "1"], stderr: err)
            let runsToWait = Int.random(in: 0...1, using: &rng)
            if runsToWait == 0 {
                usleep(UInt32(Double.random(in: 0...min(0.4, startUp + perRun), using: &rng) * 1e6))
            } else {
                var seen = "", reported = 0
                while reported < runsToWait && p.isRunning {
                    let chunk = err.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    seen += String(decoding: chunk, as: UTF8.self)
                    reported = seen.components(separatedBy: "/45] ").count - 1
                }
                usleep(UInt32(Double.random(in: 0...min(0.15, perRun), using: &rng) * 1e6))
            }
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                kills += 1
            }
            p.waitUntilExit()
            try? err.fileHandleForReading.close()
            XCTAssert(p.terminationReason == .uncaughtSignal || p.terminationStatus == 0, "attempt \(attempt): exit \(p.terminationStatus)")
            guard FileManager.default.fileExists(atPath: db) else { continue }
            let q = try inspect(db)
            XCTAssertEqual(try q.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }, ["ok"], "attempt \(attempt), seed \(seed)")
            guard try q.read({ try $0.tableExists("runs") }) else { try q.close(); continue }
            let keys = try runKeys(q)
            XCTAssertEqual(keys.count, Set(keys).count, "no run stored twice (attempt \(attempt), seed \(seed))")
            XCTAssert(stored.isSubset(of: Set(keys)), "runs stored before kill \(attempt) are gone (seed \(seed)): \(stored.subtracting(keys))")
            stored = Set(keys)
            let incomplete = try q.read { try Int.fetchOne($0, sql: """
                SELECT COUNT(*) FROM runs r WHERE NOT EXISTS (SELECT 1 FROM metrics m WHERE m.run_id = r.id)
                OR NOT EXISTS (SELECT 1 FROM estimates e WHERE e.run_id = r.id)
                """)! }
            XCTAssertEqual(incomplete, 0, "a run without its metrics or estimates (attempt \(attempt), seed \(seed))")
            XCTAssertLessThanOrEqual(try q.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM invocations")! }, 1)
            try q.close()
        }
        XCTAssertEqual(kills, 20, "every attempt should be killed mid-suite (seed \(seed))")
        XCTAssertLessThan(stored.count, 45, "the kills left work for --resume (seed \(seed))")
        print("kill test: \(stored.count) of 45 runs stored after 20 kills")
        let resumed = try runGenoBench(["run", suite, "--db", db, "--resume", "--quiet", "--threads", "1"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssert(resumed.stdout.contains("\(45 - stored.count) runs recorded, \(stored.count) already stored"), resumed.stdout)
        let diff = try runGenoBench(["diff", db, clean])
        XCTAssertEqual(diff.status, 0, "killed and resumed vs uninterrupted (seed \(seed)):\n\(diff.stdout)\(diff.stderr)")
        XCTAssert(diff.stdout.contains("same results: 45 runs"), diff.stdout)
        let q = try inspect(db)
        XCTAssertEqual(try q.read { try String.fetchAll($0, sql: "SELECT finished_at IS NOT NULL FROM invocations") }, ["1"],
                       "one invocation, resumed to the end (seed \(seed))")
        XCTAssertEqual(try q.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }, ["ok"])
    }

    func testSigintAndSigtermStopAfterTheRunInFlightAndResumeFinishes() throws {
        let dir = TemporaryDirectory()
        let suite = try writeSuite(dir)
        let db = dir.file("s.sqlite")
        var stoppedRuns = 0
        for (n, signal) in [SIGINT, SIGTERM].enumerated() {
            let err = Pipe()
            let p = try start(["run", suite, "--db", db, "--threads", "1"] + (n > 0 ? ["--resume"] : []), stderr: err)
            var seen = ""
            let deadline = Date().addingTimeInterval(120)
            let target = "[\(stoppedRuns + 2)/36]"
            while !seen.contains(target) && Date() < deadline && p.isRunning {
                seen += String(decoding: err.fileHandleForReading.availableData, as: UTF8.self)
            }
            XCTAssert(seen.contains(target), seen)
            kill(p.processIdentifier, signal)
            seen += String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationReason, .exit, seen)
            XCTAssertEqual(p.terminationStatus, 130, seen)
            XCTAssert(seen.contains("stopping after the run in flight"), seen)
            XCTAssert(seen.contains("stopped by \(signal == SIGINT ? "SIGINT" : "SIGTERM")") && seen.contains("--resume"), seen)
            XCTAssertFalse(seen.contains("Fatal error"), seen)
            // Every run reported done is stored, and none started after the signal.
            let reported = seen.split(separator: "\n").filter { $0.hasPrefix("[") && $0.contains("/36] ") }.count
            let q = try inspect(db)
            let stored = try q.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM runs")! }
            XCTAssertEqual(stored, stoppedRuns + reported, seen)
            XCTAssertLessThan(stored, 36)
            XCTAssertEqual(try q.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM invocations WHERE finished_at IS NULL")! }, 1)
            try q.close()
            stoppedRuns = stored
        }
        let resumed = try runGenoBench(["run", suite, "--db", db, "--resume", "--quiet", "--threads", "1"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssert(resumed.stdout.contains("invocation 1: \(36 - stoppedRuns) runs recorded, \(stoppedRuns) already stored"), resumed.stdout)
    }

    /// Four processes create and write one store at the same moment, four times over: every
    /// process succeeds and every run of every invocation is there.
    func testConcurrentWritersLoseNothing() throws {
        let dir = TemporaryDirectory()
        let suite = try writeSuite(dir, """
            name = "concurrent"
            repeats = 3
            warmup = 0
            [[problems]]
            family = "ld"
            backends = ["naive-f64", "tiled-f64"]
            seeds = [1, 2]
            [problems.params]
            samples = 40
            variants = 30
            r2-min = 0
            block-size = 10
            """)
        for round in 1...4 {
            let db = dir.file("c\(round).sqlite")
            let writers = try (1...4).map { k in
                let err = dir.file("err-\(round)-\(k).txt")
                XCTAssert(FileManager.default.createFile(atPath: err, contents: nil), err)
                return (try start(["run", suite, "--db", db, "--tag", "w\(k)", "--quiet", "--threads", "1"],
                                  stderr: FileHandle(forWritingAtPath: err)!), err)
            }
            for (p, err) in writers {
                p.waitUntilExit()
                XCTAssertEqual(p.terminationStatus, 0, "round \(round): \((try? String(contentsOfFile: err, encoding: .utf8)) ?? "")")
            }
            let q = try inspect(db)
            XCTAssertEqual(try q.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }, ["ok"])
            let perInvocation = try q.read { try Row.fetchAll($0, sql: """
                SELECT i.tag, i.finished_at IS NOT NULL AS finished, COUNT(r.id) AS runs FROM invocations i
                LEFT JOIN runs r ON r.invocation_id = i.id GROUP BY i.id ORDER BY i.tag
                """) }
            XCTAssertEqual(perInvocation.map { "\($0["tag"] as String) \($0["finished"] as Int) \($0["runs"] as Int)" },
                           ["w1 1 12", "w2 1 12", "w3 1 12", "w4 1 12"], "round \(round)")
            XCTAssertEqual(try q.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM problems")! }, 2)
            XCTAssertEqual(try q.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM machines")! }, 1)
            XCTAssertEqual(try q.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM metrics")! } % 48, 0)
            try q.close()
        }
    }

    func testShardsMergeAndDiffFromTheCommandLine() throws {
        let dir = TemporaryDirectory()
        let suite = try writeSuite(dir, """
            name = "shards"
            repeats = 1
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
            """)
        let single = dir.file("single.sqlite")
        XCTAssertEqual(try runGenoBench(["run", suite, "--db", single, "--quiet"]).status, 0)
        var shards: [String] = []
        for i in 1...4 {
            let path = dir.file("shard-\(i).sqlite")
            let r = try runGenoBench(["run", suite, "--db", path, "--shard", "\(i)/4", "--batch", "t"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssert(r.stderr.contains("shard \(i)/4 (\(i <= 2 ? 2 : 1) of 6 problems)"), r.stderr)
            shards.append(path)
        }
        let merged = dir.file("merged.sqlite")
        let m = try runGenoBench(["merge"] + shards + ["--into", merged])
        XCTAssertEqual(m.status, 0, m.stderr)
        XCTAssert(m.stdout.contains("12 runs added, 0 already present"), m.stdout)
        XCTAssert(m.stdout.contains("1 invocations added, 4 shards united"), m.stdout)
        let again = try runGenoBench(["merge", shards[2], "--into", merged])
        XCTAssert(again.stdout.contains("0 runs added, 2 already present"), again.stdout)
        let diff = try runGenoBench(["diff", merged, single])
        XCTAssertEqual(diff.status, 0, diff.stdout)
        XCTAssertEqual(diff.stdout, "same results: 12 runs\n")
        let differs = try runGenoBench(["diff", shards[0], single])
        XCTAssertEqual(differs.status, 1)
        XCTAssert(differs.stdout.contains("0 only in \(shards[0]), 8 only in \(single)"), differs.stdout)
        let report = try runGenoBench(["report", "compare", "--db", merged])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssert(report.stdout.contains("tiled-f32"), report.stdout)
        // Errors: a shard out of range, --batch without --shard, a file that is not a store.
        let bad = try runGenoBench(["run", suite, "--db", dir.file("x.sqlite"), "--shard", "5/4"])
        XCTAssertEqual(bad.status, 64)
        XCTAssert(bad.stderr.contains("--shard 5/4: I must be in 1...4"), bad.stderr)
        XCTAssertEqual(try runGenoBench(["run", suite, "--batch", "b"]).status, 64)
        try "hello".write(toFile: dir.file("notes.txt"), atomically: true, encoding: .utf8)
        let refused = try runGenoBench(["merge", shards[0], dir.file("notes.txt"), "--into", dir.file("m2.sqlite")])
        XCTAssertEqual(refused.status, 65, refused.stderr)
        XCTAssert(refused.stderr.contains("\(dir.file("notes.txt")): cannot be"), refused.stderr)
        XCTAssertFalse(refused.stderr.contains("Fatal error"), refused.stderr)
    }

    /// Two runs of one suite with a problem of every family store the same results: every
    /// estimate is a result, never a timing, so `genobench diff` of a rerun, a resumed or a
    /// sharded run can say "same results".
    func testEveryFamilysEstimatesAreResultsNotTimings() throws {
        let dir = TemporaryDirectory()
        let suite = try writeSuite(dir, """
            name = "every-family"
            repeats = 1
            warmup = 0
            [[problems]]
            family = "ld"
            [problems.params]
            samples = 40
            variants = 30
            [[problems]]
            family = "reml"
            [problems.params]
            samples = 80
            variants = 100
            probes = 10
            [[problems]]
            family = "ldsc"
            [problems.params]
            snps = 1000
            spots = 6
            genes = 30
            n-blocks = 10
            batch-size = 3
            [[problems]]
            family = "did"
            [problems.params]
            participants = 8
            cells-per-sample = 6
            features = 5
            [[problems]]
            family = "peg"
            [problems.params]
            instruments = 40
            focal = 2
            chromosomes = 2
            permutations = 100
            """)
        let (a, b) = (dir.file("a.sqlite"), dir.file("b.sqlite"))
        for db in [a, b] {
            let r = try runGenoBench(["run", suite, "--db", db, "--quiet"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let diff = try runGenoBench(["diff", a, b])
        XCTAssertEqual(diff.status, 0, diff.stdout + diff.stderr)
        XCTAssert(diff.stdout.hasPrefix("same results: "), diff.stdout)
    }

    func testSlurmWritesAnArrayAMergeAndASubmitScript() throws {
        let dir = TemporaryDirectory()
        let suite = try writeSuite(dir)
        let r = try runGenoBench(["slurm", suite, "--shards", "3", "--out", dir.file("job.sh"), "--db", dir.file("all.sqlite"),
                                  "--partition", "short", "--time", "00:10:00", "--cpus-per-task", "2", "--mem", "4G", "--batch", "b7",
                                  "--binary", "/bin/true"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssert(r.stdout.contains("submit with: bash \(dir.file("job.submit.sh"))"), r.stdout)
        let array = try String(contentsOfFile: dir.file("job.sh"), encoding: .utf8)
        for line in ["#SBATCH --array=1-3", "#SBATCH --partition=short", "#SBATCH --time=00:10:00", "#SBATCH --cpus-per-task=2",
                     "#SBATCH --mem=4G", "exec /bin/true run \(suite) --shard \"$ID/3\" --batch b7 --resume --quiet",
                     "--db \"\(dir.file("all")).shard-$ID.sqlite\" --threads 2"] {
            XCTAssert(array.contains(line), "job.sh lacks '\(line)':\n\(array)")
        }
        let merge = try String(contentsOfFile: dir.file("job.merge.sh"), encoding: .utf8)
        XCTAssert(merge.contains("exec /bin/true merge \\\n    \(dir.file("all")).shard-1.sqlite \\"), merge)
        XCTAssert(merge.contains("\(dir.file("all")).shard-3.sqlite \\\n    --into \(dir.file("all.sqlite"))"), merge)
        let submit = try String(contentsOfFile: dir.file("job.submit.sh"), encoding: .utf8)
        XCTAssert(submit.contains("sbatch --parsable --dependency=afterok:\"$array\" \(dir.file("job.merge.sh"))"), submit)
        let bad = try runGenoBench(["slurm", suite, "--shards", "3", "--out", dir.file("j.sh"), "--time", "ten minutes"])
        XCTAssertEqual(bad.status, 64)
        XCTAssert(bad.stderr.contains("--time wants [D-]HH:MM:SS"), bad.stderr)
    }
}

