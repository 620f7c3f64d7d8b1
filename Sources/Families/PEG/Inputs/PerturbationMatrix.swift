import GenoBenchData

/// The perturbation effects after `--top-signal` (spec peg.md §4.3): rows = perturbed genes
/// with at least one kept entry, columns = downstream genes with at least
/// `minimumKeptPerDownstream` kept entries, sorted by name; entries below the threshold are 0.
public struct PerturbationMatrix: Sendable, Equatable {
    /// Downstream gene names, sorted.
    public var downstream: [String]
    /// Perturbed gene → its row (one value per downstream gene).
    public var rows: [String: [Double]]
    /// The |effect| threshold τ that was applied.
    public var threshold: Double

    /// mrpeg's hard-coded minimum of kept entries per downstream gene (distinct from `--min-snps`).
    public static let minimumKeptPerDownstream = 10

    /// Reads the matrix and applies the threshold, in mrpeg's order: ±inf → NaN; every row with
    /// a missing or NaN entry dropped whole (NaN is not 0); the first column is the gene id and
    /// duplicate ids keep the first row; τ = the (1 − s) quantile of |value| over every
    /// remaining entry (zeros included, linear interpolation as numpy/pandas); entries with
    /// |value| ≥ τ kept; downstream genes with fewer than 10 kept entries dropped; perturbed
    /// genes left without a kept entry vanish. A value that is not a number is an error naming
    /// the line; so is a repeated downstream name.
    public static func read(_ table: TextTable, topSignal s: Double, log: inout FilterLog) throws -> PerturbationMatrix {
        guard table.header.count >= 2 else {
            throw DataError(file: table.source, line: 1, "needs a gene-id column and at least one downstream gene column, the header has \(table.header.count) field(s)")
        }
        let names = Array(table.header.dropFirst())
        var seenNames = Set<String>()
        for (i, n) in names.enumerated() where !seenNames.insert(n).inserted {
            throw DataError(file: table.source, line: 1, "column \(i + 2) repeats the downstream gene name '\(n)'")
        }
        var genes: [String] = [], values: [[Double]] = []
        var seen = Set<String>()
        var withMissing = 0, duplicates = 0
        for (r, row) in table.rows.enumerated() {
            var v = [Double](repeating: 0, count: names.count)
            var bad = false
            for c in 0..<names.count {
                let f = row[c + 1]
                if FieldValue.isMissing(f) { bad = true; continue }
                guard let x = FieldValue.number(f) else {
                    throw DataError(file: table.source, line: table.lines[r], "entry '\(f)' for downstream gene '\(names[c])' is not a number")
                }
                if !x.isFinite { bad = true }
                v[c] = x
            }
            if bad { withMissing += 1; continue }
            let gene = String(row[0])
            guard seen.insert(gene).inserted else { duplicates += 1; continue }
            genes.append(gene)
            values.append(v)
        }
        let magnitudes = values.flatMap { $0.map(abs) }
        let tau = magnitudes.isEmpty ? .infinity : quantile(magnitudes, 1 - s)
        var keptPerColumn = [Int](repeating: 0, count: names.count)
        for row in values { for c in 0..<names.count where abs(row[c]) >= tau { keptPerColumn[c] += 1 } }
        let keepColumns = names.indices.filter { keptPerColumn[$0] >= minimumKeptPerDownstream }.sorted { names[$0] < names[$1] }
        var rows: [String: [Double]] = [:]
        for (g, row) in zip(genes, values) {
            // A gene stays while it has a kept entry in a kept column (the entry itself may be 0 when τ = 0).
            if keepColumns.contains(where: { abs(row[$0]) >= tau }) { rows[g] = keepColumns.map { abs(row[$0]) >= tau ? row[$0] : 0 } }
        }
        let keptEntries = keptPerColumn.reduce(0, +)
        log.note("perturb \(table.source): \(table.rows.count) perturbed genes x \(names.count) downstream genes; dropped \(withMissing) rows with a missing or infinite entry, \(duplicates) duplicate gene rows; --top-signal \(s): |effect| >= \(tau) keeps \(keptEntries) of \(magnitudes.count) entries; \(keepColumns.count) downstream genes with >= \(minimumKeptPerDownstream) kept entries; \(rows.count) perturbed genes with a kept entry")
        return PerturbationMatrix(downstream: keepColumns.map { names[$0] }, rows: rows, threshold: tau)
    }

    /// The q-quantile of `values` by linear interpolation between order statistics at
    /// h = (n − 1)·q (numpy's default "linear" method, the one pandas uses), with numpy's
    /// lerp (`b − (b − a)(1 − f)` for f ≥ 0.5) so the result matches it to the last bit.
    public static func quantile(_ values: [Double], _ q: Double) -> Double {
        precondition(!values.isEmpty)
        let a = values.sorted()
        let h = Double(a.count - 1) * q
        let lo = Int(h.rounded(.down)), hi = min(lo + 1, a.count - 1)
        let f = h - Double(lo)
        let diff = a[hi] - a[lo]
        return f >= 0.5 ? a[hi] - diff * (1 - f) : a[lo] + diff * f
    }
}
