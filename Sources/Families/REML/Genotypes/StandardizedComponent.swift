import GenoBenchCore
import GenoBenchData

/// One variance component's SNPs, re-packed over the analysed samples, with the per-SNP
/// standardisation of spec reml.md §2.1.
///
/// Per SNP j over the retained samples: dosage g counts the `.bim` column-5 allele; cnt_j
/// non-missing calls, mean μ_j and *observed* population variance v_j (not 2p(1−p)); the SNP
/// is valid iff cnt_j > 0 and v_j > 0, with inv_sd_j = 1/√max(v_j, 1e−6); z = (g − μ)·inv_sd
/// and a missing call is mean-imputed (z = 0). K = Z Zᵀ / m_eff with m_eff the valid SNPs, and
/// the atom tr(K)/n = Σ_valid cnt_j / (n·m_eff). Statistics are kept in Double; genotypes stay
/// 2-bit packed (n/4 bytes per SNP), so the matrix-free backend never holds Z.
public struct StandardizedComponent: Sendable {
    public let name: String
    /// Analysed samples (n).
    public let sampleCount: Int
    /// Source variant indices (ascending), in the `.bim` order of the component's fileset.
    public let variantIndices: [Int]
    /// Packed 2-bit records of the component's SNPs over the analysed samples, in order.
    public let packed: [UInt8]
    public let mean: [Double]
    public let variance: [Double]
    public let observed: [Int]
    /// Per SNP: 1/√max(v, 1e−6) when valid, 0 otherwise.
    public let inverseSD: [Double]
    /// m_eff: SNPs with at least one call and positive variance.
    public let effectiveCount: Int
    /// tr(K)/n; 1 without missing calls, 0 when no SNP is valid.
    public let atom: Double

    public var snpCount: Int { variantIndices.count }
    public var bytesPerSNP: Int { (sampleCount + 3) / 4 }

    /// Reads the component's SNPs from `source` and keeps the calls of `samples` (row indices of
    /// the source's sample order, ascending).
    public init(name: String, source: any GenotypeSource, variants: [Int], samples: [Int]) throws {
        self.name = name
        self.variantIndices = variants
        let n = samples.count
        sampleCount = n
        let inPer = source.bytesPerVariant
        let outPer = (n + 3) / 4
        var packed = [UInt8](repeating: 0, count: outPer * variants.count)
        var mean = [Double](repeating: 0, count: variants.count)
        var variance = [Double](repeating: 0, count: variants.count)
        var observed = [Int](repeating: 0, count: variants.count)
        let identity = samples.count == source.sampleCount && samples.enumerated().allSatisfy { $0.offset == $0.element }
        var k = 0
        // Contiguous runs of variant indices are read together, at most 2048 records at a time.
        while k < variants.count {
            var end = k + 1
            while end < variants.count, variants[end] == variants[end - 1] + 1, end - k < 2048 { end += 1 }
            let records = try source.packedRecords(variants[k]..<(variants[end - 1] + 1))
            records.withUnsafeBufferPointer { rec in
                packed.withUnsafeMutableBufferPointer { out in
                    for j in k..<end {
                        let src = rec.baseAddress! + (j - k) * inPer
                        let dst = out.baseAddress! + j * outPer
                        if identity {
                            dst.update(from: src, count: outPer)
                        } else {
                            for (i, s) in samples.enumerated() {
                                let code = (src[s >> 2] >> UInt8((s & 3) << 1)) & 3
                                dst[i >> 2] |= code << UInt8((i & 3) << 1)
                            }
                        }
                        // Code counts: 00 hom A1 (2 copies), 01 missing, 10 het, 11 hom A2.
                        var c = (0, 0, 0, 0)
                        for i in 0..<n {
                            switch (dst[i >> 2] >> UInt8((i & 3) << 1)) & 3 {
                            case 0: c.0 += 1
                            case 1: c.1 += 1
                            case 2: c.2 += 1
                            default: c.3 += 1
                            }
                        }
                        let cnt = c.0 + c.2 + c.3
                        observed[j] = cnt
                        if cnt > 0 {
                            let mu = Double(2 * c.0 + c.2) / Double(cnt)
                            mean[j] = mu
                            variance[j] = max(0, Double(4 * c.0 + c.2) / Double(cnt) - mu * mu)
                        }
                    }
                }
            }
            k = end
        }
        var inv = [Double](repeating: 0, count: variants.count)
        var valid = 0, cntSum = 0
        for j in 0..<variants.count where observed[j] > 0 && variance[j] > 0 {
            inv[j] = 1 / max(variance[j], 1e-6).squareRoot()
            valid += 1
            cntSum += observed[j]
        }
        self.packed = packed
        self.mean = mean
        self.variance = variance
        self.observed = observed
        self.inverseSD = inv
        self.effectiveCount = valid
        self.atom = valid == 0 ? 0 : Double(cntSum) / (Double(n) * Double(valid))
    }

    /// Writes standardised columns z_j/√m_eff of SNPs `snps` (n values each, column-major) to
    /// `out`, so that Σ over all SNPs of column·columnᵀ is K. Invalid SNPs give zero columns.
    public func decode<T: Scalar>(_ snps: Range<Int>, into out: UnsafeMutablePointer<T>) {
        let n = sampleCount, per = bytesPerSNP
        let scale = effectiveCount > 0 ? 1 / Double(effectiveCount).squareRoot() : 0
        packed.withUnsafeBufferPointer { p in
            for (c, j) in snps.enumerated() {
                let col = out + c * n
                let s = inverseSD[j] * scale
                if s == 0 {
                    col.initialize(repeating: 0, count: n)
                    continue
                }
                let mu = mean[j]
                // Indexed by the 2-bit code: 00 -> 2, 01 -> missing (mean-imputed: 0), 10 -> 1, 11 -> 0.
                // A table lookup per call (no branch); four calls per byte unrolled.
                var table: (T, T, T, T) = (T((2 - mu) * s), 0, T((1 - mu) * s), T(-mu * s))
                let rec = p.baseAddress! + j * per
                withUnsafeBytes(of: &table) { raw in
                    let t = raw.baseAddress!.assumingMemoryBound(to: T.self)
                    let full = n / 4
                    for b in 0..<full {
                        let byte = Int(rec[b]), o = col + 4 * b
                        o[0] = t[byte & 3]
                        o[1] = t[(byte >> 2) & 3]
                        o[2] = t[(byte >> 4) & 3]
                        o[3] = t[byte >> 6]
                    }
                    var byte = full < per ? Int(rec[full]) : 0
                    for i in (4 * full)..<n {
                        col[i] = t[byte & 3]
                        byte >>= 2
                    }
                }
            }
        }
    }

    /// SNPs per decoded block so that one n x block matrix of `T` takes about `bytes`.
    public func blockWidth<T: Scalar>(for: T.Type, bytes: Int = 32 << 20) -> Int {
        max(16, min(snpCount, bytes / max(1, sampleCount * MemoryLayout<T>.stride)))
    }
}
