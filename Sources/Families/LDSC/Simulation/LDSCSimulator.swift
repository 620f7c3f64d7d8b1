import Foundation
import GenoBenchCore

/// Seeded spatial LDSC inputs with known per-spot coefficients.
///
/// SNPs lie in a row; SNP j's nearest gene is g(j) = ⌊j·G/M⌋, except the first 10% of each
/// gene's run, which are unassigned ("NA"). LD is r²_jk = ρ^|j−k| within |j − k| ≤ 40 (ρ = 0.8),
/// so W_jg = Σ_{k ∈ g, |j−k| ≤ 40} ρ^|j−k|, `base` = Σ_g W_jg + NA_j, `all_gene` = Σ_g W_jg, and
/// with three baseline columns a third is the LD score of a random 20% annotation.
/// u_j = base_j·(0.8 + 0.4·U). GSS: a causal profile g* (30% of genes Exp(2), the rest 0);
/// signal spots have GSS_s = k_s·g* + m_s with k_s ∈ [0.5, 2], m_s ∈ [0, 0.5]; null spots draw
/// every gene independently (30% U[0, 4], else 0); `singularSpots` alternate all-zero and
/// uniform GSS (ℓ(s) ∝ all_gene). χ² is drawn around
///
///     E[χ²_j] = 1 + N_j · (τ·ℓ*_j + τ_base·base_j),   ℓ* = W·g*,
///
/// so a signal spot's ℓ(s) = k_s·ℓ* + m_s·all_gene makes E[χ²] exactly linear in its design
/// with coefficient τ/k_s: its generating beta (recovered exactly from noise-free χ², spec §11
/// case 6). Null spots have none (truth NaN: independent of the trait, ≈ 0 in expectation).
/// Z_j = √E[χ²_j]·N(0, 1), or exactly √E[χ²_j] when `noiseFree`.
public struct LDSCSimulator: Sendable {
    public var snps: Int
    public var spots: Int
    public var genes = 500
    public var baselineColumns = 2
    public var signalFraction = 0.25
    public var tau = 2e-6
    public var tauBase = 1.1e-6
    public var sampleSize = 20000.0
    /// N_j = N·(1 + spread·(U − ½)).
    public var sampleSizeSpread = 0.0
    public var noiseFree = false
    public var singularSpots = 0
    public var seed: UInt64

    public init(snps: Int, spots: Int, seed: UInt64) {
        self.snps = snps
        self.spots = spots
        self.seed = seed
    }

    public struct Output: Sendable {
        public var snps: RegressionSNPs
        /// Unassigned-SNP weight per SNP (the NA column of W).
        public var naWeights: [Double]
        public var annotation: SpatialAnnotation
        /// Z per SNP (χ² = Z²) and the generating beta per spot (NaN: none).
        public var z: [Double]
        public var truth: [Double]
        public var roles: [String]
    }

    public func validate() throws {
        func fail(_ m: String) -> LDSCError { .invalidOption(m) }
        guard snps >= 100 else { throw fail("--snps must be at least 100, got \(snps)") }
        guard spots >= 1 else { throw fail("--spots must be at least 1, got \(spots)") }
        guard genes >= 2, genes * 2 <= snps else { throw fail("--genes must be in 2...\(snps / 2), got \(genes)") }
        guard (2...3).contains(baselineColumns) else { throw fail("--baseline-columns must be 2 or 3, got \(baselineColumns)") }
        guard (0...1).contains(signalFraction) else { throw fail("--signal-fraction must be in [0, 1], got \(signalFraction)") }
        guard (0..<2).contains(sampleSizeSpread) else { throw fail("--sample-size-spread must be in [0, 2), got \(sampleSizeSpread)") }
        guard sampleSize > 0 else { throw fail("--sample-size must be positive, got \(sampleSize)") }
        guard (0...spots).contains(singularSpots) else { throw fail("--singular-spots must be in 0...\(spots), got \(singularSpots)") }
    }

    public func simulate() throws -> Output {
        try validate()
        var rng = RandomSource(seed: seed)
        let m = snps, window = 40, rho = 0.8
        let gene = (0..<m).map { j -> Int in
            let g = j * genes / m
            let start = (g * m + genes - 1) / genes, end = ((g + 1) * m + genes - 1) / genes
            return j - start < (end - start) / 10 ? -1 : g
        }
        let powers = (0...window).map { pow(rho, Double($0)) }
        var triples: [(row: Int, column: Int, value: Double)] = []
        triples.reserveCapacity(m * 6)
        var na = [Double](repeating: 0, count: m), base = na, allGene = na, extra = na
        let annotated = (0..<m).map { _ in rng.nextUniform() < 0.2 }
        var bucket: [Int: Double] = [:]
        for j in 0..<m {
            bucket.removeAll(keepingCapacity: true)
            for k in max(0, j - window)...min(m - 1, j + window) {
                let r2 = powers[abs(j - k)]
                if gene[k] < 0 { na[j] += r2 } else { bucket[gene[k], default: 0] += r2 }
                if annotated[k] { extra[j] += r2 }
            }
            for g in bucket.keys.sorted() { triples.append((j, g, bucket[g]!)); allGene[j] += bucket[g]! }
            base[j] = allGene[j] + na[j]
        }
        let w = SparseSNPGeneMatrix(rowCount: m, columnCount: genes, triples: triples)
        let u = base.map { $0 * (0.8 + 0.4 * rng.nextUniform()) }
        let sizes = (0..<m).map { _ in sampleSize * (1 + sampleSizeSpread * (rng.nextUniform() - 0.5)) }
        let causal = (0..<genes).map { _ -> Double in rng.nextUniform() < 0.3 ? -2 * log(1 - rng.nextUniform()) : 0 }
        var gss = [Double](repeating: 0, count: spots * genes)
        var truth = [Double](repeating: .nan, count: spots), roles = [String](repeating: "null", count: spots)
        let signalCount = Int((Double(spots - singularSpots) * signalFraction).rounded())
        for s in 0..<spots {
            if s < singularSpots {
                roles[s] = s % 2 == 0 ? "zero" : "uniform"
                if s % 2 == 1 { for g in 0..<genes { gss[s * genes + g] = 1.5 } }
            } else if s < singularSpots + signalCount {
                let k = 0.5 + 1.5 * rng.nextUniform(), offset = 0.5 * rng.nextUniform()
                for g in 0..<genes { gss[s * genes + g] = k * causal[g] + offset }
                truth[s] = tau / k
                roles[s] = "signal"
            } else {
                for g in 0..<genes { gss[s * genes + g] = rng.nextUniform() < 0.3 ? 4 * rng.nextUniform() : 0 }
            }
        }
        let lStar = causal.withUnsafeBufferPointer { w.times($0) }
        var z = [Double](repeating: 0, count: m)
        for j in 0..<m {
            let mean = 1 + sizes[j] * (tau * lStar[j] + tauBase * base[j])
            z[j] = mean.squareRoot() * (noiseFree ? 1 : rng.nextNormal())
        }
        var baseline = [base, allGene], names = ["base", "all_gene"]
        if baselineColumns == 3 { baseline.append(extra); names.append("extra") }
        let regression = RegressionSNPs(ids: (0..<m).map { "rs\($0 + 1)" }, chiSquared: z.map { $0 * $0 }, sampleSizes: sizes,
                                        weightLDScores: u, baseline: baseline, baselineNames: names)
        let annotation = SpatialAnnotation(weights: w, geneNames: (0..<genes).map { "G\($0 + 1)" }, gss: gss,
                                           spotNames: (0..<spots).map { "spot\($0)" })
        return Output(snps: regression, naWeights: na, annotation: annotation, z: z, truth: truth, roles: roles)
    }
}
