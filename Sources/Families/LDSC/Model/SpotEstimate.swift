import Foundation
import GenoBenchCore

/// Outcome of one spot's regression.
public enum SpotStatus: String, Sendable, Codable, Equatable {
    case ok
    /// The rank test of spec §4.6 failed or an LU pivot was zero: no number is reported.
    case singular
}

/// One spot's result (spec §4.4–4.5): beta and se are the jackknife estimate and SE of the
/// spatial coefficient divided by N̄ (per-SNP heritability per unit of spatial LD score);
/// z = beta/se; p = 1 − Φ(z), one-sided (enrichment; negative z gives p > 0.5), unclipped.
public struct SpotEstimate: Sendable, Equatable {
    public var beta: Double
    public var se: Double
    public var z: Double
    public var p: Double
    public var status: SpotStatus
    /// σ_min/σ_max of the column-scaled weighted design (screened or exact, see `RankTest`); for
    /// a spot proven non-singular part-way through the exact test, a lower bound.
    public var conditionRatio: Double
    /// Whether the exact (TSQR) rank test ran for this spot.
    public var exactRankTest: Bool

    public init(beta: Double, se: Double, z: Double, p: Double, status: SpotStatus, conditionRatio: Double, exactRankTest: Bool) {
        self.beta = beta
        self.se = se
        self.z = z
        self.p = p
        self.status = status
        self.conditionRatio = conditionRatio
        self.exactRankTest = exactRankTest
    }

    /// Same bits in every field (NaN equals NaN): a result is reproduced exactly or it is not.
    public static func == (a: SpotEstimate, b: SpotEstimate) -> Bool {
        a.beta.bitPattern == b.beta.bitPattern && a.se.bitPattern == b.se.bitPattern && a.z.bitPattern == b.z.bitPattern
            && a.p.bitPattern == b.p.bitPattern && a.status == b.status && a.conditionRatio.bitPattern == b.conditionRatio.bitPattern
            && a.exactRankTest == b.exactRankTest
    }

    public static func singular(conditionRatio: Double, exact: Bool) -> SpotEstimate {
        SpotEstimate(beta: .nan, se: .nan, z: .nan, p: .nan, status: .singular, conditionRatio: conditionRatio, exactRankTest: exact)
    }

    /// −log10(max(p, 1e-300)) (spec §4.5), NaN for a singular spot.
    public var negLog10P: Double { p.isNaN ? .nan : -log10(Swift.max(p, 1e-300)) }

    /// The upper normal tail Q(z) = erfc(z/√2)/2, accurate far into the tail.
    public static func upperTail(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }
}

extension PreparedRegression {
    /// Turns a spot's Double block accumulators into its estimate: the rank screen on ΣA,
    /// the exact test through `exactRatio` when the screen is inconclusive, then the jackknife.
    /// `precision` sets the rank threshold; for Float, beta and se are rounded to Float and z, p
    /// computed from them in Double (as gsMap3D reports float32 beta/se).
    func finish(grams: UnsafeBufferPointer<Double>, rhs: UnsafeBufferPointer<Double>, precision: Precision,
                exactRatio: (_ fullNorms: [Double], _ threshold: Double) -> Double) -> SpotEstimate {
        let f = featureCount, nb = blocks.blockCount
        var total = [Double](repeating: 0, count: f * f)
        for b in 0..<nb { for i in 0..<(f * f) { total[i] += grams[b * f * f + i] } }
        let delta = RankTest.gramErrorBound(blocks: blocks)
        var (ratio, conclusive) = RankTest.screen(gram: total, features: f, errorBound: delta)
        var exact = false
        if !conclusive {
            let norms = (0..<f).map { (total[$0 * f + $0] * (1 + delta)).squareRoot() * (1 + delta) }
            ratio = exactRatio(norms, RankTest.threshold(for: precision))
            exact = true
        }
        guard ratio >= RankTest.threshold(for: precision) else { return .singular(conditionRatio: ratio, exact: exact) }
        guard let fit = BlockJackknife.fit(features: f, blocks: nb, grams: grams, rhs: rhs) else {
            return .singular(conditionRatio: ratio, exact: exact)
        }
        var beta = fit.estimate[0] / meanSampleSize
        var se = fit.standardError[0] / meanSampleSize
        if precision == .f32 {
            beta = Double(Float(beta))
            se = Double(Float(se))
        }
        let z = beta / se
        if z.isNaN { return .singular(conditionRatio: ratio, exact: exact) }
        return SpotEstimate(beta: beta, se: se, z: z, p: SpotEstimate.upperTail(z), status: .ok, conditionRatio: ratio, exactRankTest: exact)
    }
}
