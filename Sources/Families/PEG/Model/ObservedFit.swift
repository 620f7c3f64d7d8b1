import GenoBenchCore

/// γ̂, se and the t-test p of every focal gene at the observed (unpermuted) data, in
/// precision T (spec peg.md §5.1, §5.3):
///
///     γ̂_j = x_jᵀ a / x_jᵀ Q x_j
///     e_j  = β − γ̂_j x_j               (--alt: β − γ̂_j m_j, m_j = D V D⁻¹ V⁻¹ x_j)
///     σ̂²_j = e_jᵀ W e_j / (k − 1),    se_j = sqrt(σ̂²_j / x_jᵀ Q x_j)
///     p_j  = 2·T_{k−1}.sf(|γ̂_j / se_j|)
///
/// Regression through the origin, σ̂² a free dispersion, every instrument's residual counted
/// for every gene (zeros of Π included). The residual is formed explicitly rather than as
/// βᵀWβ − num²/den, which cancels when the fit is close. Invariant to scaling all s by one
/// constant. A column with x = 0 gives NaN (0/0), not an error. Cost O(Σ size²·t) with dense
/// blocks, O(k·t) with V = I; BLAS inside.
public struct ObservedFit<T: Scalar>: Sendable {
    public var gamma: [T]
    public var standardError: [T]
    public var denominator: [T]
    /// Two-sided t p, computed in Double from the T statistic.
    public var pValue: [Double]

    public init(_ w: PreparedWeights<T>, problem: PEGProblem) {
        let k = w.instrumentCount, t = w.geneCount
        var den = [T](repeating: 0, count: t), num = [T](repeating: 0, count: t)
        // Q x per column, for dense blocks only (the diagonal form needs none).
        var scratch = [T](repeating: 0, count: { if case .diagonal = w.form { 1 } else { k * t } }())
        w.perturbation.withUnsafeBufferPointer { pp in
            scratch.withUnsafeMutableBufferPointer { yp in
                den.withUnsafeMutableBufferPointer { dp in
                    w.quadraticDiagonal(pp.baseAddress!, columns: t, y: yp.baseAddress!, into: dp.baseAddress!)
                }
            }
            // One thread: an O(k·t) product on two would wake OpenBLAS's idle thread, which then
            // spins in sched_yield for 2^28 cycles (~0.1 s) beside the workers that follow.
            BLASThreads.singleThreaded {
                num.withUnsafeMutableBufferPointer { np in
                    w.u.withUnsafeBufferPointer { up in
                        T.gemv(trans: true, m: k, n: t, alpha: 1, a: pp.baseAddress!, lda: k, x: up.baseAddress!, beta: 0, y: np.baseAddress!)
                    }
                }
            }
        }
        let gamma = (0..<t).map { num[$0] / den[$0] }
        let quadratic: [T]
        switch w.form {
        case .diagonal(let q): quadratic = Self.diagonalResidualSquares(w, q: q, gamma: gamma)
        case .blocks(let blocks): quadratic = Self.residualSquares(w, blocks: blocks, gamma: gamma, alternative: problem.alternative)
        }
        let df = T(k - 1)
        var se = [T](repeating: 0, count: t), p = [Double](repeating: 0, count: t)
        for j in 0..<t {
            se[j] = (quadratic[j] / df / den[j]).squareRoot()
            p[j] = StudentT.twoSidedP(Double(gamma[j] / se[j]), degreesOfFreedom: Double(k - 1))
        }
        self.gamma = gamma
        standardError = se
        denominator = den
        pValue = p
    }

    /// e_jᵀ W e_j with W = diag(q), e_ij = β_i − γ̂_j z_i Π_ij, in one pass over Π (no k x t
    /// residual matrix).
    static func diagonalResidualSquares(_ w: PreparedWeights<T>, q: [T], gamma: [T]) -> [T] {
        let k = w.instrumentCount
        return w.perturbation.withUnsafeBufferPointer { pp in
            w.z.withUnsafeBufferPointer { zp in
                w.beta.withUnsafeBufferPointer { bp in
                    q.withUnsafeBufferPointer { qp in
                        gamma.indices.map { j in
                            let g = gamma[j], column = pp.baseAddress! + j * k
                            var acc: T = 0
                            for i in 0..<k { let e = bp[i] - g * (zp[i] * column[i]); acc += qp[i] * e * e }
                            return acc
                        }
                    }
                }
            }
        }
    }

    /// e_jᵀ W e_j for every gene through the explicit k x t residual matrix E (dense blocks,
    /// and `--alt`'s regressors m_j).
    static func residualSquares(_ w: PreparedWeights<T>, blocks: [PreparedWeights<T>.DenseBlock], gamma: [T], alternative: Bool) -> [T] {
        let k = w.instrumentCount, t = w.geneCount
        // Residuals E (k x t): e_j = β − γ̂_j · (x_j or m_j).
        var fitted = Matrix<T>(rows: k, columns: t)
        fitted.storage.withUnsafeMutableBufferPointer { fp in
            w.perturbation.withUnsafeBufferPointer { pp in
                w.z.withUnsafeBufferPointer { zp in
                    for j in 0..<t { for i in 0..<k { fp[i + j * k] = zp[i] * pp[i + j * k] } }
                }
            }
        }
        if alternative { fitted = Self.alternativeRegressors(fitted, blocks: blocks, s: w.standardErrors) }
        var residual = fitted
        residual.storage.withUnsafeMutableBufferPointer { rp in
            w.beta.withUnsafeBufferPointer { bp in
                for j in 0..<t {
                    let g = gamma[j]
                    for i in 0..<k { rp[i + j * k] = bp[i] - g * rp[i + j * k] }
                }
            }
        }
        return weightedSquares(residual, blocks: blocks)
    }

    /// m_j = D V D⁻¹ V⁻¹ x_j for every column, block by block.
    static func alternativeRegressors(_ x: Matrix<T>, blocks: [PreparedWeights<T>.DenseBlock], s: [T]) -> Matrix<T> {
        var m = x
        let k = x.rows, t = x.columns
        for b in blocks {
            var xb = Matrix<T>(rows: b.size, columns: t)
            for j in 0..<t { for i in 0..<b.size { xb[i, j] = x[b.start + i, j] } }
            var r = Matrix<T>(rows: b.size, columns: b.size, columnMajor: b.vInverse).multiplied(by: xb)
            for j in 0..<t { for i in 0..<b.size { r[i, j] /= s[b.start + i] } }
            let vr = Matrix<T>(rows: b.size, columns: b.size, columnMajor: b.v).multiplied(by: r)
            for j in 0..<t { for i in 0..<b.size { m.storage[b.start + i + j * k] = s[b.start + i] * vr[i, j] } }
        }
        return m
    }

    /// e_jᵀ W e_j for every column of E, W block by block.
    static func weightedSquares(_ e: Matrix<T>, blocks: [PreparedWeights<T>.DenseBlock]) -> [T] {
        let k = e.rows, t = e.columns
        var out = [T](repeating: 0, count: t)
        for b in blocks {
            var eb = Matrix<T>(rows: b.size, columns: t)
            for j in 0..<t { for i in 0..<b.size { eb[i, j] = e.storage[b.start + i + j * k] } }
            let we = Matrix<T>(rows: b.size, columns: b.size, columnMajor: b.w).multiplied(by: eb)
            for j in 0..<t { out[j] += Vector(eb.column(j).storage).dot(we.column(j)) }
        }
        return out
    }
}
