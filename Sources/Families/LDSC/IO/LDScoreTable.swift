import GenoBenchData

/// An LD score table in LDSC's `.l2.ldscore[.gz]` layout: a header with `SNP` and LD score
/// columns; `CHR`, `BP`, `CM`, `MAF` are ignored. A directory stands for its files ending in
/// `.l2.ldscore` or `.l2.ldscore.gz` (one per chromosome), read in natural order; they must
/// share their columns. A SNP listed twice is an error (which value would be meant?).
public struct LDScoreTable: Sendable {
    public var columnNames: [String]
    /// Per SNP id: its values, one per column.
    public var values: [String: [Double]]
    public var snpCount: Int { values.count }

    static let metaColumns: Set<String> = ["CHR", "SNP", "BP", "CM", "MAF"]

    public static func read(_ path: String) throws -> LDScoreTable {
        try read(try WhitespaceTable.files(path, suffixes: [".l2.ldscore", ".l2.ldscore.gz"]).map { try TextLines.open($0) }, path: path)
    }

    /// Reads LD scores from line sources (per-chromosome files, or bytes in memory), named
    /// `path` in the error for an empty result.
    public static func read(_ sources: [TextLines], path: String) throws -> LDScoreTable {
        var out = LDScoreTable(columnNames: [], values: [:])
        var firstFile: String?
        var where_: [String: (String, Int)] = [:]
        for source in sources {
            let file = source.path
            var table = try WhitespaceTable(lines: source)
            let si = try table.require("SNP", purpose: "an LD score table (CHR SNP BP L2 ...)")
            let valueColumns = table.header.indices.filter { !metaColumns.contains(table.header[$0].uppercased()) }
            let names = valueColumns.map { table.header[$0] }
            guard !names.isEmpty else { throw DataError(file: file, line: 1, "has no LD score column besides \(table.header.joined(separator: " "))") }
            if let firstFile {
                guard names == out.columnNames else {
                    throw DataError(file: file, line: 1, "has LD score columns \(names.joined(separator: " ")), \(firstFile) has \(out.columnNames.joined(separator: " "))")
                }
            } else {
                firstFile = file
                out.columnNames = names
            }
            while let f = try table.next() {
                let id = String(f[si])
                if let (otherFile, otherLine) = where_[id] {
                    throw DataError(file: file, line: table.lineNumber, "SNP \(id) is listed twice (also \(otherFile) line \(otherLine)): expected one LD score per SNP")
                }
                where_[id] = (file, table.lineNumber)
                out.values[id] = try valueColumns.map { try table.number(f, $0) }
            }
        }
        guard !out.values.isEmpty else { throw DataError(file: path, "has no SNP row") }
        return out
    }
}
