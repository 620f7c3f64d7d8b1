/// PLINK 1 SNP-major 2-bit genotype codes.
///
/// Sample i of a variant sits in byte i/4 of that variant's record, at bits 2(i mod 4).
/// Codes: 0b00 homozygous allele 1 (the `.bim` column-5 allele), 0b01 missing, 0b10
/// heterozygous, 0b11 homozygous allele 2. Unused high bits of the last byte are zero.
public enum GenotypeCode {
    public static let homozygousAllele1: UInt8 = 0b00
    public static let missing: UInt8 = 0b01
    public static let heterozygous: UInt8 = 0b10
    public static let homozygousAllele2: UInt8 = 0b11

    /// Copies of allele 1 (the counted allele, as PLINK 1.9 counts it) for each code, or -1 for
    /// missing: 00 -> 2, 01 -> -1, 10 -> 1, 11 -> 0.
    public static let allele1Dosage: [Int8] = [2, -1, 1, 0]

    /// The code for a count of allele-1 copies (0, 1, 2) or missing (nil).
    @inlinable
    public static func code(allele1Copies: Int?) -> UInt8 {
        switch allele1Copies {
        case .some(2): homozygousAllele1
        case .some(1): heterozygous
        case .some(0): homozygousAllele2
        default: missing
        }
    }
}

/// Anything that can hand out the packed 2-bit records of a range of variants.
public protocol GenotypeSource: Sendable {
    var sampleCount: Int { get }
    var variantCount: Int { get }
    /// The records of `variants`, concatenated, `bytesPerVariant` each.
    func packedRecords(_ variants: Range<Int>) throws -> [UInt8]
}

extension GenotypeSource {
    /// ceil(samples / 4): bytes of one variant's record.
    public var bytesPerVariant: Int { (sampleCount + 3) / 4 }
}

/// Packed genotypes held in memory (what the simulator makes and what tests build).
public struct PackedGenotypes: GenotypeSource, Equatable {
    public let sampleCount: Int
    public let variantCount: Int
    /// Variant records, `bytesPerVariant` each, without the 3-byte .bed header.
    public var bytes: [UInt8]

    public init(sampleCount: Int, variantCount: Int, bytes: [UInt8]) {
        precondition(bytes.count == variantCount * ((sampleCount + 3) / 4), "packed genotype byte count does not match the shape")
        self.sampleCount = sampleCount
        self.variantCount = variantCount
        self.bytes = bytes
    }

    /// Packs allele-1 dosages given variant by variant (`dosages[v][s]` in 0...2, or nil for missing).
    public init(sampleCount: Int, dosages: [[Int?]]) {
        let per = (sampleCount + 3) / 4
        var b = [UInt8](repeating: 0, count: per * dosages.count)
        for (v, column) in dosages.enumerated() {
            precondition(column.count == sampleCount, "variant \(v) has \(column.count) calls, expected \(sampleCount)")
            for (s, d) in column.enumerated() {
                b[v * per + s / 4] |= GenotypeCode.code(allele1Copies: d) << UInt8(2 * (s % 4))
            }
        }
        self.init(sampleCount: sampleCount, variantCount: dosages.count, bytes: b)
    }

    public func packedRecords(_ variants: Range<Int>) throws -> [UInt8] {
        Array(bytes[(variants.lowerBound * bytesPerVariant)..<(variants.upperBound * bytesPerVariant)])
    }

    /// The 2-bit code of one call.
    @inlinable
    public func code(sample: Int, variant: Int) -> UInt8 {
        (bytes[variant * ((sampleCount + 3) / 4) + sample / 4] >> UInt8(2 * (sample % 4))) & 0b11
    }
}
