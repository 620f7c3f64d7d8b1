import Foundation
import GenoBenchCore

/// A raw buffer that parallel workers write in disjoint regions (each index by one worker).
struct SharedBuffer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}

/// A value one worker makes and others wait for: `value` blocks until `fill` has run.
final class Slot<V>: @unchecked Sendable {
    private let condition = NSCondition()
    private var stored: V?

    func fill(_ value: V) {
        condition.lock()
        stored = value
        condition.broadcast()
        condition.unlock()
    }

    var value: V {
        condition.lock()
        defer { condition.unlock() }
        while stored == nil { condition.wait() }
        return stored!
    }
}

extension PEGSolution {
    /// The solution from the observed fit and the raw null G (P x t column-major, in T): ties
    /// snapped and summarised in Double (spec §6).
    ///
    /// `raw` is taken over (callers pass `consume null`): in Double its buffer becomes the
    /// matrix's storage, and a second reference left with the caller would make the tie snapping
    /// (which writes the matrix) copy all P·t values first.
    static func assemble<T: Scalar>(fit: ObservedFit<T>, null raw: consuming [T], instruments: Int, permutations: Int, context: RunContext) -> PEGSolution {
        let t = fit.gamma.count
        // In Double the raw null becomes the matrix's storage as it is; in Float it is widened.
        var g = Matrix<Double>(rows: permutations, columns: t, columnMajor: T.doubles(consume raw))
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
