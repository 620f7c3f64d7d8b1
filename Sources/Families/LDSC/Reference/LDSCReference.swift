import CGSL
import GenoBenchCore
import GenoBenchReference

/// The GSL reference of spec §9, in double precision, one spot at a time and written
/// independently of the backends: ℓ(s) = W·GSS_s directly, x and the weights ω of §4.3 with
/// their normalisation Σω = 1, the ω-scaled design X (M x F, row-major) and response, per
/// block `A_b = X_bᵀX_b` by `gsl_blas_dsyrk` and `c_b = X_bᵀy_b` by `gsl_blas_dgemv`, full and
/// delete-one systems by `gsl_linalg_LU_decomp`/`_solve` (a singular LU is `singular`), the
/// rank test by `gsl_linalg_SV_decomp` on the column-scaled X, and p by `gsl_cdf_ugaussian_Q`.
public enum LDSCReference {
    /// The reference for one spot before any precision's threshold is applied.
    public struct Spot: Sendable, Equatable {
        public var spot: Int
        /// Jackknife estimate / N̄ and SE / N̄; NaN when an LU system was singular.
        public var beta: Double
        public var se: Double
        public var z: Double
        public var p: Double
        /// σ_min/σ_max of the column-scaled weighted design (`gsl_linalg_SV_decomp`).
        public var conditionRatio: Double
        /// ĥ² of the weight step.
        public var heritability: Double
        public var luSingular: Bool

        /// The status a backend of this precision must report (its rank threshold applied).
        public func status(for precision: Precision) -> SpotStatus {
            luSingular || !(conditionRatio >= RankTest.threshold(for: precision)) || z.isNaN ? .singular : .ok
        }
    }

    /// The reference for these spots (absolute indices), in the given order.
    public static func solve(_ problem: LDSCProblem, spots: [Int]) -> [Spot] {
        GSL.prepare()
        let prepared = PreparedRegression(problem)
        return spots.map { spot($0, problem: problem, blocks: prepared.blocks) }
    }

    /// Spec §4.1–4.6 for spot s.
    public static func spot(_ s: Int, problem: LDSCProblem, blocks: BlockPartition) -> Spot {
        let snps = problem.snps
        let m = blocks.usedCount, k = snps.baseline.count, f = k + 2
        let ell = problem.annotation.spatialLDScore(spot: s)
        var nSum = 0.0, chiSum = 0.0, xnSum = 0.0
        var x = [Double](repeating: 0, count: m)
        for j in 0..<m {
            var b = ell[j]
            for c in 0..<k { b += snps.baseline[c][j] }
            x[j] = b
            nSum += snps.sampleSizes[j]
            chiSum += snps.chiSquared[j]
            xnSum += b * snps.sampleSizes[j]
        }
        let nbar = nSum / Double(m)
        let h2 = min(max(10000 * (chiSum / Double(m) - 1) / (xnSum / Double(m)), 0), 1)
        var omega = [Double](repeating: 0, count: m)
        var omegaSum = 0.0
        for j in 0..<m {
            let c = h2 * snps.sampleSizes[j] / 10000
            let d = 1 + c * max(x[j], 1)
            omega[j] = (1 / (2 * d * d * max(snps.weightLDScores[j], 1))).squareRoot()
            omegaSum += omega[j]
        }
        var design = [Double](repeating: 0, count: m * f), y = [Double](repeating: 0, count: m)
        for j in 0..<m {
            let w = omega[j] / omegaSum, n = snps.sampleSizes[j] / nbar
            let spatial = problem.options.spatialScaling == .nScaled ? ell[j] * n : ell[j]
            design[j * f] = w * spatial
            for c in 0..<k { design[j * f + 1 + c] = w * snps.baseline[c][j] * n }
            design[j * f + f - 1] = w
            y[j] = w * snps.chiSquared[j]
        }
        let ratio = conditionRatio(design, rows: m, columns: f)
        let nb = blocks.blockCount
        var grams = [Double](repeating: 0, count: nb * f * f), rhs = [Double](repeating: 0, count: nb * f)
        design.withUnsafeMutableBufferPointer { dp in
            y.withUnsafeMutableBufferPointer { yp in
                grams.withUnsafeMutableBufferPointer { gp in
                    rhs.withUnsafeMutableBufferPointer { rp in
                        for b in 0..<nb {
                            let r = blocks.block(b)
                            var xv = gsl_matrix_view_array(dp.baseAddress! + r.lowerBound * f, r.count, f)
                            var yv = gsl_vector_view_array(yp.baseAddress! + r.lowerBound, r.count)
                            var av = gsl_matrix_view_array(gp.baseAddress! + b * f * f, f, f)
                            var cv = gsl_vector_view_array(rp.baseAddress! + b * f, f)
                            _ = gsl_blas_dsyrk(CblasLower, CblasTrans, 1, &xv.matrix, 0, &av.matrix)
                            _ = gsl_blas_dgemv(CblasTrans, 1, &xv.matrix, &yv.vector, 0, &cv.vector)
                        }
                    }
                }
            }
        }
        for b in 0..<nb { for i in 0..<f { for j in (i + 1)..<f { grams[b * f * f + i * f + j] = grams[b * f * f + j * f + i] } } }
        var total = [Double](repeating: 0, count: f * f), totalRHS = [Double](repeating: 0, count: f)
        for b in 0..<nb {
            for i in 0..<(f * f) { total[i] += grams[b * f * f + i] }
            for i in 0..<f { totalRHS[i] += rhs[b * f + i] }
        }
        guard let full = luSolve(total, totalRHS, f) else { return singularSpot(s, ratio, h2) }
        let bb = Double(nb)
        var pseudo = [[Double]]()
        for b in 0..<nb {
            let a = (0..<(f * f)).map { total[$0] - grams[b * f * f + $0] }
            let c = (0..<f).map { totalRHS[$0] - rhs[b * f + $0] }
            guard let del = luSolve(a, c, f) else { return singularSpot(s, ratio, h2) }
            pseudo.append((0..<f).map { bb * full[$0] - (bb - 1) * del[$0] })
        }
        let est = pseudo.reduce(0.0) { $0 + $1[0] } / bb
        let variance = pseudo.reduce(0.0) { $0 + ($1[0] - est) * ($1[0] - est) } / (bb - 1) / bb
        let beta = est / nbar, se = variance.squareRoot() / nbar
        let z = beta / se
        return Spot(spot: s, beta: beta, se: se, z: z, p: gsl_cdf_ugaussian_Q(z), conditionRatio: ratio, heritability: h2, luSingular: false)
    }

    static func singularSpot(_ s: Int, _ ratio: Double, _ h2: Double) -> Spot {
        Spot(spot: s, beta: .nan, se: .nan, z: .nan, p: .nan, conditionRatio: ratio, heritability: h2, luSingular: true)
    }

    /// `A x = c` by `gsl_linalg_LU_decomp` and `gsl_linalg_LU_solve`; nil when GSL finds the LU singular.
    static func luSolve(_ a: [Double], _ c: [Double], _ n: Int) -> [Double]? {
        var a = a, c = c, x = [Double](repeating: 0, count: n)
        let perm = gsl_permutation_alloc(n)!
        defer { gsl_permutation_free(perm) }
        var signum: Int32 = 0
        return a.withUnsafeMutableBufferPointer { ap in
            c.withUnsafeMutableBufferPointer { cp in
                x.withUnsafeMutableBufferPointer { xp in
                    var av = gsl_matrix_view_array(ap.baseAddress, n, n)
                    var cv = gsl_vector_view_array(cp.baseAddress, n)
                    var xv = gsl_vector_view_array(xp.baseAddress, n)
                    guard gsl_linalg_LU_decomp(&av.matrix, perm, &signum) == GSL_SUCCESS else { return nil }
                    for i in 0..<n where gsl_matrix_get(&av.matrix, i, i) == 0 { _ = i; return nil }
                    guard gsl_linalg_LU_solve(&av.matrix, perm, &cv.vector, &xv.vector) == GSL_SUCCESS else { return nil }
                    return Array(xp)
                }
            }
        }
    }

    /// σ_min/σ_max of the design with unit-norm columns (`gsl_linalg_SV_decomp`); 0 for a zero column.
    static func conditionRatio(_ design: [Double], rows m: Int, columns f: Int) -> Double {
        var a = design
        for c in 0..<f {
            var norm = 0.0
            for j in 0..<m { norm += a[j * f + c] * a[j * f + c] }
            norm = norm.squareRoot()
            if norm == 0 { return 0 }
            if norm.isNaN { return .nan }
            for j in 0..<m { a[j * f + c] /= norm }
        }
        var v = [Double](repeating: 0, count: f * f), sv = [Double](repeating: 0, count: f), work = [Double](repeating: 0, count: f)
        let status = a.withUnsafeMutableBufferPointer { ap in
            v.withUnsafeMutableBufferPointer { vp in
                sv.withUnsafeMutableBufferPointer { sp in
                    work.withUnsafeMutableBufferPointer { wp in
                        var av = gsl_matrix_view_array(ap.baseAddress, m, f)
                        var vv = gsl_matrix_view_array(vp.baseAddress, f, f)
                        var svv = gsl_vector_view_array(sp.baseAddress, f)
                        var wv = gsl_vector_view_array(wp.baseAddress, f)
                        return gsl_linalg_SV_decomp(&av.matrix, &vv.matrix, &svv.vector, &wv.vector)
                    }
                }
            }
        }
        guard status == GSL_SUCCESS, let hi = sv.max(), let lo = sv.min(), hi > 0 else { return .nan }
        return lo / hi
    }
}
