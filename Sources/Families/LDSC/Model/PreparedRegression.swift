/// The per-run quantities every backend and the reference share, in Double (spec §4.1–4.4):
/// the SNPs used, the blocks, N̄, mean χ² and the design's fixed parts.
///
/// Everything here is a function of the SNP data and options only, not of any spot.
public struct PreparedRegression: Sendable {
    public let blocks: BlockPartition
    /// M used (after `truncate`).
    public let snpCount: Int
    public let baselineCount: Int
    /// Design columns F = 1 (spatial) + K (baseline) + 1 (intercept).
    public var featureCount: Int { baselineCount + 2 }
    /// N̄: the mean N_j over the SNPs used.
    public let meanSampleSize: Double
    /// Mean χ² over the SNPs used.
    public let meanChiSquared: Double
    /// Σ_j (Σ_k ℓ_jk) · N_j over the SNPs used: the baseline part of Σ_j x_j N_j.
    public let baselineSumTimesN: Double
    /// `Σ_j N_j W_jg` per gene over the SNPs used: Σ_j ℓ_j(s) N_j = Σ_g GSS_gs · this.
    public let geneSampleSizeWeights: [Double]
    public let spatialScaling: SpatialScaling

    public init(_ problem: LDSCProblem) {
        let o = problem.options
        blocks = BlockPartition(snpCount: problem.snps.count, blocks: o.blockCount, definition: o.blockDefinition)
        let m = blocks.usedCount
        snpCount = m
        baselineCount = problem.snps.baseline.count
        let s = problem.snps
        var nSum = 0.0, chiSum = 0.0, baseN = 0.0
        for j in 0..<m {
            nSum += s.sampleSizes[j]
            chiSum += s.chiSquared[j]
            var b = 0.0
            for k in 0..<baselineCount { b += s.baseline[k][j] }
            baseN += b * s.sampleSizes[j]
        }
        meanSampleSize = nSum / Double(m)
        meanChiSquared = chiSum / Double(m)
        baselineSumTimesN = baseN
        let w = problem.annotation.weights
        var v = [Double](repeating: 0, count: w.columnCount)
        for j in 0..<m {
            for i in w.rowStart[j]..<w.rowStart[j + 1] { v[Int(w.columns[i])] += s.sampleSizes[j] * w.values[i] }
        }
        geneSampleSizeWeights = v
        spatialScaling = o.spatialScaling
    }

    /// The weight-step heritability of spec §4.3 for a spot whose Σ_j ℓ_j(s) N_j is `spatialTimesN`:
    /// `ĥ² = clip(10000 · (mean χ² − 1) / mean(x_j N_j), 0, 1)` with x_j = ℓ_j(s) + Σ_k ℓ_jk unscaled.
    /// NaN when mean(x N) is 0 (no LD score at all), which makes the spot singular downstream.
    public func weightHeritability(spatialTimesN: Double) -> Double {
        let meanXN = (spatialTimesN + baselineSumTimesN) / Double(snpCount)
        let h = 10000 * (meanChiSquared - 1) / meanXN
        if h.isNaN { return .nan }
        return Swift.min(Swift.max(h, 0), 1)
    }

    /// The weight-step heritability of a spot from its GSS values (gene order of W).
    public func weightHeritability(gss: UnsafeBufferPointer<Double>) -> Double {
        var s = 0.0
        for g in 0..<gss.count { s += gss[g] * geneSampleSizeWeights[g] }
        return weightHeritability(spatialTimesN: s)
    }
}
