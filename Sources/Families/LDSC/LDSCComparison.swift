import Foundation
import GenoBenchCore

/// The reference spots of a problem and, for simulated problems, the generating coefficients.
public struct LDSCReferenceFit: Sendable {
    public var spots: [LDSCReference.Spot]
    public var truth: [Double]?
}

/// A solution against the reference, spot by spot (spots the reference skipped are ignored).
///
/// Status is compared at the backend's rank threshold. Numbers are compared where both are ok;
/// SE, z and p only where the reference SE is resolvable (se_ref > 1e-6·|β_ref|): with exact
/// (noise-free) χ² the SE is rounding noise (~1e-21 relative in Double), and so is z.
struct LDSCComparison {
    var statusMismatches = 0
    var compared = 0
    var resolvable = 0
    var betaErrSE = 0.0, betaAbs = 0.0, seRel = 0.0, zAbs = 0.0, zScaled = 0.0, pLog = 0.0
    var callsDiffering = 0
    var truthErrSE: Double?

    init(_ s: LDSCSolution, _ ref: LDSCReferenceFit) {
        let bonferroni = 0.05 / Double(max(s.estimates.count, 1))
        var truthWorst = 0.0, truthSeen = false
        for r in ref.spots where s.spots.contains(r.spot) {
            let e = s.estimates[r.spot - s.spots.lowerBound]
            let expected = r.status(for: s.precision)
            if e.status != expected { statusMismatches += 1; continue }
            guard e.status == .ok else { continue }
            compared += 1
            func worse(_ a: inout Double, _ v: Double) { a = v.isNaN ? .infinity : max(a, v) }
            // In SEs, floored at 0.1·|β_ref|: an exact fit's SE is rounding noise (~1e-21·β), and
            // there the metric becomes a relative error (1e-9 for Double, 1e-4 for Float at the tolerances).
            worse(&betaErrSE, abs(e.beta - r.beta) / max(r.se, 0.1 * abs(r.beta)))
            worse(&betaAbs, abs(e.beta - r.beta))
            if r.se > 1e-6 * abs(r.beta) {
                resolvable += 1
                worse(&seRel, abs(e.se - r.se) / r.se)
                worse(&zAbs, abs(e.z - r.z))
                // Float's error in z is relative (z = β/se, each carrying relative rounding that the
                // design's conditioning amplifies), so it is judged as |Δz|/max(1, |z|).
                worse(&zScaled, abs(e.z - r.z) / max(1, abs(r.z)))
                worse(&pLog, abs(log10(max(e.p, 1e-300)) - log10(max(r.p, 1e-300))))
                if (e.p < bonferroni) != (r.p < bonferroni) { callsDiffering += 1 }
            }
            if let t = ref.truth?[r.spot], !t.isNaN {
                truthSeen = true
                truthWorst = max(truthWorst, abs(e.beta - t) / max(e.se, 1e-300))
            }
        }
        if truthSeen { truthErrSE = truthWorst }
    }

    func metrics(_ t: Tolerances) -> [Metric] {
        var out = [
            Metric(name: "status_mismatches", value: Double(statusMismatches), tolerance: t["status_mismatches"]),
            Metric(name: "beta_max_err_se", value: betaErrSE, tolerance: t["beta_max_err_se"]),
            Metric(name: "se_max_rel_err", value: seRel, tolerance: t["se_max_rel_err"]),
            Metric(name: "z_max_err", value: zScaled, tolerance: t["z_max_err"]),
            Metric(name: "z_max_abs_err", value: zAbs, tolerance: nil),
            Metric(name: "p_max_log10_err", value: pLog, tolerance: t["p_max_log10_err"]),
            Metric(name: "beta_max_abs_err", value: betaAbs, tolerance: nil),
            Metric(name: "bonferroni_calls_differing", value: Double(callsDiffering), tolerance: nil),
            Metric(name: "spots_compared", value: Double(compared), tolerance: nil),
            Metric(name: "spots_resolvable_se", value: Double(resolvable), tolerance: nil),
        ]
        if let truthErrSE { out.append(Metric(name: "truth_max_err_se", value: truthErrSE, tolerance: nil)) }
        return out
    }
}

/// A content hash of everything an LDSC problem's answer depends on.
enum LDSCDataHash {
    static func of(_ p: LDSCProblem) -> String {
        var h = ContentHash()
        func doubles(_ a: [Double]) { a.withUnsafeBytes { h.combine(bytes: $0) } }
        h.combine(p.snps.count)
        doubles(p.snps.chiSquared); doubles(p.snps.sampleSizes); doubles(p.snps.weightLDScores)
        for c in p.snps.baseline { doubles(c) }
        let w = p.annotation.weights
        h.combine(w.columnCount)
        w.rowStart.withUnsafeBytes { h.combine(bytes: $0) }
        w.columns.withUnsafeBytes { h.combine(bytes: $0) }
        doubles(w.values)
        doubles(p.annotation.gss)
        for s in p.annotation.spotNames { h.combine(s) }
        return h.hex
    }
}
