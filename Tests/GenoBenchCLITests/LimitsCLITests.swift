import Foundation
import GenoBenchStore
import XCTest
import _GenoBenchTestSupport

/// `--timeout` and `--memory-budget` as a user meets them: statuses in the store, exit codes,
/// the watchdog's exit 75 and `--resume` after it.
final class LimitsCLITests: XCTestCase {
    func suite(_ dir: TemporaryDirectory, backends: String, samples: Int, variants: Int, repeats: Int = 2) throws -> String {
        let path = dir.file("limits.toml")
        try """
            name = "limits"
            repeats = \(repeats)
            warmup = 0
            [[problems]]
            family = "ld"
            backends = \(backends)
            [problems.params]
            samples = \(samples)
            variants = \(variants)
            r2-min = 0
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A polled backend past its limit is stored as `timeout` and the suite finishes (exit 0).
    func testRunRecordsTimeoutsAndFinishes() throws {
        let dir = TemporaryDirectory()
        // stochastic-f64 on 3000 samples x 3000 SNPs takes many seconds; the O(n³) GSL reference
        // is skipped above 100 samples, so the backend is what reaches the limit.
        let path = dir.file("limits.toml")
        try """
            name = "limits"
            repeats = 2
            warmup = 0
            [[problems]]
            family = "reml"
            backends = ["stochastic-f64"]
            [problems.params]
            samples = 3000
            variants = 3000
            reference-max-samples = 100
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let db = dir.file("t.sqlite")
        let t0 = Date()
        let r = try runGenoBench(["run", path, "--db", db, "--quiet", "--timeout", "0.5"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssert(r.stdout.contains("2 timed out"), r.stdout)
        XCTAssertLessThan(Date().timeIntervalSince(t0), 120, "two runs stopped at 0.5 s each, plus simulating the data")
        let rows = try Store(path: db).query("SELECT status, error, wall_s FROM runs ORDER BY id")
        XCTAssertEqual(rows.map { $0["status"]! }, ["timeout", "timeout"])
        XCTAssert(rows[0]["error"]!.contains("stopped at the time limit"), rows[0]["error"]!)
        XCTAssertLessThan(Double(rows[0]["wall_s"]!)!, 30)
    }

    /// A call that never polls (here the GSL reference of a large LD problem) is recorded by the
    /// watchdog, the process exits 75, and `--resume` goes on from there without hanging.
    func testWatchdogExits75AndResumeContinues() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("stuck.toml")
        try """
            name = "stuck"
            repeats = 1
            warmup = 0
            [[problems]]
            family = "ld"
            backends = ["tiled-f64"]
            [problems.params]
            samples = 3000
            variants = 3000
            r2-min = 0
            [[problems]]
            family = "ld"
            backends = ["tiled-f64"]
            [problems.params]
            samples = 20
            variants = 20
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let db = dir.file("s.sqlite")
        let t0 = Date()
        let r = try runGenoBench(["run", path, "--db", db, "--quiet", "--timeout", "0.2", "--timeout-grace", "0.3"])
        XCTAssertEqual(r.status, 75, "stdout \(r.stdout) stderr \(r.stderr)")
        XCTAssertLessThan(Date().timeIntervalSince(t0), 60, "never hangs: limit + grace is 0.5 s")
        XCTAssert(r.stderr.contains("--resume"), r.stderr)
        let rows = try Store(path: db).query("SELECT status, error FROM runs ORDER BY id")
        XCTAssertEqual(rows.map { $0["status"]! }, ["timeout"])
        XCTAssert(rows[0]["error"]!.contains("GSL reference"), rows[0]["error"]!)
        let resumed = try runGenoBench(["run", path, "--db", db, "--quiet", "--resume", "--timeout", "60"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssert(resumed.stdout.contains("1 runs recorded, 1 already stored"), resumed.stdout)
    }

    func testInvalidLimitsAreUsageErrors() throws {
        let dir = TemporaryDirectory()
        let path = try suite(dir, backends: "[\"naive-f64\"]", samples: 10, variants: 10)
        for bad in [["--timeout", "-1"], ["--memory-budget", "lots"], ["--timeout-grace", "2"]] {
            let r = try runGenoBench(["run", path, "--db", dir.file("x.sqlite")] + bad)
            XCTAssertEqual(r.status, 64, "\(bad): \(r.stderr)")
        }
    }

    /// Every family command takes `--timeout`; `run`, `ld` and `reml` take `--memory-budget` too.
    func testFamilyCommandsOfferTheLimits() throws {
        for command in ["run", "ld", "reml", "did", "peg", "ldsc"] {
            let help = try runGenoBench([command, "--help"])
            XCTAssert(help.stdout.contains("--timeout <seconds>"), "\(command): \(help.stdout)")
            XCTAssertEqual(help.stdout.contains("--memory-budget <size>"), ["run", "ld", "reml"].contains(command), command)
        }
    }

    /// `genobench ld --memory-budget`: a budget under the tiled backend's minimum is a usage
    /// error naming it; a workable one gives the same table as no budget.
    func testLDMemoryBudget() throws {
        let dir = TemporaryDirectory()
        let prefix = dir.file("g")
        XCTAssertEqual(try runGenoBench(["simulate", "ld", "--samples", "200", "--variants", "300", "--seed", "2", "--out", prefix]).status, 0)
        let ld = ["ld", "--bfile", prefix, "--block-size", "20", "--r2-min", "0"]
        let small = try runGenoBench(ld + ["--memory-budget", "10K", "--out", dir.file("x.tsv")])
        XCTAssertEqual(small.status, 64, small.stderr)
        XCTAssert(small.stderr.contains("below the") && small.stderr.contains("--block-size"), small.stderr)
        XCTAssertEqual(try runGenoBench(ld + ["--out", dir.file("free.tsv")]).status, 0)
        let bounded = try runGenoBench(ld + ["--memory-budget", "1200K", "--out", dir.file("bounded.tsv")])
        XCTAssertEqual(bounded.status, 0, bounded.stderr)
        XCTAssert(bounded.stderr.contains("planned_chunk_blocks"), bounded.stderr)
        XCTAssertEqual(try String(contentsOfFile: dir.file("free.tsv"), encoding: .utf8),
                       try String(contentsOfFile: dir.file("bounded.tsv"), encoding: .utf8))
    }
}
