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
