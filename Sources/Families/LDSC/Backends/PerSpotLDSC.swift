import GenoBenchCore

/// One weighted regression per spot (spec §4, gsMap 1.73's shape) in precision T.
///
/// For each spot of a batch, in turn: its spatial LD scores ℓ(s) = W·GSS_s over all SNPs, the
/// weights ω_j = √ω²_j of spec §4.3, the weighted design with the response,
/// `X̃ = [ω·ℓt | ω·f_1 … ω·f_K | ω | ω·χ²]` materialised (M x (F + 1) in T), and per block the
/// Gram X̃_bᵀX̃_b in Double from the T entries (products and sums in Double, as in the batched
/// backend: the Gram of the design as T rounds it; float32 data, float64 accumulation and solves). The exact rank test, when the screen needs it,
/// runs on the materialised X̃. Memory per compute worker: M·(F + 2) values of T.
public struct PerSpotLDSC<T: Scalar>: Backend {
    public typealias FamilyType = LDSCFamily
    public init() {}
    public var id: String { "per-spot-\(T.precisionSuffix)" }
    public var version: String { "1" }
    public var precision: Precision { T.precision }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func solve(_ problem: LDSCProblem, context: RunContext) throws -> Solved<LDSCSolution> {
        let (solution, diagnostics) = try LDSCPipelineRun.run(problem, context: context) { (batch: LDSCBatch<T>) in
            (0..<batch.spots.count).map { Self.spot($0, batch) }
        }
        var d = diagnostics
        d.set("kernel", "per-spot")
        return Solved(solution, diagnostics: d)
    }

    static func spot(_ s: Int, _ batch: LDSCBatch<T>) -> SpotEstimate {
        let rows = batch.rows, prepared = batch.prepared
        let m = rows.snpCount, k1 = rows.fixedCount
        let f = k1 + 1, width = f + 1
        let h = T(batch.heritability[s])
        var l = [T](repeating: 0, count: m)
        batch.gss.withUnsafeBufferPointer { g in
            l.withUnsafeMutableBufferPointer { rows.spatialScores(gss: g.baseAddress! + s * rows.geneCount, into: $0.baseAddress!) }
        }
        var design = [T](repeating: 0, count: m * width)
        for j in 0..<m {
            let w = rows.weightSquared(j, spatial: l[j], heritability: h).squareRoot()
            let r = j * width
            design[r] = w * (l[j] * rows.spatialScale[j])
            for c in 0..<k1 { design[r + 1 + c] = w * rows.fixed[j * k1 + c] }
            design[r + f] = w * rows.response[j]
        }
        let nb = prepared.blocks.blockCount
        let pairs = width * (width + 1) / 2
        var grams = [Double](repeating: 0, count: nb * f * f), rhs = [Double](repeating: 0, count: nb * f)
        var acc = [Double](repeating: 0, count: pairs), sums = [Double](repeating: 0, count: pairs)
        design.withUnsafeBufferPointer { xp in
            for b in 0..<nb {
                let range = prepared.blocks.block(b)
                for i in 0..<pairs { sums[i] = 0 }
                var start = range.lowerBound
                while start < range.upperBound {
                    let end = Swift.min(start + RankTest.subBlockRows, range.upperBound)
                    for i in 0..<pairs { acc[i] = 0 }
                    for j in start..<end {
                        let x = xp.baseAddress! + j * width
                        var p = 0
                        for u in 0..<width { let xu = Double(x[u]); for v in u..<width { acc[p] += xu * Double(x[v]); p += 1 } }
                    }
                    for i in 0..<pairs { sums[i] += acc[i] }
                    start = end
                }
                var p = 0
                for u in 0..<width {
                    for v in u..<width {
                        if v < f { grams[b * f * f + u * f + v] = sums[p]; grams[b * f * f + v * f + u] = sums[p] }
                        else if u < f { rhs[b * f + u] = sums[p] }
                        p += 1
                    }
                }
            }
        }
        return grams.withUnsafeBufferPointer { gp in
            rhs.withUnsafeBufferPointer { rp in
                prepared.finish(grams: gp, rhs: rp, precision: T.precision) { norms, threshold in
                    RankTest.exactRatio(columns: f, rows: m, fullNorms: norms, threshold: threshold) { j, row in
                        for c in 0..<f { row[c] = Double(design[j * width + c]) }
                    }
                }
            }
        }
    }
}
