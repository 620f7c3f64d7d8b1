import Foundation
import XCTest
import _GenoBenchTestSupport

/// External checks against peer tools, run where the peer is installed (outside the repo; see
/// scripts/peers/README.md) and skipped elsewhere, such as in CI.
final class PeerTests: XCTestCase {
    /// Issue 3: with no missing genotypes and one component, GenoBench's exact REML h² equals
    /// FaST-LMM's REML h² on the same GRM (scaled to trace n) to 1e-5.
    func testExactREMLAgreesWithFaSTLMM() throws {
        let venv = ProcessInfo.processInfo.environment["GENOBENCH_PEER_VENV"] ?? "/work/peers/venv"
        let python = venv + "/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else { throw XCTSkip("no peer venv at \(venv) (scripts/peers/README.md)") }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/peers/fastlmm_reml.py").path
        let dir = TemporaryDirectory()
        let prefix = dir.file("r")
        XCTAssertEqual(try runGenoBench(["simulate", "reml", "--samples", "600", "--variants", "1200", "--h2", "0.4", "--seed", "9", "--out", prefix]).status, 0)
        let r = try runGenoBench(["reml", "--bfile", prefix, "--pheno", prefix + ".pheno", "--covar", prefix + ".covar", "--backend", "exact-f64", "--out", prefix])
        XCTAssertEqual(r.status, 0, r.stderr)
        let hsq = try String(contentsOfFile: prefix + ".hsq", encoding: .utf8)
        let ours = try XCTUnwrap(hsq.split(separator: "\n").first { $0.hasPrefix("V(G1)/Vp\t") }.flatMap { Double($0.split(separator: "\t")[1]) })
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script, "--bfile", prefix, "--pheno", prefix + ".pheno", "--covar", prefix + ".covar", "--json"]
        p.environment = ["OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let theirs = try XCTUnwrap(json["h2"] as? Double)
        XCTAssertLessThanOrEqual(abs(ours - theirs), 1e-5, "GenoBench \(ours) vs FaST-LMM \(theirs)")
    }
}
