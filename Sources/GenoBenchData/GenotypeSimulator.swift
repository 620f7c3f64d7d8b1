import GenoBenchCore

/// Seeded genotypes with block-wise linkage disequilibrium.
///
/// Model: variants fall in consecutive LD blocks of `blockSize`. Along a haplotype, each
/// variant has a latent uniform u; with probability `ldRho` it repeats the previous variant's
/// u (same block), otherwise it is drawn afresh. The haplotype carries allele 1 when
/// u < p, with p uniform in [`mafMin`, `mafMax`] per variant, so allele frequencies are
/// exactly p in expectation and correlation within a block decays roughly as rho^distance;
/// blocks are independent. Two haplotypes make a sample; each call is missing with
/// probability `missingRate`. Positions start at 10,000 on chromosome 1 and step by 1–2,000 bp.
public struct GenotypeSimulator: Sendable {
    public var samples: Int
    public var variants: Int
    public var blockSize: Int = 50
    public var ldRho: Double = 0.9
    public var mafMin: Double = 0.05
    public var mafMax: Double = 0.5
    public var missingRate: Double = 0
    public var seed: UInt64

    public init(samples: Int, variants: Int, seed: UInt64) {
        self.samples = samples
        self.variants = variants
        self.seed = seed
    }

    /// Checks the settings, naming the offending option.
    public func validate() throws {
        // An invalid request (exit 64), not bad data.
        func fail(_ m: String) -> ParameterError { ParameterError("simulate ld: " + m) }
        guard samples >= 1 else { throw fail("--samples must be at least 1, got \(samples)") }
        guard variants >= 1 else { throw fail("--variants must be at least 1, got \(variants)") }
        guard blockSize >= 1 else { throw fail("--block-size must be at least 1, got \(blockSize)") }
        guard (0...1).contains(ldRho) else { throw fail("--ld-rho must be in [0, 1], got \(ldRho)") }
        guard 0 <= mafMin, mafMin <= mafMax, mafMax <= 1 else {
            throw fail("need 0 <= --maf-min <= --maf-max <= 1, got \(mafMin) and \(mafMax)")
        }
        guard (0..<1).contains(missingRate) else { throw fail("--missing-rate must be in [0, 1), got \(missingRate)") }
    }

    public func simulate() throws -> PlinkFileset {
        try validate()
        var rng = RandomSource(seed: seed)
        var freq = [Double](repeating: 0, count: variants)
        var variantList: [Variant] = []
        variantList.reserveCapacity(variants)
        var pos = 10_000
        for v in 0..<variants {
            freq[v] = mafMin + (mafMax - mafMin) * rng.nextUniform()
            let alleles = [("A", "G"), ("C", "T"), ("A", "C"), ("G", "T")][Int(rng.next() % 4)]
            variantList.append(Variant(chromosome: "1", id: "rs\(v + 1)", position: pos, allele1: alleles.0, allele2: alleles.1))
            pos += 1_000 + Int(rng.next() % 1_001)
        }
        let per = (samples + 3) / 4
        var bytes = [UInt8](repeating: 0, count: per * variants)
        // Haplotypes are generated sample by sample so memory stays O(variants).
        var u = [Double](repeating: 0, count: 2)
        var copies = [UInt8](repeating: 0, count: variants)
        for s in 0..<samples {
            for v in 0..<variants { copies[v] = 0 }
            for h in 0..<2 {
                for v in 0..<variants {
                    if v % blockSize == 0 || rng.nextUniform() >= ldRho { u[h] = rng.nextUniform() }
                    if u[h] < freq[v] { copies[v] += 1 }
                }
            }
            for v in 0..<variants {
                let missing = missingRate > 0 && rng.nextUniform() < missingRate
                let code = GenotypeCode.code(allele1Copies: missing ? nil : Int(copies[v]))
                bytes[v * per + s / 4] |= code << UInt8(2 * (s % 4))
            }
        }
        let sampleList = (0..<samples).map { Sample(familyID: "fam\($0 + 1)", individualID: "ind\($0 + 1)") }
        return PlinkFileset(samples: sampleList, variants: variantList,
                            genotypes: PackedGenotypes(sampleCount: samples, variantCount: variants, bytes: bytes))
    }
}
