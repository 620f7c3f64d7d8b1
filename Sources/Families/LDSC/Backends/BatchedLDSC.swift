import GenoBenchCore

/// Spots stacked into one pass over the SNPs (spec §4.7, gsMap3D's shape) in precision T.
///
/// For a batch of S spots the SNPs are walked once, 32 rows at a time: the spatial LD scores
/// of those rows for all S spots (sparse W times the batch's GSS, S contiguous, in T), then per
/// row ω² for every spot (in T) and the block Gram terms as S-long vector updates:
///
///     ΣA[0,0] += ω²(ℓt)²,  ΣA[0,c] += ω²(ℓt)·f_c,  Σc[0] += ω²(ℓt)·χ²,
///     ΣA[a,b] += ω²·(f_a f_b),  Σc[a] += ω²·(f_a χ²)        (f_a f_b, f_a χ² precomputed in T)
///
/// ω² needs no square root (the weights of spec §4.3 enter squared). The last multiply and all
/// accumulation are in Double for both precisions: the Gram is then that of the design as T
/// rounds it, accurate to Double's rounding, so the rank screen can decide (a Float-accumulated
/// Gram cannot resolve σ_min/σ_max below ~2e-3, and gsMap's baselines `base` and `all_gene`
/// alone sit near 1e-3). What Float changes is the data path: W, GSS, ℓ(s), the weights and the
/// fixed products in float32, half the memory traffic of those arrays (spec §4.8 "1.73-style":
/// float32 data, float64 accumulation and solves). Every spot's arithmetic is independent of
/// the other spots of its batch, so results do not depend on batch size, sharding or worker
/// count, bit for bit. Memory per compute worker: 32·S spatial scores plus B·S·terms Doubles.
public struct BatchedLDSC<T: Scalar>: Backend {
    public typealias FamilyType = LDSCFamily
    public init() {}
    public var id: String { "batched-\(T.precisionSuffix)" }
    public var version: String { "1" }
    public var precision: Precision { T.precision }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func solve(_ problem: LDSCProblem, context: RunContext) throws -> Solved<LDSCSolution> {
        let (solution, diagnostics) = try LDSCPipelineRun.run(problem, context: context) { (batch: LDSCBatch<T>) in
            Self.kernel(batch)
        }
        var d = diagnostics
        d.set("kernel", "batched")
        return Solved(solution, diagnostics: d)
    }


    static func kernel(_ batch: LDSCBatch<T>) -> [SpotEstimate] {
        let rows = batch.rows, prepared = batch.prepared
        let ns = batch.spots.count, genes = rows.geneCount
        let k1 = rows.fixedCount, pc = rows.productCount
        let terms = k1 + 2 + pc
        let nb = prepared.blocks.blockCount
        // Gene-major copy of the batch's GSS: the S values of one gene are contiguous.
        var gssT = [T](repeating: 0, count: genes * ns)
        for s in 0..<ns { for g in 0..<genes { gssT[g * ns + s] = batch.gss[s * genes + g] } }
        let h = batch.heritability.map { T($0) }
        var block = [Double](repeating: 0, count: nb * terms * ns)
        var spatial = [T](repeating: 0, count: RankTest.subBlockRows * ns)
        var acc = [Double](repeating: 0, count: terms * ns)
        var w2 = [T](repeating: 0, count: ns), q = [T](repeating: 0, count: ns)
        gssT.withUnsafeBufferPointer { gp in
        spatial.withUnsafeMutableBufferPointer { lp in
        acc.withUnsafeMutableBufferPointer { ap in
        w2.withUnsafeMutableBufferPointer { wp in
        q.withUnsafeMutableBufferPointer { qp in
        h.withUnsafeBufferPointer { hp in
        block.withUnsafeMutableBufferPointer { bp in
        rows.weights.withUnsafeBufferPointer { wv in
        rows.genes.withUnsafeBufferPointer { gi in
        rows.fixed.withUnsafeBufferPointer { fx in
        rows.products.withUnsafeBufferPointer { pr in
            let g = gp.baseAddress!, l = lp.baseAddress!, a = ap.baseAddress!, w = wp.baseAddress!, qq = qp.baseAddress!, hh = hp.baseAddress!
            for b in 0..<nb {
                let range = prepared.blocks.block(b)
                var start = range.lowerBound
                while start < range.upperBound {
                    let count = Swift.min(RankTest.subBlockRows, range.upperBound - start)
                    for r in 0..<count {
                        let j = start + r, lr = l + r * ns
                        for s in 0..<ns { lr[s] = 0 }
                        for i in rows.rowStart[j]..<rows.rowStart[j + 1] {
                            let wt = wv[i], gr = g + Int(gi[i]) * ns
                            for s in 0..<ns { lr[s] += wt * gr[s] }
                        }
                    }
                    for r in 0..<count {
                        let j = start + r, lr = l + r * ns
                        let bs = rows.baselineSum[j], hu = rows.halfInverseU[j], nn = rows.nOver10000[j]
                        let t = rows.spatialScale[j], y = rows.response[j]
                        for s in 0..<ns {
                            var x = lr[s] + bs
                            if x < 1 { x = 1 }
                            let d = 1 + hh[s] * nn * x
                            let ws = hu / (d * d)
                            let lt = lr[s] * t
                            w[s] = ws
                            qq[s] = ws * lt
                            a[s] += Double(qq[s]) * Double(lt)
                        }
                        for c in 0..<k1 {
                            let fc = fx[j * k1 + c], ac = a + (1 + c) * ns
                            let fd = Double(fc)
                            for s in 0..<ns { ac[s] += Double(qq[s]) * fd }
                        }
                        let ay = a + (k1 + 1) * ns
                        let yd = Double(y)
                        for s in 0..<ns { ay[s] += Double(qq[s]) * yd }
                        for p in 0..<pc {
                            let v = Double(pr[j * pc + p]), apr = a + (k1 + 2 + p) * ns
                            for s in 0..<ns { apr[s] += Double(w[s]) * v }
                        }
                    }
                    let base = bp.baseAddress! + b * terms * ns
                    for i in 0..<(terms * ns) { base[i] += a[i]; a[i] = 0 }
                    start += count
                }
            }
        }}}}}}}}}}}
        return (0..<ns).map { s in
            finishSpot(s, spots: ns, block: block, terms: terms, batch: batch)
        }
    }

    /// Unpacks one spot's Double terms into block Grams and right-hand sides, then the shared
    /// rank test and jackknife.
    static func finishSpot(_ s: Int, spots ns: Int, block: [Double], terms: Int, batch: LDSCBatch<T>) -> SpotEstimate {
        let prepared = batch.prepared, k1 = batch.rows.fixedCount
        let f = k1 + 1, nb = prepared.blocks.blockCount
        var grams = [Double](repeating: 0, count: nb * f * f), rhs = [Double](repeating: 0, count: nb * f)
        for b in 0..<nb {
            func term(_ t: Int) -> Double { block[(b * terms + t) * ns + s] }
            let gb = b * f * f
            grams[gb] = term(0)
            for c in 0..<k1 { grams[gb + 1 + c] = term(1 + c); grams[gb + (1 + c) * f] = term(1 + c) }
            rhs[b * f] = term(k1 + 1)
            var p = k1 + 2
            for x in 0..<k1 {
                for y in x..<k1 {
                    grams[gb + (1 + x) * f + 1 + y] = term(p)
                    grams[gb + (1 + y) * f + 1 + x] = term(p)
                    p += 1
                }
            }
            for x in 0..<k1 { rhs[b * f + 1 + x] = term(p); p += 1 }
        }
        return grams.withUnsafeBufferPointer { gp in
            rhs.withUnsafeBufferPointer { rp in
                prepared.finish(grams: gp, rhs: rp, precision: T.precision) { norms, threshold in
                    let rows = batch.rows
                    var l = [T](repeating: 0, count: rows.snpCount)
                    batch.gss.withUnsafeBufferPointer { g in
                        l.withUnsafeMutableBufferPointer { rows.spatialScores(gss: g.baseAddress! + s * rows.geneCount, into: $0.baseAddress!) }
                    }
                    return l.withUnsafeBufferPointer { rows.exactConditionRatio(spatial: $0.baseAddress!, heritability: T(batch.heritability[s]),
                                                                                   fullNorms: norms, threshold: threshold) }
                }
            }
        }
    }
}
