import GenoBenchCore

/// The spot-independent parts of the design in the backend's precision T, one entry per SNP
/// used (spec §4.2–4.3), built once per run:
///
///     x_j  = ℓ_j(s) + baselineSum_j                      (weights use the unscaled sum)
///     ω²_j = halfInverseU_j / (1 + ĥ²_s · nOver10000_j · max(x_j, 1))²
///     row  = [ℓ_j(s) · spatialScale_j, ℓ_j1 N_j/N̄, …, ℓ_jK N_j/N̄, 1],  response χ²_j
///
/// with halfInverseU = 1/(2·max(u_j, 1)), nOver10000 = N_j/10000, spatialScale = N_j/N̄ or 1.
/// The weights of spec §4.3 are ω and are normalised to sum 1; the normalisation multiplies
/// every A_b and c_b by one constant, which cancels in β̂ and in every β̂_(b), so the backends
/// skip it (the reference keeps it and agrees).
/// `products` holds, per SNP, f_a·f_b for a ≤ b over the K + 1 fixed columns (baselines and
/// intercept), then f_a·χ²: the terms the batched kernel multiplies by ω² alone.
struct DesignRows<T: Scalar>: @unchecked Sendable {
    let snpCount: Int
    /// K + 1: baselines and the intercept.
    let fixedCount: Int
    let baselineSum: [T]
    let halfInverseU: [T]
    let nOver10000: [T]
    let spatialScale: [T]
    let response: [T]
    /// SNP-major, `fixedCount` per SNP.
    let fixed: [T]
    /// SNP-major, `productCount` per SNP.
    let products: [T]
    var productCount: Int { fixedCount * (fixedCount + 1) / 2 + fixedCount }
    /// W in T, rows = SNPs used.
    let rowStart: [Int]
    let genes: [Int32]
    let weights: [T]
    let geneCount: Int

    init(problem: LDSCProblem, prepared: PreparedRegression) {
        let m = prepared.snpCount, k = prepared.baselineCount, s = problem.snps
        snpCount = m
        fixedCount = k + 1
        let nbar = prepared.meanSampleSize
        var bsum = [T](repeating: 0, count: m), hu = bsum, n1 = bsum, sc = bsum, y = bsum
        var fx = [T](repeating: 0, count: m * (k + 1))
        let pc = (k + 1) * (k + 2) / 2 + (k + 1)
        var pr = [T](repeating: 0, count: m * pc)
        var f = [Double](repeating: 0, count: k + 1)
        for j in 0..<m {
            var b = 0.0
            for c in 0..<k { b += s.baseline[c][j] }
            bsum[j] = T(b)
            hu[j] = T(1 / (2 * Swift.max(s.weightLDScores[j], 1)))
            n1[j] = T(s.sampleSizes[j] / 10000)
            let scale = s.sampleSizes[j] / nbar
            sc[j] = prepared.spatialScaling == .nScaled ? T(scale) : 1
            y[j] = T(s.chiSquared[j])
            for c in 0..<k { f[c] = s.baseline[c][j] * scale }
            f[k] = 1
            for c in 0...k { fx[j * (k + 1) + c] = T(f[c]) }
            var p = j * pc
            for a in 0...k { for bb in a...k { pr[p] = T(f[a]) * T(f[bb]); p += 1 } }
            for a in 0...k { pr[p] = T(f[a]) * y[j]; p += 1 }
        }
        baselineSum = bsum; halfInverseU = hu; nOver10000 = n1; spatialScale = sc; response = y; fixed = fx; products = pr
        let w = problem.annotation.weights
        rowStart = Array(w.rowStart[0...m])
        genes = Array(w.columns[0..<w.rowStart[m]])
        weights = w.values[0..<w.rowStart[m]].map { T($0) }
        geneCount = w.columnCount
    }

    /// ω²_j for one SNP and spot (see the type's formula).
    @inline(__always)
    func weightSquared(_ j: Int, spatial l: T, heritability h: T) -> T {
        var x = l + baselineSum[j]
        if x < 1 { x = 1 }
        let d = 1 + h * nOver10000[j] * x
        return halfInverseU[j] / (d * d)
    }

    /// ℓ_j(s) for every SNP of one spot from its gene values (gene order of W).
    func spatialScores(gss: UnsafePointer<T>, into out: UnsafeMutablePointer<T>) {
        for j in 0..<snpCount {
            var acc: T = 0
            for i in rowStart[j]..<rowStart[j + 1] { acc += weights[i] * gss[Int(genes[i])] }
            out[j] = acc
        }
    }

    /// The exact rank test of one spot (`RankTest`, step 2): its weighted design rows, in
    /// Double from the T values, through a TSQR.
    func exactConditionRatio(spatial: UnsafePointer<T>, heritability h: T, fullNorms: [Double], threshold: Double) -> Double {
        let f = fixedCount + 1
        return RankTest.exactRatio(columns: f, rows: snpCount, fullNorms: fullNorms, threshold: threshold) { j, row in
            let w = Double(weightSquared(j, spatial: spatial[j], heritability: h)).squareRoot()
            row[0] = w * Double(spatial[j] * spatialScale[j])
            for c in 0..<fixedCount { row[c + 1] = w * Double(fixed[j * fixedCount + c]) }
        }
    }
}
