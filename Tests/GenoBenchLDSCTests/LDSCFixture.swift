import Foundation
import GenoBenchCore
import GenoBenchLDSC

/// Fixture L1003 of spec §11 (no RNG; every value a function of the SNP index j = 0…1002):
/// base_j = 1 + (j mod 37); all_gene_j = base_j·(1 + (j mod 5))/6; ℓ_j = all_gene_j·((7j) mod 11)/5;
/// u_j = max(1, base_j − (j mod 3)); N_j = 20 000; χ²_j = 1 + 0.002·base_j + 0.004·ℓ_j + 0.6·sin(j + 1).
///
/// W has four "gene" columns (ℓ, all_gene, base, all_gene·(1 + 1e-4·sin j)), so each spot's
/// GSS row picks its spatial LD score: the spots are ℓ·1, ℓ·0.01, ℓ·100, 0, all_gene,
/// 3·base and the near-collinear all_gene·(1 + 1e-4 sin j).
enum L1003 {
    static let spotNames = ["k1", "k0.01", "k100", "zero", "all_gene", "3base", "near"]

    static func problem(m: Int = 1003, noise: Bool = true, varyingN: Bool = false, blocks: Int = 10,
                        definition: BlockDefinition = .floor, scaling: SpatialScaling = .nScaled,
                        pipeline: PipelineSettings = PipelineSettings()) throws -> LDSCProblem {
        let j = (0..<m).map(Double.init)
        let base = (0..<m).map { 1 + Double($0 % 37) }
        var allGene = [Double](repeating: 0, count: m), ell = allGene, u = allGene, n = allGene, chi = allGene, near = allGene
        for i in 0..<m {
            allGene[i] = base[i] * Double(1 + i % 5) / 6
            ell[i] = allGene[i] * Double((7 * i) % 11) / 5
            u[i] = max(1, base[i] - Double(i % 3))
            let spread: Double = 20000 * Double((13 * i) % 101) / 100
            n[i] = varyingN ? 40000 + spread : 20000
            let wave: Double = noise ? 0.6 * sin(j[i] + 1) : 0
            chi[i] = 1 + 0.002 * base[i] + 0.004 * ell[i] + wave
            near[i] = allGene[i] * (1 + 1e-4 * sin(j[i]))
        }
        var triples: [(row: Int, column: Int, value: Double)] = []
        for r in 0..<m { for (c, v) in [ell[r], allGene[r], base[r], near[r]].enumerated() { triples.append((r, c, v)) } }
        let w = SparseSNPGeneMatrix(rowCount: m, columnCount: 4, triples: triples)
        let gss: [[Double]] = [[1, 0, 0, 0], [0.01, 0, 0, 0], [100, 0, 0, 0], [0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 3, 0], [0, 0, 0, 1]]
        let snps = RegressionSNPs(ids: (0..<m).map { "rs\($0)" }, chiSquared: chi, sampleSizes: n, weightLDScores: u,
                                  baseline: [base, allGene], baselineNames: ["base", "all_gene"])
        var o = LDSCOptions()
        o.blockCount = blocks
        o.blockDefinition = definition
        o.spatialScaling = scaling
        o.pipeline = pipeline
        let annotation = SpatialAnnotation(weights: w, geneNames: ["ell", "all_gene", "base", "near"], gss: gss.flatMap { $0 }, spotNames: spotNames)
        return try LDSCProblem(snps: snps, annotation: annotation, options: o)
    }
}
