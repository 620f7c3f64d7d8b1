import GenoBenchCore

/// The permutation null as matrix products over blocks of draws (DESIGN `batched`; spec
/// peg.md §6).
///
/// Numerators: with u = z ∘ a, `num_pj = Σ_i u_i Π[π_p(i), j] = Σ_b u[π_p⁻¹(b)] Π_bj`, so for a
/// block of B draws the matrix U (k x B, column p holds u scattered by π_p: U[π_p(i), p] = u_i)
/// gives every numerator by one GEMM, `Uᵀ Π` (B x t). Denominators with V = I: the same with
/// v = q ∘ z² and Π ∘ Π, a second GEMM, into a B x t buffer that divides the numerators at
/// once. With dense LD blocks, `den_pj = x^πᵀ Q x^π` is a batched quadratic form: the B
/// permuted designs x^π side by side (k x B·t), one in-place triangular product with the
/// Cholesky factor of Q per LD block (‖L_Qᵀx‖²), then column sums of squares: O(P·t·Σ size²)
/// like the loop, with half its flops, in products B·t columns wide.
///
/// Threads: each worker takes blocks of draws as it comes free, and scatters and multiplies
/// them itself with single-threaded BLAS (`BLASThreads.singleThreaded`); the observed fit (and
/// Π ∘ Π) is the first task, beside the first block, not a serial step before them;
/// the dense denominators spread their gathers and dots over the threads and leave the
/// triangular products to the BLAS threads. Draws go in blocks whose scratch (16 draws stored
/// draw-major for OpenBLAS's small-matrix kernels where it has them, else 2¹⁵ elements per
/// worker; 2²⁰ for the dense designs) stays in cache and is reused, whatever P: measured, one
/// k x P scratch per solve spent more time in page faults and memory traffic than in the GEMM.
public struct BatchedPEG<T: Scalar>: Backend {
    public typealias FamilyType = PEGFamily
    /// Whether to lay blocks out for OpenBLAS's small-matrix kernels (`blocking`); the default
    /// asks the kernels in use. Either way the null is the same to rounding.
    public let smallMatrixKernels: Bool
    public init(smallMatrixKernels: Bool = BLASKernels.hasSmallMatrixGEMM) { self.smallMatrixKernels = smallMatrixKernels }
    public var id: String { "batched-\(T.precisionSuffix)" }
    public var version: String { "1" }
    public var precision: Precision { T.precision }

    /// Largest M·N·K that OpenBLAS (0.3.16 and later, AVX-512 cores) sends to its small-matrix
    /// GEMM kernels, which read the operands in place instead of packing them.
    static var smallProduct: Int { 1_000_000 }
    /// Elements of each worker's scatter buffer on the column-major path (256 KiB in Double).
    /// Smaller buffers fault in fewer pages when the heap is cold; larger ones give longer GEMMs.
    static var scratchElements: Int { 1 << 15 }
    /// Rows of OpenBLAS's AVX-512 dgemm micro-kernels (packed and small-matrix), a multiple of
    /// its AVX2 one's: a block width that is a multiple of it leaves no partial tile.
    static var kernelRows: Int { 16 }
    /// Elements of the dense path's block of permuted designs.
    static var designElements: Int { 1 << 20 }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func solve(_ problem: PEGProblem, context: RunContext) throws -> Solved<PEGSolution> {
        let w = try PreparedWeights<T>(problem)
        let fit = Slot<ObservedFit<T>>()
        let p = problem.permutationCount, k = w.instrumentCount, t = w.geneCount
        // Every element is written (by the numerator GEMMs) before it is read.
        var null = [T](unsafeUninitializedCapacity: p * t) { _, n in n = p * t }
        let perms = problem.permutations.indices
        let blocking = Self.blocking(draws: p, instruments: k, genes: t, smallKernels: smallMatrixKernels)
        let width = blocking.width
        let pi = w.perturbation
        try null.withUnsafeMutableBufferPointer { np in
            let out = SharedBuffer(base: np.baseAddress!)
            switch w.form {
            case .diagonal(let q):
                // G = (Uᵀ Π) / (Vᵀ (Π ∘ Π)), block by block. Π ∘ Π and then the observed fit are
                // the first task, beside the first block's numerators.
                let v = (0..<k).map { q[$0] * w.z[$0] * w.z[$0] }
                let squares = Slot<[T]>()
                try Self.scatteredBlocks(k: k, blocking: blocking, extra: width * t, permutations: perms, count: p, context: context, first: {
                    squares.fill(pi.map { $0 * $0 })
                    fit.fill(ObservedFit(w, problem: problem))
                }) { start, b, scatter, den in
                    Self.product(scatter(w.u), pi, b: b, t: t, k: k, drawMajor: blocking.drawMajor, into: out.base + start, ldc: p)
                    Self.product(scatter(v), squares.value, b: b, t: t, k: k, drawMajor: blocking.drawMajor, into: den, ldc: b)
                    for j in 0..<t {
                        let g = out.base + start + j * p, d = den + j * b
                        for c in 0..<b { g[c] /= d[c] }
                    }
                }
            case .blocks(let blocks):
                try Self.scatteredBlocks(k: k, blocking: blocking, extra: 0, permutations: perms, count: p, context: context, first: {
                    fit.fill(ObservedFit(w, problem: problem))
                }) { start, b, scatter, _ in
                    Self.product(scatter(w.u), pi, b: b, t: t, k: k, drawMajor: blocking.drawMajor, into: out.base + start, ldc: p)
                }
                var den = [T](unsafeUninitializedCapacity: p * t) { _, n in n = p * t }
                try den.withUnsafeMutableBufferPointer { dp in
                    try Self.denseDenominators(dp.baseAddress!, w: w, blocks: blocks, permutations: perms, count: p, context: context)
                    for i in 0..<np.count { np[i] /= dp[i] }
                }
            }
        }
        let solution = PEGSolution.assemble(fit: fit.value, null: consume null, instruments: k, permutations: p, context: context)
        var diagnostics = Diagnostics()
        diagnostics.describe(problem, solution)
        diagnostics.set("kernel", "batched")
        diagnostics.set("draws_per_gemm", width)
        diagnostics.set("block_layout", blocking.drawMajor ? "draw-major" : "column-major")
        return Solved(solution, diagnostics: diagnostics)
    }

    /// A block of draws as its GEMM reads it: draw-major, Uᵀ itself (b x k, element (c, r) at
    /// c + r·b) and `Uᵀ Π` one NN GEMM; column-major, U (k x b) and a TN GEMM.
    struct Blocking: Equatable {
        let width: Int
        let drawMajor: Bool
    }

    /// The blocks for P draws of k instruments and t genes. With small-matrix kernels
    /// (`BLASKernels.hasSmallMatrixGEMM`) and a block of `kernelRows` draws within a
    /// small-matrix product (16·t·k ≤ `smallProduct`), draw-major blocks of 16 draws (or P).
    /// Otherwise column-major blocks of about `scratchElements / k` draws: P split into a multiple of 4 blocks of
    /// nearly equal width (so 1, 2 or 4 threads get nearly equal shares), rounded up to a
    /// multiple of `kernelRows`. The last block takes what is left. Never depends on the thread
    /// count.
    ///
    /// One core, the two 1000-draw products at k 445, t 50 (a C driver, Cooperlake kernels):
    /// draw-major blocks of 16 or 32 draws 0.71–0.74 ms, column-major blocks of 64 draws
    /// 1.17 ms, one product each 1.02 ms. Wider draw-major blocks leave the small-matrix path
    /// (48 draws: 1.15 ms) and slow the scatter, whose writes are b elements apart (a C loop:
    /// 0.41 ns per element at 16 draws, 0.43 at 32, 1.1 at 64; column-major 0.31). In the
    /// harness (cold heap, medians of 100, four rounds) 16 draws took 0.86–0.88 ms in Double,
    /// 32 draws 0.89–0.91.
    static func blocking(draws p: Int, instruments k: Int, genes t: Int, smallKernels: Bool) -> Blocking {
        if smallKernels, kernelRows * k * t <= smallProduct { return Blocking(width: max(1, min(p, kernelRows)), drawMajor: true) }
        let widest = max(1, min(p, scratchElements / max(k, 1)))
        let blocks = ((p + widest - 1) / widest + 3) / 4 * 4
        let even = max(1, (p + blocks - 1) / blocks)
        return Blocking(width: min(max(p, 1), (even + kernelRows - 1) / kernelRows * kernelRows), drawMajor: false)
    }

    /// `c = Uᵀ right` (b x t, leading dimension `ldc`) for the block's scatter (`Blocking`).
    @inline(__always)
    static func product(_ u: UnsafeMutablePointer<T>, _ right: [T], b: Int, t: Int, k: Int, drawMajor: Bool,
                        into c: UnsafeMutablePointer<T>, ldc: Int) {
        right.withUnsafeBufferPointer { rp in
            T.gemm(transA: !drawMajor, transB: false, m: b, n: t, k: k, alpha: 1, a: u, lda: drawMajor ? b : k,
                   b: rp.baseAddress!, ldb: k, beta: 0, c: c, ldc: ldc)
        }
    }

    /// Runs `first` and then walks the P draws in blocks of `blocking.width` on the context's threads:
    /// `first` is the first task (whichever worker is free takes the next), for the solve's
    /// other O(k·t) work, and a block that needs what it makes waits for it (`Slot.value`).
    /// Each worker has its own k x width scatter buffer and an `extra` buffer and takes the next
    /// block whenever it is free (a thread slowed by anything else takes fewer), with BLAS
    /// single-threaded so each worker's products run on that worker. `body(start, b, scatter,
    /// extra)` handles draws start..<start+b; `scatter(weights)` fills the buffer with
    /// U[π_p(i), c] = weights_i for the block's draws (column c for draw start + c), laid out as
    /// `blocking` says, and returns it (a permutation writes every row of its column, so the
    /// buffer is never zero-filled). A
    /// block's products do not depend on the worker that takes it.
    ///
    /// Measured at k 500, t 50, P 1000 in Double on 2 cores, workers that scatter and multiply
    /// their own draws took 2.4 ms where parallel scatters followed by two-thread GEMMs took
    /// 3.9 ms: the small GEMMs' hand-offs between Dispatch workers and OpenBLAS threads (which
    /// spin and yield) cost more than the products. Fixed halves of the blocks per thread left
    /// the calling thread, often slowed by a quarter in the median, finishing 0.3 ms after the
    /// other.
    static func scatteredBlocks(k: Int, blocking: Blocking, extra: Int, permutations perms: [Int32], count p: Int, context: RunContext,
                                first: @Sendable () -> Void,
                                _ body: @Sendable (_ start: Int, _ b: Int, _ scatter: ([T]) -> UnsafeMutablePointer<T>,
                                         _ extra: UnsafeMutablePointer<T>) -> Void) throws {
        let width = blocking.width
        let blocks = stride(from: 0, to: p, by: width).map { $0..<min($0 + width, p) }
        let failures = BLASThreads.singleThreaded {
            context.parallelWorkers(items: blocks.count + 1) { _, next -> Error? in
                let scratch = UnsafeMutablePointer<T>.allocate(capacity: k * width)
                let spare = UnsafeMutablePointer<T>.allocate(capacity: max(1, extra))
                defer { scratch.deallocate(); spare.deallocate() }
                do {
                    try perms.withUnsafeBufferPointer { pp in
                        while let item = next() {
                            if item == 0 { first(); continue }
                            let start = blocks[item - 1].lowerBound, b = blocks[item - 1].count
                            try context.checkCancellation("batched permutations from draw \(start)")
                            body(start, b, { weights in
                                weights.withUnsafeBufferPointer { wp in
                                    for c in 0..<b {
                                        let perm = pp.baseAddress! + (start + c) * k
                                        if blocking.drawMajor {
                                            let row = scratch + c
                                            for i in 0..<k { row[Int(perm[i]) * b] = wp[i] }
                                        } else {
                                            let column = scratch + c * k
                                            for i in 0..<k { column[Int(perm[i])] = wp[i] }
                                        }
                                    }
                                }
                                return scratch
                            }, spare)
                        }
                    }
                    return nil
                } catch {
                    return error
                }
            }
        }
        if let failure = failures.compactMap({ $0 }).first { throw failure }
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
