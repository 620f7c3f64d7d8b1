import Foundation
import XCTest
import _GenoBenchTestSupport

/// `genobench report …` as a user and a CI job run it: formats, output files, exit codes.
final class ReportCLITests: XCTestCase {
    var dir: TemporaryDirectory!
    var db: String!

    override func setUpWithError() throws {
        dir = TemporaryDirectory()
        db = try ReportFixture.make(dir)
    }

    func report(_ args: [String]) throws -> ToolResult { try runGenoBench(["report"] + args + ["--db", db]) }

    func testRegressExitsOneOnARegressionAndZeroOtherwise() throws {
        var r = try report(["regress", "--baseline", "baseline", "--current", "current"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssert(r.stdout.contains("- verdict: regression"), r.stdout)
        r = try report(["regress", "--baseline", "baseline", "--current", "baseline", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssert(r.stdout.contains(#""verdict": "ok""#), r.stdout)
        // A 40 % threshold hides the 30 % slow-down but not the accuracy failure.
        r = try report(["regress", "--baseline", "1", "--threshold", "40%", "--format", "csv"])
        XCTAssertEqual(r.status, 64, "the latest invocation ran on another machine: refused; \(r.stderr)")
        XCTAssert(r.stderr.contains("--allow-cross-machine"), r.stderr)
        r = try report(["regress", "--baseline", "1", "--current", "2", "--threshold", "40%", "--format", "csv"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertFalse(r.stdout.contains("slow-f64,time"), r.stdout)
        XCTAssert(r.stdout.contains("accuracy max_abs_err"), r.stdout)
        // 'previous': the invocation before the current one, same suite and machine.
        r = try report(["regress", "--baseline", "previous", "--current", "current"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssert(r.stdout.contains("invocation 2 against 1"), r.stdout)
        r = try report(["regress", "--baseline", "previous"])
        XCTAssertEqual(r.status, 64, "the latest (other machine) has no previous one; \(r.stderr)")
    }

    func testScalingAndCompareWriteFilesAndBadRequestsAreUsageErrors() throws {
        let out = dir.file("scaling.md")
        var r = try report(["scaling", "--family", "fam", "--by", "n", "--invocation", "baseline", "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssert(try String(contentsOfFile: out, encoding: .utf8).contains("## Fitted exponents"))
        r = try report(["compare", "--invocation", "baseline", "--baseline-backend", "fast-f32"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssert(r.stdout.contains("vs fast-f32"), r.stdout)
        for (args, fragment) in [(["scaling", "--family", "fam", "--by", "m"], "--by m"), (["scaling", "--family", "ld", "--by", "n"], "no runs of family 'ld'"),
                                 (["compare", "--invocation", "nope"], "no invocation matches 'nope'"), (["compare", "--format", "xml"], "--format"),
                                 (["regress", "--baseline", "1", "--threshold", "abc"], "--threshold")] {
            r = try report(args)
            XCTAssertEqual(r.status, 64, "\(args): \(r.stderr)")
            XCTAssert(r.stderr.contains(fragment), "\(args): \(r.stderr)")
        }
        r = try runGenoBench(["report", "compare", "--db", dir.file("absent.sqlite")])
        XCTAssertEqual(r.status, 74, r.stderr)
        XCTAssert(r.stderr.contains("no store at"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("absent.sqlite")), "reading never creates a store")
    }
}
