import GenoBenchCore

/// The permutation null as matrix products over blocks of draws (DESIGN `batched`; spec
/// peg.md §6).
///
/// Numerators: with u = z ∘ a, `num_pj = Σ_i u_i Π[π_p(i), j] = Σ_b u[π_p⁻¹(b)] Π_bj`, so for a
/// block of B draws the matrix U (k x B, column p holds u scattered by π_p: U[π_p(i), p] = u_i)
/// gives every numerator by one GEMM, `Uᵀ Π` (B x t). Denominators with V = I: the same with
/// v = q ∘ z² and Π ∘ Π, a second GEMM. With dense LD blocks, `den_pj = Π^πᵀ Q_z Π^π` is a
/// batched quadratic form: the B permuted matrices Π^π side by side (k x B·t), one GEMM per LD
/// block with Q_z, then column dots, O(P·t·Σ size²) flops like the loop but in GEMMs B·t
/// columns wide. Scatters, gathers and dots are spread over the context's threads (no BLAS
/// inside them); the GEMMs use the BLAS threads. Scratch is bounded by 2²² elements per
/// buffer whatever P.
public struct BatchedPEG<T: Scalar>: Backend {
    public typealias FamilyType = PEGFamily
    public init() {}
    public var id: String { "batched-\(T.precisionSuffix)" }
    public var version: String { "1" }
    public var precision: Precision { T.precision }

    /// Elements per scratch buffer.
    static var scratchElements: Int { 1 << 22 }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func solve(_ problem: PEGProblem, context: RunContext) throws -> Solved<PEGSolution> {
        let w = try PreparedWeights<T>(problem)
        let fit = ObservedFit(w, problem: problem)
        let p = problem.permutationCount, k = w.instrumentCount, t = w.geneCount
        var num = [T](repeating: 0, count: p * t), den = [T](repeating: 0, count: p * t)
        let perms = problem.permutations.indices
        let width = max(1, min(p, Self.scratchElements / k))
        Self.scatteredProducts(&num, weights: w.u, right: w.perturbation, k: k, t: t, permutations: perms, count: p,
                               width: width, context: context)
        switch w.form {
        case .diagonal(let q):
            let v = (0..<k).map { q[$0] * w.z[$0] * w.z[$0] }
            Self.scatteredProducts(&den, weights: v, right: w.perturbation.map { $0 * $0 }, k: k, t: t, permutations: perms,
                                   count: p, width: width, context: context)
        case .blocks(let blocks):
            Self.denseDenominators(&den, w: w, blocks: blocks, permutations: perms, count: p, context: context)
        }
        let null = zip(num, den).map { $0 / $1 }
        let solution = PEGSolution.assemble(fit: fit, null: null, instruments: k, permutations: p)
        var diagnostics = Diagnostics()
        diagnostics.describe(problem, solution)
        diagnostics.set("kernel", "batched")
        diagnostics.set("draws_per_gemm", width)
        return Solved(solution, diagnostics: diagnostics)
    }

    /// `out_pj = Σ_i weights_i · right[π_p(i), j]` for every draw: U (k x width, column c holds
    /// `weights` scattered by π: U[π(i), c] = weights_i) then `Uᵀ right` by one GEMM per block of
    /// `width` draws, written straight into rows of the P x t output.
    static func scatteredProducts(_ out: inout [T], weights: [T], right: [T], k: Int, t: Int, permutations perms: [Int32],
                                  count p: Int, width: Int, context: RunContext) {
        var scratch = [T](repeating: 0, count: k * width)
        for start in stride(from: 0, to: p, by: width) {
            let b = min(width, p - start)
            scratch.withUnsafeMutableBufferPointer { sp in
                let target = SharedBuffer(base: sp.baseAddress!)
                let parts = contiguousRanges(b, pieces: context.threads * 4)
                _ = context.parallelMap(parts.count) { part in
                    perms.withUnsafeBufferPointer { pp in
                        weights.withUnsafeBufferPointer { wp in
                            for c in parts[part] {
                                let perm = pp.baseAddress! + (start + c) * k, column = target.base + c * k
                                for i in 0..<k { column[Int(perm[i])] = wp[i] }
                            }
                        }
                    }
                }
            }
            scratch.withUnsafeBufferPointer { sp in
                right.withUnsafeBufferPointer { rp in
                    out.withUnsafeMutableBufferPointer { op in
                        T.gemm(transA: true, transB: false, m: b, n: t, k: k, alpha: 1, a: sp.baseAddress!, lda: k,
                               b: rp.baseAddress!, ldb: k, beta: 0, c: op.baseAddress! + start, ldc: p)
                    }
                }
            }
        }
    }

    /// den_pj = Π^πᵀ Q_z Π^π for dense blocks: B draws' permuted Π side by side, one GEMM per
    /// LD block, then column dots.
    static func denseDenominators(_ den: inout [T], w: PreparedWeights<T>, blocks: [PreparedWeights<T>.DenseBlock],
                                  permutations perms: [Int32], count p: Int, context: RunContext) {
        let k = w.instrumentCount, t = w.geneCount
        let draws = max(1, min(p, scratchElements / (k * t)))
        var x = [T](repeating: 0, count: k * t * draws), y = [T](repeating: 0, count: k * t * draws)
        let pi = w.perturbation
        for start in stride(from: 0, to: p, by: draws) {
            let b = min(draws, p - start)
            x.withUnsafeMutableBufferPointer { xp in
                let target = SharedBuffer(base: xp.baseAddress!)
                _ = context.parallelMap(b) { c in
                    perms.withUnsafeBufferPointer { pp in
                        pi.withUnsafeBufferPointer { pip in
                            let perm = pp.baseAddress! + (start + c) * k
                            for j in 0..<t {
                                let column = target.base + (c * t + j) * k, source = pip.baseAddress! + j * k
                                for i in 0..<k { column[i] = source[Int(perm[i])] }
                            }
                        }
                    }
                }
            }
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    for block in blocks {
                        block.qz.withUnsafeBufferPointer { qp in
                            T.gemm(transA: false, transB: false, m: block.size, n: b * t, k: block.size, alpha: 1,
                                   a: qp.baseAddress!, lda: block.size, b: xp.baseAddress! + block.start, ldb: k,
                                   beta: 0, c: yp.baseAddress! + block.start, ldc: k)
                        }
                    }
                }
            }
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeBufferPointer { yp in
                    den.withUnsafeMutableBufferPointer { dp in
                        let xs = SharedBuffer(base: UnsafeMutablePointer(mutating: xp.baseAddress!))
                        let ys = SharedBuffer(base: UnsafeMutablePointer(mutating: yp.baseAddress!))
                        let out = SharedBuffer(base: dp.baseAddress!)
                        _ = context.parallelMap(b) { c in
                            for j in 0..<t {
                                let xc = xs.base + (c * t + j) * k, yc = ys.base + (c * t + j) * k
                                var acc: T = 0
                                for i in 0..<k { acc += xc[i] * yc[i] }
                                out.base[(start + c) + j * p] = acc
                            }
                        }
                    }
                }
            }
        }
    }
}
