import CGSL
import GenoBenchCore
import GenoBenchReference

/// The exact reference of spec peg.md §13 in double precision with GSL, by the whitened form
/// of §5.1 rather than the backends' explicit W: each LD block factored as V_b = L_b L_bᵀ by
/// `gsl_linalg_cholesky_decomp1`, then ỹ = L⁻¹D⁻¹β and x̃_j = L⁻¹D⁻¹x_j by `gsl_blas_dtrsm`;
/// γ̂_j is the no-intercept OLS slope of ỹ on x̃_j, σ̂²_j its residual mean square over k − 1,
/// p = 2·`gsl_cdf_tdist_Q`(|t|, k − 1). `--alt` regresses ỹ on m̃_j = L⁻¹D⁻¹m_j =
/// Lᵀ D⁻¹ L⁻ᵀ L⁻¹ x_j (two solves, a scaling and `gsl_blas_dtrmm`). With V = I the whitening
/// is x̃ = D⁻¹x and no matrix is formed.
///
/// The null: every draw of the problem's stream whitened and fitted the same way; ties and
/// summaries by the shared `NullSummary` rule. It costs P·t·Σ size² flops (P·t·k with V = I)
/// and is skipped above `problem.referenceMaxWork`.
public enum PEGReference {
    public struct Result: Sendable {
        public var gamma: [Double]
        public var standardError: [Double]
        public var pValue: [Double]
        /// P x t, ties snapped; nil when skipped.
        public var null: Matrix<Double>?
        public var summary: [NullSummary]?
        public var skipped: String?
        /// cond₂(V) = max eigenvalue / min eigenvalue over all blocks (1 for V = I).
        public var conditionNumber: Double
        public var truth: [Double]?
    }

    public static func solve(_ problem: PEGProblem) throws -> Result {
        GSL.prepare()
        let k = problem.instrumentCount, t = problem.geneCount
        let whitener = try Whitener(problem)
        var y = problem.beta
        whitener.whiten(&y, columns: 1)
        // Row-major k x t design x_ij = z_i Π_ij, whitened.
        func design(_ rowOf: (Int) -> Int) -> [Double] {
            var x = [Double](repeating: 0, count: k * t)
            x.withUnsafeMutableBufferPointer { xp in
                problem.perturbation.storage.withUnsafeBufferPointer { pp in
                    for i in 0..<k {
                        let zi = problem.eqtlZ[i], row = rowOf(i)
                        for j in 0..<t { xp[i * t + j] = zi * pp[row + j * k] }
                    }
                }
            }
            if problem.alternative { whitener.whitenAlternative(&x, columns: t) } else { whitener.whiten(&x, columns: t) }
            return x
        }
        let x = design { $0 }
        var gamma = [Double](repeating: 0, count: t), se = gamma, p = gamma
        for j in 0..<t {
            let fit = slope(y, x, column: j, columns: t)
            var rss = 0.0
            for i in 0..<k { let r = y[i] - fit.slope * x[i * t + j]; rss += r * r }
            gamma[j] = fit.slope
            se[j] = (rss / Double(k - 1) / fit.squares).squareRoot()
            let tStat = gamma[j] / se[j]
            p[j] = tStat.isNaN ? .nan : min(1, 2 * gsl_cdf_tdist_Q(abs(tStat), Double(k - 1)))
        }
        var result = Result(gamma: gamma, standardError: se, pValue: p, null: nil, summary: nil, skipped: nil,
                            conditionNumber: try conditionNumber(problem.ld), truth: problem.truth)
        let work = Double(problem.permutationCount) * Double(t) * problem.quadraticWork * (problem.alternative ? 3 : 1)
        guard work <= problem.referenceMaxWork else {
            result.skipped = String(format: "permutation null skipped: P·t·Σsize² = %.3g > reference-max-work %.3g", work, problem.referenceMaxWork)
            return result
        }
        let count = problem.permutationCount
        var null = Matrix<Double>(rows: count, columns: t)
        for d in 0..<count {
            let perm = problem.permutations.draw(d)
            let base = perm.startIndex
            let xp = design { Int(perm[base + $0]) }
            for j in 0..<t { null[d, j] = slope(y, xp, column: j, columns: t).slope }
        }
        result.summary = NullSummary.summarize(null: &null, observed: gamma, precision: .f64)
        result.null = null
        return result
    }

    /// x̃_jᵀỹ / x̃_jᵀx̃_j and x̃_jᵀx̃_j by `gsl_blas_ddot` on a strided column view.
    static func slope(_ y: [Double], _ x: [Double], column j: Int, columns t: Int) -> (slope: Double, squares: Double) {
        let k = y.count
        var xy = 0.0, xx = 0.0
        y.withUnsafeBufferPointer { yp in
            x.withUnsafeBufferPointer { xp in
                var yv = gsl_vector_const_view_array(yp.baseAddress!, k)
                var xv = gsl_vector_const_view_array_with_stride(xp.baseAddress! + j, t, k)
                gsl_blas_ddot(&xv.vector, &yv.vector, &xy)
                gsl_blas_ddot(&xv.vector, &xv.vector, &xx)
            }
        }
        return (xy / xx, xx)
    }

    /// max λ / min λ over the LD blocks (LAPACK eigenvalues; only scales Float tolerances).
    static func conditionNumber(_ ld: InstrumentLD) throws -> Double {
        guard case .blocks(let blocks) = ld else { return 1 }
        var high = 0.0, low = Double.infinity
        for b in blocks {
            guard case .success(let e) = b.matrix.symmetricEigen() else { throw PEGError.invalidInput("LD block eigenvalues failed") }
            high = max(high, e.values.storage.last ?? 0)
            low = min(low, e.values.storage.first ?? 0)
        }
        return low > 0 ? high / low : .infinity
    }
}

/// L⁻¹D⁻¹ (and the `--alt` map Lᵀ D⁻¹ L⁻ᵀ L⁻¹) on row-major k x c matrices, block by block.
struct Whitener {
    let s: [Double]
    /// Row-major Cholesky factors (lower triangle) with their first instrument; empty for V = I.
    let factors: [(start: Int, size: Int, l: [Double])]

    init(_ problem: PEGProblem) throws {
        s = problem.standardErrors
        var f: [(Int, Int, [Double])] = []
        for (index, block) in problem.ld.blocks.enumerated() {
            var l = block.matrix.storage  // symmetric: column-major = row-major
            let status = l.withUnsafeMutableBufferPointer { lp -> Int32 in
                var m = gsl_matrix_view_array(lp.baseAddress!, block.size, block.size)
                return gsl_linalg_cholesky_decomp1(&m.matrix)
            }
            guard status == GSL_SUCCESS else {
                throw PEGError.invalidInput("LD block \(index + 1) is not positive definite (gsl_linalg_cholesky_decomp1: \(String(cString: gsl_strerror(status))))")
            }
            f.append((block.start, block.size, l))
        }
        factors = f
    }

    /// x ← L⁻¹ D⁻¹ x.
    func whiten(_ x: inout [Double], columns c: Int) {
        scaleRows(&x, columns: c)
        solve(&x, columns: c, transpose: false)
    }

    /// x ← Lᵀ D⁻¹ L⁻ᵀ L⁻¹ x, i.e. L⁻¹D⁻¹ m with m = D V D⁻¹ V⁻¹ x.
    func whitenAlternative(_ x: inout [Double], columns c: Int) {
        solve(&x, columns: c, transpose: false)
        solve(&x, columns: c, transpose: true)
        scaleRows(&x, columns: c)
        x.withUnsafeMutableBufferPointer { xp in
            for f in factors {
                f.l.withUnsafeBufferPointer { lp in
                    var lv = gsl_matrix_const_view_array(lp.baseAddress!, f.size, f.size)
                    var xv = gsl_matrix_view_array(xp.baseAddress! + f.start * c, f.size, c)
                    gsl_blas_dtrmm(CblasLeft, CblasLower, CblasTrans, CblasNonUnit, 1, &lv.matrix, &xv.matrix)
                }
            }
        }
    }

    func scaleRows(_ x: inout [Double], columns c: Int) {
        x.withUnsafeMutableBufferPointer { xp in
            for i in 0..<s.count {
                let inverse = 1 / s[i]
                for j in 0..<c { xp[i * c + j] *= inverse }
            }
        }
    }

    func solve(_ x: inout [Double], columns c: Int, transpose: Bool) {
        x.withUnsafeMutableBufferPointer { xp in
            for f in factors {
                f.l.withUnsafeBufferPointer { lp in
                    var lv = gsl_matrix_const_view_array(lp.baseAddress!, f.size, f.size)
                    var xv = gsl_matrix_view_array(xp.baseAddress! + f.start * c, f.size, c)
                    gsl_blas_dtrsm(CblasLeft, CblasLower, transpose ? CblasTrans : CblasNoTrans, CblasNonUnit, 1, &lv.matrix, &xv.matrix)
                }
            }
        }
    }
}
