import Foundation
import XCTest
import _GenoBenchTestSupport

/// `genobench simulate did` and `genobench did` as a user runs them, including bad requests
/// (exit 64) and bad data (exit 65).
final class DiDCLITests: XCTestCase {
    var dir: TemporaryDirectory!
    var cells: String { dir.file("cells.tsv.gz") }

    override func setUpWithError() throws {
        dir = TemporaryDirectory()
        let r = try runGenoBench(["simulate", "did", "--participants", "12", "--cells-per-sample", "15", "--features", "6",
                                  "--effect", "1.5", "--effect-features", "2", "--unpaired", "1", "--seed", "4", "--out", cells])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssert(r.stdout.contains("genobench did --cells \(cells) --participant participant"), r.stdout)
    }

    var base: [String] { ["did", "--cells", cells, "--participant", "participant", "--visit", "visit", "--arm", "arm", "--treated", "Treated", "--visits", "V1,V2"] }

    func table(_ path: String, delimiter: Character = "\t") throws -> [[String]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { $0.split(separator: delimiter, omittingEmptySubsequences: false).map(String.init) }
    }

    func testPseudobulkAndCellTables() throws {
        let command = try XCTUnwrap(try runGenoBench(["simulate", "did", "--participants", "12", "--cells-per-sample", "15", "--features", "6",
                                                      "--effect", "1.5", "--effect-features", "2", "--unpaired", "1", "--seed", "4", "--out", cells])
            .stdout.split(separator: "\n").last.map(String.init))
        let printed = Array(command.split(separator: " ").dropFirst().map(String.init))
        let r = try runGenoBench(printed.map { $0 == "\(cells).did.tsv" ? dir.file("pb.tsv") : $0 })
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssert(r.stderr.contains("12 participants, 1 dropped without both visits"), r.stderr)
        let pb = try table(dir.file("pb.tsv"))
        XCTAssertEqual(pb[0], ["feature", "beta_DiD", "se_DiD", "p_DiD", "FDR_DiD", "beta_time", "p_time", "n_units", "n_cells", "resid_sd", "status"])
        XCTAssertEqual(pb.dropFirst().map { $0[0] }, ["f1", "f2", "f3", "f4", "f5", "f6"], "input order")
        XCTAssert(pb.dropFirst().allSatisfy { $0[7] == "11" && $0[10] == "ok" })
        XCTAssert(try XCTUnwrap(Double(pb[1][3])) < 0.05, "the planted effect is found: \(pb[1])")

        let c = try runGenoBench(base + ["--backend", "cell-f32", "--out", dir.file("cell.csv")])
        XCTAssertEqual(c.status, 0, c.stderr)
        let cell = try table(dir.file("cell.csv"), delimiter: ",")
        for row in 1...6 {
            let a = try XCTUnwrap(Double(pb[row][1])), b = try XCTUnwrap(Double(cell[row][1]))
            XCTAssertEqual(pb[row][8], cell[row][8], "same cells")
            XCTAssertNotEqual(a, b, "standardised over groups vs over cells")
        }
    }

    func testListNamesTheDiDBackends() throws {
        let r = try runGenoBench(["list"])
        XCTAssertEqual(r.status, 0)
        for id in ["cell-f32", "cell-f64", "pseudobulk-f32", "pseudobulk-f64"] { XCTAssert(r.stdout.contains("  \(id)\t"), id) }
        XCTAssert(r.stdout.contains("did\tsingle-cell trial difference-in-differences"), r.stdout)
    }

    /// A counts table of 6 participants x 2 visits x 3 cells whose g2 rises in treated
    /// follow-up cells (shared with `LineEndingCLITests`).
    static func plantedCountsCSV() -> String {
        var text = "cell,participant,visit,arm,g1,g2,g3,g4\n"
        for p in 1...6 { for v in ["V1", "V2"] { for c in 0..<3 {
            text += "c\(p)\(v)\(c),P\(p),\(v),\(p <= 3 ? "Treated" : "Control"),\(p + c),\(v == "V2" && p <= 3 ? 20 + c : 5 + c),\(c + 1),\(7 * p % 5)\n"
        } } }
        return text
    }

    func testGeneSetsFromCounts() throws {
        let counts = dir.file("counts.csv")
        try Self.plantedCountsCSV().write(toFile: counts, atomically: true, encoding: .utf8)
        let gmt = dir.file("s.gmt")
        try "up\tplanted\tg2\tg3\tg1\nrest\tx\tg4\tg1\tg3\ntiny\tx\tg1\n".write(toFile: gmt, atomically: true, encoding: .utf8)
        let r = try runGenoBench(["did", "--cells", counts, "--participant", "participant", "--visits", "V1,V2", "--log1p-cpm", "--gene-sets", gmt,
                                  "--out", dir.file("sets.tsv")])
        XCTAssertEqual(r.status, 0, r.stderr)
        let t = try table(dir.file("sets.tsv"))
        XCTAssertEqual(t.dropFirst().map { $0[0] }, ["up", "rest", "tiny"])
        XCTAssertEqual(t[1][10], "few_clusters")
        XCTAssertEqual(t[3][10], "too_few_units", "a 1-gene set scores NaN everywhere: no usable row: \(t[3])")
        XCTAssertEqual(t[3][7], "0")
        XCTAssert(r.stderr.contains("gene set 'tiny'"), r.stderr)
        XCTAssert(try XCTUnwrap(Double(t[1][3])) < 0.05, "g2 rises in treated follow-up cells: \(t[1])")
    }

    func assertFails(_ args: [String], code: Int32, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try runGenoBench(args)
        XCTAssertEqual(r.status, code, "exit status; stderr: \(r.stderr)", file: file, line: line)
        XCTAssert(r.stderr.contains(fragment), "stderr '\(r.stderr)' lacks '\(fragment)'", file: file, line: line)
        XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr, file: file, line: line)
    }

    func testBadRequestsAndBadData() throws {
        let out = ["--out", dir.file("o.tsv")]
        try assertFails(base + ["--backend", "fast-f64"] + out, code: 64, "unknown backend 'fast-f64' for family 'did'")
        try assertFails(base + ["--backend", "pseudobulk-f64", "--aggregate", "cell"] + out, code: 64, "needs a cell backend")
        try assertFails(base + ["--backend", "cell-f64", "--aggregate", "participant_visit"] + out, code: 64, "fits cells")
        try assertFails(base + ["--aggregate", "participants"] + out, code: 64, "--aggregate must be one of participant_visit, participant_visit_celltype, cell")
        try assertFails(base + ["--standardize", "maybe"] + out, code: 64, "--standardize must be true or false")
        try assertFails(["did", "--cells", cells, "--visits", "V1"] + out, code: 64, "--visits needs two different labels")
        try assertFails(base + ["--features", "f1", "--gene-sets", dir.file("none.gmt")] + out, code: 64, "cannot be combined")
        try assertFails(["did", "--cells", cells, "--visits", "V1,V2"] + out, code: 65, "no column 'participant_id' (--participant)")
        try assertFails(base + ["--features", "f1,nope"] + out, code: 65, "no column 'nope' (--features)")
        try assertFails(base + ["--visits", "V1,V9"] + out, code: 65, "visit 'V9' does not occur in column 'visit'; labels present: V1, V2")
        try assertFails(base + ["--treated", "Active"] + out, code: 65, "the treated label 'Active' does not occur")
        try assertFails(base + ["--celltype", "Z"] + out, code: 65, "cell type 'Z' does not occur")
        try assertFails(["did", "--cells", dir.file("absent.tsv"), "--visits", "V1,V2"] + out, code: 65, "absent.tsv: cannot read")
        let ragged = dir.file("ragged.csv")
        try "participant,visit,arm,f1\nP1,V1,Treated,1\nP1,V2,Treated\n".write(toFile: ragged, atomically: true, encoding: .utf8)
        try assertFails(["did", "--cells", ragged, "--participant", "participant", "--visits", "V1,V2"] + out, code: 65, "ragged.csv line 3: has 3 fields, the header has 4")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("o.tsv")), "no output after an error")
        try assertFails(["simulate", "did", "--participants", "1", "--cells-per-sample", "3", "--features", "2", "--seed", "1", "--out", dir.file("x.tsv")],
                        code: 64, "--participants must be at least 2")
    }
}
