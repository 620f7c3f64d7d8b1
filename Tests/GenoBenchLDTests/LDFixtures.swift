import GenoBenchCore
import GenoBenchData
import GenoBenchLD

/// Small LD problems built from explicit calls.
enum LDFixtures {
    static let backends: [any Backend<LDFamily>] = [NaiveLD<Float>(), NaiveLD<Double>(), TiledLD<Float>(), TiledLD<Double>()]

    /// A fileset from allele-1 copies per variant (nil = missing); positions 1 kb apart on chromosome 1.
    static func fileset(_ dosages: [[Int?]]) -> PlinkFileset {
        let n = dosages.first?.count ?? 0
        let variants = dosages.indices.map { Variant(chromosome: "1", id: "v\($0 + 1)", position: 1000 * ($0 + 1), allele1: "A", allele2: "G") }
        let samples = (0..<n).map { Sample(familyID: "f\($0)", individualID: "i\($0)") }
        return PlinkFileset(samples: samples, variants: variants, genotypes: PackedGenotypes(sampleCount: n, dosages: dosages))
    }

    /// Two variants whose genotype-pair table is `table` (rows: A copies, columns: B copies).
    static func pair(_ table: [[Int]]) -> [[Int?]] {
        var a: [Int?] = [], b: [Int?] = []
        for i in 0..<3 { for j in 0..<3 { for _ in 0..<table[i][j] { a.append(i); b.append(j) } } }
        return [a, b]
    }

    static func problem(_ dosages: [[Int?]], _ options: LDOptions = LDOptions(r2Min: 0)) throws -> LDProblem {
        try LDProblem(fileset: fileset(dosages), options: options)
    }

    static func simulated(samples: Int, variants: Int, seed: UInt64, missing: Double = 0, options: LDOptions) throws -> LDProblem {
        var sim = GenotypeSimulator(samples: samples, variants: variants, seed: seed)
        sim.missingRate = missing
        sim.blockSize = 15
        return try LDProblem(fileset: try sim.simulate(), options: options)
    }

    /// Random calls (uniform 0/1/2, missing with probability `missing`), seeded.
    static func random(samples: Int, variants: Int, seed: UInt64, missing: Double) -> [[Int?]] {
        var rng = RandomSource(seed: seed)
        return (0..<variants).map { _ in
            (0..<samples).map { _ -> Int? in rng.nextUniform() < missing ? nil : Int(rng.next() % 3) }
        }
    }
}
