import GenoBenchData

/// The SNP–gene LD weight matrix W of spec §3 as a long table: a header naming `SNP`, `GENE`
/// and `WEIGHT` (any case, other columns ignored), one line per non-zero W_jg. Gene `NA` is the
/// dummy column of SNPs assigned to no gene: it counts in `base` and never in a spatial LD
/// score. SNP order (the regression's SNP order, spec §4.1) is the order of first appearance;
/// a directory stands for its `.tsv`/`.tsv.gz`/`.txt`/`.txt.gz` files in natural order
/// (per-chromosome files), concatenated. A repeated (SNP, GENE) pair is an error.
public struct WeightMatrixTable: Sendable {
    public var snpIDs: [String]
    public var geneNames: [String]
    public var matrix: SparseSNPGeneMatrix
    /// W_j,NA per SNP.
    public var naWeights: [Double]

    /// `all_gene` = Σ_g W_jg (gene columns) and `base` = all_gene + W_j,NA (spec §3).
    public func baselineColumns() -> (base: [Double], allGene: [Double]) {
        let all = matrix.rowSums()
        return (zip(all, naWeights).map { $0 + $1 }, all)
    }

    public static func read(_ path: String) throws -> WeightMatrixTable {
        try read(try WhitespaceTable.files(path, suffixes: [".tsv", ".tsv.gz", ".txt", ".txt.gz"]).map { try TextLines.open($0) }, path: path)
    }

    /// Reads W from line sources (per-chromosome files, or bytes in memory), named `path` in
    /// the errors about the whole table.
    public static func read(_ sources: [TextLines], path: String) throws -> WeightMatrixTable {
        var snpIndex: [String: Int] = [:], geneIndex: [String: Int] = [:]
        var snps: [String] = [], genes: [String] = [], na: [Double] = []
        var triples: [(row: Int, column: Int, value: Double)] = []
        var seenPairs = Set<Int64>()
        var seenNA = Set<Int>()
        for source in sources {
            let file = source.path
            var table = try WhitespaceTable(lines: source)
            let purpose = "an SNP-gene weight table with columns SNP, GENE and WEIGHT"
            let si = try table.require("SNP", purpose: purpose), gi = try table.require("GENE", purpose: purpose)
            let wi = try table.require("WEIGHT", purpose: purpose)
            while let f = try table.next() {
                let id = String(f[si]), gene = String(f[gi])
                let w = try table.number(f, wi)
                let row: Int
                if let r = snpIndex[id] { row = r } else {
                    row = snps.count
                    snpIndex[id] = row
                    snps.append(id)
                    na.append(0)
                }
                if gene == "NA" {
                    guard seenNA.insert(row).inserted else {
                        throw DataError(file: file, line: table.lineNumber, "SNP \(id) has gene NA twice: expected one weight per (SNP, GENE)")
                    }
                    na[row] = w
                    continue
                }
                let col: Int
                if let c = geneIndex[gene] { col = c } else {
                    col = genes.count
                    geneIndex[gene] = col
                    genes.append(gene)
                }
                guard seenPairs.insert(Int64(row) << 32 | Int64(col)).inserted else {
                    throw DataError(file: file, line: table.lineNumber, "SNP \(id) and gene \(gene) appear twice: expected one weight per (SNP, GENE)")
                }
                triples.append((row, col, w))
            }
        }
        guard !snps.isEmpty else { throw DataError(file: path, "has no SNP-gene weight below the header") }
        guard !genes.isEmpty else { throw DataError(file: path, "lists only gene NA: no gene column for a spatial LD score") }
        return WeightMatrixTable(snpIDs: snps, geneNames: genes,
                                 matrix: SparseSNPGeneMatrix(rowCount: snps.count, columnCount: genes.count, triples: triples), naWeights: na)
    }

    /// Writes the long table (NA lines for non-zero NA weights), gzip when the path ends in .gz.
    public static func write(snpIDs: [String], geneNames: [String], matrix: SparseSNPGeneMatrix, naWeights: [Double], to path: String) throws {
        let w = try TextFileWriter(path: path)
        try w.write("SNP\tGENE\tWEIGHT\n")
        for j in 0..<matrix.rowCount {
            for i in matrix.rowStart[j]..<matrix.rowStart[j + 1] {
                try w.write("\(snpIDs[j])\t\(geneNames[Int(matrix.columns[i])])\t\(matrix.values[i])\n")
            }
            if naWeights[j] != 0 { try w.write("\(snpIDs[j])\tNA\t\(naWeights[j])\n") }
        }
        try w.close()
    }
}
