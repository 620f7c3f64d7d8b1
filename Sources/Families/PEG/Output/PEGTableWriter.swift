import GenoBenchCore

/// The `peg` result table in mrpeg's layout (spec peg.md §8): one row per downstream gene in
/// sorted-name order,
/// `trait tissue gene_name n_perturb_top n_perturb_all n_gwas_sig gamma gamma_se gamma_p
/// gamma_perm_mean gamma_perm_z gamma_null_p`.
/// γ̂, its SE and the null mean and z are printed in the shortest form that reads back to the
/// same value in the backend's precision; the two p-values (computed in Double) in Double.
/// Undefined values are `nan`, infinities `inf` / `-inf`.
public enum PEGTableWriter {
    public static let header = ["trait", "tissue", "gene_name", "n_perturb_top", "n_perturb_all", "n_gwas_sig", "gamma", "gamma_se",
                                "gamma_p", "gamma_perm_mean", "gamma_perm_z", "gamma_null_p"]

    public static func render(_ s: PEGSolution, genes: [String], counts: [GeneCounts], trait: String, tissue: String) -> String {
        func f(_ x: Double, _ p: Precision) -> String {
            if x.isNaN { return "nan" }
            if x.isInfinite { return x > 0 ? "inf" : "-inf" }
            return p == .f32 ? "\(Float(x))" : "\(x)"
        }
        var lines = [header.joined(separator: "\t")]
        for j in 0..<s.geneCount {
            let c = counts[j], n = s.summary[j]
            lines.append([trait, tissue, genes[j], String(c.perturbTop), String(c.perturbAll), String(c.gwasSignificant),
                          f(s.gamma[j], s.precision), f(s.standardError[j], s.precision), f(s.pValue[j], .f64),
                          f(n.mean, s.precision), f(n.z, s.precision), f(n.pValue, .f64)].joined(separator: "\t"))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
