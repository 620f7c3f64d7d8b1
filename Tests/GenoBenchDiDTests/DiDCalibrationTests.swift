import GenoBenchCore
import GenoBenchDiD
import XCTest
import _GenoBenchTestSupport

/// Spec did.md §16 cases 7 and 8: the null calibration of the sctrial-compatible p-values (and
/// of the fe-absorbed / t(G − 1) alternative), and unbiased recovery of a planted effect.
final class DiDCalibrationTests: XCTestCase {
    /// P(p < 0.05) and mean p over `replicates` null pseudobulk fits with G participants (half
    /// treated), equal cells per group (so equal weights), participant intercepts, Gaussian noise.
    func nullCalibration(g: Int, replicates: Int, options: DiDOptions, seed: UInt64) -> (rejection: Double, meanP: Double) {
        var rng = RandomSource(seed: seed)
        let unit = (0..<g).flatMap { [Int32($0), Int32($0)] }
        let rows = DesignRows<Double>(unit: unit, visit: (0..<g).flatMap { _ in [0.0, 1.0] }, treated: (0..<g).map { $0 < g / 2 ? 1 : 0 })
        let weights = [Double](repeating: 20, count: 2 * g)
        var rejected = 0, total = 0.0
        for _ in 0..<replicates {
            var y = [Double](repeating: 0, count: 2 * g)
            for i in 0..<g {
                let u = 3 * rng.nextNormal()
                y[2 * i] = u + rng.nextNormal()
                y[2 * i + 1] = u + 0.2 + rng.nextNormal()
            }
            let f = WithinEstimator.fit(y: y, weights: weights, rows: rows, options: options)
            if f.pDiD < 0.05 { rejected += 1 }
            total += f.pDiD
        }
        return (Double(rejected) / Double(replicates), total / Double(replicates))
    }

    func testNullCalibrationCase7() {
        // sctrial's p-values: conservative, piled towards 1 (spec §4.5 table).
        for (i, (g, rate, meanP)) in [(8, 0.028, 0.589), (20, 0.012, 0.602), (40, 0.008, 0.605)].enumerated() {
            let c = nullCalibration(g: g, replicates: 2000, options: DiDOptions(), seed: UInt64(70 + i))
            assertClose(c.rejection, rate, absolute: 0.012, "G=\(g) P(p<0.05), sctrial-compatible")
            assertClose(c.meanP, meanP, absolute: 0.015, "G=\(g) mean p, sctrial-compatible")
        }
        // K without the fixed effects and t(G − 1): calibrated.
        let fixed = DiDOptions(kCounting: .feAbsorbed, pDistribution: .tClusters)
        for (i, (g, rate)) in [(8, 0.057), (20, 0.051), (40, 0.051)].enumerated() {
            let c = nullCalibration(g: g, replicates: 2000, options: fixed, seed: UInt64(80 + i))
            assertClose(c.rejection, rate, absolute: 0.012, "G=\(g) P(p<0.05), fe-absorbed + t(G-1)")
            assertClose(c.meanP, 0.5, absolute: 0.02, "G=\(g) mean p, fe-absorbed + t(G-1)")
        }
    }

    /// Case 8: G = 40, 1–30 cells per group, δ = 0.5 on every treated follow-up cell; mean β̂
    /// within 0.5 ± 3·SD/√R in both modes, and the empirical SD of the pseudobulk β̂ below its
    /// mean reported SE (the factor ≈ 2 inflates it).
    func testPlantedEffectRecoveryCase8() throws {
        let replicates = 300
        var betas: [DiDMode: [Double]] = [.cell: [], .pseudobulk: []]
        var ses: [DiDMode: [Double]] = [.cell: [], .pseudobulk: []]
        for r in 0..<replicates {
            let t = DiDFixtures.random(participants: 40, treated: 20, maxCells: 30, features: 1, effect: 0.5, seed: UInt64(800 + r))
            let p = DiDProblem(cells: t, options: DiDOptions(standardize: false))
            let cell = try CellDiD<Double>().solve(p, context: RunContext(threads: 2)).solution.fits[0]
            let pb = try PseudobulkDiD<Double>().solve(p, context: RunContext(threads: 1)).solution.fits[0]
            betas[.cell]!.append(cell.betaDiD); ses[.cell]!.append(cell.seDiD)
            betas[.pseudobulk]!.append(pb.betaDiD); ses[.pseudobulk]!.append(pb.seDiD)
        }
        for mode in [DiDMode.cell, .pseudobulk] {
            let b = betas[mode]!
            let mean = b.reduce(0, +) / Double(replicates)
            let sd = (b.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(replicates - 1)).squareRoot()
            assertClose(mean, 0.5, absolute: 3 * sd / Double(replicates).squareRoot(), "\(mode) mean β̂")
            if mode == .pseudobulk {
                let meanSE = ses[mode]!.reduce(0, +) / Double(replicates)
                XCTAssertLessThan(sd, meanSE, "pseudobulk SEs are inflated (spec §4.5)")
            }
        }
    }
}
