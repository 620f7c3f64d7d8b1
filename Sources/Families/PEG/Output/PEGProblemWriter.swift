import GenoBenchCore

/// The assembled estimator inputs of a `peg` run as text, so an outside implementation (the
/// numpy/statsmodels peer in `scripts/peers/peg_peer.py`) can recompute every number from
/// exactly what the backends saw:
///
/// - `PREFIX.problem.tsv`: one row per instrument, `snp gene beta se z` then Π's columns
///   (one per downstream gene, named); effects aligned to the reference allele pair.
/// - `PREFIX.ld.tsv`: `i j v` (0-based instruments) for every entry of every LD block, upper
///   triangle with the diagonal (absent with V = I).
/// - `PREFIX.perms.tsv`: one draw per line, π_p(0) … π_p(k−1) (0-based), tab-separated.
///
/// Numbers are printed in the shortest form that reads back to the same Double.
public enum PEGProblemWriter {
    public static func problem(_ p: PEGProblem) -> String {
        var lines = [(["snp", "gene", "beta", "se", "z"] + p.geneNames).joined(separator: "\t")]
        for i in 0..<p.instrumentCount {
            let ids = [i < p.instrumentIDs.count ? p.instrumentIDs[i] : "i\(i)", i < p.instrumentGenes.count ? p.instrumentGenes[i] : "g\(i)"]
            let values = [p.beta[i], p.standardErrors[i], p.eqtlZ[i]] + (0..<p.geneCount).map { p.perturbation[i, $0] }
            lines.append((ids + values.map { "\($0)" }).joined(separator: "\t"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func ld(_ p: PEGProblem) -> String? {
        guard case .blocks(let blocks) = p.ld else { return nil }
        var lines = ["i\tj\tv"]
        for b in blocks {
            for j in 0..<b.size { for i in 0...j { lines.append("\(b.start + i)\t\(b.start + j)\t\(b.matrix[i, j])") } }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func permutations(_ p: PEGProblem) -> String {
        var out = ""
        out.reserveCapacity(p.permutationCount * p.instrumentCount * 4)
        for d in 0..<p.permutationCount {
            out += p.permutations.draw(d).map { String($0) }.joined(separator: "\t")
            out += "\n"
        }
        return out
    }
}
