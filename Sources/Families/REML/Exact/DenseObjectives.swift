import GenoBenchCore

/// Dense REML evaluation for any number of GRMs (spec reml.md §2.3) in precision `T`:
/// H = Σθ_g K_g + ηI by Cholesky (`?potrf`), H⁻¹ from the factor (`?potri`), then
/// W = XᵀH⁻¹X, Py, traces tr(P A_i) = tr(H⁻¹A_i) − tr(W⁻¹(H⁻¹X)ᵀA_i(H⁻¹X)) and the AI from
/// P applied to A_i Py. O(n³) per evaluation; the p x p and k x k algebra is in Double.
public struct DenseObjective<T: Scalar>: REMLObjective {
    let kernels: [Matrix<T>]
    let y: [T]
    let x: Matrix<T>
    let n: Int
    public let atoms: [Double]

    public init(kernels: [Matrix<T>], atoms: [Double], data: REMLData) {
        self.kernels = kernels
        self.atoms = atoms
        n = data.sampleCount
        y = data.y.map { T($0) }
        x = Matrix(rows: data.design.rows, columns: data.design.columns, columnMajor: data.design.storage.map { T($0) })
    }

    public mutating func evaluate(_ psi: [Double], iteration: Int) throws -> REMLEvaluation {
        let g = kernels.count, p = x.columns, k = g + 1
        var h = Matrix<T>(rows: n, columns: n)
        for i in 0..<n { h[i, i] = T(psi[g]) }
        for (c, kernel) in kernels.enumerated() where psi[c] != 0 {
            let w = T(psi[c])
            h.storage.withUnsafeMutableBufferPointer { hp in
                kernel.storage.withUnsafeBufferPointer { kp in
                    for i in 0..<(n * n) { hp[i] += w * kp[i] }
                }
            }
        }
        // Cholesky and log|H|.
        let info = h.storage.withUnsafeMutableBufferPointer { T.potrf(n: n, a: $0.baseAddress!, lda: n) }
        guard info == 0 else { throw EvaluationFailure("H is not positive definite (leading minor \(info))") }
        var logDetH = 0.0
        for i in 0..<n { logDetH += 2 * Double.log(Double(h[i, i])) }
        let inv = h.storage.withUnsafeMutableBufferPointer { T.potri(n: n, a: $0.baseAddress!, lda: n) }
        guard inv == 0 else { throw EvaluationFailure("H could not be inverted (potri info \(inv))") }
        h.symmetrizeFromLower()
        let hinv = h
        // H⁻¹[X | y].
        let xy = Matrix(rows: n, columns: p + 1, columnMajor: x.storage + y)
        let hxy = hinv.multiplied(by: xy)
        let hx = Matrix<T>(rows: n, columns: p, columnMajor: Array(hxy.storage[0..<(n * p)]))
        let hy = Array(hxy.storage[(n * p)..<(n * (p + 1))])
        // W = Xᵀ H⁻¹ X in Double.
        let wT = x.multiplied(by: hx, transposeSelf: true)
        let w = Matrix<Double>(rows: p, columns: p, columnMajor: wT.storage.map { Double($0) })
        guard let (wl, logDetW) = SmallLinearAlgebra.cholesky(w) else { throw EvaluationFailure("XᵀH⁻¹X is not positive definite") }
        let xty = x.multiplied(by: Vector(hy), transpose: true).storage.map { Double($0) }
        let beta = SmallLinearAlgebra.solve(factor: wl, Matrix(rows: p, columns: 1, columnMajor: xty)).storage
        // Py = H⁻¹y − H⁻¹X β.
        let hxBeta = hx.multiplied(by: Vector(beta.map { T($0) })).storage
        let py = (0..<n).map { hy[$0] - hxBeta[$0] }
        let yPy = zip(y, py).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        // A_i Py: K_g Py for genetic components, Py for the residual.
        var apy: [[T]] = kernels.map { $0.multiplied(by: Vector(py)).storage }
        apy.append(py)
        // P v = H⁻¹v − H⁻¹X W⁻¹ (H⁻¹X)ᵀ v.
        func applyP(_ v: [T]) -> [Double] {
            let hv = hinv.multiplied(by: Vector(v)).storage
            let t = hx.multiplied(by: Vector(v), transpose: true).storage.map { Double($0) }
            let u = SmallLinearAlgebra.solve(factor: wl, Matrix(rows: p, columns: 1, columnMajor: t)).storage
            let corr = hx.multiplied(by: Vector(u.map { T($0) })).storage
            return (0..<n).map { Double(hv[$0]) - Double(corr[$0]) }
        }
        let papy = apy.map(applyP)
        var ai = Matrix<Double>(rows: k, columns: k)
        for i in 0..<k {
            for j in i..<k {
                var s = 0.0
                for r in 0..<n { s += Double(apy[i][r]) * papy[j][r] }
                ai[i, j] = 0.5 * s
                ai[j, i] = 0.5 * s
            }
        }
        // Traces. tr(H⁻¹K_g) = Σ_ab H⁻¹_ab K_ab; the correction term uses (H⁻¹X)ᵀ A_i (H⁻¹X).
        let wInv = SmallLinearAlgebra.solve(factor: wl, Matrix.identity(p))
        func correction(_ m: Matrix<T>) -> Double {
            var t = 0.0
            for a in 0..<p { for b in 0..<p { t += wInv[a, b] * Double(m[b, a]) } }
            return t
        }
        var score = [Double](repeating: 0, count: k)
        for (c, kernel) in kernels.enumerated() {
            let trHK = hinv.storage.withUnsafeBufferPointer { a in
                kernel.storage.withUnsafeBufferPointer { b in Double(T.dot(count: n * n, x: a.baseAddress!, y: b.baseAddress!)) }
            }
            let khx = kernel.multiplied(by: hx)
            let tr = trHK - correction(hx.multiplied(by: khx, transposeSelf: true))
            let q = (0..<n).reduce(0.0) { $0 + Double(py[$1]) * Double(apy[c][$1]) }
            score[c] = 0.5 * (q - tr)
        }
        var trH = 0.0
        for i in 0..<n { trH += Double(hinv[i, i]) }
        let trR = trH - correction(hx.gram())
        score[g] = 0.5 * (py.reduce(0.0) { $0 + Double($1) * Double($1) } - trR)
        let logL = -0.5 * (logDetH + logDetW + yPy)
        return REMLEvaluation(logLikelihood: logL, score: score, averageInformation: ai, yPy: yPy, logDetH: logDetH, logDetW: logDetW)
    }
}

/// Single-GRM evaluation after one eigendecomposition K = UΛUᵀ (spec reml.md §2.3's FaST-LMM
/// shortcut): in the rotated basis H = θΛ + ηI is diagonal, so each evaluation is O(n·p²).
/// The decomposition is done in `T`; the rotated data and every evaluation in Double.
public struct EigenObjective: REMLObjective {
    public let atoms: [Double]
    let lambda: [Double]
    let yr: [Double]
    let xr: Matrix<Double>

    /// Decomposes `kernel` (destroyed) and rotates the data.
    public init<T: Scalar>(kernel: Matrix<T>, atom: Double, data: REMLData) throws {
        let n = data.sampleCount, p = data.fixedCount
        guard case .success(let (values, vectors)) = kernel.symmetricEigen() else {
            throw REMLError.numerical("the eigendecomposition of the GRM failed")
        }
        var xy = Matrix<T>(rows: n, columns: p + 1, columnMajor: (data.design.storage + data.y).map { T($0) })
        xy = vectors.multiplied(by: xy, transposeSelf: true)
        atoms = [atom]
        lambda = values.storage.map { Double($0) }
        xr = Matrix(rows: n, columns: p, columnMajor: xy.storage[0..<(n * p)].map { Double($0) })
        yr = xy.storage[(n * p)...].map { Double($0) }
    }

    public mutating func evaluate(_ psi: [Double], iteration: Int) throws -> REMLEvaluation {
        let n = lambda.count, p = xr.columns
        let theta = psi[0], eta = psi[1]
        var dinv = [Double](repeating: 0, count: n)
        var logDetH = 0.0
        for i in 0..<n {
            let d = theta * lambda[i] + eta
            guard d > 0 else { throw EvaluationFailure("H is not positive definite (θλ + η = \(d))") }
            dinv[i] = 1 / d
            logDetH += Double.log(d)
        }
        // Xd = D⁻¹X̃, W = X̃ᵀD⁻¹X̃.
        var xd = xr
        for j in 0..<p { for i in 0..<n { xd[i, j] *= dinv[i] } }
        let w = xr.multiplied(by: xd, transposeSelf: true)
        guard let (wl, logDetW) = SmallLinearAlgebra.cholesky(w) else { throw EvaluationFailure("XᵀH⁻¹X is not positive definite") }
        func applyP(_ v: [Double]) -> [Double] {
            let t = xd.multiplied(by: Vector(v), transpose: true)
            let u = SmallLinearAlgebra.solve(factor: wl, Matrix(rows: p, columns: 1, columnMajor: t.storage))
            let corr = xd.multiplied(by: Vector(u.storage)).storage
            return (0..<n).map { v[$0] * dinv[$0] - corr[$0] }
        }
        let py = applyP(yr)
        let yPy = zip(yr, py).reduce(0.0) { $0 + $1.0 * $1.1 }
        let diag: [[Double]] = [lambda, [Double](repeating: 1, count: n)]
        let apy = diag.map { a in (0..<n).map { a[$0] * py[$0] } }
        let papy = apy.map(applyP)
        var ai = Matrix<Double>(rows: 2, columns: 2)
        for i in 0..<2 { for j in 0..<2 { ai[i, j] = 0.5 * zip(apy[i], papy[j]).reduce(0.0) { $0 + $1.0 * $1.1 } } }
        let wInv = SmallLinearAlgebra.solve(factor: wl, Matrix.identity(p))
        var score = [0.0, 0.0]
        for c in 0..<2 {
            let a = diag[c]
            var tr = 0.0
            for i in 0..<n { tr += a[i] * dinv[i] }
            // tr(W⁻¹ Xdᵀ diag(a) Xd).
            var scaled = xd
            for j in 0..<p { for i in 0..<n { scaled[i, j] *= a[i] } }
            let b = xd.multiplied(by: scaled, transposeSelf: true)
            for r in 0..<p { for s in 0..<p { tr -= wInv[r, s] * b[s, r] } }
            let q = zip(py, apy[c]).reduce(0.0) { $0 + $1.0 * $1.1 }
            score[c] = 0.5 * (q - tr)
        }
        return REMLEvaluation(logLikelihood: -0.5 * (logDetH + logDetW + yPy), score: score, averageInformation: ai,
                              yPy: yPy, logDetH: logDetH, logDetW: logDetW)
    }
}
