import GenoBenchCore

/// A raw pointer that may cross into `parallelMap` workers, each of which writes a disjoint
/// range of it.
struct SharedBuffer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}

/// Products with the GRMs K_g = Z_g Z_gᵀ / m_eff,g computed from the packed genotypes, block by
/// block of SNPs (spec reml.md §3.1): decode a block of standardised columns Z_b (n x b), then
/// T = Z_bᵀ V and Out += Z_b T by `?gemm`. Memory is one decoded block plus b x k, never n x n.
///
/// The same decoding feeds `dense(_:)`, which accumulates K = Σ_b Z_b Z_bᵀ by `?syrk` for the
/// exact backends.
public final class KernelOperator<T: Scalar>: @unchecked Sendable {
    public let components: [StandardizedComponent]
    public let sampleCount: Int
    let context: RunContext
    let blockBytes: Int
    /// Bytes of one decoded n x width block of `T` (the width is at least 16 SNPs).
    public var decodedBlockBytes: Int { blockBytes }
    /// Genotype sweeps done so far (one per `apply` call with at least one active component).
    public private(set) var passes = 0
    /// Columns multiplied so far, summed over sweeps (the work measure of the matrix-free backend).
    public private(set) var columnPasses = 0

    public init(components: [StandardizedComponent], context: RunContext, blockBytes: Int = 32 << 20) {
        precondition(!components.isEmpty, "a kernel operator needs at least one component")
        self.components = components
        self.sampleCount = components[0].sampleCount
        self.context = context
        self.blockBytes = blockBytes
    }

    /// Decodes SNPs `snps` of component `g` into `block` (n x snps.count), split over threads.
    func decode(_ g: Int, _ snps: Range<Int>, into block: UnsafeMutablePointer<T>) {
        let c = components[g], n = sampleCount
        let workers = min(context.threads, max(1, snps.count / 8))
        if workers <= 1 {
            c.decode(snps, into: block)
            return
        }
        let shared = SharedBuffer(base: block)
        let chunk = (snps.count + workers - 1) / workers
        _ = context.parallelMap(workers) { w in
            let lo = snps.lowerBound + w * chunk, hi = min(snps.upperBound, lo + chunk)
            if lo < hi { c.decode(lo..<hi, into: shared.base + (lo - snps.lowerBound) * n) }
            return 0
        }
    }

    /// The dense n x n GRM of component `g` (both triangles filled). Polls the context's
    /// cancellation once per SNP block.
    public func dense(_ g: Int) throws -> Matrix<T> {
        let n = sampleCount, c = components[g]
        var k = Matrix<T>(rows: n, columns: n)
        guard c.snpCount > 0, n > 0 else { return k }
        let width = c.blockWidth(for: T.self, bytes: blockBytes)
        var block = [T](repeating: 0, count: n * width)
        try k.storage.withUnsafeMutableBufferPointer { kp in
            try block.withUnsafeMutableBufferPointer { bp in
                for start in stride(from: 0, to: c.snpCount, by: width) {
                    try context.checkCancellation("GRM SNP blocks")
                    let snps = start..<min(c.snpCount, start + width)
                    decode(g, snps, into: bp.baseAddress!)
                    T.syrk(trans: false, n: n, k: snps.count, alpha: 1, a: bp.baseAddress!, lda: n,
                           beta: 1, c: kp.baseAddress!, ldc: n)
                }
            }
        }
        k.symmetrizeFromLower()
        return k
    }

    /// K_g V for every component g in one genotype sweep. `v` is n x `columns`, column-major.
    public func stacked(_ v: [T], columns: Int) throws -> [[T]] {
        try sweep(v, columns: columns, weights: nil)
    }

    /// Σ_g w_g K_g V in one genotype sweep (components with weight 0 are skipped).
    public func weighted(_ v: [T], columns: Int, weights: [Double]) throws -> [T] {
        precondition(weights.count == components.count, "one weight per component")
        return try sweep(v, columns: columns, weights: weights)[0]
    }

    /// One pass over the genotypes; polls the context's cancellation once per SNP block.
    private func sweep(_ v: [T], columns k: Int, weights: [Double]?) throws -> [[T]] {
        let n = sampleCount
        precondition(v.count == n * k, "operand is not n x \(k)")
        let outputs = weights == nil ? components.count : 1
        var out = [[T]](repeating: [T](repeating: 0, count: n * k), count: outputs)
        guard k > 0 else { return out }
        let active = components.indices.filter { g in components[g].effectiveCount > 0 && (weights?[g] ?? 1) != 0 }
        if active.isEmpty { return out }
        passes += 1
        columnPasses += k
        let width = active.map { components[$0].blockWidth(for: T.self, bytes: blockBytes) }.max()!
        var block = [T](repeating: 0, count: n * width)
        var t = [T](repeating: 0, count: width * k)
        try v.withUnsafeBufferPointer { vp in
            try block.withUnsafeMutableBufferPointer { bp in
                try t.withUnsafeMutableBufferPointer { tp in
                    for g in active {
                        let c = components[g]
                        let alpha = T(weights?[g] ?? 1)
                        let slot = weights == nil ? g : 0
                        let w = c.blockWidth(for: T.self, bytes: blockBytes)
                        try out[slot].withUnsafeMutableBufferPointer { op in
                            for start in stride(from: 0, to: c.snpCount, by: w) {
                                try context.checkCancellation("genotype operator SNP blocks")
                                let snps = start..<min(c.snpCount, start + w)
                                let b = snps.count
                                decode(g, snps, into: bp.baseAddress!)
                                // T = Z_bᵀ V (b x k), then Out += alpha Z_b T (n x k).
                                T.gemm(transA: true, transB: false, m: b, n: k, k: n, alpha: 1,
                                       a: bp.baseAddress!, lda: n, b: vp.baseAddress!, ldb: n,
                                       beta: 0, c: tp.baseAddress!, ldc: b)
                                T.gemm(transA: false, transB: false, m: n, n: k, k: b, alpha: alpha,
                                       a: bp.baseAddress!, lda: n, b: tp.baseAddress!, ldb: b,
                                       beta: 1, c: op.baseAddress!, ldc: n)
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
