import Foundation

/// A PLINK 1 binary fileset: `.bed` genotypes, `.bim` variants, `.fam` samples.
public struct PlinkFileset: Sendable {
    public var samples: [Sample]
    public var variants: [Variant]
    public var genotypes: any GenotypeSource

    public init(samples: [Sample], variants: [Variant], genotypes: any GenotypeSource) {
        precondition(genotypes.sampleCount == samples.count && genotypes.variantCount == variants.count,
                     "genotype shape does not match samples and variants")
        self.samples = samples
        self.variants = variants
        self.genotypes = genotypes
    }

    /// Reads `PREFIX.bim` and `PREFIX.fam` and opens `PREFIX.bed` in place (validated, not loaded).
    public static func open(prefix: String) throws -> PlinkFileset {
        let bim = prefix + ".bim", fam = prefix + ".fam", bed = prefix + ".bed"
        let variants = try readBim(bim)
        let samples = try readFam(fam)
        guard !samples.isEmpty else { throw DataError(file: fam, "no samples") }
        let source = try BedFile(path: bed, sampleCount: samples.count, variantCount: variants.count,
                                 describedBy: "\(variants.count) lines in \(bim), \(samples.count) in \(fam)")
        return PlinkFileset(samples: samples, variants: variants, genotypes: source)
    }

    /// Reads the whole fileset into memory.
    public static func load(prefix: String) throws -> PlinkFileset {
        let f = try open(prefix: prefix)
        let packed = PackedGenotypes(sampleCount: f.samples.count, variantCount: f.variants.count,
                                     bytes: try f.genotypes.packedRecords(0..<f.variants.count))
        return PlinkFileset(samples: f.samples, variants: f.variants, genotypes: packed)
    }

    /// Writes `PREFIX.bed`, `.bim`, `.fam`. The `.bed` is the magic, the SNP-major mode byte
    /// and the records, so reading and writing a file gives the same bytes.
    public func write(prefix: String) throws {
        let path = prefix + ".bed"
        guard FileManager.default.createFile(atPath: path, contents: Data(BedFile.magic + [BedFile.snpMajorMode])),
              let h = FileHandle(forWritingAtPath: path) else { throw DataError(file: path, "cannot open for writing") }
        defer { try? h.close() }
        try h.seekToEnd()
        for start in stride(from: 0, to: variants.count, by: 4096) {
            try h.write(contentsOf: Data(try genotypes.packedRecords(start..<min(variants.count, start + 4096))))
        }
        try writeText(variants.map(\.bimLine), to: prefix + ".bim")
        try writeText(samples.map(\.famLine), to: prefix + ".fam")
    }

    private func writeText(_ lines: [String], to path: String) throws {
        let text = lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw DataError(file: path, "cannot write: \(error.localizedDescription)")
        }
    }

    /// The lines of a UTF-8 text file (a final newline does not make an empty last line); a
    /// missing, unreadable or non-UTF-8 file is a `DataError` naming it.
    public static func lines(of path: String) throws -> [Substring] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(file: path, "cannot read (missing or unreadable)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw DataError(file: path, "not UTF-8 text") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    static func fields(_ line: Substring) -> [Substring] {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
    }

    /// Parses a `.bim`: six whitespace-separated fields per line.
    public static func readBim(_ path: String) throws -> [Variant] {
        var out: [Variant] = []
        for (i, line) in try lines(of: path).enumerated() {
            let f = fields(line)
            guard f.count == 6 else {
                throw DataError(file: path, line: i + 1, "expected 6 fields (chromosome, id, cM, position, allele 1, allele 2), found \(f.count)")
            }
            guard let pos = Int(f[3]), pos >= 0 else {
                throw DataError(file: path, line: i + 1, "position '\(f[3])' is not a non-negative integer")
            }
            out.append(Variant(chromosome: String(f[0]), id: String(f[1]), centimorgans: String(f[2]), position: pos,
                               allele1: String(f[4]), allele2: String(f[5])))
        }
        return out
    }

    /// Parses a `.fam`: six whitespace-separated fields per line.
    public static func readFam(_ path: String) throws -> [Sample] {
        var out: [Sample] = []
        for (i, line) in try lines(of: path).enumerated() {
            let f = fields(line)
            guard f.count == 6 else {
                throw DataError(file: path, line: i + 1, "expected 6 fields (FID, IID, father, mother, sex, phenotype), found \(f.count)")
            }
            out.append(Sample(familyID: String(f[0]), individualID: String(f[1]), paternalID: String(f[2]),
                              maternalID: String(f[3]), sex: String(f[4]), phenotype: String(f[5])))
        }
        return out
    }
}
