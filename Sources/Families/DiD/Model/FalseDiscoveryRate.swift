/// Benjamini–Hochberg adjusted p-values (statsmodels `fdr_bh`, spec did.md §6).
public enum FalseDiscoveryRate {
    /// `q_(k) = min_{j ≥ k} p_(j) · m / j`, capped at 1, in input order.
    ///
    /// m counts the finite p-values only; a NaN p stays NaN and does not change m (spec §16
    /// case 13). Exact up to one rounding per product; O(m log m).
    public static func benjaminiHochberg(_ p: [Double]) -> [Double] {
        let order = p.indices.filter { !p[$0].isNaN }.sorted { (p[$0], $0) < (p[$1], $1) }
        var q = [Double](repeating: .nan, count: p.count)
        let m = Double(order.count)
        var running = 1.0
        for rank in stride(from: order.count, through: 1, by: -1) {
            let i = order[rank - 1]
            running = min(running, p[i] * m / Double(rank))
            q[i] = running
        }
        return q
    }
}
