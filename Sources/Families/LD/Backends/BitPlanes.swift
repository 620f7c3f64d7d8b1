import GenoBenchData

/// Bit-packed genotypes of a run of variants for the popcount kernels (spec ld.md §2.3, §3).
///
/// Per variant, three planes of ⌈N/64⌉ words: `m` (observed), `l` (at least one counted
/// allele), `h` (two counted alleles). Missing calls and padding bits are clear in all three, so
/// padding never reaches a count. Plus per-variant totals used when neither variant of a pair
/// has a missing call (then only the four l/h cross counts are needed).
struct BitPlanes {
    let firstVariant: Int
    let count: Int
    let words: Int
    /// [variant][plane m, l, h][word]
    var planes: [UInt64]
    var hasMissing: [Bool]
    var observed: [UInt64]
    var popL: [UInt64]
    var popH: [UInt64]
    /// Σx and n·Σx² − (Σx)² over all samples (meaningful for variants without missing calls).
    var sum: [Int64]
    var variance: [Int64]

    init(source: any GenotypeSource, variants: Range<Int>) throws {
        let n = source.sampleCount, per = source.bytesPerVariant
        firstVariant = variants.lowerBound
        count = variants.count
        words = (n + 63) / 64
        planes = [UInt64](repeating: 0, count: 3 * words * count)
        hasMissing = [Bool](repeating: false, count: count)
        observed = [UInt64](repeating: 0, count: count)
        popL = [UInt64](repeating: 0, count: count)
        popH = [UInt64](repeating: 0, count: count)
        sum = [Int64](repeating: 0, count: count)
        variance = [Int64](repeating: 0, count: count)
        let packed = try source.packedRecords(variants)
        let w = words
        planes.withUnsafeMutableBufferPointer { p in
            for v in 0..<count {
                let base = 3 * w * v
                var s = 0
                for byteIndex in 0..<per {
                    var byte = packed[v * per + byteIndex]
                    for _ in 0..<4 where s < n {
                        let code = byte & 3
                        let bit = UInt64(1) << UInt64(s & 63), word = s >> 6
                        if code != GenotypeCode.missing {
                            p[base + word] |= bit
                            if code != GenotypeCode.homozygousAllele2 { p[base + w + word] |= bit }
                            if code == GenotypeCode.homozygousAllele1 { p[base + 2 * w + word] |= bit }
                        }
                        byte >>= 2
                        s += 1
                    }
                }
                var m: UInt64 = 0, l: UInt64 = 0, h: UInt64 = 0
                for k in 0..<w {
                    m += UInt64(p[base + k].nonzeroBitCount)
                    l += UInt64(p[base + w + k].nonzeroBitCount)
                    h += UInt64(p[base + 2 * w + k].nonzeroBitCount)
                }
                observed[v] = m; popL[v] = l; popH[v] = h
                hasMissing[v] = m != UInt64(n)
                let sx = Int64(l + h), sxx = Int64(l + 3 * h)
                sum[v] = sx
                variance[v] = Int64(n) * sxx - sx * sx
            }
        }
    }

    /// Bytes held by the planes (for the memory model).
    var byteCount: Int { planes.count * 8 }
}
