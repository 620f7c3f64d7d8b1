import GenoBenchData

/// One GWAS row after spec peg.md §4.1: autosome, SNP id, effect allele A1, other allele A0,
/// BETA (per A1), SE > 0.
public struct GWASRecord: Sendable, Equatable {
    public var chromosome: Int
    public var snp: String
    public var a1: String
    public var a0: String
    public var beta: Double
    public var se: Double
    /// 1-based line in the file.
    public var line: Int
}

/// One eQTL row after spec §4.2: Z (eQTL z or t) per A1 for GENE.
public struct EQTLRecord: Sendable, Equatable {
    public var chromosome: Int
    public var snp: String
    public var a1: String
    public var a0: String
    public var z: Double
    public var gene: String
    public var line: Int
}

/// The GWAS and eQTL readers, in mrpeg's order of steps (spec §4.1, §4.2), each step counted.
public enum SummaryStatistics {
    /// A1+A0 pairs that are their own strand complement, case-sensitive as in mrpeg.
    static let ambiguousPairs: Set<String> = ["AT", "TA", "CG", "GC"]

    /// Rows with any missing field (in any column) are dropped first, then the six columns
    /// are selected; ±inf BETA/SE dropped; chromosome codes other than 1–22 (X, Y, MT, chr1)
    /// dropped; SE ≤ 0 dropped; A/T, T/A, C/G, G/C dropped unless `keepAmbiguous`. A BETA or
    /// SE that is not a number is an error naming the line. Nothing left is an error.
    public static func gwas(_ table: TextTable, columns: [String], keepAmbiguous: Bool, log: inout FilterLog) throws -> [GWASRecord] {
        let c = try table.columnIndices(columns, option: "--gwas-cols")
        var out: [GWASRecord] = []
        var missing = 0, infinite = 0, notAutosome = 0, badSE = 0, ambiguous = 0
        var codes = Set<String>()
        for (r, row) in table.rows.enumerated() {
            if row.contains(where: FieldValue.isMissing) { missing += 1; continue }
            let line = table.lines[r]
            let beta = try number(row[c[4]], columns[4], table, line), se = try number(row[c[5]], columns[5], table, line)
            guard beta.isFinite, se.isFinite else { infinite += 1; continue }
            guard let chromosome = FieldValue.autosome(row[c[0]]) else {
                notAutosome += 1
                if codes.count < 5 { codes.insert(String(row[c[0]])) }
                continue
            }
            guard se > 0 else { badSE += 1; continue }
            let a1 = String(row[c[2]]), a0 = String(row[c[3]])
            if !keepAmbiguous && ambiguousPairs.contains(a1 + a0) { ambiguous += 1; continue }
            out.append(GWASRecord(chromosome: chromosome, snp: String(row[c[1]]), a1: a1, a0: a0, beta: beta, se: se, line: line))
        }
        log.note("gwas \(table.source): \(table.rows.count) rows; dropped \(missing) with a missing value, \(infinite) with infinite BETA/SE, \(notAutosome) not on autosomes 1-22\(codes.isEmpty ? "" : " (codes " + codes.sorted().joined(separator: ", ") + ")"), \(badSE) with SE <= 0, \(ambiguous) strand-ambiguous\(keepAmbiguous ? " (kept: --keep-ambiguous)" : ""); \(out.count) kept")
        guard !out.isEmpty else { throw DataError(file: table.source, "no GWAS row left after filtering (see the counts above: \(log.lines.last!))") }
        return out
    }

    /// Same reading rules for the eQTL table; autosomes only, no ambiguity filter.
    public static func eqtl(_ table: TextTable, columns: [String], log: inout FilterLog) throws -> [EQTLRecord] {
        let c = try table.columnIndices(columns, option: "--eqtl-cols")
        var out: [EQTLRecord] = []
        var missing = 0, infinite = 0, notAutosome = 0
        for (r, row) in table.rows.enumerated() {
            if row.contains(where: FieldValue.isMissing) { missing += 1; continue }
            let line = table.lines[r]
            let z = try number(row[c[4]], columns[4], table, line)
            guard z.isFinite else { infinite += 1; continue }
            guard let chromosome = FieldValue.autosome(row[c[0]]) else { notAutosome += 1; continue }
            out.append(EQTLRecord(chromosome: chromosome, snp: String(row[c[1]]), a1: String(row[c[2]]), a0: String(row[c[3]]),
                                  z: z, gene: String(row[c[5]]), line: line))
        }
        log.note("eqtl \(table.source): \(table.rows.count) rows; dropped \(missing) with a missing value, \(infinite) with infinite Z, \(notAutosome) not on autosomes 1-22; \(out.count) kept (\(Set(out.map(\.gene)).count) genes)")
        guard !out.isEmpty else { throw DataError(file: table.source, "no eQTL row left after filtering") }
        return out
    }

    static func number(_ field: Substring, _ name: String, _ table: TextTable, _ line: Int) throws -> Double {
        guard let v = FieldValue.number(field) else {
            throw DataError(file: table.source, line: line, "\(name) '\(field)' is not a number")
        }
        return v
    }
}
