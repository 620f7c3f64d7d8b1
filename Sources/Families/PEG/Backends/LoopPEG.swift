import GenoBenchCore

/// The permutation null one draw at a time (DESIGN `loop`; spec peg.md §6): for each draw,
/// permute the rows of Π, form x^π = z ∘ Π^π (k x t), then num_j = x^π_jᵀ a and
/// den_j = x^π_jᵀ Q x^π_j for every gene.
///
/// With V = I, Q = diag(q) and a draw costs O(k·t); draws are spread over the context's
/// threads (plain loops, no BLAS). With dense LD blocks a draw costs one GEMM Q_b·X^π_b per
/// block, O(Σ size²·t), and the draws run in order with the BLAS threads splitting each GEMM.
/// Results do not depend on the thread count.
public struct LoopPEG<T: Scalar>: Backend {
    public typealias FamilyType = PEGFamily
    public init() {}
    public var id: String { "loop-\(T.precisionSuffix)" }
    public var version: String { "1" }
    public var precision: Precision { T.precision }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func solve(_ problem: PEGProblem, context: RunContext) throws -> Solved<PEGSolution> {
        let w = try PreparedWeights<T>(problem)
        let fit = ObservedFit(w, problem: problem)
        let p = problem.permutationCount, k = w.instrumentCount, t = w.geneCount
        var null = [T](repeating: 0, count: p * t)
        let perms = problem.permutations.indices
        switch w.form {
        case .diagonal(let q):
            let parts = contiguousRanges(p, pieces: context.threads * 8)
            try null.withUnsafeMutableBufferPointer { np in
                let out = SharedBuffer(base: np.baseAddress!)
                _ = try context.cancellableMap(parts.count, location: "\(id) permutations") { part in
                    var x = [T](repeating: 0, count: k * t)
                    x.withUnsafeMutableBufferPointer { xb in
                        w.a.withUnsafeBufferPointer { ap in
                            q.withUnsafeBufferPointer { qp in
                                let xp = xb.baseAddress!
                                for d in parts[part] {
                                    Self.formPermuted(xp, w: w, permutation: perms, draw: d)
                                    for j in 0..<t {
                                        var num: T = 0, den: T = 0
                                        let column = xp + j * k
                                        for i in 0..<k {
                                            let v = column[i]
                                            num += ap[i] * v
                                            den += qp[i] * v * v
                                        }
                                        out.base[d + j * p] = num / den
                                    }
                                }
                            }
                        }
                    }
                }
            }
        case .blocks(let blocks):
            var x = [T](repeating: 0, count: k * t), y = [T](repeating: 0, count: k * t)
            try x.withUnsafeMutableBufferPointer { xb in
                try y.withUnsafeMutableBufferPointer { yb in
                    try w.a.withUnsafeBufferPointer { ap in
                        let xp = xb.baseAddress!, yp = yb.baseAddress!
                        for d in 0..<p {
                            if d & 15 == 0 { try context.checkCancellation("\(id) permutation \(d)") }
                            Self.formPermuted(xp, w: w, permutation: perms, draw: d)
                            for b in blocks {
                                b.q.withUnsafeBufferPointer { qp in
                                    T.gemm(transA: false, transB: false, m: b.size, n: t, k: b.size, alpha: 1, a: qp.baseAddress!,
                                           lda: b.size, b: xp + b.start, ldb: k, beta: 0, c: yp + b.start, ldc: k)
                                }
                            }
                            for j in 0..<t {
                                var num: T = 0, den: T = 0
                                let xc = xp + j * k, yc = yp + j * k
                                for i in 0..<k {
                                    num += ap[i] * xc[i]
                                    den += xc[i] * yc[i]
                                }
                                null[d + j * p] = num / den
                            }
                        }
                    }
                }
            }
        }
        let solution = PEGSolution.assemble(fit: fit, null: consume null, instruments: k, permutations: p, context: context)
        var diagnostics = Diagnostics()
        diagnostics.describe(problem, solution)
        diagnostics.set("kernel", "loop")
        return Solved(solution, diagnostics: diagnostics)
    }

    /// x^π_ij = z_i · Π[π_d(i), j] into the k x t buffer `x`.
    @inline(__always)
    static func formPermuted(_ x: UnsafeMutablePointer<T>, w: PreparedWeights<T>, permutation: [Int32], draw d: Int) {
        let k = w.instrumentCount, t = w.geneCount
        permutation.withUnsafeBufferPointer { pp in
            w.z.withUnsafeBufferPointer { zp in
                w.perturbation.withUnsafeBufferPointer { pip in
                    let perm = pp.baseAddress! + d * k
                    for j in 0..<t {
                        let column = j * k
                        for i in 0..<k { x[i + column] = zp[i] * pip[Int(perm[i]) + column] }
                    }
                }
            }
        }
    }
}
