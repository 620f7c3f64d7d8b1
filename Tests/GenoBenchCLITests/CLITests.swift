import Foundation
import GenoBenchCore
import XCTest
import _GenoBenchTestSupport

/// The `genobench` executable as a user runs it: outputs, last lines, errors and exit codes.
final class CLITests: XCTestCase {
    func run(_ args: [String], in dir: TemporaryDirectory? = nil) throws -> ToolResult {
        try runGenoBench(args, currentDirectory: dir?.path)
    }

    func assertFails(_ r: ToolResult, code: Int32, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, code, "exit status; stderr: \(r.stderr)", file: file, line: line)
        XCTAssert(r.stderr.contains(fragment), "stderr '\(r.stderr)' lacks '\(fragment)'", file: file, line: line)
        XCTAssertFalse(r.stderr.contains("Fatal error"), "crashed: \(r.stderr)", file: file, line: line)
    }

    /// `blas-threads` names the kernels in use: never a family without AVX2 on a CPU that has
    /// it (genobench re-executes itself with OPENBLAS_CORETYPE when OpenBLAS fell back to one),
    /// and the user's own OPENBLAS_CORETYPE as given.
    func testTheKernelsInUseAreNamedAndTheUsersChoiceKept() throws {
        let r = try runGenoBench(["blas-threads", "--size", "64", "--rounds", "1"], environment: ["OPENBLAS_CORETYPE": nil, "GENOBENCH_KEEP_BLAS_CORE": nil])
        XCTAssertEqual(r.status, 0, r.stderr)
        let line = try XCTUnwrap(r.stdout.split(separator: "\n").first { $0.hasPrefix("kernels: ") }, r.stdout)
        let core = String(line.dropFirst("kernels: ".count).prefix { $0 != " " })
        if BLASKernels.cpuCore != nil {
            XCTAssertFalse(BLASKernels.withoutAVX2.contains(core), String(line))
        }
        XCTAssert(r.stdout.contains("OpenBLAS: ") && r.stdout.contains(core), r.stdout)
        let forced = try runGenoBench(["blas-threads", "--size", "64", "--rounds", "1"], environment: ["OPENBLAS_CORETYPE": "Prescott"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssert(forced.stdout.contains("kernels: Prescott (from OPENBLAS_CORETYPE)"), forced.stdout)
    }

    func testListNamesEveryBackend() throws {
        let r = try run(["list"])
        XCTAssertEqual(r.status, 0)
        for id in ["naive-f32", "naive-f64", "tiled-f32", "tiled-f64"] { XCTAssert(r.stdout.contains(id), id) }
    }

    func testSimulatePrintsTheAnalysisCommandLastAndLDRuns() throws {
        let dir = TemporaryDirectory()
        let sim = try run(["simulate", "ld", "--samples", "50", "--variants", "40", "--seed", "3", "--out", dir.file("g")])
        XCTAssertEqual(sim.status, 0, sim.stderr)
        let last = sim.stdout.split(separator: "\n").last.map(String.init)
        XCTAssertEqual(last, "genobench ld --bfile \(dir.file("g"))")
        var outputs: [String] = []
        for backend in ["naive-f64", "tiled-f64"] {
            let out = dir.file("\(backend).tsv")
            let args = Array(last!.split(separator: " ").dropFirst().map(String.init)) + ["--backend", backend, "--out", out, "--r2-min", "0"]
            let r = try run(args)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssert(r.stderr.contains("780 pairs compared, 780 written"), r.stderr)
            outputs.append(try String(contentsOfFile: out, encoding: .utf8))
        }
        XCTAssertEqual(outputs[0], outputs[1], "naive and tiled tables must be byte-identical")
        let lines = outputs[0].split(separator: "\n")
        XCTAssertEqual(lines.count, 781)
        XCTAssert(lines[0].hasPrefix("chrom_a\tpos_a\tid_a\tchrom_b\tpos_b\tid_b\tn\tr\tr2\td\tdprime\tr2_hap"))
    }

    func testRunWritesTheStoreAndASummary() throws {
        let dir = TemporaryDirectory()
        let suite = dir.file("s.toml")
        try """
            name = "cli"
            repeats = 1
            warmup = 0
            [[problems]]
            family = "ld"
            backends = ["naive-f64", "tiled-f32"]
            [problems.params]
            samples = 30
            variants = 25
            r2-min = 0
            block-size = 5
            subproblems = 3
            part = [1, 2]
            """.write(toFile: suite, atomically: true, encoding: .utf8)
        let r = try run(["run", suite, "--db", dir.file("g.sqlite"), "--tag", "ci", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssert(r.stdout.contains("median wall s"), r.stdout)
        XCTAssert(r.stdout.contains("tiled-f32"), r.stdout)
        XCTAssert(r.stdout.contains("4 runs recorded, 0 already stored, 0 failed, 0 out of tolerance"), r.stdout)
        let again = try run(["run", suite, "--db", dir.file("g.sqlite"), "--resume", "--quiet"])
        XCTAssert(again.stdout.contains("4 runs recorded, 0 already stored"), "a finished invocation is not resumed: a new one starts\n\(again.stdout)")
    }

    func testBadInputsGiveClearErrorsAndNonZeroExits() throws {
        let dir = TemporaryDirectory()
        let prefix = dir.file("g")
        XCTAssertEqual(try run(["simulate", "ld", "--samples", "10", "--variants", "12", "--seed", "1", "--out", prefix]).status, 0)
        let ld = ["ld", "--bfile", prefix, "--out", dir.file("o.tsv")]
        assertFails(try run(ld + ["--backend", "fast-f64"]), code: 64, "unknown backend 'fast-f64' for family 'ld'")
        assertFails(try run(ld + ["--subproblems", "4", "--block-size", "2"]), code: 64, "--subproblems 4 is not triangular")
        assertFails(try run(ld + ["--subproblems", "3", "--part", "5", "--block-size", "2"]), code: 64, "--part 5 is outside 1...3")
        assertFails(try run(ld + ["--subproblems", "6"]), code: 64, "needs at least 6 blocks")
        assertFails(try run(["ld", "--bfile", dir.file("missing")]), code: 65, "missing.bim: cannot read")
        var bed = try Data(contentsOf: URL(fileURLWithPath: prefix + ".bed"))
        try bed.prefix(bed.count - 3).write(to: URL(fileURLWithPath: prefix + ".bed"))
        assertFails(try run(ld), code: 65, "g.bed: truncated")
        bed[1] = 0xff
        try bed.write(to: URL(fileURLWithPath: prefix + ".bed"))
        assertFails(try run(ld), code: 65, "not a PLINK 1 .bed file")
        let suite = dir.file("bad.toml")
        try "name = \"x\"\n[[problems]\n".write(toFile: suite, atomically: true, encoding: .utf8)
        assertFails(try run(["run", suite, "--db", dir.file("x.sqlite")]), code: 64, "bad.toml line 2: malformed TOML")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("x.sqlite")), "a malformed suite must not create a store")
        assertFails(try run(["run", dir.file("none.toml")]), code: 64, "cannot read the suite file")
        assertFails(try run(["simulate", "ld", "--samples", "0", "--variants", "5", "--seed", "1", "--out", prefix]), code: 64, "--samples must be at least 1")
        // A negative number after an option is that option's value (its range check answers),
        // not a missing value followed by an unknown option.
        assertFails(try run(["simulate", "ld", "--samples", "-3", "--variants", "5", "--seed", "1", "--out", prefix]), code: 64, "--samples must be at least 1, got -3")
        XCTAssertEqual(try run(["simulate", "ld", "--samples", "10", "--variants", "12", "--seed", "1", "--out", dir.file("n")]).status, 0)
        assertFails(try run(["ld", "--bfile", dir.file("n"), "--r2-min", "-0.5", "--out", dir.file("neg.tsv")]), code: 64, "--r2-min must be in [0, 1], got -0.5")
        let usage = try run(["ld"])
        XCTAssertNotEqual(usage.status, 0)
        XCTAssert(usage.stderr.contains("Missing expected argument '--bfile <bfile>'"), usage.stderr)
    }
}

/// A run killed with SIGKILL mid-suite leaves a usable store that `--resume` completes.
final class KillResumeTests: XCTestCase {
    func testKillThenResume() throws {
        let dir = TemporaryDirectory()
        let suite = dir.file("k.toml")
        try """
            name = "kill"
            repeats = 3
            warmup = 0
            [[problems]]
            family = "ld"
            backends = ["naive-f64", "naive-f32"]
            seeds = [1, 2]
            [problems.params]
            samples = 300
            variants = 200
            r2-min = 0
            """.write(toFile: suite, atomically: true, encoding: .utf8)
        let db = dir.file("k.sqlite")
        let p = Process()
        p.executableURL = productsDirectory.appendingPathComponent("genobench")
        p.arguments = ["run", suite, "--db", db, "--threads", "1"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        var seen = ""
        let deadline = Date().addingTimeInterval(120)
        while !seen.contains("[3/12]") && Date() < deadline && p.isRunning {
            seen += String(decoding: err.fileHandleForReading.availableData, as: UTF8.self)
        }
        XCTAssert(seen.contains("[3/12]"), "progress never reached run 3: \(seen)")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)

        let resumed = try runGenoBench(["run", suite, "--db", db, "--resume", "--quiet", "--threads", "1"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let summary = try XCTUnwrap(resumed.stdout.split(separator: "\n").last.map(String.init))
        // invocation 1 resumed: what was stored before the kill is skipped, the rest recorded once.
        let numbers = summary.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        XCTAssertEqual(numbers.first, 1, summary)
        XCTAssertEqual(numbers[1] + numbers[2], 12, "recorded + already stored = every run exactly once: \(summary)")
        XCTAssertGreaterThanOrEqual(numbers[2], 3, summary)
        XCTAssertEqual(numbers[3], 0, "no failed runs: \(summary)")
    }
}
