import GenoBenchCore

/// The GSL reference of a problem: pseudobulk always, cell level when small enough.
public struct DiDReferenceFit: Sendable {
    public var pseudobulk: DiDSolution
    /// nil above `referenceMaxCells`.
    public var cell: DiDSolution?
    /// Planted β_DiD per feature (raw units), if simulated.
    public var truth: [Double]?

    public init(pseudobulk: DiDSolution, cell: DiDSolution?, truth: [Double]?) {
        self.pseudobulk = pseudobulk
        self.cell = cell
        self.truth = truth
    }
}

/// A solution against the reference of its own mode, feature by feature.
public struct DiDComparison {
    let solution: DiDSolution
    let reference: DiDSolution?
    let truth: [Double]?

    public init(_ solution: DiDSolution, _ reference: DiDReferenceFit) {
        self.solution = solution
        self.reference = solution.mode == .cell ? reference.cell : reference.pseudobulk
        truth = reference.truth
    }

    /// |a − b| / max(|b|, floor), 0 when both are NaN, +∞ when only one is.
    static func relative(_ a: Double, _ b: Double, floor: Double) -> Double {
        if a.isNaN && b.isNaN { return 0 }
        if a.isNaN || b.isNaN { return .infinity }
        if a == b { return 0 }
        return abs(a - b) / max(abs(b), floor)
    }

    public func metrics(_ t: Tolerances) -> [Metric] {
        var out: [Metric] = []
        if let r = reference {
            var differing = 0
            var beta = 0.0, se = 0.0, z = 0.0, p = 0.0, fdr = 0.0, time = 0.0
            for (i, (a, b)) in zip(solution.fits, r.fits).enumerated() {
                guard a.status == b.status else { differing += 1; continue }
                guard b.status.isFitted else { continue }
                beta = max(beta, Self.relative(a.betaDiD, b.betaDiD, floor: b.seDiD))
                se = max(se, Self.relative(a.seDiD, b.seDiD, floor: 1e-300))
                z = max(z, a.zDiD.isNaN && b.zDiD.isNaN ? 0 : abs(a.zDiD - b.zDiD))
                p = max(p, Self.relative(a.pDiD, b.pDiD, floor: 1e-12))
                fdr = max(fdr, Self.relative(solution.fdr[i], r.fdr[i], floor: 1e-12))
                time = max(time, Self.relative(a.betaTime, b.betaTime, floor: b.seTime))
            }
            out.append(Metric(name: "status_differing", value: Double(differing), tolerance: t["status_differing"]))
            out.append(Metric(name: "beta_rel_err_max", value: beta, tolerance: t["beta_rel_err_max"]))
            out.append(Metric(name: "se_rel_err_max", value: se, tolerance: t["se_rel_err_max"]))
            out.append(Metric(name: "z_abs_err_max", value: z, tolerance: t["z_abs_err_max"]))
            out.append(Metric(name: "p_rel_err_max", value: p, tolerance: t["p_rel_err_max"]))
            out.append(Metric(name: "fdr_rel_err_max", value: fdr, tolerance: t["fdr_rel_err_max"]))
            out.append(Metric(name: "beta_time_rel_err_max", value: time, tolerance: t["beta_time_rel_err_max"]))
        }
        if let truth {
            // Informational: how often the planted and the null features are called at p < 0.05.
            let planted = solution.fits.indices.filter { truth[$0] != 0 && solution.fits[$0].status.isFitted }
            let null = solution.fits.indices.filter { truth[$0] == 0 && solution.fits[$0].status.isFitted }
            func rate(_ idx: [Int]) -> Double { idx.isEmpty ? .nan : Double(idx.filter { solution.fits[$0].pDiD < 0.05 }.count) / Double(idx.count) }
            if !planted.isEmpty { out.append(Metric(name: "power_p05", value: rate(planted), tolerance: nil)) }
            if !null.isEmpty { out.append(Metric(name: "null_rejection_p05", value: rate(null), tolerance: nil)) }
        }
        return out
    }
}
