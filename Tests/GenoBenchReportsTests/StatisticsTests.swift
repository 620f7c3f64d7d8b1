import GenoBenchReports
import XCTest
import _GenoBenchTestSupport

/// The reports' statistics against closed forms and textbook values.
final class StatisticsTests: XCTestCase {
    func testMedianIntervalAndOutliers() {
        let s = SampleSummary([5, 1, 4, 2, 3])
        XCTAssertEqual(s.median, 3)
        // n = 5: no pair of ranks reaches 95 %; [min, max] covers 1 − 2/32 = 93.75 %.
        XCTAssertEqual(s.low, 1); XCTAssertEqual(s.high, 5)
        assertClose(s.coverage, 0.9375, absolute: 1e-12)
        // n = 10: ranks 2 and 9 (P(B ≤ 1) = 11/1024 ≤ 0.025 < P(B ≤ 2) = 56/1024).
        let t = SampleSummary((1...10).map(Double.init))
        XCTAssertEqual(t.low, 2); XCTAssertEqual(t.high, 9)
        assertClose(t.coverage, 1 - 22.0 / 1024, absolute: 1e-12)
        XCTAssertEqual(t.median, 5.5)
        XCTAssertEqual(SampleSummary([1, 1.1, 0.9, 1.05, 9]).outliers, [4], "9 is beyond Q3 + 1.5 IQR")
        XCTAssertEqual(SampleSummary([1, 2, 3]).outliers, [], "fewer than 4 values: nothing flagged")
    }

    func testMannWhitneyExactAndNormal() {
        // 4 vs 4, completely separated: U = 16, exact two-sided p = 2/70.
        let separated = MannWhitney([5, 6, 7, 8], [1, 2, 3, 4])
        XCTAssertEqual(separated.u, 16)
        XCTAssertTrue(separated.exact)
        assertClose(separated.pValue, 2.0 / 70, absolute: 1e-12)
        // Interleaved: U = 8 of 16, p = 1.
        XCTAssertEqual(MannWhitney([1, 3, 5, 7], [2, 4, 6, 8]).u, 6)
        assertClose(MannWhitney([1, 4, 5, 8], [2, 3, 6, 7]).pValue, 1, absolute: 1e-12)
        // Ties use the normal approximation with tie correction.
        let tied = MannWhitney([1, 1, 2, 2, 3], [2, 3, 3, 4, 4])
        XCTAssertFalse(tied.exact)
        XCTAssertEqual(tied.u, 3, "2>2 ties (½ x 2), 3>2 (1), 3=3 ties (½ x 2)")
        XCTAssertLessThan(tied.pValue, 0.2); XCTAssertGreaterThan(tied.pValue, 0.02)
    }

    func testPowerLawFitRecoversExponents() throws {
        // cost = 3·n²·k exactly: exponents 2 and 1, zero residual.
        var x: [[Double]] = [], y: [Double] = []
        for n in [100.0, 200, 400, 800] { for k in [1.0, 2, 4] { x.append([n, k]); y.append(3 * n * n * k) } }
        let fit = try XCTUnwrap(PowerLawFit(x: x, y: y))
        assertClose(fit.exponents[0], 2, absolute: 1e-9)
        assertClose(fit.exponents[1], 1, absolute: 1e-9)
        XCTAssertLessThan(fit.halfWidths[0], 1e-6)
        XCTAssertNil(PowerLawFit(x: [[1]], y: [1]), "one point fits nothing")
    }

    func testComplexityClassIsTheBestScaledCurve() {
        let n: [Double] = [1000, 2000, 4000, 8000, 16000]
        XCTAssertEqual(ComplexityClass.closest(sizes: n, costs: n.map { 2e-9 * $0 * $0 * $0 }), .cubic)
        XCTAssertEqual(ComplexityClass.closest(sizes: n, costs: n.map { 5e-6 * $0 * Double.log($0) }), .linearithmic)
        XCTAssertEqual(ComplexityClass.closest(sizes: n, costs: n.map { _ in 0.2 }), .constant)
        XCTAssertEqual(ComplexityClass.closest(sizes: n, costs: n.map { 1e-3 * $0 }), .linear)
    }
}
