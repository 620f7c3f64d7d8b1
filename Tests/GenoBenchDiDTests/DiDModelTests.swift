import GenoBenchCore
import GenoBenchDiD
import XCTest
import _GenoBenchTestSupport

/// Spec did.md §16 cases 5, 6, 9, 10, 11: closed forms, cell = pseudobulk, invariances, statuses.
final class DiDModelTests: XCTestCase {
    func fits(_ t: CellTable, _ mode: DiDMode, standardize: Bool = false, threads: Int = 2) throws -> [FeatureFit] {
        let p = DiDProblem(cells: t, options: DiDOptions(standardize: standardize))
        let c = RunContext(threads: threads)
        return mode == .cell ? try CellDiD<Double>().solve(p, context: c).solution.fits : try PseudobulkDiD<Double>().solve(p, context: c).solution.fits
    }

    /// §4.4 closed form of the pseudobulk fit (raw units, two visits, no covariates).
    func closedForm(_ t: CellTable, feature f: Int = 0) -> (beta: Double, se: Double, betaTime: Double) {
        let g = t.layout.participants.count
        var sum = [[Double]](repeating: [0, 0], count: g), n = sum
        for c in 0..<t.cellCount { sum[Int(t.participant[c])][Int(t.visit[c])] += t.values[f][c]; n[Int(t.participant[c])][Int(t.visit[c])] += 1 }
        let d = (0..<g).map { sum[$0][1] / n[$0][1] - sum[$0][0] / n[$0][0] }
        let h = (0..<g).map { n[$0][0] * n[$0][1] / (n[$0][0] + n[$0][1]) }
        func armMean(_ treated: Bool) -> Double {
            let idx = (0..<g).filter { t.layout.treated[$0] == treated }
            return idx.reduce(0) { $0 + h[$1] * d[$1] } / idx.reduce(0) { $0 + h[$1] }
        }
        let control = armMean(false), treated = armMean(true)
        func part(_ arm: Bool, _ mean: Double) -> Double {
            let idx = (0..<g).filter { t.layout.treated[$0] == arm }
            let hs = idx.reduce(0) { $0 + h[$1] }
            return idx.reduce(0) { $0 + h[$1] * h[$1] * (d[$1] - mean) * (d[$1] - mean) } / (hs * hs)
        }
        let gd = Double(g)
        let c = gd / (gd - 1) * (2 * gd - 1) / (gd - 2)
        return (treated - control, (c * (part(true, treated) + part(false, control))).squareRoot(), control)
    }

    /// Case 5: closed form = backend = GSL regression, random designs, 1–30 cells per group.
    func testCase5ClosedFormEqualsRegression() throws {
        for (i, (g, treated)) in [(4, 2), (5, 2), (10, 3), (37, 20)].enumerated() {
            let t = DiDFixtures.random(participants: g, treated: treated, maxCells: 30, seed: UInt64(50 + i))
            let cf = closedForm(t)
            let backend = try fits(t, .pseudobulk)[0]
            let reference = DiDReference.pseudobulk(DiDProblem(cells: t, options: DiDOptions(standardize: false))).fits[0]
            for (name, f) in [("backend", backend), ("reference", reference)] {
                assertClose(f.betaDiD, cf.beta, relative: 1e-12, "G=\(g) \(name) β")
                assertClose(f.seDiD, cf.se, relative: 1e-12, "G=\(g) \(name) SE")
                assertClose(f.betaTime, cf.betaTime, relative: 1e-12, absolute: 1e-14, "G=\(g) \(name) β_time")
            }
        }
    }

    /// Case 6: cell β = pseudobulk β (raw) for any cell counts, SE ratio sqrt(c_cell/c_pb);
    /// z and p identical with and without standardisation in each mode.
    func testCase6CellEqualsPseudobulkBeta() throws {
        for seed in [61, 62, 63] as [UInt64] {
            let t = DiDFixtures.random(participants: 9, treated: 4, maxCells: 25, features: 2, effect: 0.7, seed: seed)
            let cell = try fits(t, .cell)[0], pb = try fits(t, .pseudobulk)[0]
            assertClose(cell.betaDiD, pb.betaDiD, relative: 1e-12, "β")
            assertClose(cell.betaTime, pb.betaTime, relative: 1e-12, absolute: 1e-14, "β_time")
            let g = 9.0, n = Double(t.cellCount)
            let ratio = ((g / (g - 1) * (n - 1) / (n - g - 2)) / (g / (g - 1) * (2 * g - 1) / (g - 2))).squareRoot()
            assertClose(cell.seDiD / pb.seDiD, ratio, relative: 1e-12, "SE ratio")
            for mode in [DiDMode.cell, .pseudobulk] {
                let raw = try fits(t, mode)[0], std = try fits(t, mode, standardize: true)[0]
                XCTAssertEqual(raw.zDiD, std.zDiD, "\(mode): z does not depend on standardisation")
                XCTAssertEqual(raw.pDiD, std.pDiD)
                XCTAssertEqual(raw.pTime, std.pTime)
                // Case 10: β_std · s = β_raw.
                assertClose(std.betaDiD * std.outcomeSD, raw.betaDiD, relative: 1e-13, "\(mode) β_std·s")
                assertClose(std.seDiD * std.outcomeSD, raw.seDiD, relative: 1e-13, "\(mode) SE_std·s")
            }
        }
    }

    /// Case 9: permuting cells, renaming participants, shifting and scaling y, swapping the baseline.
    func testCase9Invariances() throws {
        let t = DiDFixtures.random(participants: 11, treated: 5, maxCells: 12, features: 1, effect: 1, seed: 9)
        for mode in [DiDMode.cell, .pseudobulk] {
            let base = try fits(t, mode)[0]
            var rng = RandomSource(seed: 99)
            let order = (0..<t.cellCount).shuffled(using: &rng)
            var permuted = t
            permuted.participant = order.map { t.participant[$0] }
            permuted.visit = order.map { t.visit[$0] }
            permuted.celltype = order.map { t.celltype[$0] }
            permuted.values = [order.map { t.values[0][$0] }]
            var renamed = t
            renamed.layout.participants = t.layout.participants.reversed().map { "Z" + $0 }
            var shifted = t
            shifted.values[0] = t.values[0].map { $0 + 1000 }
            var scaled = t
            scaled.values[0] = t.values[0].map { $0 * 3 }
            var swapped = t
            swapped.visit = t.visit.map { 1 - $0 }
            for (name, variant, k, sign) in [("permuted", permuted, 1.0, 1.0), ("renamed", renamed, 1, 1), ("shifted", shifted, 1, 1),
                                             ("scaled", scaled, 3, 1), ("swapped", swapped, 1, -1)] {
                for f in [try fits(variant, mode)[0], mode == .cell ? DiDReference.cell(DiDProblem(cells: variant, options: DiDOptions(standardize: false)))!.fits[0]
                                                                   : DiDReference.pseudobulk(DiDProblem(cells: variant, options: DiDOptions(standardize: false))).fits[0]] {
                    assertClose(f.betaDiD, sign * k * base.betaDiD, relative: 1e-10, "\(mode) \(name) β")
                    assertClose(f.seDiD, k * base.seDiD, relative: 1e-10, "\(mode) \(name) SE")
                    assertClose(f.pDiD, base.pDiD, relative: 1e-8, "\(mode) \(name) p")
                    assertClose(f.betaTime, sign * k * base.betaTime, relative: 1e-9, "\(mode) \(name) β_time")
                }
            }
        }
    }

    /// Case 11: statuses, never silent numbers.
    func testCase11EdgeStatuses() throws {
        let d6 = DiDFixtures.d6
        // 3 participants.
        for mode in [DiDMode.cell, .pseudobulk] {
            let f = try fits(DiDFixtures.table([d6[0], d6[1], d6[3]]), mode)[0]
            XCTAssertEqual(f.status, .tooFewUnits)
            XCTAssert(f.betaDiD.isNaN && f.pDiD.isNaN)
            XCTAssertEqual(f.units, 3)
        }
        // Constant feature, both standardize settings.
        let constant = d6.map { ($0.0, $0.1, $0.2.map { _ in 2.5 }, $0.3.map { _ in 2.5 }) }
        for mode in [DiDMode.cell, .pseudobulk] {
            for s in [true, false] {
                let f = try fits(DiDFixtures.table(constant), mode, standardize: s)[0]
                XCTAssertEqual(f.status, .constantOutcome, "\(mode) standardize \(s)")
                XCTAssert(f.pDiD.isNaN, "sctrial reports p ≈ 0.46 from 0/0 here; we report nothing")
            }
        }
        // One arm only.
        let oneArm = d6.map { ($0.0, true, $0.2, $0.3) }
        for mode in [DiDMode.cell, .pseudobulk] {
            let f = try fits(DiDFixtures.table(oneArm), mode)[0]
            XCTAssertEqual(f.status, .noContrast)
            XCTAssert(f.betaDiD.isNaN)
            let control = try fits(DiDFixtures.table(d6.map { ($0.0, false, $0.2, $0.3) }), mode)[0]
            XCTAssertEqual(control.status, .noContrast)
        }
        // An unpaired participant is dropped and counted; n_units decreases by one.
        var extra = d6
        extra.append(("P7", true, [1.0, 2.0], []))
        for mode in [DiDMode.cell, .pseudobulk] {
            let p = DiDProblem(cells: DiDFixtures.table(extra), options: DiDOptions(standardize: false))
            let s = mode == .cell ? try CellDiD<Double>().solve(p, context: RunContext()).solution : try PseudobulkDiD<Double>().solve(p, context: RunContext()).solution
            XCTAssertEqual(s.unpairedParticipants, 1)
            XCTAssertEqual(s.fits[0].units, 6)
            assertClose(s.fits[0].betaDiD, 1.1205833054, relative: 1e-10, "the unpaired participant changes nothing")
        }
        // Ten or more participants: ok.
        let ten = DiDFixtures.random(participants: 10, treated: 5, maxCells: 3, seed: 11)
        XCTAssertEqual(try fits(ten, .pseudobulk)[0].status, .ok)
    }

    /// Case 11 (covariates): a time-invariant covariate is dropped and leaves β_DiD unchanged.
    func testTimeInvariantCovariateIsDropped() throws {
        let plain = DiDFixtures.random(participants: 12, treated: 6, maxCells: 10, features: 1, effect: 0.5, seed: 12)
        var t = plain
        var rng = RandomSource(seed: 120)
        let age = (0..<12).map { _ in 20 + 60 * rng.nextUniform() }
        t.layout.covariates = ["age"]
        t.covariates = [t.participant.map { age[Int($0)] }]
        for mode in [DiDMode.pseudobulk, .cell] {
            let reference = try fits(plain, mode)[0]
            let f = try fits(t, mode)[0]
            XCTAssertEqual(f.droppedCovariates, [0], "\(mode)")
            assertClose(f.betaDiD, reference.betaDiD, relative: 1e-12, "\(mode) β_DiD")
            assertClose(f.seDiD, reference.seDiD, relative: 1e-12, "\(mode): the dropped column does not count in K")
            let gsl = mode == .cell ? DiDReference.cell(DiDProblem(cells: t, options: DiDOptions(standardize: false)))!.fits[0]
                                    : DiDReference.pseudobulk(DiDProblem(cells: t, options: DiDOptions(standardize: false))).fits[0]
            assertClose(gsl.betaDiD, f.betaDiD, relative: 1e-10, "\(mode) GSL pseudo-inverse β_DiD")
            assertClose(gsl.seDiD, f.seDiD, relative: 1e-10, "\(mode) GSL with K = rank")
        }
    }
}
