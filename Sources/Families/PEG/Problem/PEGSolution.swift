import GenoBenchCore

/// Per focal gene: the estimate, its t test, and the permutation null (spec peg.md §5–6),
/// the last six columns of mrpeg's output plus the raw counts and the null matrix.
public struct PEGSolution: Sendable {
    public var precision: Precision
    /// k.
    public var instrumentCount: Int
    /// γ̂_j, se_j, the two-sided Student-t p on k − 1 degrees of freedom.
    public var gamma: [Double]
    public var standardError: [Double]
    public var pValue: [Double]
    /// The permutation null G (P x t, column-major): γ̂ under each draw, ties snapped to γ̂.
    public var null: Matrix<Double>
    public var summary: [NullSummary]

    public var geneCount: Int { gamma.count }
}

/// Summaries of one gene's null column (spec §6):
/// `mean = Σ_p G_p / P`, `z = (γ̂ − mean) / sd_pop`, `p_hi = (#{G ≥ γ̂} + 1)/(P + 1)`,
/// `p_lo = (#{G ≤ γ̂} + 1)/(P + 1)`, `p = min(1, 2·min(p_hi, p_lo))`.
///
/// Ties: a draw with |G_p − γ̂| ≤ τ·scale, scale = max(|γ̂|, rms_p G_p), is set to γ̂ exactly
/// before counting (τ = 1e-9 in Double, 1e-5 in Float). In exact arithmetic such draws equal γ̂
/// (the identity permutation; a constant column; a permutation that only moves equal entries),
/// but different summation orders put them an ulp above or below, which would make the count,
/// and so the p-value, depend on the backend. Snapped, a constant column gives p = 1 and
/// sd = 0 (z non-finite), as the spec's bounds require, and Double backends agree exactly.
public struct NullSummary: Sendable, Equatable {
    public var mean: Double
    public var sd: Double
    public var z: Double
    public var countHigh: Int
    public var countLow: Int
    public var pValue: Double
    /// Draws snapped to γ̂ (reported in diagnostics).
    public var ties: Int
    public var scale: Double

    /// Relative tie width for a precision.
    public static func tieTolerance(_ precision: Precision) -> Double { precision == .f32 ? 1e-5 : 1e-9 }

    /// Snaps ties in `column` (the P draws of one gene) to `observed` and summarises.
    /// Cost O(P).
    public static func summarize(_ column: inout ArraySlice<Double>, observed: Double, precision: Precision) -> NullSummary {
        column.withUnsafeMutableBufferPointer { summarize($0, observed: observed, precision: precision) }
    }

    static func summarize(_ column: UnsafeMutableBufferPointer<Double>, observed: Double, precision: Precision) -> NullSummary {
        let n = column.count
        var sumSquares = 0.0
        for g in column { sumSquares += g * g }
        let scale = max(abs(observed), (sumSquares / Double(max(n, 1))).squareRoot())
        let width = tieTolerance(precision) * scale
        var ties = 0, high = 0, low = 0, shift = 0.0
        for i in 0..<n {
            var g = column[i]
            if abs(g - observed) <= width {  // rare: a predictable branch
                g = observed
                column[i] = observed
                ties += 1
            }
            // Counted without branches: draws fall on either side of γ̂ at random.
            high &+= g >= observed ? 1 : 0
            low &+= g <= observed ? 1 : 0
            shift += g - observed
        }
        // Sums about γ̂ (shifted data): better conditioned, and exact when every draw is a tie
        // (mean = γ̂, sd = 0), which a plain Σ G / P is not.
        let mean = observed + shift / Double(n)
        var ss = 0.0
        for g in column { ss += (g - mean) * (g - mean) }
        let sd = (ss / Double(n)).squareRoot()
        let pHigh = Double(high + 1) / Double(n + 1), pLow = Double(low + 1) / Double(n + 1)
        return NullSummary(mean: mean, sd: sd, z: (observed - mean) / sd, countHigh: high, countLow: low,
                           pValue: min(1, 2 * min(pHigh, pLow)), ties: ties, scale: scale)
    }

    /// Snaps and summarises every column of a P x t null matrix in place, the columns spread
    /// over the context's threads (each column's arithmetic is the same whatever the count).
    public static func summarize(null: inout Matrix<Double>, observed: [Double], precision: Precision,
                                 context: RunContext = RunContext(threads: 1)) -> [NullSummary] {
        let p = null.rows, t = null.columns
        return null.storage.withUnsafeMutableBufferPointer { buffer in
            let columns = ColumnBuffer(base: buffer.baseAddress!)
            return context.parallelMap(t) { j in
                summarize(UnsafeMutableBufferPointer(start: columns.base + j * p, count: p), observed: observed[j], precision: precision)
            }
        }
    }

    /// The null matrix's storage, each column written by one worker.
    private struct ColumnBuffer: @unchecked Sendable { let base: UnsafeMutablePointer<Double> }
}
