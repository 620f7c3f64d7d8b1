import CGSL
import GenoBenchData
import GenoBenchReference

/// One GWAS SNP kept by `signal` (spec peg.md §9, step 1).
public struct SignalSNP: Sendable, Equatable {
    public var chromosome: Int
    public var snp: String
    public var position: Int
    public var beta: Double
    public var se: Double
    public var z: Double
}

/// One annotation window: [P0_FLANK, P1_FLANK) with P0_FLANK = max(P0 − half, 0) and
/// P1_FLANK = P1 + half (step 2).
public struct Annotation: Sendable, Equatable {
    public var chromosome: Int
    public var p0: Int, p1: Int
    public var p0Flank: Int, p1Flank: Int
    public var name: String
}

/// GWAS z² summarised inside annotation windows (spec §9), with the interval backend `Index`.
public struct SignalAnalysis<Index: IntervalIndex>: Sendable {
    public var snps: [SignalSNP]
    public var annotations: [Annotation]
    /// Per SNP (same order as `snps`): the annotation names it falls in, after joining the hit
    /// names with the separator, splitting again and removing repeats (first occurrence order).
    public var names: [[String]]
    public var log = FilterLog()
    public let options: SignalOptions

    public init(gwas: TextTable, annotations table: TextTable, keep: [String]?, options: SignalOptions) throws {
        try options.validate()
        self.options = options
        var log = FilterLog()
        let snps = try Self.readGWAS(gwas, options, &log)
        let annotations = try Self.readAnnotations(table, keep: keep, options, &log)
        var byChromosome: [Int: (index: Index, members: [Int])] = [:]
        for c in Set(snps.map(\.chromosome)) {
            let members = annotations.indices.filter { annotations[$0].chromosome == c }
            byChromosome[c] = (Index(members.map { (annotations[$0].p0Flank, annotations[$0].p1Flank) }), members)
        }
        let names = snps.map { s -> [String] in
            guard let entry = byChromosome[s.chromosome] else { return [] }
            let hits = entry.index.containing(s.position).map { annotations[entry.members[$0]].name }
            return Self.splitNames(hits, separator: options.separator)
        }
        self.snps = snps
        self.annotations = annotations
        self.names = names
        let annotated = names.filter { !$0.isEmpty }.count
        log.note("signal: \(annotated) of \(snps.count) SNPs fall in at least one window; \(Set(names.joined()).count) annotations hit")
        self.log = log
    }

    /// Joined with `separator`, split again, empty names and repeats removed, order kept.
    static func splitNames(_ hits: [String], separator: String) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for n in hits.joined(separator: separator).components(separatedBy: separator) where !n.isEmpty && seen.insert(n).inserted { out.append(n) }
        return out
    }

    static func readGWAS(_ t: TextTable, _ o: SignalOptions, _ log: inout FilterLog) throws -> [SignalSNP] {
        let c = try t.columnIndices(o.gwasColumns, option: "--gwas-cols")
        var out: [SignalSNP] = []
        var missing = 0, unparseable = 0, badSE = 0, notAutosome = 0, notSelected = 0, weak = 0
        GSL.prepare()
        let zMin = gsl_cdf_ugaussian_Pinv(1 - o.threshold / 2)
        for row in t.rows {
            if row.contains(where: FieldValue.isMissing) { missing += 1; continue }
            guard let bp = FieldValue.number(row[c[2]]), bp.isFinite, bp == bp.rounded(), abs(bp) < 1e15,
                  let beta = FieldValue.number(row[c[3]]), let se = FieldValue.number(row[c[4]]), FieldValue.number(row[c[0]]) != nil || FieldValue.autosome(row[c[0]]) != nil
            else { unparseable += 1; continue }
            guard se > 0 else { badSE += 1; continue }
            guard let chromosome = FieldValue.autosome(row[c[0]]) else { notAutosome += 1; continue }
            if let keep = o.chromosomes, !keep.contains(chromosome) { notSelected += 1; continue }
            let z = beta / se
            guard abs(z) >= zMin else { weak += 1; continue }
            out.append(SignalSNP(chromosome: chromosome, snp: String(row[c[1]]), position: Int(bp), beta: beta, se: se, z: z))
        }
        out = out.enumerated().sorted { ($0.element.chromosome, $0.element.position, $0.offset) < ($1.element.chromosome, $1.element.position, $1.offset) }.map(\.element)
        log.note("gwas \(t.source): \(t.rows.count) rows; dropped \(missing) with a missing value, \(unparseable) not numeric, \(badSE) with SE <= 0, \(notAutosome) not on autosomes, \(notSelected) outside --chr, \(weak) with |Z| < \(zMin) (--threshold \(o.threshold)); \(out.count) kept")
        return out
    }

    static func readAnnotations(_ t: TextTable, keep: [String]?, _ o: SignalOptions, _ log: inout FilterLog) throws -> [Annotation] {
        let c = try t.columnIndices(o.annotationColumns, option: "--ref-cols")
        var seen = Set<String>(), out: [Annotation] = []
        var duplicates = 0, unparseable = 0, notAutosome = 0, notSelected = 0, notKept = 0
        let keepSet = keep.map(Set.init)
        let half = o.halfWindowBases
        for (r, row) in t.rows.enumerated() {
            let name = String(row[c[3]])
            guard seen.insert(name).inserted else { duplicates += 1; continue }
            guard let p0 = Self.integer(row[c[1]]), let p1 = Self.integer(row[c[2]]) else { unparseable += 1; continue }
            guard let chromosome = FieldValue.autosome(row[c[0]]) else { notAutosome += 1; continue }
            if let k = o.chromosomes, !k.contains(chromosome) { notSelected += 1; continue }
            guard p1 >= p0 else { throw DataError(file: t.source, line: t.lines[r], "end \(p1) is before start \(p0) for annotation '\(name)'") }
            if let keepSet, !keepSet.contains(name) { notKept += 1; continue }
            out.append(Annotation(chromosome: chromosome, p0: p0, p1: p1, p0Flank: max(p0 - half, 0), p1Flank: p1 + half, name: name))
        }
        log.note("annotations \(t.source): \(t.rows.count) rows; dropped \(duplicates) repeated names, \(unparseable) with non-integer positions, \(notAutosome) not on autosomes, \(notSelected) outside --chr, \(notKept) not in --keep; \(out.count) windows (±\(half) bp)")
        return out
    }

    static func integer(_ f: Substring) -> Int? {
        guard let d = FieldValue.number(f), d.isFinite, d == d.rounded(), abs(d) < 1e15 else { return nil }
        return Int(d)
    }
}
