import Foundation
import XCTest
import _GenoBenchTestSupport

/// `genobench simulate reml` and `genobench reml` as a user runs them, including bad inputs.
final class REMLCLITests: XCTestCase {
    var dir: TemporaryDirectory!
    var prefix: String { dir.file("sim") }

    override func setUpWithError() throws {
        dir = TemporaryDirectory()
        let r = try runGenoBench(["simulate", "reml", "--samples", "300", "--variants", "600", "--h2", "0.5", "--seed", "5", "--out", prefix])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssert(r.stdout.contains("genobench reml --bfile \(prefix)"), r.stdout)
    }

    func reml(_ extra: [String], pheno: String? = nil, covar: String? = nil) throws -> ToolResult {
        var args = ["reml", "--bfile", prefix, "--pheno", pheno ?? prefix + ".pheno", "--out", dir.file("out")]
        if let covar { args += ["--covar", covar] }
        return try runGenoBench(args + extra)
    }

    func hsq() throws -> [String: [String]] {
        let text = try String(contentsOfFile: dir.file("out.hsq"), encoding: .utf8)
        var rows: [String: [String]] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "\t").map(String.init)
            rows[f[0]] = Array(f.dropFirst())
        }
        return rows
    }

    func testExactAndStochasticWriteAnHsq() throws {
        for backend in ["exact-f64", "stochastic-f64"] {
            let r = try reml(["--backend", backend, "--probes", "30"], covar: prefix + ".covar")
            XCTAssertEqual(r.status, 0, r.stderr)
            let rows = try hsq()
            for key in ["Source", "V(G1)", "V(e)", "Vp", "V(G1)/Vp", "logL", "logL0", "LRT", "df", "Pval", "n", "h2_raw", "Status"] {
                XCTAssertNotNil(rows[key], "\(backend): row \(key) missing")
            }
            XCTAssertEqual(rows["n"], ["300"])
            XCTAssertEqual(rows["df"], ["1"])
            XCTAssert(rows["Status"]?[0].hasPrefix("converged") == true, "\(backend): \(rows["Status"] ?? [])")
            let h2 = try XCTUnwrap(Double(rows["V(G1)/Vp"]![0]))
            XCTAssert((0...1).contains(h2))
            XCTAssert(r.stderr.contains("h2 = "), r.stderr)
        }
    }

    func testComponentsFromASpecFile() throws {
        let spec = dir.file("spec.json")
        try #"{"components": [{"name": "a", "variant_indices": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}, {"variant_indices": [300, 301, 302, 303, 304, 305]}]}"#
            .write(toFile: spec, atomically: true, encoding: .utf8)
        let r = try reml(["--components", spec])
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = try hsq()
        XCTAssertNotNil(rows["V(G2)"])
        XCTAssertNotNil(rows["Sum of V(G)/Vp"])
        try #"[{"variant_indices": [0, 600]}]"#.write(toFile: spec, atomically: true, encoding: .utf8)
        let bad = try reml(["--components", spec])
        XCTAssertEqual(bad.status, 65, bad.stderr)
        XCTAssert(bad.stderr.contains("spec.json"), bad.stderr)
    }

    func testBadInputsAreClearErrors() throws {
        let phenoText = try String(contentsOfFile: prefix + ".pheno", encoding: .utf8)
        // A phenotype sample that is not in the .fam.
        let extra = dir.file("extra.pheno")
        try (phenoText + "fx nobody 1.5\n").write(toFile: extra, atomically: true, encoding: .utf8)
        var r = try reml([], pheno: extra)
        XCTAssertEqual(r.status, 65, r.stderr)
        XCTAssert(r.stderr.contains("nobody") && r.stderr.contains("extra.pheno"), r.stderr)
        // A duplicated IID.
        let dup = dir.file("dup.pheno")
        try (phenoText + phenoText.split(separator: "\n")[0] + "\n").write(toFile: dup, atomically: true, encoding: .utf8)
        r = try reml([], pheno: dup)
        XCTAssertEqual(r.status, 65, r.stderr)
        XCTAssert(r.stderr.contains("ind1") && r.stderr.contains("dup.pheno"), r.stderr)
        // A constant phenotype.
        let constant = dir.file("constant.pheno")
        try (1...300).map { "fam\($0) ind\($0) 2.5" }.joined(separator: "\n").write(toFile: constant, atomically: true, encoding: .utf8)
        r = try reml([], pheno: constant)
        XCTAssertEqual(r.status, 65, r.stderr)
        XCTAssert(r.stderr.contains("constant"), r.stderr)
        // Collinear covariates: c2 = 2·c1.
        let collinear = dir.file("collinear.covar")
        try (1...300).map { "fam\($0) ind\($0) \(Double($0) * 0.1) \(Double($0) * 0.2)" }.joined(separator: "\n").write(toFile: collinear, atomically: true, encoding: .utf8)
        r = try reml([], covar: collinear)
        XCTAssertEqual(r.status, 65, r.stderr)
        XCTAssert(r.stderr.contains("collinear"), r.stderr)
        // p >= n: three samples kept, intercept and two covariates.
        let keep = dir.file("three.keep")
        try "fam1 ind1\nfam2 ind2\nfam3 ind3\n".write(toFile: keep, atomically: true, encoding: .utf8)
        r = try reml(["--keep", keep], covar: prefix + ".covar")
        XCTAssertEqual(r.status, 65, r.stderr)
        // A keep file that does not exist is an error, not silently ignored.
        r = try reml(["--keep", dir.file("absent.keep")])
        XCTAssertEqual(r.status, 65, r.stderr)
        XCTAssert(r.stderr.contains("absent.keep"), r.stderr)
        // Stochastic settings out of range: usage errors naming the option, before any work.
        for (args, option) in [(["--pcg-tol", "1e-2,abc,1e-3"], "--pcg-tol"), (["--pcg-tol", "1e-2,1e-3"], "--pcg-tol"),
                               (["--slq-mode", "fancy"], "--slq-mode"), (["--h2-init", "1.5"], "--h2-init"),
                               (["--probes", "0"], "--probes"), (["--max-linesearch-trials", "0"], "--max-linesearch-trials")] {
            r = try reml(["--backend", "stochastic-f64"] + args)
            XCTAssertEqual(r.status, 64, "\(args): \(r.stderr)")
            XCTAssert(r.stderr.contains(option), "\(args): \(r.stderr)")
        }
        // Unknown backend: a usage error.
        r = try reml(["--backend", "magic"])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("out.hsq")), "no output after an error")
    }
}
