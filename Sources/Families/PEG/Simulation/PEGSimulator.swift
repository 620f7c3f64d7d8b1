import GenoBenchCore
import GenoBenchData

/// A complete, seeded `peg` input set with a known mediating effect: GWAS and eQTL summary
/// statistics, a perturbation matrix, per-chromosome reference genotypes, gene annotations
/// (for `signal`) and the truth.
///
/// Model (after mrpeg's `data/make_example.py`, on the estimator's own scale): K perturbed
/// genes spread round-robin over C autosomes, each with 2–3 cis SNPs (a lead and 1–2 nearby
/// SNPs in LD, latent-state haplotypes with ρ = 0.75 in the reference panel); one gene in ten
/// sits 100 kb from the previous one and shares its haplotype block, so LD pruning has work
/// to do. eQTL z of a lead is ±U(3, 8), of its neighbours r·z_lead + N(0, 0.5²). Π is
/// (K + extra) x T standard normal. The true GWAS effects are b = γ_j · z ∘ Π[:, j] at the
/// leads for the first focal gene (γ = `effect`, the mediating effect), 0 for the others;
/// observed β = R b + D L ξ per LD group (R the panel's correlation, L the Cholesky factor of
/// R + 0.001·I, D = diag(s), s_i = 1/√(n·U(0.7, 1))), i.e. β ~ N(V b, D V D).
///
/// Deliberate defects exercise every filter: strand-ambiguous neighbour SNPs, 15% of GWAS and
/// eQTL rows with swapped alleles (and negated effects), strand-complement eQTL alleles on
/// some neighbours, a SNP listed for two genes, GWAS rows off the autosomes / with a missing
/// value / with SE = 0 / not in the panel, perturbed genes without eQTL, and a matrix row with
/// a missing entry. None of them removes a lead, so the `--mr-ld` path keeps all K.
public struct PEGSimulator: Sendable {
    public var instruments: Int
    public var focal: Int
    /// 0: min(22, K).
    public var chromosomes = 0
    public var referenceSamples = 500
    public var gwasSamples = 100_000
    /// γ of the first focal gene.
    public var effect = 2e-4
    public var seed: UInt64

    public init(instruments: Int, focal: Int, seed: UInt64) {
        self.instruments = instruments
        self.focal = focal
        self.seed = seed
    }

    public var chromosomeCount: Int { chromosomes > 0 ? chromosomes : min(22, instruments) }

    public func validate() throws {
        func fail(_ m: String) -> PEGError { .invalidOption(m) }
        guard instruments >= 3 else { throw fail("--instruments must be at least 3 (peg needs 3 shared genes), got \(instruments)") }
        guard focal >= 1 else { throw fail("--focal must be at least 1, got \(focal)") }
        guard (0...22).contains(chromosomes) else { throw fail("--chromosomes must be in 1...22 (0: min(22, K)), got \(chromosomes)") }
        guard referenceSamples >= 10 else { throw fail("--ref-samples must be at least 10, got \(referenceSamples)") }
        guard gwasSamples >= 1 else { throw fail("--gwas-samples must be at least 1, got \(gwasSamples)") }
        guard effect.isFinite else { throw fail("--effect must be finite") }
    }

    /// Everything `simulate peg` writes, in memory.
    public struct Output: Sendable {
        public var gwas: String
        public var eqtl: String
        public var perturbation: String
        public var annotations: String
        public var truth: String
        public var filesets: [Int: PlinkFileset]
        /// True γ per focal gene name.
        public var gammas: [String: Double]
    }

    struct SNP { var gene: Int; var position: Int; var a1: String; var a2: String; var freq: Double; var lead: Bool; var newBlock: Bool }

    public func simulate() throws -> Output {
        try validate()
        var rng = RandomSource(seed: seed)
        let c = chromosomeCount
        let geneName = { (g: Int) in "PGENE_" + Self.padded(g + 1, instruments) }
        let focalNames = (0..<focal).map { "FOCAL_" + Self.padded($0 + 1, focal) }
        let plain = [("A", "G"), ("G", "A"), ("C", "T"), ("T", "C"), ("A", "C"), ("C", "A"), ("G", "T"), ("T", "G")]
        let ambiguous = [("A", "T"), ("T", "A"), ("C", "G"), ("G", "C")]
        // Genes, SNPs and positions per chromosome.
        var snpsOf: [Int: [SNP]] = [:]
        var nextPosition = [Int](repeating: 1_000_000, count: c + 1)
        for g in 0..<instruments {
            let chrom = g % c + 1
            let linked = g >= c && rng.nextUniform() < 0.1
            let position = linked ? snpsOf[chrom]!.last!.position + 100_000 : nextPosition[chrom]
            let m = 2 + Int(rng.next() % 2)
            for s in 0..<m {
                let alleles = s > 0 && rng.nextUniform() < 0.25 ? ambiguous[Int(rng.next() % 4)] : plain[Int(rng.next() % 8)]
                snpsOf[chrom, default: []].append(SNP(gene: g, position: position + 3_000 * s, a1: alleles.0, a2: alleles.1,
                                                      freq: 0.1 + 0.4 * rng.nextUniform(), lead: s == 0, newBlock: s == 0 && !linked))
            }
            nextPosition[chrom] = max(nextPosition[chrom], position + 3_000 * m) + 200_000 + Int(rng.next() % 1_300_000)
        }
        let pi = (0..<(instruments + max(1, instruments / 20))).map { _ in (0..<focal).map { _ in rng.nextNormal() } }
        var filesets: [Int: PlinkFileset] = [:]
        var gwas = ["CHR\tSNP\tBP\tA1\tA0\tBETA\tSE"], eqtl = ["CHR\tSNP\tA1\tA0\tZ\tGENE"], genes = ["CHR\tSTART\tEND\tANNO"]
        let s0 = 1 / Double(gwasSamples).squareRoot()
        for chrom in 1...c {
            let snps = snpsOf[chrom] ?? []
            let fileset = haplotypes(snps, chromosome: chrom, rng: &rng)
            filesets[chrom] = fileset
            // LD groups: runs of SNPs from one newBlock to the next.
            var groups: [[Int]] = []
            for (i, s) in snps.enumerated() { if s.newBlock || groups.isEmpty { groups.append([i]) } else { groups[groups.count - 1].append(i) } }
            for group in groups {
                let r = try ReferencePanel.correlation(fileset, variants: group).r
                var z = [Double](repeating: 0, count: group.count)
                for (a, i) in group.enumerated() where snps[i].lead {
                    z[a] = (rng.nextUniform() < 0.5 ? -1 : 1) * (3 + 5 * rng.nextUniform())
                    for (b, j) in group.enumerated() where snps[j].gene == snps[i].gene && !snps[j].lead { z[b] = r[a, b] * z[a] + 0.5 * rng.nextNormal() }
                }
                let b = group.indices.map { a in snps[group[a]].lead ? effect * z[a] * pi[snps[group[a]].gene][0] : 0 }
                var v = r
                for i in 0..<v.rows { v[i, i] = 1.001 }
                guard case .success(let l) = v.choleskyFactor() else { throw PEGError.invalidInput("simulated LD group is not positive definite") }
                let xi = group.map { _ in rng.nextNormal() }
                let se = group.map { _ in s0 / (0.7 + 0.3 * rng.nextUniform()).squareRoot() }
                for a in group.indices {
                    var mean = 0.0, noise = 0.0
                    for q in group.indices { mean += r[a, q] * b[q]; noise += l[a, q] * xi[q] }
                    let snp = snps[group[a]], id = Self.snpID(chrom, group[a])
                    let beta = mean + se[a] * noise
                    let swap = rng.nextUniform() < 0.15
                    gwas.append("\(chrom)\t\(id)\t\(snp.position)\t\(swap ? snp.a2 : snp.a1)\t\(swap ? snp.a1 : snp.a2)\t\(swap ? -beta : beta)\t\(se[a])")
                    let flip = rng.nextUniform() < 0.15
                    var (e1, e0) = flip ? (snp.a2, snp.a1) : (snp.a1, snp.a2)
                    if !snp.lead && rng.nextUniform() < 0.1 { (e1, e0) = (Self.complement(e1), Self.complement(e0)) }
                    eqtl.append("\(chrom)\t\(id)\t\(e1)\t\(e0)\t\(flip ? -z[a] : z[a])\t\(geneName(snp.gene))")
                    if snp.lead {
                        genes.append("\(chrom)\t\(max(0, snp.position - 10_000))\t\(snp.position + 20_000)\t\(geneName(snp.gene))")
                        // One gene in twenty is also listed, weakly, for this SNP: the SNP keeps its own gene.
                        if snp.gene + 1 < instruments && rng.nextUniform() < 0.05 {
                            eqtl.append("\(chrom)\t\(id)\t\(snp.a1)\t\(snp.a2)\t1.0\t\(geneName(snp.gene + 1))")
                        }
                    }
                }
            }
        }
        gwas += ["X\trsX1\t5000\tA\tG\t0.01\t0.003", "1\trsNA1\t7000\tA\tG\tNA\t0.003", "1\trsSE0\t9000\tA\tG\t0.01\t0",
                 "2\trsNOTREF\t11000\tC\tT\t0.01\t0.003"]
        var perturb = ["GENE\t" + focalNames.joined(separator: "\t")]
        for (g, row) in pi.enumerated() {
            let name = g < instruments ? geneName(g) : "XGENE_" + Self.padded(g - instruments + 1, pi.count)
            perturb.append(name + "\t" + row.map { "\($0)" }.joined(separator: "\t"))
        }
        perturb.append("XGENE_NA\t" + (0..<focal).map { $0 == 0 ? "NA" : "0.5" }.joined(separator: "\t"))
        var gammas: [String: Double] = [:]
        var truth = ["gene\tgamma"]
        for (j, n) in focalNames.enumerated() { gammas[n] = j == 0 ? effect : 0; truth.append("\(n)\t\(gammas[n]!)") }
        func text(_ lines: [String]) -> String { lines.joined(separator: "\n") + "\n" }
        return Output(gwas: text(gwas), eqtl: text(eqtl), perturbation: text(perturb), annotations: text(genes), truth: text(truth),
                      filesets: filesets, gammas: gammas)
    }

    /// Reference genotypes of one chromosome: per haplotype a latent uniform per SNP, renewed at
    /// each new block and otherwise kept with probability 0.75; allele 1 when below the SNP's
    /// frequency.
    func haplotypes(_ snps: [SNP], chromosome: Int, rng: inout RandomSource) -> PlinkFileset {
        let n = referenceSamples
        var dosages = [[Int?]](repeating: [Int?](repeating: 0, count: n), count: snps.count)
        for s in 0..<n {
            for _ in 0..<2 {
                var u = 0.0
                for (i, snp) in snps.enumerated() {
                    if snp.newBlock || i == 0 || rng.nextUniform() >= 0.75 { u = rng.nextUniform() }
                    if u < snp.freq { dosages[i][s] = dosages[i][s]! + 1 }
                }
            }
        }
        let variants = snps.enumerated().map { Variant(chromosome: String(chromosome), id: Self.snpID(chromosome, $0.offset), position: $0.element.position, allele1: $0.element.a1, allele2: $0.element.a2) }
        let samples = (0..<n).map { Sample(familyID: "ref\($0 + 1)", individualID: "ref\($0 + 1)") }
        return PlinkFileset(samples: samples, variants: variants, genotypes: PackedGenotypes(sampleCount: n, dosages: dosages))
    }

    static func snpID(_ chromosome: Int, _ index: Int) -> String { "rs\(chromosome)_\(index + 1)" }
    static func padded(_ i: Int, _ of: Int) -> String {
        let width = String(of).count
        let s = String(i)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
    static func complement(_ a: String) -> String { ["A": "T", "T": "A", "C": "G", "G": "C"][a] ?? a }
}
