import GenoBenchCore
/// D, D', r and r² of a 2 x 2 haplotype table (spec ld.md §1.2), in precision T.
///
/// Cells are named (allele at A, allele at B) with 1 = the counted allele; counts may be
/// fractional (estimated haplotype counts from the unphased estimator).
/// - `d = p00·p11 − p01·p10`
/// - `dPrime = d / Dmax`, Lewontin: Dmax = min(pA0·pB1, pA1·pB0) for d ≥ 0, and
///   min(pA0·pB0, pA1·pB1) for d < 0, so D' is signed and in [−1, 1] (Tomahawk divides by a
///   negative Dmax and uses the wrong products; spec §1.3).
/// - `r = d / sqrt(pA0·pA1·pB0·pB1)`, `r2 = d² / (pA0·pA1·pB0·pB1)`; NaN when a variant is
///   monomorphic among the haplotypes used.
public struct HaplotypeStatistics<T: Scalar>: Sendable {
    public var d: T
    public var dPrime: T
    public var r: T
    public var r2: T

    @inlinable
    public init(n00: T, n01: T, n10: T, n11: T) {
        let h = n00 + n01 + n10 + n11
        guard h > 0 else { d = .nan; dPrime = .nan; r = .nan; r2 = .nan; return }
        let p00 = n00 / h, p01 = n01 / h, p10 = n10 / h, p11 = n11 / h
        let pA0 = p00 + p01, pA1 = p10 + p11, pB0 = p00 + p10, pB1 = p01 + p11
        d = p00 * p11 - p01 * p10
        let denominator = pA0 * pA1 * pB0 * pB1
        if denominator > 0 {
            r2 = d * d / denominator
            r = d / T.sqrt(denominator)
            let dMax = d >= 0 ? Swift.min(pA0 * pB1, pA1 * pB0) : Swift.min(pA0 * pB0, pA1 * pB1)
            dPrime = d / dMax
        } else {
            r = .nan; r2 = .nan; dPrime = .nan
        }
    }
}
