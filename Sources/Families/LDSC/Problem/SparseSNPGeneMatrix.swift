/// The SNP–gene LD weight matrix W of spec §3 in compressed sparse rows: row j (a SNP, in the
/// regression's SNP order) holds the genes g with W_jg ≠ 0, columns ascending.
///
/// `W_jg = Σ_{k assigned to g} r̃²_jk`, the unbiased r² summed over the SNPs whose nearest gene
/// is g. The dummy "NA" column of unassigned SNPs is not stored here: it only enters the
/// `base` baseline LD score (`naWeights`), never the spatial LD score.
public struct SparseSNPGeneMatrix: Sendable, Equatable {
    public let rowCount: Int
    public let columnCount: Int
    /// `rowStart[j] ..< rowStart[j + 1]` index `columns` and `values` for row j.
    public let rowStart: [Int]
    public let columns: [Int32]
    public let values: [Double]

    public init(rowCount: Int, columnCount: Int, rowStart: [Int], columns: [Int32], values: [Double]) {
        precondition(rowStart.count == rowCount + 1 && rowStart.first == 0 && rowStart.last == columns.count && columns.count == values.count,
                     "inconsistent CSR arrays")
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.rowStart = rowStart
        self.columns = columns
        self.values = values
    }

    /// From (row, column, value) triples; duplicates must have been rejected by the caller.
    public init(rowCount: Int, columnCount: Int, triples: [(row: Int, column: Int, value: Double)]) {
        var counts = [Int](repeating: 0, count: rowCount + 1)
        for t in triples { counts[t.row + 1] += 1 }
        for j in 0..<rowCount { counts[j + 1] += counts[j] }
        var cols = [Int32](repeating: 0, count: triples.count)
        var vals = [Double](repeating: 0, count: triples.count)
        var fill = counts
        for t in triples {
            cols[fill[t.row]] = Int32(t.column)
            vals[fill[t.row]] = t.value
            fill[t.row] += 1
        }
        for j in 0..<rowCount {
            let r = counts[j]..<counts[j + 1]
            if r.count > 1 {
                let sorted = r.map { (cols[$0], vals[$0]) }.sorted { $0.0 < $1.0 }
                for (i, e) in zip(r, sorted) { cols[i] = e.0; vals[i] = e.1 }
            }
        }
        self.init(rowCount: rowCount, columnCount: columnCount, rowStart: counts, columns: cols, values: vals)
    }

    public var nonZeroCount: Int { values.count }

    /// `Σ_g W_jg` per row (the `all_gene` LD score of spec §3).
    public func rowSums() -> [Double] {
        (0..<rowCount).map { j in (rowStart[j]..<rowStart[j + 1]).reduce(0.0) { $0 + values[$1] } }
    }

    /// `W · g` for one column vector of gene values (the spatial LD score of one spot), in Double.
    public func times(_ g: UnsafeBufferPointer<Double>) -> [Double] {
        precondition(g.count == columnCount)
        return (0..<rowCount).map { j in
            var s = 0.0
            for i in rowStart[j]..<rowStart[j + 1] { s += values[i] * g[Int(columns[i])] }
            return s
        }
    }

    /// The first `rows` rows (the truncate block definition drops the tail).
    public func prefix(rows: Int) -> SparseSNPGeneMatrix {
        let end = rowStart[rows]
        return SparseSNPGeneMatrix(rowCount: rows, columnCount: columnCount, rowStart: Array(rowStart[0...rows]),
                                   columns: Array(columns[0..<end]), values: Array(values[0..<end]))
    }

    /// Rows picked (and reordered) by index.
    public func rows(_ picks: [Int]) -> SparseSNPGeneMatrix {
        var start = [0], cols: [Int32] = [], vals: [Double] = []
        start.reserveCapacity(picks.count + 1)
        for j in picks {
            cols.append(contentsOf: columns[rowStart[j]..<rowStart[j + 1]])
            vals.append(contentsOf: values[rowStart[j]..<rowStart[j + 1]])
            start.append(cols.count)
        }
        return SparseSNPGeneMatrix(rowCount: picks.count, columnCount: columnCount, rowStart: start, columns: cols, values: vals)
    }
}
