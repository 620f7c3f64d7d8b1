import GenoBenchData

/// The bytes as a `.bim`, as a `.fam`, as the first bytes of a `.bed` (checked against counts
/// taken from the input), and as packed genotypes decoded variant by variant.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPlink(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let lines = try? PlinkFileset.lines(of: bytes, path: "fuzz") {
        _ = try? PlinkFileset.parseBim(lines, path: "fuzz.bim")
        _ = try? PlinkFileset.parseFam(lines, path: "fuzz.fam")
    }
    let samples = size > 3 ? Int(bytes[3]) : 0, variants = size > 4 ? Int(bytes[4]) : 0
    _ = try? BedFile.check(header: Array(bytes.prefix(3)), size: UInt64(size), path: "fuzz.bed", sampleCount: samples, variantCount: variants)
    _ = try? BedFile.check(header: Array(bytes.prefix(3)), size: UInt64(size), path: "fuzz.bed", sampleCount: Int.max / 2, variantCount: 3)
    if size > 3 && samples > 0 {
        let per = (samples + 3) / 4
        let count = (size - 3) / per
        if count > 0 {
            let packed = PackedGenotypes(sampleCount: samples, variantCount: count, bytes: Array(bytes[3..<(3 + count * per)]))
            var observed = 0
            for v in 0..<count {
                _ = try? packed.packedRecords(v..<(v + 1))
                for s in 0..<samples where packed.code(sample: s, variant: v) != GenotypeCode.missing { observed += 1 }
            }
            precondition(observed <= count * samples)
        }
    }
    return 0
}
