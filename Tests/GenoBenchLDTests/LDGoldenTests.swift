import Foundation
import GenoBenchCore
import GenoBenchData
import GenoBenchLD
import XCTest
import _GenoBenchTestSupport

/// Golden outputs in reference-data/ (see its MANIFEST.md for how each file was made).
final class LDGoldenTests: XCTestCase {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("reference-data/ld-small").path

    func testNaiveAndTiledReproduceTheGoldenTable() throws {
        let golden = try String(contentsOfFile: dir + "/naive-f64.ld.tsv", encoding: .utf8)
        let fileset = try PlinkFileset.open(prefix: dir + "/sim")
        let whole = try LDProblem(fileset: fileset, options: LDOptions(r2Min: 0, blockSize: 10))
        let naive = try NaiveLD<Double>().solve(whole, context: RunContext(threads: 2)).solution
        XCTAssertEqual(LDTableWriter.render(naive, variants: fileset.variants), golden)
        var rows: [LDRow] = []
        for part in 1...3 {
            let p = try LDProblem(fileset: fileset, options: LDOptions(r2Min: 0, blockSize: 10, subproblems: 3, part: part))
            rows += try TiledLD<Double>().solve(p, context: RunContext(threads: 2)).solution.rows
        }
        rows.sort { ($0.indexA, $0.indexB) < ($1.indexA, $1.indexB) }
        XCTAssertEqual(LDTableWriter.render(LDSolution(precision: .f64, rows: rows, pairsCompared: 0), variants: fileset.variants), golden)
    }

    func testSignedRMatchesPLINK19() throws {
        // plink19.ld columns: CHR_A BP_A SNP_A CHR_B BP_B SNP_B R (6 significant digits).
        var plink: [String: Double] = [:]
        for line in try String(contentsOfFile: dir + "/plink19.ld", encoding: .utf8).split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ")
            plink["\(f[2]) \(f[5])"] = Double(f[6])
        }
        let fileset = try PlinkFileset.open(prefix: dir + "/sim")
        let rows = try TiledLD<Double>().solve(try LDProblem(fileset: fileset, options: LDOptions(r2Min: 0)), context: RunContext()).solution.rows
        var matched = 0
        for row in rows where !row.r.isNaN {
            let key = "\(fileset.variants[Int(row.indexA)].id) \(fileset.variants[Int(row.indexB)].id)"
            guard let r = plink[key] else { continue }
            assertClose(row.r, r, relative: 1e-5, absolute: 1e-6, key)
            matched += 1
        }
        XCTAssertEqual(matched, plink.count, "every PLINK pair is a GenoBench pair")
        XCTAssertGreaterThan(matched, 400)
    }
}
