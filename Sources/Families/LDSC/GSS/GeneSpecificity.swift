import Foundation
import GenoBenchCore

/// The gene specificity score of gsMap 1.73 (spec §2.1 steps 4–8, the released algorithm),
/// from an expression matrix and each spot's homogeneous neighbourhood, run through the
/// reader → computer → writer pipeline (spec §5.3).
///
/// For cell c, r_cg is the average rank (1-based, ties averaged, so zeros share one low rank)
/// of gene g among the cell's genes. Per gene, the global normaliser is the geometric mean of
/// r_·g over all cells, and f_all,g the fraction of cells expressing g. For focal spot s with
/// homogeneous set H(s):
///
///     r̄_sg = exp( mean_{n ∈ H(s)} log r_ng − mean_c log r_cg )   (geometric mean of normalised ranks)
///     r̄_sg ← 0 if r̄_sg ≤ 1
///     gate: keep r̄_sg only if f_s,g / (f_all,g + 1e-12) > 1, f_s,g = fraction of H(s) expressing g
///     GSS_sg = exp(r̄_sg) − 1
///
/// A spot with no homogeneous set gets all zeros; genes named `MT-…`/`mt-…` are dropped from the
/// output (they are ranked with the others, as in the released code's order of steps). GSS ≥ 0,
/// identical cells give GSS ≡ 0, and the result does not depend on batch size, worker counts or
/// the order batches finish (each spot's value depends only on its own set). Computed in Double
/// (gsMap stores float16; spec §11 case 14 allows for that, we do not need to).
public enum GeneSpecificity {
    public struct Result: Sendable {
        public var gss: GeneMatrix
        public var pipeline: PipelineSummary
        public var emptyNeighbourhoods: Int
    }

    /// Per cell, the natural log of the average rank of each gene (cell-major, cells x genes).
    static func logRanks(_ e: GeneMatrix) -> [Double] {
        let ng = e.geneNames.count, nc = e.spotNames.count
        var out = [Double](repeating: 0, count: nc * ng)
        var order = [Int](repeating: 0, count: ng)
        for c in 0..<nc {
            for g in 0..<ng { order[g] = g }
            order.sort { e.values[$0 * nc + c] < e.values[$1 * nc + c] }
            var i = 0
            while i < ng {
                var k = i
                let v = e.values[order[i] * nc + c]
                while k + 1 < ng && e.values[order[k + 1] * nc + c] == v { k += 1 }
                let rank = Double(i + k + 2) / 2   // average of 1-based ranks i+1 … k+1
                for t in i...k { out[c * ng + order[t]] = log(rank) }
                i = k + 1
            }
        }
        return out
    }

    public static func compute(expression e: GeneMatrix, neighbourhoods: [[Int]], expressionFraction: Bool = true,
                               settings: PipelineSettings) throws -> Result {
        let ng = e.geneNames.count, nc = e.spotNames.count
        precondition(neighbourhoods.count == nc)
        let settings = settings.resolved(threads: 2)
        try settings.validate()
        let logRank = logRanks(e)
        var globalLog = [Double](repeating: 0, count: ng), fraction = [Double](repeating: 0, count: ng)
        for c in 0..<nc { for g in 0..<ng { globalLog[g] += logRank[c * ng + g] } }
        for g in 0..<ng {
            globalLog[g] /= Double(nc)
            var expressed = 0
            for c in 0..<nc where e.values[g * nc + c] != 0 { expressed += 1 }
            fraction[g] = Double(expressed) / Double(nc) + 1e-12
        }
        let normaliser = globalLog, expressedFraction = fraction
        let kept = e.geneNames.indices.filter { !e.geneNames[$0].hasPrefix("MT-") && !e.geneNames[$0].hasPrefix("mt-") }
        let out = OutputColumns(genes: kept.count, cells: nc)
        let size = settings.batchSize
        let batches = (nc + size - 1) / size
        let summary = try StagedPipeline(settings: settings).run(
            batches: batches, itemsPerBatch: size, totalItems: nc,
            read: { b -> GSSBatch in
                // The unique neighbour rows of the batch, copied with an index map.
                let cells = (b * size)..<min(nc, (b + 1) * size)
                var slot: [Int: Int] = [:]
                var rows: [Double] = [], expressed: [Bool] = []
                var sets: [[Int]] = []
                for c in cells {
                    sets.append(neighbourhoods[c].map { n in
                        if let i = slot[n] { return i }
                        slot[n] = slot.count
                        rows.append(contentsOf: logRank[(n * ng)..<((n + 1) * ng)])
                        expressed.append(contentsOf: (0..<ng).map { e.values[$0 * nc + n] != 0 })
                        return slot.count - 1
                    })
                }
                return GSSBatch(cells: cells, rows: rows, expressed: expressed, sets: sets)
            },
            compute: { _, batch -> (Range<Int>, [Double]) in
                var gss = [Double](repeating: 0, count: batch.cells.count * kept.count)
                for (i, set) in batch.sets.enumerated() where !set.isEmpty {
                    for (o, g) in kept.enumerated() {
                        var sum = 0.0, expressedCount = 0
                        for n in set {
                            sum += batch.rows[n * ng + g]
                            if batch.expressed[n * ng + g] { expressedCount += 1 }
                        }
                        var r = exp(sum / Double(set.count) - normaliser[g])
                        if r <= 1 { r = 0 }
                        if expressionFraction && !(Double(expressedCount) / Double(set.count) / expressedFraction[g] > 1) { r = 0 }
                        gss[i * kept.count + o] = r == 0 ? 0 : exp(r) - 1
                    }
                }
                return (batch.cells, gss)
            },
            write: { _, result in out.store(cells: result.0, values: result.1) })
        return Result(gss: GeneMatrix(geneNames: kept.map { e.geneNames[$0] }, spotNames: e.spotNames, values: out.values()),
                      pipeline: summary, emptyNeighbourhoods: neighbourhoods.filter(\.isEmpty).count)
    }
}

struct GSSBatch: Sendable {
    let cells: Range<Int>
    /// Unique neighbour cells' log ranks, row-major (unique cells x genes).
    let rows: [Double]
    let expressed: [Bool]
    /// Per focal cell, its neighbours as rows of `rows`.
    let sets: [[Int]]
}

/// The genes x cells output, written by disjoint cell ranges (no two batches share a cell).
final class OutputColumns: @unchecked Sendable {
    private var data: [Double]
    private let genes: Int, cells: Int
    private let lock = NSLock()
    init(genes: Int, cells: Int) {
        self.genes = genes
        self.cells = cells
        data = [Double](repeating: 0, count: genes * cells)
    }
    func store(cells range: Range<Int>, values: [Double]) {
        lock.lock(); defer { lock.unlock() }
        for (i, c) in range.enumerated() { for g in 0..<genes { data[g * cells + c] = values[i * genes + g] } }
    }
    func values() -> [Double] { data }
}
