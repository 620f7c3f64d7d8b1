import Foundation
import XCTest
import _GenoBenchTestSupport

/// `genobench validate` over reference-data/, and how it fails.
final class ValidateCLITests: XCTestCase {
    let referenceData = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("reference-data").path

    func testEveryBackendPassesOnTheCommittedCases() throws {
        let r = try runGenoBench(["validate", "--dir", referenceData, "--family", "ld"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        for id in ["naive-f32", "naive-f64", "tiled-f32", "tiled-f64"] { XCTAssert(r.stdout.contains("| ld-small | ld | \(id) | pass |"), r.stdout) }
    }

    /// Every family has at least one committed case, and every backend of every family passes
    /// on them (what `make test` runs after `swift test`).
    func testEveryFamilyHasCasesAndEveryBackendPasses() throws {
        let r = try runGenoBench(["validate", "--dir", referenceData])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let backends = [
            "ld": ["naive-f32", "naive-f64", "tiled-f32", "tiled-f64"],
            "reml": ["exact-f32", "exact-f64", "stochastic-f32", "stochastic-f64"],
            "did": ["cell-f32", "cell-f64", "pseudobulk-f32", "pseudobulk-f64"],
            "peg": ["loop-f32", "loop-f64", "batched-f32", "batched-f64"],
            "ldsc": ["per-spot-f32", "per-spot-f64", "batched-f32", "batched-f64"],
        ]
        for (family, ids) in backends {
            for id in ids {
                XCTAssert(r.stdout.range(of: "\\| [a-z0-9-]+ \\| \(family) \\| \(id) \\| pass \\|", options: .regularExpression) != nil,
                          "\(family) \(id) has no passing case:\n\(r.stdout)")
            }
        }
    }

    /// A golden number moved in the DiD, PEG and LDSC references makes the Double backends
    /// fail: the comparison reads every golden file it is given.
    func testMovedGoldenValuesFailForEachFamily() throws {
        let dir = TemporaryDirectory()
        let copy = dir.file("cases")
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        // (case, golden file, line, field, metric the f64 backends must fail on)
        let edits: [(String, String, Int, Int, String)] = [
            ("did-sim", "reference.did.tsv", 1, 4, "se_rel_err_max"),
            ("peg-small", "reference.peg.tsv", 2, 2, "se_rel_err"),
            ("ldsc-small", "reference.ldsc.tsv", 3, 2, "se_max_rel_err"),
        ]
        for (name, file, line, field, metric) in edits {
            try FileManager.default.copyItem(atPath: referenceData + "/" + name, toPath: copy + "/" + name)
            let golden = copy + "/" + name + "/" + file
            var lines = try String(contentsOfFile: golden, encoding: .utf8).components(separatedBy: "\n")
            var f = lines[line].components(separatedBy: "\t")
            f[field] = "\(Double(f[field])! * 1.001)"
            lines[line] = f.joined(separator: "\t")
            try lines.joined(separator: "\n").write(toFile: golden, atomically: true, encoding: .utf8)
            let r = try runGenoBench(["validate", "--dir", copy])
            XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
            XCTAssert(r.stdout.contains("| \(name) |") && r.stdout.contains("FAILED | \(metric) = "), "\(name): \(r.stdout)")
            try FileManager.default.removeItem(atPath: copy + "/" + name)
        }
    }

    func testEditedInputsAndAWrongGoldenFail() throws {
        let dir = TemporaryDirectory()
        let copy = dir.file("cases")
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: referenceData + "/ld-small", toPath: copy + "/ld-small")
        // A golden r² moved by 1e-3 on one pair: every f64 backend is now out of tolerance.
        let golden = copy + "/ld-small/reference.ld.tsv"
        var lines = try String(contentsOfFile: golden, encoding: .utf8).components(separatedBy: "\n")
        var f = lines[1].components(separatedBy: "\t")
        f[8] = "\(Double(f[8])! + 1e-3)"
        lines[1] = f.joined(separator: "\t")
        try lines.joined(separator: "\n").write(toFile: golden, atomically: true, encoding: .utf8)
        var r = try runGenoBench(["validate", "--dir", copy])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssert(r.stdout.contains("| ld-small | ld | naive-f64 | FAILED | r2_max_abs = 0.00100"), r.stdout)
        XCTAssert(r.stdout.contains("- failures: 4"), r.stdout)
        // An edited input: the checksum no longer matches.
        try Data("x".utf8).write(to: URL(fileURLWithPath: copy + "/ld-small/sim.bim"), options: .atomic)
        r = try runGenoBench(["validate", "--dir", copy])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssert(r.stdout.contains("input checksum differs: sim.bim"), r.stdout)
        // No cases, or an unknown family: usage errors.
        r = try runGenoBench(["validate", "--dir", dir.file("none")])
        XCTAssertEqual(r.status, 64, r.stderr)
        r = try runGenoBench(["validate", "--dir", copy, "--family", "nope"])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssert(r.stderr.contains("unknown family 'nope'"), r.stderr)
    }
}
