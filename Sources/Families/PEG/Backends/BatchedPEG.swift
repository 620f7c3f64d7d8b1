import GenoBenchCore

/// The permutation null as matrix products over blocks of draws (DESIGN `batched`; spec
/// peg.md §6).
///
/// Numerators: with u = z ∘ a, `num_pj = Σ_i u_i Π[π_p(i), j] = Σ_b u[π_p⁻¹(b)] Π_bj`, so for a
/// block of B draws the matrix U (k x B, column p holds u scattered by π_p: U[π_p(i), p] = u_i)
/// gives every numerator by one GEMM, `Uᵀ Π` (B x t). Denominators with V = I: the same with
/// v = q ∘ z² and Π ∘ Π, a second GEMM. With dense LD blocks, `den_pj = x^πᵀ Q x^π` is a
/// batched quadratic form: the B permuted designs x^π side by side (k x B·t), one in-place
/// triangular product with the Cholesky factor of Q per LD block (‖L_Qᵀx‖²), then column sums
/// of squares: O(P·t·Σ size²) like the loop, with half its flops, in products B·t columns wide. Scatters, gathers and dots are spread over the context's threads (no BLAS
/// inside them); the GEMMs use the BLAS threads. Draws go in blocks whose scratch (2¹⁶
/// elements per numerator buffer, 2²⁰ for the dense designs) stays in cache and is reused,
/// whatever P: measured, one k x P scratch per solve spent more time in page faults and
/// memory traffic than in the GEMM.
public struct BatchedPEG<T: Scalar>: Backend {
    public typealias FamilyType = PEGFamily
    public init() {}
    public var id: String { "batched-\(T.precisionSuffix)" }
    public var version: String { "1" }
    public var precision: Precision { T.precision }

    /// Elements per numerator scratch buffer (512 KiB in Double: L2-sized).
    static var scratchElements: Int { 1 << 16 }
    /// Elements of the dense path's block of permuted designs.
    static var designElements: Int { 1 << 20 }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func solve(_ problem: PEGProblem, context: RunContext) throws -> Solved<PEGSolution> {
        let w = try PreparedWeights<T>(problem)
        let fit = ObservedFit(w, problem: problem)
        let p = problem.permutationCount, k = w.instrumentCount, t = w.geneCount
        var num = [T](repeating: 0, count: p * t), den = [T](repeating: 0, count: p * t)
        let perms = problem.permutations.indices
        let width = max(1, min(p, Self.scratchElements / k))
        try num.withUnsafeMutableBufferPointer { np in
            try den.withUnsafeMutableBufferPointer { dp in
                switch w.form {
                case .diagonal(let q):
                    // Numerators and denominators from one pass over the permutations.
                    let v = (0..<k).map { q[$0] * w.z[$0] * w.z[$0] }
                    try Self.scatteredProducts([(w.u, w.perturbation), (v, w.perturbation.map { $0 * $0 })], into: [np.baseAddress!, dp.baseAddress!],
                                           k: k, t: t, permutations: perms, count: p, width: width, context: context)
                case .blocks(let blocks):
                    try Self.scatteredProducts([(w.u, w.perturbation)], into: [np.baseAddress!], k: k, t: t, permutations: perms, count: p,
                                           width: width, context: context)
                    try Self.denseDenominators(dp.baseAddress!, w: w, blocks: blocks, permutations: perms, count: p, context: context)
                }
            }
        }
        num.withUnsafeMutableBufferPointer { np in den.withUnsafeBufferPointer { dp in for i in 0..<np.count { np[i] /= dp[i] } } }
        let null = num
        let solution = PEGSolution.assemble(fit: fit, null: null, instruments: k, permutations: p)
        var diagnostics = Diagnostics()
        diagnostics.describe(problem, solution)
        diagnostics.set("kernel", "batched")
        diagnostics.set("draws_per_gemm", width)
        return Solved(solution, diagnostics: diagnostics)
    }

    /// `out_pj = Σ_i weights_i · right[π_p(i), j]` for every draw and each (weights, right)
    /// pair: per block of `width` draws, every weight vector is scattered by the draws' π in one
    /// pass (U[π(i), c] = weights_i, column c of a k x width matrix) and `Uᵀ right` is one GEMM
    /// written straight into rows of the P x t output. A permutation writes every row of its
    /// column, so the scratch is never zero-filled.
    static func scatteredProducts(_ pairs: [(weights: [T], right: [T])], into outputs: [UnsafeMutablePointer<T>], k: Int, t: Int,
                                  permutations perms: [Int32], count p: Int, width: Int, context: RunContext) throws {
        let scratch = pairs.map { _ in UnsafeMutablePointer<T>.allocate(capacity: k * width) }
        defer { scratch.forEach { $0.deallocate() } }
        let targets = scratch.map { SharedBuffer(base: $0) }
        for start in stride(from: 0, to: p, by: width) {
            try context.checkCancellation("batched permutations from draw \(start)")
            let b = min(width, p - start)
            let parts = contiguousRanges(b, pieces: context.threads * 4)
            _ = context.parallelMap(parts.count) { part in
                perms.withUnsafeBufferPointer { pp in
                    for (pair, target) in zip(pairs, targets) {
                        pair.weights.withUnsafeBufferPointer { wp in
                            for c in parts[part] {
                                let perm = pp.baseAddress! + (start + c) * k, column = target.base + c * k
                                for i in 0..<k { column[Int(perm[i])] = wp[i] }
                            }
                        }
                    }
                }
            }
            for (n, pair) in pairs.enumerated() {
                pair.right.withUnsafeBufferPointer { rp in
                    T.gemm(transA: true, transB: false, m: b, n: t, k: k, alpha: 1, a: scratch[n], lda: k,
                           b: rp.baseAddress!, ldb: k, beta: 0, c: outputs[n] + start, ldc: p)
                }
            }
        }
    }

    /// den_pj = x^πᵀ Q x^π for dense blocks as ‖L_Qᵀ x^π‖², L_Q the Cholesky factor of each
    /// block of Q (positive definite: W is, and so is the `--alt` Q = NᵀN): the B draws' x^π =
    /// z ∘ Π^π side by side (k x B·t), one in-place `?trmm` per LD block, then column sums of
    /// squares. Half the flops of xᵀ(Qx) by GEMM and one scratch matrix instead of two.
    static func denseDenominators(_ den: UnsafeMutablePointer<T>, w: PreparedWeights<T>, blocks: [PreparedWeights<T>.DenseBlock],
                                  permutations perms: [Int32], count p: Int, context: RunContext) throws {
        let k = w.instrumentCount, t = w.geneCount
        let factors = try blocks.enumerated().map { index, b -> [T] in
            var l = b.q
            let info = l.withUnsafeMutableBufferPointer { T.potrf(n: b.size, a: $0.baseAddress!, lda: b.size) }
            guard info == 0 else {
                throw PEGError.invalidInput("the weight matrix of LD block \(index + 1) is not positive definite in \(T.precision == .f32 ? "Float" : "Double") (potrf info \(info))")
            }
            return l
        }
        let draws = max(1, min(p, designElements / (k * t)))
        // Every element of the used columns is written by the gather before it is read.
        let x = SharedBuffer(base: UnsafeMutablePointer<T>.allocate(capacity: k * t * draws))
        defer { x.base.deallocate() }
        let out = SharedBuffer(base: den)
        let pi = w.perturbation, z = w.z
        for start in stride(from: 0, to: p, by: draws) {
            try context.checkCancellation("batched denominators from draw \(start)")
            let b = min(draws, p - start)
            _ = context.parallelMap(b) { c in
                perms.withUnsafeBufferPointer { pp in
                    pi.withUnsafeBufferPointer { pip in
                        z.withUnsafeBufferPointer { zp in
                            let perm = pp.baseAddress! + (start + c) * k
                            for j in 0..<t {
                                let column = x.base + (c * t + j) * k, source = pip.baseAddress! + j * k
                                for i in 0..<k { column[i] = zp[i] * source[Int(perm[i])] }
                            }
                        }
                    }
                }
            }
            for (block, l) in zip(blocks, factors) {
                l.withUnsafeBufferPointer { lp in
                    T.trmm(transL: true, m: block.size, n: b * t, l: lp.baseAddress!, ldl: block.size, b: x.base + block.start, ldb: k)
                }
            }
            _ = context.parallelMap(b) { c in
                for j in 0..<t {
                    let xc = x.base + (c * t + j) * k
                    var acc: T = 0
                    for i in 0..<k { acc += xc[i] * xc[i] }
                    out.base[(start + c) + j * p] = acc
                }
            }
        }
    }
}
