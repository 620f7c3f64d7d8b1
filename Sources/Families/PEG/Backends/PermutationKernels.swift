import GenoBenchCore

/// A raw buffer that parallel workers write in disjoint regions (each index by one worker).
struct SharedBuffer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}

extension PEGSolution {
    /// The solution from the observed fit and the raw null G (P x t column-major, in T): ties
    /// snapped and summarised in Double (spec §6).
    static func assemble<T: Scalar>(fit: ObservedFit<T>, null raw: [T], instruments: Int, permutations: Int, context: RunContext) -> PEGSolution {
        let t = fit.gamma.count
        // In Double the raw null becomes the matrix's storage as it is; in Float it is widened.
        // (`as? [Double]` would cast element by element; the type check is O(1).)
        let storage = T.self == Double.self ? unsafeBitCast(raw, to: [Double].self) : raw.map { Double($0) }
        var g = Matrix<Double>(rows: permutations, columns: t, columnMajor: storage)
        let observed = fit.gamma.map { Double($0) }
        let summary = NullSummary.summarize(null: &g, observed: observed, precision: T.precision, context: context)
        return PEGSolution(precision: T.precision, instrumentCount: instruments, gamma: observed, standardError: fit.standardError.map { Double($0) },
                           pValue: fit.pValue, null: g, summary: summary)
    }
}

extension Diagnostics {
    mutating func describe(_ problem: PEGProblem, _ solution: PEGSolution) {
        set("instruments", problem.instrumentCount)
        set("genes", problem.geneCount)
        set("permutations", problem.permutationCount)
        set("weights", problem.ld.isIdentity ? "diagonal" : "dense-blocks")
        set("ld_blocks", problem.ld.blocks.count)
        set("alt", problem.alternative ? 1 : 0)
        set("ties", solution.summary.reduce(0) { $0 + $1.ties })
    }
}

/// Splits 0..<count into about `pieces` contiguous ranges.
func contiguousRanges(_ count: Int, pieces: Int) -> [Range<Int>] {
    let n = max(1, min(count, pieces))
    return (0..<n).map { (count * $0 / n)..<(count * ($0 + 1) / n) }.filter { !$0.isEmpty }
}
