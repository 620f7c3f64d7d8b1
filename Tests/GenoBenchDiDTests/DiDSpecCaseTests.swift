import GenoBenchCore
import GenoBenchDiD
import XCTest
import _GenoBenchTestSupport

/// Spec did.md §16 cases 1–4 (fixture D6, numbers produced by sctrial 1.0.0 / statsmodels 0.15),
/// checked for every backend and the GSL reference.
final class DiDSpecCaseTests: XCTestCase {
    func solve(_ table: CellTable, mode: DiDMode, standardize: Bool, precision: Precision = .f64) throws -> FeatureFit {
        let problem = DiDProblem(cells: table, options: DiDOptions(standardize: standardize))
        let backend: any Backend<DiDFamily> = switch (mode, precision) {
        case (.cell, .f64): CellDiD<Double>()
        case (.cell, .f32): CellDiD<Float>()
        case (.pseudobulk, .f64): PseudobulkDiD<Double>()
        case (.pseudobulk, .f32): PseudobulkDiD<Float>()
        }
        return try backend.solve(problem, context: RunContext(threads: 2)).solution.fits[0]
    }

    func reference(_ table: CellTable, mode: DiDMode, standardize: Bool) throws -> FeatureFit {
        let problem = DiDProblem(cells: table, options: DiDOptions(standardize: standardize))
        return try XCTUnwrap(mode == .cell ? DiDReference.cell(problem) : DiDReference.pseudobulk(problem)).fits[0]
    }

    /// Every route (f64 backend, GSL reference; f32 backend at Float tolerances) against sctrial's numbers.
    func check(_ table: CellTable, mode: DiDMode, standardize: Bool, beta: Double, se: Double, p: Double,
               betaTime: Double? = nil, pTime: Double? = nil, residSD: Double? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let routes: [(String, FeatureFit, Double)] = [
            ("backend f64", try solve(table, mode: mode, standardize: standardize), 1e-10),
            ("reference", try reference(table, mode: mode, standardize: standardize), 1e-10),
            ("backend f32", try solve(table, mode: mode, standardize: standardize, precision: .f32), 2e-4),
        ]
        for (name, f, tol) in routes {
            let pTol = tol == 1e-10 ? 1e-8 : 1e-3
            XCTAssertEqual(f.status, .fewClusters, name, file: file, line: line)
            assertClose(f.betaDiD, beta, relative: tol, "\(name) β_DiD", file: file, line: line)
            assertClose(f.seDiD, se, relative: tol, "\(name) SE", file: file, line: line)
            assertClose(f.pDiD, p, relative: pTol, "\(name) p", file: file, line: line)
            if let betaTime { assertClose(f.betaTime, betaTime, relative: tol, "\(name) β_time", file: file, line: line) }
            if let pTime { assertClose(f.pTime, pTime, relative: pTol, "\(name) p_time", file: file, line: line) }
            if let residSD { assertClose(f.residualSD, residSD, relative: tol, "\(name) resid_sd", file: file, line: line) }
            XCTAssertEqual(f.units, 6, file: file, line: line)
        }
    }

    /// Case 1: D6 pseudobulk, raw units.
    func testCase1PseudobulkRaw() throws {
        try check(DiDFixtures.table(DiDFixtures.d6), mode: .pseudobulk, standardize: false,
                  beta: 1.1205833054, se: 0.231197939707, p: 1.25432899987e-06,
                  betaTime: 0.173684210526, pTime: 7.11955152969e-05, residSD: 0.173440402906)
        let f = try solve(DiDFixtures.table(DiDFixtures.d6), mode: .pseudobulk, standardize: false)
        XCTAssertEqual(f.cells, 23)
        XCTAssertEqual(f.rows, 12)
        XCTAssertEqual(f.rank, 8, "K = intercept + 5 dummies + 2 slopes")
    }

    /// Case 2: D6 pseudobulk, standardised: β and SE scale by 1/s, p unchanged.
    func testCase2PseudobulkStandardised() throws {
        try check(DiDFixtures.table(DiDFixtures.d6), mode: .pseudobulk, standardize: true,
                  beta: 1.88134756096, se: 0.388158272458, p: 1.25432899987e-06)
    }

    /// Case 3: D6 cell mode: β identical to case 1, SE smaller by sqrt(c_cell / c_pb).
    func testCase3CellMode() throws {
        let t = DiDFixtures.table(DiDFixtures.d6)
        try check(t, mode: .cell, standardize: false, beta: 1.1205833054, se: 0.168843102435, p: 3.20496572796e-11)
        try check(t, mode: .cell, standardize: true, beta: 2.07479994437, se: 0.312619024265, p: 3.20496572796e-11)
        let cell = try solve(t, mode: .cell, standardize: false), pb = try solve(t, mode: .pseudobulk, standardize: false)
        let ratio = ((6.0 / 5 * 22 / 15) / (6.0 / 5 * 11 / 4)).squareRoot()
        assertClose(cell.seDiD / pb.seDiD, ratio, relative: 1e-12, "SE_cell / SE_pb")
        assertClose(cell.betaDiD, pb.betaDiD, relative: 1e-12, "β_cell = β_pb in raw units")
        XCTAssertEqual(cell.cells, 23)
        XCTAssertEqual(cell.rows, 23)
    }

    /// Case 4: one cell per participant-visit: cell and pseudobulk agree exactly.
    func testCase4OneCellPerGroup() throws {
        let t = DiDFixtures.table(DiDFixtures.d6First)
        for mode in [DiDMode.pseudobulk, .cell] {
            try check(t, mode: mode, standardize: false, beta: 1.06666666667, se: 0.247206616237, p: 1.59690259808e-05,
                      betaTime: 0.233333333333, pTime: 0.0182897427862, residSD: 0.144337567297)
            assertClose(try solve(t, mode: mode, standardize: true).betaDiD, 1.80143673254, relative: 1e-10, "\(mode) standardised β")
        }
        let a = try solve(t, mode: .cell, standardize: false), b = try solve(t, mode: .pseudobulk, standardize: false)
        for (x, y) in [(a.betaDiD, b.betaDiD), (a.seDiD, b.seDiD), (a.pDiD, b.pDiD), (a.residualSD, b.residualSD)] {
            assertClose(x, y, relative: 1e-13)
        }
    }

    /// Case 13: BH in input order; a NaN stays NaN and does not count in m.
    func testCase13BenjaminiHochberg() {
        let q = FalseDiscoveryRate.benjaminiHochberg([0.01, 0.04, 0.03, 0.2])
        for (a, b) in zip(q, [0.04, 0.0533333333333333, 0.0533333333333333, 0.2]) { assertClose(a, b, relative: 1e-12) }
        let withNaN = FalseDiscoveryRate.benjaminiHochberg([0.01, .nan, 0.04, 0.03, 0.2])
        XCTAssert(withNaN[1].isNaN)
        XCTAssertEqual([withNaN[0], withNaN[2], withNaN[3], withNaN[4]], q)
        XCTAssertEqual(FalseDiscoveryRate.benjaminiHochberg([0.9, 0.5]), [0.9, 0.9], "capped by the running minimum")
        XCTAssertEqual(FalseDiscoveryRate.benjaminiHochberg([]), [])
    }

    /// Case 14: FDR of two batches recomputed on the concatenation equals the single-run FDR.
    func testCase14FDRScope() throws {
        let t = DiDFixtures.random(participants: 12, treated: 6, maxCells: 8, features: 8, effect: 1, seed: 14)
        let all = try PseudobulkDiD<Double>().solve(DiDProblem(cells: t, options: DiDOptions()), context: RunContext()).solution
        var first = t, second = t
        first.values = Array(t.values.prefix(3)); first.layout.features = Array(t.layout.features.prefix(3))
        second.values = Array(t.values.dropFirst(3)); second.layout.features = Array(t.layout.features.dropFirst(3))
        let a = try PseudobulkDiD<Double>().solve(DiDProblem(cells: first, options: DiDOptions()), context: RunContext()).solution
        let b = try PseudobulkDiD<Double>().solve(DiDProblem(cells: second, options: DiDOptions()), context: RunContext()).solution
        let merged = FalseDiscoveryRate.benjaminiHochberg((a.fits + b.fits).map(\.pDiD))
        XCTAssertEqual(merged, all.fdr)
        XCTAssertNotEqual(a.fdr + b.fdr, all.fdr, "per-batch FDR is not the joint FDR")
    }
}
