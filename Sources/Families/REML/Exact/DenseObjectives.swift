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

/// Single-GRM evaluation after one orthogonal reduction of the GRM to band form, K = Q B Qᵀ
/// with kd = 64 sub-diagonals (`?sytrd_sy2sb`, mostly level-3 BLAS): the route of spec reml.md
/// §2.3 (FaST-LMM's one decomposition) without forming eigenvectors. In the rotated basis
/// H = Q(θB + ηI)Qᵀ = Q D Qᵀ: one banded Cholesky of D per evaluation (`dpbtrf`, O(n·kd²))
/// gives log|H|, every H⁻¹v (`dpbtrs`, O(n·kd)), and by the Takahashi recurrence the entries
/// of D⁻¹ within the band, hence tr(H⁻¹) and tr(H⁻¹K) = tr(D⁻¹B) (O(n·kd²)); no eigenvalues
/// are computed. Each evaluation is O(n·(kd² + p²)). The reduction and Qᵀ[X y] are done in
/// `T`; B, the rotated data and every evaluation in Double. The one-stage `?sytrd` route this
/// replaces spent about twice as long in its memory-bound `?symv` calls (n = 3000, Double:
/// 2.9–3.9 s against 1.5–1.8 s), and B's eigenvalues (`dsbtrd`) would add 0.6–0.8 s.
public struct BandObjective: REMLObjective {
    public static let bandwidth = 64
    public let atoms: [Double]
    let n: Int
    let kd: Int
    let band: [Double]
    let yr: [Double]
    let xr: Matrix<Double>

    /// Reduces `kernel` (consumed) and rotates the data.
    public init<T: Scalar>(kernel: consuming Matrix<T>, atom: Double, data: REMLData) throws {
        let n = data.sampleCount, p = data.fixedCount
        let kd = Swift.max(1, Swift.min(Self.bandwidth, n - 1))
        let reduction: BandReduction<T>
        do {
            reduction = try BandReduction(reducing: consume kernel, bandwidth: kd)
        } catch {
            throw REMLError.numerical("the band reduction of the GRM failed (\(error))")
        }
        let xy = try reduction.transposedQ(times: Matrix(rows: n, columns: p + 1,
                                                         columnMajor: (data.design.storage + data.y).map { T($0) }))
        atoms = [atom]
        self.n = n
        self.kd = kd
        band = reduction.band.map { Double($0) }
        xr = Matrix(rows: n, columns: p, columnMajor: xy.storage[0..<(n * p)].map { Double($0) })
        yr = xy.storage[(n * p)...].map { Double($0) }
    }

    /// B v.
    func timesB(_ v: [Double]) -> [Double] { symmetricBandProduct(band: band, order: n, bandwidth: kd, v) }

    public mutating func evaluate(_ psi: [Double], iteration: Int) throws -> REMLEvaluation {
        let p = xr.columns
        let theta = psi[0], eta = psi[1]
        // D = θB + ηI, factored once; every H⁻¹v is Q D⁻¹ Qᵀ v in the rotated basis, and
        // log|H|, tr(H⁻¹), tr(H⁻¹K) come from the factor and D⁻¹ within the band.
        var shifted = band.map { theta * $0 }
        for j in 0..<n { shifted[j * (kd + 1)] += eta }
        let chol: SymmetricBandCholesky
        do { chol = try SymmetricBandCholesky(band: shifted, order: n, bandwidth: kd) } catch {
            throw EvaluationFailure("θB + ηI is not positive definite (\(error))")
        }
        let logDetH = chol.logDeterminant
        let inverse = chol.inverseWithinBand()
        let trHinv = (0..<n).reduce(0.0) { $0 + inverse[$1 * (kd + 1)] }
        let trHinvK = symmetricBandTraceOfProduct(inverse, band, order: n, bandwidth: kd)
        func solve(_ v: [Double]) -> [Double] {
            var x = v
            chol.solve(&x, columns: 1)
            return x
        }
        // Xd = D⁻¹X̃, W = X̃ᵀD⁻¹X̃.
        var xd = xr
        chol.solve(&xd.storage, columns: p)
        let w = xr.multiplied(by: xd, transposeSelf: true)
        guard let (wl, logDetW) = SmallLinearAlgebra.cholesky(w) else { throw EvaluationFailure("XᵀH⁻¹X is not positive definite") }
        func applyP(_ v: [Double]) -> [Double] {
            let t = xd.multiplied(by: Vector(v), transpose: true)
            let u = SmallLinearAlgebra.solve(factor: wl, Matrix(rows: p, columns: 1, columnMajor: t.storage))
            let corr = xd.multiplied(by: Vector(u.storage)).storage
            let hv = solve(v)
            return (0..<n).map { hv[$0] - corr[$0] }
        }
        let py = applyP(yr)
        let yPy = zip(yr, py).reduce(0.0) { $0 + $1.0 * $1.1 }
        let apy = [timesB(py), py]
        let papy = apy.map(applyP)
        var ai = Matrix<Double>(rows: 2, columns: 2)
        for i in 0..<2 { for j in 0..<2 { ai[i, j] = 0.5 * zip(apy[i], papy[j]).reduce(0.0) { $0 + $1.0 * $1.1 } } }
        // tr(PA) = tr(D⁻¹A) − tr(W⁻¹ Xdᵀ A Xd), A = B then I.
        let wInv = SmallLinearAlgebra.solve(factor: wl, Matrix.identity(p))
        var bxd = xd
        for j in 0..<p {
            bxd.storage.replaceSubrange((j * n)..<((j + 1) * n), with: timesB(Array(xd.storage[(j * n)..<((j + 1) * n)])))
        }
        let corrections = [xd.multiplied(by: bxd, transposeSelf: true), xd.gram()]
        var score = [0.0, 0.0]
        for (c, tr0) in [trHinvK, trHinv].enumerated() {
            var tr = tr0
            for r in 0..<p { for s in 0..<p { tr -= wInv[r, s] * corrections[c][s, r] } }
            let q = zip(py, apy[c]).reduce(0.0) { $0 + $1.0 * $1.1 }
            score[c] = 0.5 * (q - tr)
        }
        return REMLEvaluation(logLikelihood: -0.5 * (logDetH + logDetW + yPy), score: score, averageInformation: ai,
                              yPy: yPy, logDetH: logDetH, logDetW: logDetW)
    }
}
