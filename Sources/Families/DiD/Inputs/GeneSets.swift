import Foundation
import GenoBenchData

/// One named gene set from a GMT file.
public struct GeneSet: Sendable, Equatable {
    public var name: String
    public var genes: [String]
    public init(name: String, genes: [String]) { self.name = name; self.genes = genes }
}

/// How a cell's gene-set score is formed (sctrial `score_gene_sets`, spec did.md §10).
public enum GeneSetMethod: String, Sendable, CaseIterable {
    /// Mean over the set's genes of each gene z-scored over all cells of the file (SD ddof 1);
    /// genes with SD ≤ 1e-12 are left out of the mean but count toward the minimum.
    case zmean
    /// Plain mean over the set's genes.
    case mean
}

/// Gene-set scores per cell.
///
/// Definition: for a set S with present genes P (names found among the gene columns,
/// duplicates removed in order), score = NaN if |P| < minGenes; `mean`: the mean of the cell's
/// finite values over P; `zmean`: the mean over the finite z = (x − μ_g)/σ_g of the genes of P
/// with σ_g > 1e-12 (NaN if none), μ and σ over every cell of the table. Exact to a few ulps.
public struct GeneSetScorer: Sendable {
    public var sets: [GeneSet]
    public var method: GeneSetMethod
    public var minGenes: Int
    /// Per set: indices of its genes among the gene columns.
    public private(set) var members: [[Int]] = []
    /// Per gene column (zmean): mean and SD over all cells.
    public private(set) var mean: [Double] = []
    public private(set) var sd: [Double] = []

    public init(sets: [GeneSet], method: GeneSetMethod = .zmean, minGenes: Int = 3) {
        self.sets = sets
        self.method = method
        self.minGenes = minGenes
    }

    public var names: [String] { sets.map(\.name) }

    /// Looks every set's genes up among the gene columns; returns a warning per set with fewer
    /// than `minGenes` present.
    public mutating func resolve(geneColumns: [String]) -> [String] {
        let position = Dictionary(geneColumns.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        var warnings: [String] = []
        members = sets.map { set in
            var seen = Set<Int>()
            return set.genes.compactMap { position[$0] }.filter { seen.insert($0).inserted }
        }
        for (s, m) in zip(sets, members) where m.count < minGenes {
            warnings.append("gene set '\(s.name)': \(m.count) of its \(s.genes.count) genes are columns of the table, fewer than \(minGenes): its score is NaN")
        }
        return warnings
    }

    /// Installs per-gene means and SDs (zmean).
    public mutating func setStatistics(mean: [Double], sd: [Double]) {
        self.mean = mean
        self.sd = sd
    }

    /// Scores one cell: `genes` holds the cell's gene values, `out` one slot per set.
    @inline(__always)
    public func score(_ genes: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        for (s, m) in members.enumerated() {
            guard m.count >= minGenes else { out[s] = .nan; continue }
            var total = 0.0, used = 0
            for g in m {
                let x = genes[g]
                guard x.isFinite else { continue }
                switch method {
                case .mean:
                    total += x; used += 1
                case .zmean:
                    guard sd[g] > 1e-12 else { continue }
                    total += (x - mean[g]) / sd[g]; used += 1
                }
            }
            out[s] = used > 0 ? total / Double(used) : .nan
        }
    }

    /// Reads a GMT file: one set per line, `name<TAB>description<TAB>gene<TAB>gene…`.
    public static func readGMT(_ path: String) throws -> [GeneSet] {
        guard let data = FileManager.default.contents(atPath: path) else { throw DataError(file: path, "cannot read the gene-set file") }
        return try parseGMT([UInt8](data), path: path)
    }

    /// Parses GMT text in memory (`path` names it in errors); a line that is not UTF-8 is an
    /// error naming it.
    public static func parseGMT(_ bytes: [UInt8], path: String) throws -> [GeneSet] {
        var sets: [GeneSet] = []
        var names: [String: Int] = [:]
        for (i, raw) in try PlinkFileset.lines(of: bytes, path: path).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 3, !fields[0].isEmpty else {
                throw DataError(file: path, line: i + 1, "expected GMT: set name, description, then genes, tab-separated (got \(fields.count) field\(fields.count == 1 ? "" : "s"))")
            }
            if let previous = names[fields[0]] {
                throw DataError(file: path, line: i + 1, "gene set '\(fields[0])' is defined twice (lines \(previous) and \(i + 1))")
            }
            names[fields[0]] = i + 1
            sets.append(GeneSet(name: fields[0], genes: fields.dropFirst(2).filter { !$0.isEmpty }))
        }
        guard !sets.isEmpty else { throw DataError(file: path, "no gene set in the file") }
        return sets
    }
}

/// Per-column mean and SD (ddof 1) of finite values, accumulated block by block (Welford), in
/// row order per column: deterministic for any thread count.
struct ColumnStatistics {
    var count: [Double]
    var mean: [Double]
    var m2: [Double]

    init(columns: Int) {
        count = [Double](repeating: 0, count: columns)
        mean = count
        m2 = count
    }

    mutating func add(_ values: [Double], rows: Int, width: Int) {
        for r in 0..<rows {
            for j in 0..<width {
                let x = values[r * width + j]
                guard x.isFinite else { continue }
                count[j] += 1
                let d = x - mean[j]
                mean[j] += d / count[j]
                m2[j] += d * (x - mean[j])
            }
        }
    }

    var sd: [Double] { zip(count, m2).map { $0 > 1 ? ($1 / ($0 - 1)).squareRoot() : .nan } }
}
