import GenoBenchCore

/// The fixed parts of the estimator in precision `T`, formed once per solve (spec peg.md §5).
///
/// With x = z ∘ Π_j (or its permuted version x^π = z ∘ Π[π, j]) every statistic the backends
/// evaluate is `γ̂ = num / den` with
///
///     num = xᵀ a,   den = xᵀ Q x,
///     default:  a = W β,          Q = W = (D V D)⁻¹,               D = diag(s)
///     --alt:    a = V⁻¹ D⁻² β,    Q = V⁻¹ D⁻¹ V D⁻¹ V⁻¹             (spec §5.3)
///
/// and, folding z in, `num = Σ_i u_i Π[π(i), j]` with u = z ∘ a, `den = Π^πᵀ Q_z Π^π` with
/// Q_z = diag(z) Q diag(z). With V = I both collapse to the diagonal W = diag(1/s²) (and `--alt`
/// equals the default exactly). V⁻¹ comes from the Cholesky factor (`?potrf`, `?potri`) of
/// each LD block, never a general inverse.
public struct PreparedWeights<T: Scalar>: Sendable {
    public let instrumentCount: Int
    public let geneCount: Int
    /// Π in T, k x t column-major.
    public let perturbation: [T]
    public let z: [T]
    public let beta: [T]
    public let standardErrors: [T]
    /// Numerator weights a (per instrument, before z).
    public let a: [T]
    /// u = z ∘ a.
    public let u: [T]
    public let form: Form

    public enum Form: Sendable {
        /// V = I: W = Q = diag(q), q = 1/s².
        case diagonal(q: [T])
        case blocks([DenseBlock])
    }

    /// One LD block in T (all size x size, column-major, full symmetric storage).
    public struct DenseBlock: Sendable {
        public let start: Int
        public let size: Int
        public let v: [T]
        public let vInverse: [T]
        /// W_b = D_b⁻¹ V_b⁻¹ D_b⁻¹.
        public let w: [T]
        /// Q_b (= W_b without `--alt`).
        public let q: [T]
        /// diag(z_b) Q_b diag(z_b).
        public let qz: [T]
    }

    /// Converts the problem to T and forms W, a and Q. Throws when an LD block is not
    /// positive definite in this precision (a near-singular V can be one in Double and not in
    /// Float). Cost O(Σ size³ + k·t).
    public init(_ problem: PEGProblem) throws {
        let k = problem.instrumentCount
        instrumentCount = k
        geneCount = problem.geneCount
        perturbation = T.converting(problem.perturbation.storage)
        let z = T.converting(problem.eqtlZ), beta = T.converting(problem.beta), s = T.converting(problem.standardErrors)
        self.z = z
        self.beta = beta
        standardErrors = s
        switch problem.ld {
        case .identity:
            let q = s.map { 1 / ($0 * $0) }
            let a = (0..<k).map { q[$0] * beta[$0] }
            self.a = a
            u = (0..<k).map { z[$0] * a[$0] }
            form = .diagonal(q: q)
        case .blocks(let blocks):
            var a = [T](repeating: 0, count: k)
            var dense: [DenseBlock] = []
            for (index, block) in blocks.enumerated() {
                let prepared = try Self.prepare(block, index: index, z: z, beta: beta, s: s, alternative: problem.alternative)
                dense.append(prepared.block)
                a.replaceSubrange(block.range, with: prepared.a)
            }
            self.a = a
            u = (0..<k).map { z[$0] * a[$0] }
            form = .blocks(dense)
        }
    }

    static func prepare(_ block: LDBlock, index: Int, z: [T], beta: [T], s: [T], alternative: Bool) throws -> (block: DenseBlock, a: [T]) {
        let n = block.size, r = block.range
        let v = Matrix<T>(rows: n, columns: n, columnMajor: block.matrix.storage.map { T($0) })
        var inverse = v
        let info = inverse.storage.withUnsafeMutableBufferPointer { T.potrf(n: n, a: $0.baseAddress!, lda: n) }
        guard info == 0 else {
            throw PEGError.invalidInput("LD block \(index + 1) (instruments \(r.lowerBound + 1)–\(r.upperBound)) is not positive definite in \(T.precision == .f32 ? "Float" : "Double") (leading minor of order \(info)); add a ridge (--ld-ridge) or prune")
        }
        let inv = inverse.storage.withUnsafeMutableBufferPointer { T.potri(n: n, a: $0.baseAddress!, lda: n) }
        guard inv == 0 else { throw PEGError.invalidInput("LD block \(index + 1): inverse failed (LAPACK potri info \(inv))") }
        inverse.symmetrizeFromLower()
        let sb = Array(s[r]), zb = Array(z[r]), bb = Array(beta[r])
        var w = inverse
        for j in 0..<n { for i in 0..<n { w[i, j] = inverse[i, j] / (sb[i] * sb[j]) } }
        let a: [T]
        var q: Matrix<T>
        if alternative {
            // a = V⁻¹ D⁻² β; Q = Mᵀ V M with M = D⁻¹ V⁻¹ (so Mᵀ = V⁻¹ D⁻¹).
            a = inverse.multiplied(by: Vector((0..<n).map { bb[$0] / (sb[$0] * sb[$0]) })).storage
            var m = inverse
            for j in 0..<n { for i in 0..<n { m[i, j] = inverse[i, j] / sb[i] } }
            q = m.multiplied(by: v.multiplied(by: m), transposeSelf: true)
            q.symmetrizeByAveraging()
        } else {
            a = w.multiplied(by: Vector(bb)).storage
            q = w
        }
        var qz = q
        for j in 0..<n { for i in 0..<n { qz[i, j] = zb[i] * q[i, j] * zb[j] } }
        return (DenseBlock(start: block.start, size: n, v: v.storage, vInverse: inverse.storage, w: w.storage, q: q.storage, qz: qz.storage), a)
    }

    /// Diagonal of `Π^ᵀ Q_z Π` for a k x `columns` matrix `x` of (permuted) perturbation
    /// columns, one block GEMM per LD block then column dots: O(Σ size²·columns). `y` is k x
    /// `columns` scratch. BLAS inside: do not call from a parallel loop.
    func quadraticDiagonal(_ x: UnsafePointer<T>, columns: Int, y: UnsafeMutablePointer<T>, into out: UnsafeMutablePointer<T>) {
        let k = instrumentCount
        switch form {
        case .diagonal(let q):
            q.withUnsafeBufferPointer { qp in
                z.withUnsafeBufferPointer { zp in
                    for c in 0..<columns {
                        var acc: T = 0
                        let col = x + c * k
                        for i in 0..<k { let v = zp[i] * col[i]; acc += qp[i] * v * v }
                        out[c] = acc
                    }
                }
            }
        case .blocks(let blocks):
            for b in blocks {
                b.qz.withUnsafeBufferPointer { qp in
                    T.gemm(transA: false, transB: false, m: b.size, n: columns, k: b.size, alpha: 1, a: qp.baseAddress!, lda: b.size,
                           b: x + b.start, ldb: k, beta: 0, c: y + b.start, ldc: k)
                }
            }
            for c in 0..<columns {
                out[c] = T.dot(count: k, x: x + c * k, y: UnsafePointer(y + c * k))
            }
        }
    }
}
