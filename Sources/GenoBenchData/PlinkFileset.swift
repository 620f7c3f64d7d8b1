import Foundation
import GenoBenchCore

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
        guard !samples.isEmpty else { throw DataError(file: fam, "no samples (empty file)") }
        guard !variants.isEmpty else { throw DataError(file: bim, "no variants (empty file)") }
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
    /// Each file is written under a temporary name and renamed when complete (`AtomicOutput`).
    public func write(prefix: String) throws {
        let path = prefix + ".bed"
        try AtomicOutput.write(path) { temporary in
            guard FileManager.default.createFile(atPath: temporary, contents: Data(BedFile.magic + [BedFile.snpMajorMode])),
                  let h = FileHandle(forWritingAtPath: temporary) else { throw DataError(file: path, "cannot open for writing") }
            defer { try? h.close() }
            try h.seekToEnd()
            for start in stride(from: 0, to: variants.count, by: 4096) {
                try h.write(contentsOf: Data(try genotypes.packedRecords(start..<min(variants.count, start + 4096))))
            }
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
        return try lines(of: [UInt8](data), path: path)
    }

    /// The lines of UTF-8 text in memory (`path` names it in errors); the first line that is
    /// not UTF-8 is an error naming it.
    public static func lines(of bytes: [UInt8], path: String) throws -> [Substring] {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            var line = 1
            for piece in bytes.split(separator: 10, omittingEmptySubsequences: false) {
                if String(validating: piece, as: UTF8.self) == nil { break }
                line += 1
            }
            throw DataError(file: path, line: line, "not UTF-8 text")
        }
        var lines = text.splitLines()
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    static func fields(_ line: Substring) -> [Substring] {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
    }

    /// Parses a `.bim`: six whitespace-separated fields per line.
    public static func readBim(_ path: String) throws -> [Variant] {
        try parseBim(try lines(of: path), path: path)
    }

    /// Parses the lines of a `.bim` (`path` names it in errors).
    public static func parseBim(_ lines: [Substring], path: String) throws -> [Variant] {
        var out: [Variant] = []
        for (i, line) in lines.enumerated() {
            let f = fields(line)
            guard f.count == 6 else {
                throw DataError(file: path, line: i + 1, "expected 6 fields (chromosome, id, cM, position, allele 1, allele 2), found \(f.count)")
            }
            guard let pos = Int(f[3]), pos >= 0 else {
                throw DataError(file: path, line: i + 1, "position '\(f[3])' is not a non-negative integer")
            }
            guard let cm = Double(f[2]), cm.isFinite else {
                throw DataError(file: path, line: i + 1, "centimorgan position '\(f[2])' is not a number (use 0 when unknown)")
            }
            _ = cm
            out.append(Variant(chromosome: String(f[0]), id: String(f[1]), centimorgans: String(f[2]), position: pos,
                               allele1: String(f[4]), allele2: String(f[5])))
        }
        return out
    }

    /// Parses a `.fam`: six whitespace-separated fields per line.
    public static func readFam(_ path: String) throws -> [Sample] {
        try parseFam(try lines(of: path), path: path)
    }

    /// Parses the lines of a `.fam` (`path` names it in errors). A sample (FID and IID) that
    /// appears twice is an error naming both lines, as in PLINK 1.9: samples are matched to
    /// phenotypes and keep lists by their IDs.
    public static func parseFam(_ lines: [Substring], path: String) throws -> [Sample] {
        var out: [Sample] = []
        var lineOfSample: [String: Int] = [:]
        for (i, line) in lines.enumerated() {
            let f = fields(line)
            guard f.count == 6 else {
                throw DataError(file: path, line: i + 1, "expected 6 fields (FID, IID, father, mother, sex, phenotype), found \(f.count)")
            }
            let key = "\(f[0]) \(f[1])"
            if let previous = lineOfSample[key] {
                throw DataError(file: path, line: i + 1, "sample '\(key)' (FID IID) appears twice (lines \(previous) and \(i + 1))")
            }
            lineOfSample[key] = i + 1
            out.append(Sample(familyID: String(f[0]), individualID: String(f[1]), paternalID: String(f[2]),
                              maternalID: String(f[3]), sex: String(f[4]), phenotype: String(f[5])))
        }
        return out
    }
}
