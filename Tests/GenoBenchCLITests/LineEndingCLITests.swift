import Foundation
import XCTest
import _GenoBenchTestSupport

/// Text inputs written on Windows (CRLF line ends) give the same results as the same files with
/// LF: PLINK `.bim`/`.fam`, REML phenotype, covariate and keep files, cell tables and GMT gene
/// sets, and the PEG tables. (Swift reads `"\r\n"` as one Character, so a reader that splits at
/// `"\n"` alone saw such a file as one line: a GMT file silently lost every set but the first.)
final class LineEndingCLITests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory() }

    /// Copies `files` (relative to the test directory) from `from` to `to`, with CRLF line ends
    /// for the text files and the binary `.bed` as it is.
    func copyWithCRLF(_ files: [String], from: String, to: String) throws {
        try FileManager.default.createDirectory(atPath: dir.file(to), withIntermediateDirectories: true)
        for f in files {
            let source = dir.file(from + "/" + f), target = dir.file(to + "/" + f)
            if f.hasSuffix(".bed") {
                try FileManager.default.copyItem(atPath: source, toPath: target)
                continue
            }
            let text = try String(contentsOfFile: source, encoding: .utf8)
            XCTAssertFalse(text.contains("\r"), f)
            try text.replacingOccurrences(of: "\n", with: "\r\n").write(toFile: target, atomically: true, encoding: .utf8)
        }
    }

    func run(_ args: [String]) throws -> String {
        let r = try runGenoBench(args)
        XCTAssertEqual(r.status, 0, "\(args.joined(separator: " ")): \(r.stderr)")
        return r.stdout
    }

    func text(_ path: String) throws -> String { try String(contentsOfFile: dir.file(path), encoding: .utf8) }

    func testLDAndREMLReadCRLFFilesAsLF() throws {
        try FileManager.default.createDirectory(atPath: dir.file("lf"), withIntermediateDirectories: true)
        _ = try run(["simulate", "reml", "--samples", "120", "--variants", "200", "--h2", "0.5", "--seed", "5", "--out", dir.file("lf/g")])
        // A keep list of every other sample and a covariate file, both from the .fam.
        let fam = try text("lf/g.fam").split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        try fam.enumerated().filter { $0.offset % 2 == 0 }.map { "\($0.element[0]) \($0.element[1])" }.joined(separator: "\n")
            .appending("\n").write(toFile: dir.file("lf/keep.txt"), atomically: true, encoding: .utf8)
        try fam.enumerated().map { "\($0.element[0]) \($0.element[1]) \(Double($0.offset % 7) / 3)" }.joined(separator: "\n")
            .appending("\n").write(toFile: dir.file("lf/c.covar"), atomically: true, encoding: .utf8)
        try copyWithCRLF(["g.bed", "g.bim", "g.fam", "g.pheno", "keep.txt", "c.covar"], from: "lf", to: "crlf")
        for side in ["lf", "crlf"] {
            _ = try run(["ld", "--bfile", dir.file("\(side)/g"), "--r2-min", "0.1", "--out", dir.file("\(side)/ld.tsv")])
            _ = try run(["reml", "--bfile", dir.file("\(side)/g"), "--pheno", dir.file("\(side)/g.pheno"), "--covar", dir.file("\(side)/c.covar"),
                         "--keep", dir.file("\(side)/keep.txt"), "--out", dir.file("\(side)/r")])
        }
        XCTAssertEqual(try text("crlf/ld.tsv"), try text("lf/ld.tsv"))
        XCTAssertGreaterThan(try text("lf/ld.tsv").split(separator: "\n").count, 10)
        let hsq = { (side: String) in try self.text("\(side)/r.hsq").split(separator: "\n").filter { !$0.hasPrefix("logL") } }
        XCTAssertEqual(try hsq("crlf"), try hsq("lf"))
        let lfHsq = try text("lf/r.hsq")
        XCTAssert(lfHsq.contains("n\t60"), lfHsq)
    }

    func testDiDGeneSetsReadCRLFFilesAsLF() throws {
        try FileManager.default.createDirectory(atPath: dir.file("lf"), withIntermediateDirectories: true)
        try DiDCLITests.plantedCountsCSV().write(toFile: dir.file("lf/counts.csv"), atomically: true, encoding: .utf8)
        try "up\tplanted\tg2\tg3\tg1\nrest\tx\tg4\tg1\tg3\n".write(toFile: dir.file("lf/s.gmt"), atomically: true, encoding: .utf8)
        try copyWithCRLF(["counts.csv", "s.gmt"], from: "lf", to: "crlf")
        for side in ["lf", "crlf"] {
            _ = try run(["did", "--cells", dir.file("\(side)/counts.csv"), "--participant", "participant", "--visits", "V1,V2", "--log1p-cpm",
                         "--gene-sets", dir.file("\(side)/s.gmt"), "--out", dir.file("\(side)/sets.tsv")])
        }
        XCTAssertEqual(try text("crlf/sets.tsv"), try text("lf/sets.tsv"))
        XCTAssertEqual(try text("lf/sets.tsv").split(separator: "\n").dropFirst().map { $0.split(separator: "\t")[0] }, ["up", "rest"])
    }

    func testPEGAndSignalReadCRLFFilesAsLF() throws {
        _ = try run(["simulate", "peg", "--instruments", "40", "--focal", "2", "--chromosomes", "2", "--seed", "3", "--out", dir.file("lf")])
        let files = ["gwas.tsv", "eqtl.tsv", "perturb.tsv", "genes.tsv"] + (1...2).flatMap { c in ["bed", "bim", "fam"].map { "ref_chr\(c).\($0)" } }
        try copyWithCRLF(files, from: "lf", to: "crlf")
        for side in ["lf", "crlf"] {
            let d = dir.file(side)
            _ = try run(["peg", "--gwas", d + "/gwas.tsv", "--eqtl", d + "/eqtl.tsv", "--perturb", d + "/perturb.tsv", "--ref-geno", d + "/ref_chr*",
                         "--top-signal", "1", "--perm-number", "200", "--quiet", "--out", d + "/o"])
            _ = try run(["signal", "--gwas", d + "/gwas.tsv", "--ref", d + "/genes.tsv", "--window", "100", "--out", d + "/sig"])
        }
        XCTAssertEqual(try text("crlf/o.peg.tsv"), try text("lf/o.peg.tsv"))
        XCTAssertEqual(try text("lf/o.peg.tsv").split(separator: "\n").count, 3)
        let signal = try FileManager.default.contentsOfDirectory(atPath: dir.file("lf")).filter { $0.hasPrefix("sig") }.sorted()
        XCTAssertFalse(signal.isEmpty)
        for f in signal where !f.hasSuffix(".gz") { XCTAssertEqual(try text("crlf/" + f), try text("lf/" + f), f) }
    }
}
