import GenoBenchCore

/// Accuracy of a PEG solution against the GSL reference (spec peg.md §14).
///
/// - `gamma_rel_err`: max_j |Δγ̂_j| / max(|γ̂_j|, se_j): relative where |t| > 1, in units of the
///   SE below (a null gene's γ̂ sits near 0, where a relative error says nothing: measured,
///   Float's error on γ̂ ≈ 0.03·se was 1e-3 of |γ̂| but 1e-5 of se at cond(V) ≈ 4e3).
/// - `se_rel_err`: max_j |Δse_j| / se_j.
/// - `p_t_err`: max_j |Δp_j| / max(p_j, 0.01): relative above 0.01, absolute (×0.01) below,
///   i.e. the spec's "1e-10 relative (1e-12 absolute near zero)" at tolerance 1e-10.
/// - `null_rel_err`: max over draws and genes of |ΔG_pj| / scale_j (scale of the tie rule).
/// - `null_count_excess`: max_j over the two counts (≥ γ̂, ≤ γ̂) of |Δcount| − allowance_j,
///   floored at 0; the allowance is 0 in Double and, in Float, the reference's draws within
///   2·tol·c·scale_j of γ̂_j, tol the `null_rel_err` tolerance (near-ties: where a Float error
///   within tolerance may legitimately count the other way; the spec's 1e-5·|γ̂| was narrower
///   than Float's own null error at k ≥ 200, so it failed runs whose every G was in tolerance).
/// - `null_p_abs_err`: max_j |Δ gamma_null_p_j| (0 in Double whenever the counts agree).
///
/// Float errors grow with the conditioning of V: every tolerance except the count's is
/// multiplied by c = max(1, cond(V)/1e3) (the spec's 1e-4 holds for cond ≤ 1e3).
struct PEGComparison {
    let solution: PEGSolution
    let reference: PEGReference.Result

    func metrics(_ t: Tolerances) -> [Metric] {
        let c = max(1, reference.conditionNumber / 1e3)
        let n = solution.geneCount
        var gammaErr = 0.0, seErr = 0.0, pErr = 0.0
        for j in 0..<n {
            gammaErr = max(gammaErr, Self.error(solution.gamma[j], reference.gamma[j], floor: reference.standardError[j]))
            seErr = max(seErr, Self.error(solution.standardError[j], reference.standardError[j], floor: 0))
            pErr = max(pErr, Self.error(solution.pValue[j], reference.pValue[j], floor: 0.01))
        }
        var out = [
            Metric(name: "gamma_rel_err", value: gammaErr, tolerance: t["gamma_rel_err"].map { $0 * c }),
            Metric(name: "se_rel_err", value: seErr, tolerance: t["se_rel_err"].map { $0 * c }),
            Metric(name: "p_t_err", value: pErr, tolerance: t["p_t_err"].map { $0 * c }),
        ]
        if let null = reference.null, let summary = reference.summary {
            let p = null.rows
            var nullErr = 0.0, excess = 0, pAbs = 0.0
            for j in 0..<n {
                let scale = summary[j].scale
                for d in 0..<p {
                    let diff = abs(solution.null[d, j] - null[d, j])
                    nullErr = max(nullErr, scale > 0 ? diff / scale : (diff == 0 ? 0 : .infinity))
                }
                var allowance = 0
                if solution.precision == .f32 {
                    // A draw can count the other way only if its Float error (≤ the null tolerance
                    // when null_rel_err passes) reaches across γ̂: near-ties at twice that width.
                    let width = 2 * (t["null_rel_err"] ?? 1e-4) * c * scale
                    allowance = (0..<p).filter { abs(null[$0, j] - reference.gamma[j]) <= width }.count
                }
                let s = solution.summary[j]
                excess = max(excess, abs(s.countHigh - summary[j].countHigh) - allowance, abs(s.countLow - summary[j].countLow) - allowance)
                pAbs = max(pAbs, abs(s.pValue - summary[j].pValue))
            }
            out.append(Metric(name: "null_rel_err", value: nullErr, tolerance: t["null_rel_err"].map { $0 * c }))
            out.append(Metric(name: "null_count_excess", value: Double(max(0, excess)), tolerance: t["null_count_excess"]))
            out.append(Metric(name: "null_p_abs_err", value: pAbs, tolerance: t["null_p_abs_err"]))
        }
        if let truth = reference.truth, let j = truth.firstIndex(where: { $0 != 0 }) {
            // Information: how far the estimate of the simulated effect is, in SEs.
            out.append(Metric(name: "effect_truth_z", value: abs(solution.gamma[j] - truth[j]) / solution.standardError[j], tolerance: nil))
        }
        return out
    }

    /// |a − b| / max(|b|, floor); NaN against NaN is agreement (0), NaN against a number is ∞.
    static func error(_ a: Double, _ b: Double, floor: Double) -> Double {
        if a.isNaN && b.isNaN { return 0 }
        if a.isNaN || b.isNaN { return .infinity }
        if a == b { return 0 }
        let d = abs(a - b) / max(abs(b), floor)
        return d.isNaN ? .infinity : d
    }
}
