import GenoBenchData

/// A genes x spots matrix as text (gsMap's GSS feather laid out as a table): a header whose
/// first cell names the gene column (e.g. `HUMAN_GENE_SYM`) followed by one name per spot;
/// then one line per gene, its name and one value per spot. Used for GSS and for expression
/// counts. Gene and spot names must be unique; values finite and ≥ 0.
public struct GeneMatrix: Sendable, Equatable {
    public var geneNames: [String]
    public var spotNames: [String]
    /// Gene-major: gene g's values are `values[g * spots ..< (g + 1) * spots]`.
    public var values: [Double]

    public init(geneNames: [String], spotNames: [String], values: [Double]) {
        precondition(values.count == geneNames.count * spotNames.count)
        self.geneNames = geneNames
        self.spotNames = spotNames
        self.values = values
    }

    public static func read(_ path: String, what: String = "GSS") throws -> GeneMatrix {
        try read(try TextLines.open(path), what: what)
    }

    /// Reads a genes x spots matrix from any line source (`source.path` names it in errors).
    public static func read(_ source: TextLines, what: String = "GSS") throws -> GeneMatrix {
        let path = source.path
        var table = try WhitespaceTable(lines: source)
        let spots = Array(table.header.dropFirst())
        guard !spots.isEmpty else { throw DataError(file: path, line: 1, "header has no spot column: expected GENE spot1 spot2 ... (\(what), genes x spots)") }
        var seenSpot: [String: Int] = [:]
        for (i, s) in spots.enumerated() {
            if let j = seenSpot[s] { throw DataError(file: path, line: 1, "spot \(s) is named twice (columns \(j + 2) and \(i + 2))") }
            seenSpot[s] = i
        }
        var genes: [String] = [], values: [Double] = [], seenGene: [String: Int] = [:]
        while let f = try table.next() {
            let g = String(f[0])
            if let line = seenGene[g] { throw DataError(file: path, line: table.lineNumber, "gene \(g) is listed twice (also line \(line))") }
            seenGene[g] = table.lineNumber
            genes.append(g)
            for i in 1..<f.count {
                guard let v = Double(f[i]), v.isFinite, v >= 0 else {
                    throw DataError(file: path, line: table.lineNumber, "gene \(g), spot \(spots[i - 1]): '\(f[i])' is not a finite number >= 0 (\(what))")
                }
                values.append(v)
            }
        }
        guard !genes.isEmpty else { throw DataError(file: path, "has no gene line below the header (\(what))") }
        return GeneMatrix(geneNames: genes, spotNames: spots, values: values)
    }

    public func write(to path: String, geneColumn: String = "GENE") throws {
        let w = try TextFileWriter(path: path)
        try w.write(([geneColumn] + spotNames).joined(separator: "\t") + "\n")
        let n = spotNames.count
        for (g, name) in geneNames.enumerated() {
            var line = name
            for s in 0..<n { line += "\t\(values[g * n + s])" }
            try w.write(line + "\n")
        }
        try w.close()
    }
}
