import GenoBenchCore

/// Streaming participant × visit [× cell type] sums: the pseudobulk state.
///
/// Cells are added block by block and never kept; per group and feature it holds the sum of
/// the non-missing values, their count and how many are > 0, and per covariate its sum and
/// count. Memory is O(groups · (features + covariates)), independent of the number of cells.
///
/// Determinism. Each (group, feature) sum is accumulated in input order by exactly one thread
/// (threads split the features, not the cells), so the sums — and every statistic after them —
/// are bit-identical for any thread count and any block size, whether the cells come from a
/// file or from memory.
public struct GroupSums: Sendable {
    public let featureCount: Int
    public let covariateCount: Int
    /// Whether groups are split by cell type (`participant_visit_celltype`).
    public let byCelltype: Bool

    public private(set) var groupParticipant: [Int32] = []
    public private(set) var groupVisit: [UInt8] = []
    public private(set) var groupCelltype: [Int32] = []
    /// Cells per group, missing values included.
    public private(set) var groupCells: [Int] = []
    /// Group-major: `sum[g * featureCount + f]`.
    public private(set) var sum: [Double] = []
    public private(set) var count: [Int32] = []
    public private(set) var positive: [Int32] = []
    public private(set) var covariateSum: [Double] = []
    public private(set) var covariateValues: [Int32] = []
    public private(set) var cellCount = 0
    private var index: [Int64: Int32] = [:]

    public var groupCount: Int { groupParticipant.count }

    /// Whether values > 0 are counted (only `pct_pos` needs them).
    public let countPositive: Bool

    public init(featureCount: Int, covariateCount: Int, byCelltype: Bool, countPositive: Bool = true) {
        self.countPositive = countPositive
        self.featureCount = featureCount
        self.covariateCount = covariateCount
        self.byCelltype = byCelltype
    }

    private mutating func group(participant: Int32, visit: UInt8, celltype: Int32) -> Int32 {
        let ct = byCelltype ? celltype : 0
        let key = Int64(participant) << 33 | Int64(ct) << 1 | Int64(visit)
        if let g = index[key] { return g }
        let g = Int32(groupParticipant.count)
        index[key] = g
        groupParticipant.append(participant)
        groupVisit.append(visit)
        groupCelltype.append(ct)
        groupCells.append(0)
        sum.append(contentsOf: repeatElement(0, count: featureCount))
        count.append(contentsOf: repeatElement(0, count: featureCount))
        positive.append(contentsOf: repeatElement(0, count: featureCount))
        covariateSum.append(contentsOf: repeatElement(0, count: covariateCount))
        covariateValues.append(contentsOf: repeatElement(0, count: covariateCount))
        return g
    }

    /// Adds a block of cells; features are spread over `context.threads`.
    public mutating func add(_ block: CellBlock, context: RunContext) {
        let countPositive = self.countPositive
        let n = block.count
        var rowGroup = [Int32](repeating: 0, count: n)
        for r in 0..<n {
            let g = group(participant: block.participant[r], visit: block.visit[r], celltype: block.celltype[r])
            rowGroup[r] = g
            groupCells[Int(g)] += 1
        }
        cellCount += n
        let f = featureCount, k = covariateCount
        rowGroup.withUnsafeBufferPointer { rg in
            block.values.withUnsafeBufferPointer { v in
                sum.withUnsafeMutableBufferPointer { s in
                    count.withUnsafeMutableBufferPointer { c in
                        positive.withUnsafeMutableBufferPointer { pos in
                            let shared = Shared(rg, v, s, c, pos)
                            let chunks = min(f, max(1, context.threads * 4))
                            _ = context.parallelMap(chunks) { chunk in
                                let lo = chunk * f / chunks, hi = (chunk + 1) * f / chunks
                                let groups = shared.rowGroup.baseAddress!, values = shared.values.baseAddress!
                                let sum = shared.sum.baseAddress!, count = shared.count.baseAddress!, pos = shared.positive.baseAddress!
                                for r in 0..<n {
                                    let base = Int(groups[r]) * f
                                    let row = values + r * f
                                    if countPositive {
                                        for j in lo..<hi where !row[j].isNaN {
                                            sum[base + j] += row[j]; count[base + j] += 1
                                            if row[j] > 0 { pos[base + j] += 1 }
                                        }
                                    } else {
                                        for j in lo..<hi where !row[j].isNaN { sum[base + j] += row[j]; count[base + j] += 1 }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for r in 0..<n {
            let base = Int(rowGroup[r]) * k
            for j in 0..<k {
                let x = block.covariates[r * k + j]
                if x.isNaN { continue }
                covariateSum[base + j] += x
                covariateValues[base + j] += 1
            }
        }
    }

    /// Adds every cell of an in-memory table, reading its feature columns directly (no row-major
    /// copy). Each (group, feature) sum still runs over the cells in table order, so the sums are
    /// bit-identical to streaming the same cells in blocks.
    public mutating func add(_ table: CellTable, context: RunContext) {
        let n = table.cellCount
        var rowGroup = [Int32](repeating: 0, count: n)
        for r in 0..<n {
            let g = group(participant: table.participant[r], visit: table.visit[r], celltype: table.celltype[r])
            rowGroup[r] = g
            groupCells[Int(g)] += 1
        }
        cellCount += n
        let f = featureCount, countPositive = self.countPositive
        rowGroup.withUnsafeBufferPointer { rg in
            sum.withUnsafeMutableBufferPointer { s in
                count.withUnsafeMutableBufferPointer { c in
                    positive.withUnsafeMutableBufferPointer { pos in
                        let shared = Shared(rg, UnsafeBufferPointer(start: nil, count: 0), s, c, pos)
                        // Contiguous feature ranges per task: neighbouring sums share cache lines.
                        let chunks = min(f, max(1, context.threads * 4))
                        _ = context.parallelMap(chunks) { chunk in
                            let groups = shared.rowGroup.baseAddress!
                            let sum = shared.sum.baseAddress!, count = shared.count.baseAddress!, pos = shared.positive.baseAddress!
                            for j in (chunk * f / chunks)..<((chunk + 1) * f / chunks) {
                                table.values[j].withUnsafeBufferPointer { column in
                                    for r in 0..<n where !column[r].isNaN {
                                        let at = Int(groups[r]) * f + j
                                        sum[at] += column[r]; count[at] += 1
                                        if countPositive && column[r] > 0 { pos[at] += 1 }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let k = covariateCount
        for j in 0..<k {
            let column = table.covariates[j]
            for r in 0..<n where !column[r].isNaN {
                covariateSum[Int(rowGroup[r]) * k + j] += column[r]
                covariateValues[Int(rowGroup[r]) * k + j] += 1
            }
        }
    }

    /// Buffers shared by the feature workers; each worker touches only its own features.
    private struct Shared: @unchecked Sendable {
        let rowGroup: UnsafeBufferPointer<Int32>
        let values: UnsafeBufferPointer<Double>
        let sum: UnsafeMutableBufferPointer<Double>
        let count: UnsafeMutableBufferPointer<Int32>
        let positive: UnsafeMutableBufferPointer<Int32>
        init(_ a: UnsafeBufferPointer<Int32>, _ b: UnsafeBufferPointer<Double>, _ c: UnsafeMutableBufferPointer<Double>,
             _ d: UnsafeMutableBufferPointer<Int32>, _ e: UnsafeMutableBufferPointer<Int32>) {
            rowGroup = a; values = b; sum = c; count = d; positive = e
        }
    }

    /// Approximate bytes held (for diagnostics).
    public var bytes: Int { sum.count * 16 + covariateSum.count * 12 + groupCount * 40 }
}
