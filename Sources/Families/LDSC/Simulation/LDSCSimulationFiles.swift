import Foundation
import GenoBenchData

/// Writes a simulated input set in the formats `genobench ldsc` reads, into a directory:
/// `sumstats.gz` (SNP A1 A2 Z N), `snp_gene_weights.tsv.gz` (W with its NA column),
/// `w_ld.l2.ldscore.gz` (CHR SNP BP L2), `extra.l2.ldscore.gz` (with three baseline columns),
/// `gss.tsv` (genes x spots) and `truth.tsv` (spot, role, generating beta; NaN where none).
/// Numbers are written in the shortest form that reads back to the same Double.
public enum LDSCSimulationFiles {
    public struct Paths: Sendable {
        public var sumstats, weightMatrix, weightLDScores, gss, truth: String
        public var extraBaseline: String?

        /// The `genobench ldsc` command line for these files.
        public func command(backend: String, out: String) -> String {
            var c = "genobench ldsc --sumstats \(sumstats) --ldscores \(weightMatrix) --weights \(weightLDScores) --gss \(gss)"
            if let extraBaseline { c += " --baseline \(extraBaseline)" }
            return c + " --backend \(backend) --out \(out)"
        }
    }

    public static func write(_ sim: LDSCSimulator.Output, to dir: String) throws -> Paths {
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw DataError(file: dir, "cannot create the output directory: \(error)")
        }
        let s = sim.snps
        let p = Paths(sumstats: dir + "/sumstats.gz", weightMatrix: dir + "/snp_gene_weights.tsv.gz", weightLDScores: dir + "/w_ld.l2.ldscore.gz",
                      gss: dir + "/gss.tsv", truth: dir + "/truth.tsv", extraBaseline: s.baseline.count > 2 ? dir + "/extra.l2.ldscore.gz" : nil)
        let ss = try TextFileWriter(path: p.sumstats)
        try ss.write("SNP\tA1\tA2\tZ\tN\n")
        for j in 0..<s.count { try ss.write("\(s.ids[j])\tA\tG\t\(sim.z[j])\t\(s.sampleSizes[j])\n") }
        try ss.close()
        let a = sim.annotation
        try WeightMatrixTable.write(snpIDs: s.ids, geneNames: a.geneNames, matrix: a.weights, naWeights: sim.naWeights, to: p.weightMatrix)
        func ldscore(_ path: String, _ name: String, _ values: [Double]) throws {
            let w = try TextFileWriter(path: path)
            try w.write("CHR\tSNP\tBP\t\(name)\n")
            for j in 0..<s.count { try w.write("1\t\(s.ids[j])\t\(10_000 + 1_000 * j)\t\(values[j])\n") }
            try w.close()
        }
        try ldscore(p.weightLDScores, "L2", s.weightLDScores)
        if let e = p.extraBaseline { try ldscore(e, "extraL2", s.baseline[2]) }
        let ng = a.geneCount, ns = a.spotCount
        var geneMajor = [Double](repeating: 0, count: ng * ns)
        for sp in 0..<ns { for g in 0..<ng { geneMajor[g * ns + sp] = a.gss[sp * ng + g] } }
        try GeneMatrix(geneNames: a.geneNames, spotNames: a.spotNames, values: geneMajor).write(to: p.gss, geneColumn: "HUMAN_GENE_SYM")
        let t = try TextFileWriter(path: p.truth)
        try t.write("spot\trole\tbeta_true\n")
        for sp in 0..<ns { try t.write("\(a.spotNames[sp])\t\(sim.roles[sp])\t\(sim.truth[sp])\n") }
        try t.close()
        return p
    }
}
