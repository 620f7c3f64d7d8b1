import Foundation

/// A PLINK 1 `.bed` file read in place: records are fetched from disk per variant range, so a
/// job that needs a few blocks never holds the whole file.
public struct BedFile: GenotypeSource {
    public static let magic: [UInt8] = [0x6c, 0x1b]
    public static let snpMajorMode: UInt8 = 0x01
    public static let headerBytes = 3

    public let path: String
    public let sampleCount: Int
    public let variantCount: Int

    /// Opens and validates a `.bed`: magic bytes, SNP-major mode, and a size that matches
    /// the sample and variant counts of its `.fam` and `.bim`.
    public init(path: String, sampleCount: Int, variantCount: Int, describedBy counts: String = "") throws {
        self.path = path
        self.sampleCount = sampleCount
        self.variantCount = variantCount
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DataError(file: path, "cannot open for reading")
        }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 3)) ?? Data()
        let size = try handle.seekToEnd()
        try Self.check(header: [UInt8](header), size: size, path: path, sampleCount: sampleCount, variantCount: variantCount,
                       describedBy: counts)
    }

    /// Checks a `.bed`'s first bytes (up to 3) and size against the sample and variant counts:
    /// the magic, the SNP-major mode byte, then 3 + variants x ceil(samples / 4) bytes.
    public static func check(header h: [UInt8], size: UInt64, path: String, sampleCount: Int, variantCount: Int,
                             describedBy counts: String = "") throws {
        guard h.count >= 2, Array(h[0..<2]) == Self.magic else {
            let shown = h.prefix(2).map { String(format: "0x%02x", $0) }.joined(separator: " ")
            throw DataError(file: path, "not a PLINK 1 .bed file: first bytes are \(shown.isEmpty ? "missing" : shown), expected 0x6c 0x1b")
        }
        guard h.count >= 3 else { throw DataError(file: path, "truncated: the 3-byte header is incomplete") }
        guard h[2] == Self.snpMajorMode else {
            throw DataError(file: path, String(format: "mode byte is 0x%02x; only SNP-major (0x01) .bed files are supported (rewrite with plink --make-bed)", h[2]))
        }
        let per = (sampleCount + 3) / 4
        let (body, overflow) = per.multipliedReportingOverflow(by: variantCount)
        guard !overflow, body <= Int.max - Self.headerBytes else {
            throw DataError(file: path, "\(variantCount) variants x \(sampleCount) samples is too large for a .bed file")
        }
        let expected = UInt64(Self.headerBytes + body)
        guard size == expected else {
            let what = size < expected ? "truncated" : "too long"
            throw DataError(file: path, "\(what): \(size) bytes, expected 3 + \(variantCount) variants x \(per) bytes = \(expected)\(counts.isEmpty ? "" : " (\(counts))")")
        }
    }

    public func packedRecords(_ variants: Range<Int>) throws -> [UInt8] {
        precondition(variants.lowerBound >= 0 && variants.upperBound <= variantCount, "variant range outside the file")
        guard let handle = FileHandle(forReadingAtPath: path) else { throw DataError(file: path, "cannot open for reading") }
        defer { try? handle.close() }
        let per = bytesPerVariant
        try handle.seek(toOffset: UInt64(Self.headerBytes + variants.lowerBound * per))
        let want = variants.count * per
        let data = try handle.read(upToCount: want) ?? Data()
        guard data.count == want else { throw DataError(file: path, "truncated while reading variants \(variants)") }
        return [UInt8](data)
    }
}
