import Foundation
import GenoBenchCore
import GenoBenchData

/// The reference genotypes, one PLINK 1 fileset per autosome, found by replacing `*` in a
/// prefix pattern with the chromosome number (`plink/geno_chr*` → `plink/geno_chr7`), as
/// mrpeg's `--ref-geno` does (spec peg.md §2, §4.5).
public struct ReferencePanel: Sendable {
    public let pattern: String
    let provider: @Sendable (Int) throws -> PlinkFileset

    /// Filesets on disk. A pattern without `*` is an invalid request.
    public static func files(pattern: String) throws -> ReferencePanel {
        guard pattern.contains("*") else {
            throw PEGError.invalidOption("--ref-geno '\(pattern)' has no '*' to stand for the chromosome number (e.g. plink/geno_chr*)")
        }
        return ReferencePanel(pattern: pattern) { try PlinkFileset.open(prefix: Self.prefix(pattern, $0)) }
    }

    /// Filesets in memory (simulated problems), named as files would be.
    public init(filesets: [Int: PlinkFileset], pattern: String) {
        self.init(pattern: pattern) { c in
            guard let f = filesets[c] else { throw DataError(file: Self.prefix(pattern, c) + ".bim", "cannot read (missing or unreadable)") }
            return f
        }
    }

    init(pattern: String, provider: @escaping @Sendable (Int) throws -> PlinkFileset) {
        self.pattern = pattern
        self.provider = provider
    }

    public static func prefix(_ pattern: String, _ chromosome: Int) -> String {
        pattern.replacingOccurrences(of: "*", with: String(chromosome))
    }

    public func fileset(chromosome: Int) throws -> PlinkFileset { try provider(chromosome) }

    /// The correlation matrix R = XᵀX / n of the given variants over every sample (spec §4.8),
    /// X the allele-1 dosages centred and divided by their population SD (divisor n). Missing
    /// calls are set to the variant's observed mean first (mrpeg lets NaN propagate), so
    /// R_ii = 1. Variants without variation (or without an observed call) cannot be
    /// correlated: they are returned in `constant` and their rows of R are zero. Any uniform
    /// choice of counted allele gives the same R once effects are aligned to the .bim pair.
    /// Cost O(n·m²) by `dsyrk`.
    public static func correlation(_ fileset: PlinkFileset, variants: [Int]) throws -> (r: Matrix<Double>, constant: [Int]) {
        let n = fileset.samples.count, m = variants.count
        var x = Matrix<Double>(rows: n, columns: m)
        var constant: [Int] = []
        for (c, v) in variants.enumerated() {
            let record = try fileset.genotypes.packedRecords(v..<(v + 1))
            var dosage = [Double](repeating: .nan, count: n)
            var sum = 0.0, observed = 0
            for s in 0..<n {
                let d = GenotypeCode.allele1Dosage[Int((record[s / 4] >> UInt8(2 * (s % 4))) & 3)]
                if d >= 0 { dosage[s] = Double(d); sum += Double(d); observed += 1 }
            }
            let mean = observed > 0 ? sum / Double(observed) : 0
            var ss = 0.0
            for s in 0..<n {
                if dosage[s].isNaN { dosage[s] = mean }
                ss += (dosage[s] - mean) * (dosage[s] - mean)
            }
            let sd = (ss / Double(n)).squareRoot()
            guard observed > 0, sd > 1e-12 else { constant.append(c); continue }
            for s in 0..<n { x[s, c] = (dosage[s] - mean) / sd }
        }
        var r = x.gram()
        for i in 0..<r.storage.count { r.storage[i] /= Double(n) }
        for c in constant { r[c, c] = 0 }
        return (r, constant)
    }
}
