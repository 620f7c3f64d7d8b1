import Foundation
import GenoBenchCore
import GenoBenchLDSC
import XCTest
import _GenoBenchTestSupport

/// Spec §11 cases 12 and 20: the χ² filter, the one-sided p and the output table.
final class LDSCOutputTests: XCTestCase {
    func testChiSquaredFilterIsStrict() {
        XCTAssertEqual(ChiSquaredFilter.defaultMaximum(sampleSizes: [20000, 50000]), 80)
        XCTAssertEqual(ChiSquaredFilter.defaultMaximum(sampleSizes: [200_000]), 200)
        XCTAssertEqual(ChiSquaredFilter.kept([1, 80, 79.999, 200], maximum: 80), [0, 2], "equality is removed")
    }

    func testOneSidedPAndNegLog10P() {
        XCTAssertGreaterThan(SpotEstimate.upperTail(-1.5), 0.5, "negative z gives p > 0.5")
        assertClose(SpotEstimate.upperTail(1.410847523), 0.07914478919, relative: 1e-9)
        let e = SpotEstimate(beta: 1, se: 0.01, z: 100, p: SpotEstimate.upperTail(100), status: .ok, conditionRatio: 1, exactRankTest: false)
        XCTAssertEqual(e.p, 0, "p is not clipped")
        XCTAssertEqual(e.negLog10P, 300, "neg_log10_p uses max(p, 1e-300)")
    }

    func testTableRowsAndMergeChecks() throws {
        let ok = SpotEstimate(beta: 1.5e-7, se: 1e-7, z: 1.5, p: SpotEstimate.upperTail(1.5), status: .ok, conditionRatio: 0.1, exactRankTest: false)
        let bad = SpotEstimate.singular(conditionRatio: 0, exact: false)
        let s = LDSCSolution(spots: 0..<2, spotNames: ["a", "b"], estimates: [ok, bad], precision: .f32, pipeline: nil)
        let rows = SpotTable.rows(s)
        XCTAssertEqual(rows[0].split(separator: "\t").count, 7)
        XCTAssert(rows[0].hasPrefix("a\t1.5e-07\t1e-07\t1.5\t"), rows[0])
        XCTAssertEqual(rows[1], "b\tnan\tnan\tnan\tnan\tnan\tsingular")
        let dir = TemporaryDirectory()
        try SpotTable.write(s, total: 4, settings: "x", to: dir.file("a.tsv"))
        XCTAssertThrowsError(try SpotTable.merge([dir.file("a.tsv")], to: dir.file("m.tsv"))) { XCTAssert("\($0)".contains("spots 2:4 are missing"), "\($0)") }
        let t = LDSCSolution(spots: 2..<4, spotNames: ["c", "a"], estimates: [ok, ok], precision: .f32, pipeline: nil)
        try SpotTable.write(t, total: 4, settings: "x", to: dir.file("b.tsv.gz"))
        XCTAssertThrowsError(try SpotTable.merge([dir.file("b.tsv.gz"), dir.file("a.tsv")], to: dir.file("m.tsv"))) {
            XCTAssert("\($0)".contains("spot a appears twice"), "\($0)")
        }
        try "not an output\n".write(toFile: dir.file("c.tsv"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try SpotTable.merge([dir.file("c.tsv")], to: dir.file("m.tsv"))) { XCTAssert("\($0)".contains("is not a genobench ldsc output")) }
    }
}
