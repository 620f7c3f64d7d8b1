import Foundation
import XCTest
import _GenoBenchTestSupport

/// `genobench simulate ldsc`, `ldsc`, `ldsc-merge` and `gss` as a user runs them, with bad inputs.
final class LDSCCLITests: XCTestCase {
    var dir: TemporaryDirectory!
    var base: [String] = []

    override func setUpWithError() throws {
        dir = TemporaryDirectory()
        let r = try runGenoBench(["simulate", "ldsc", "--snps", "3000", "--spots", "20", "--genes", "80", "--seed", "4", "--out", dir.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let last = try XCTUnwrap(r.stdout.split(separator: "\n").last.map(String.init))
        XCTAssert(last.hasPrefix("genobench ldsc --sumstats \(dir.path)/sumstats.gz"), last)
        base = Array(last.split(separator: " ").dropFirst().map(String.init))
        base.removeLast(4)  // --backend ID --out FILE
        base += ["--n-blocks", "30"]
    }

    func ldsc(_ extra: [String]) throws -> ToolResult { try runGenoBench(base + extra) }

    func assertFails(_ r: ToolResult, code: Int32, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, code, "exit status; stderr: \(r.stderr)", file: file, line: line)
        XCTAssert(r.stderr.contains(fragment), "stderr '\(r.stderr)' lacks '\(fragment)'", file: file, line: line)
        XCTAssertFalse(r.stderr.contains("Fatal error"), "crashed: \(r.stderr)", file: file, line: line)
    }

    func testRunShardAndMerge() throws {
        let full = dir.file("full.tsv")
        let r = try ldsc(["--backend", "batched-f32", "--out", full, "--batch-size", "6"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssert(r.stderr.contains("pipeline summary"), r.stderr)
        XCTAssert(r.stderr.contains("bottleneck:"), r.stderr)
        let lines = try String(contentsOfFile: full, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 22)
        XCTAssertEqual(lines[1], "spot\tbeta\tse\tz\tp\tneg_log10_p\tstatus")
        XCTAssert(lines[2].hasPrefix("spot0\tnan\tnan\tnan\tnan\tnan\tsingular"), String(lines[2]))
        XCTAssert(lines[3].hasSuffix("singular"), String(lines[3]))
        XCTAssert(lines[4].hasSuffix("\tok"), String(lines[4]))
        var shards: [String] = []
        for (lo, hi) in [(7, 20), (0, 7)] {
            let out = dir.file("shard\(lo).tsv")
            let s = try ldsc(["--backend", "batched-f32", "--out", out, "--spot-range", "\(lo):\(hi)", "--batch-size", "4", "--computers", "3"])
            XCTAssertEqual(s.status, 0, s.stderr)
            shards.append(out)
        }
        let merged = dir.file("merged.tsv")
        let m = try runGenoBench(["ldsc-merge", "--out", merged] + shards)
        XCTAssertEqual(m.status, 0, m.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: merged)), try Data(contentsOf: URL(fileURLWithPath: full)),
                       "merged shards must be byte-identical to the single run")
        assertFails(try runGenoBench(["ldsc-merge", "--out", merged, shards[0]]), code: 65, "spots 0:7 are missing")
        assertFails(try runGenoBench(["ldsc-merge", "--out", merged, shards[1], shards[1]]), code: 65, "overlaps")
        let other = dir.file("other.tsv")
        XCTAssertEqual(try ldsc(["--backend", "batched-f64", "--out", other, "--spot-range", "0:7"]).status, 0)
        assertFails(try runGenoBench(["ldsc-merge", "--out", merged, shards[0], other]), code: 65, "from a different analysis")
    }

    func testBackendsAgreeAndPerSpotRuns() throws {
        var z: [[Double]] = []
        for b in ["per-spot-f64", "batched-f64"] {
            let out = dir.file("\(b).tsv")
            let r = try ldsc(["--backend", b, "--out", out, "--threads", "1"])
            XCTAssertEqual(r.status, 0, r.stderr)
            z.append(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").dropFirst(2).map { Double($0.split(separator: "\t")[3]) ?? .nan })
        }
        for (a, b) in zip(z[0], z[1]) where !a.isNaN { XCTAssertEqual(a, b, accuracy: 1e-8) }
    }

    func testExpressionToResultsInOneCommand() throws {
        var expr = "GENE\t" + (0..<20).map { "spot\($0)" }.joined(separator: "\t") + "\n"
        for g in 0..<80 { expr += "G\(g + 1)\t" + (0..<20).map { s in String((g * 7 + s * 3) % 11 == 0 ? 0 : (g + s) % 9) }.joined(separator: "\t") + "\n" }
        try expr.write(toFile: dir.file("expr.tsv"), atomically: true, encoding: .utf8)
        let nb = (0..<20).map { s in "spot\(s) " + (0..<5).map { "spot\((s + $0) % 20)" }.joined(separator: " ") }.joined(separator: "\n")
        try nb.write(toFile: dir.file("nb.txt"), atomically: true, encoding: .utf8)
        var args = base
        let i = args.firstIndex(of: "--gss")!
        args.removeSubrange(i...(i + 1))
        let r = try runGenoBench(args + ["--expression", dir.file("expr.tsv"), "--neighbours", dir.file("nb.txt"), "--gss-out", dir.file("g.tsv"), "--out", dir.file("e.tsv")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssert(r.stderr.contains("GSS of 20 spots x 80 genes"), r.stderr)
        let g = try runGenoBench(["gss", "--expression", dir.file("expr.tsv"), "--neighbours", dir.file("nb.txt"), "--out", dir.file("g2.tsv"), "--batch-size", "3"])
        XCTAssertEqual(g.status, 0, g.stderr)
        XCTAssertEqual(try String(contentsOfFile: dir.file("g.tsv"), encoding: .utf8), try String(contentsOfFile: dir.file("g2.tsv"), encoding: .utf8))
    }

    func testBadInputsGiveClearErrors() throws {
        let out = ["--out", dir.file("x.tsv")]
        assertFails(try ldsc(out + ["--backend", "fast-f64"]), code: 64, "unknown backend 'fast-f64' for family 'ldsc'")
        assertFails(try ldsc(out + ["--spot-range", "10:25"]), code: 64, "--spot-range 10:25 lies outside the data: the GSS has 20 spots")
        assertFails(try ldsc(out + ["--spot-range", "5:5"]), code: 64, "need 0 <= START < END")
        assertFails(try ldsc(out + ["--n-blocks", "1"]), code: 64, "--n-blocks must be at least 2")
        let ss = dir.file("ss.txt")
        try "SNP\tZ\tN\nrs1\t1.5\t1000\nrs2\tabc\t1000\n".write(toFile: ss, atomically: true, encoding: .utf8)
        var args = base
        args[args.firstIndex(of: "--sumstats")! + 1] = ss
        assertFails(try runGenoBench(args + out), code: 65, "ss.txt line 3: Z is 'abc' for SNP rs2, expected a finite number")
        try "SNP\tZ\nrs1\t1.5\n".write(toFile: ss, atomically: true, encoding: .utf8)
        assertFails(try runGenoBench(args + out), code: 65, "ss.txt line 1: no N column")
        try "SNP\tZ\tN\nfoo1\t1.5\t1000\nfoo2\t0.5\t1000\nfoo1\t0.1\t1000\n".write(toFile: ss, atomically: true, encoding: .utf8)
        let dup = try runGenoBench(args + out)
        assertFails(dup, code: 65, "the intersection is empty")
        XCTAssert(dup.stderr.contains("1 duplicated SNP line(s) dropped, the first kept (SNP foo1 on line 4 repeats line 2)"), dup.stderr)
        let wld = dir.file("wld.l2.ldscore")
        try "CHR\tSNP\tBP\tL2\n1\trs1\t1\t2.0\n1\trs1\t2\t3.0\n".write(toFile: wld, atomically: true, encoding: .utf8)
        args = base
        args[args.firstIndex(of: "--weights")! + 1] = wld
        assertFails(try runGenoBench(args + out), code: 65, "wld.l2.ldscore line 3: SNP rs1 is listed twice")
        assertFails(try ldsc(["--expression", dir.file("none.tsv"), "--neighbours", dir.file("nb")] + out), code: 64, "not both")
        let usage = try runGenoBench(["ldsc", "--sumstats", ss])
        XCTAssertNotEqual(usage.status, 0)
        XCTAssertFalse(usage.stderr.contains("Fatal error"))
    }
}
