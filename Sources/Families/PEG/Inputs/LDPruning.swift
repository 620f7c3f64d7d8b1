import GenoBenchCore

/// Greedy LD pruning of one chromosome's instruments, the rule mrpeg intends (spec peg.md
/// §4.9): order instruments by priority (mean |perturbation effect| of their gene over every
/// downstream gene, after thresholding), descending, ties in input order; walk that order and,
/// for each instrument not yet removed, remove every other instrument not yet removed that lies
/// within `window` bp (inclusive) and has |r| > `threshold`.
///
/// mrpeg's code looks r up by the *sorted* positions in an R indexed in the *unsorted* order,
/// so it mostly consults the wrong pair; here R is always indexed by instrument identity.
public enum LDPruning {
    /// mrpeg's pruning window: ±500,000 bp.
    public static let windowBases = 500_000

    /// Indices (ascending) of the instruments kept. `r` is m x m in the instruments' order.
    /// Cost O(m²).
    public static func keep(positions: [Int], priority: [Double], r: Matrix<Double>, threshold: Double,
                            window: Int = windowBases) -> [Int] {
        let m = positions.count
        precondition(priority.count == m && r.rows == m && r.columns == m, "pruning inputs disagree in length")
        let order = (0..<m).sorted { priority[$0] != priority[$1] ? priority[$0] > priority[$1] : $0 < $1 }
        var removed = [Bool](repeating: false, count: m)
        for a in order where !removed[a] {
            for b in 0..<m where b != a && !removed[b] {
                if abs(positions[a] - positions[b]) <= window && abs(r[a, b]) > threshold { removed[b] = true }
            }
        }
        return (0..<m).filter { !removed[$0] }
    }
}
