import ArgumentParser
import GenoBenchData

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate", abstract: "Write a simulated input set for a family.",
        discussion: "The last line printed is the `genobench FAMILY ...` command that analyses what was written.",
        subcommands: [SimulateLD.self, SimulateREML.self, SimulateDiD.self, SimulatePEG.self, SimulateLDSC.self])
}

struct SimulateLD: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ld", abstract: "Simulate PLINK 1 genotypes with block LD.")

    @Option(help: "Samples.") var samples: Int
    @Option(help: "Variants.") var variants: Int
    @Option(help: "Seed (the same seed gives the same files).") var seed: UInt64
    @Option(help: "Output prefix: writes PREFIX.bed, PREFIX.bim, PREFIX.fam.") var out: String
    @Option(name: .customLong("ld-block-size"), help: "Variants per simulated LD block.") var ldBlockSize = 50
    @Option(name: .customLong("ld-rho"), help: "Probability a haplotype keeps its latent state to the next variant.") var ldRho = 0.9
    @Option(name: .customLong("maf-min"), help: "Lowest allele frequency.") var mafMin = 0.05
    @Option(name: .customLong("maf-max"), help: "Highest allele frequency.") var mafMax = 0.5
    @Option(name: .customLong("missing-rate"), help: "Probability a call is missing.") var missingRate = 0.0

    func run() throws {
        try Failure.guarded {
            var s = GenotypeSimulator(samples: samples, variants: variants, seed: seed)
            s.blockSize = ldBlockSize; s.ldRho = ldRho; s.mafMin = mafMin; s.mafMax = mafMax; s.missingRate = missingRate
            let fileset = try s.simulate()
            try fileset.write(prefix: out)
            print("wrote \(out).bed, \(out).bim, \(out).fam: \(samples) samples x \(variants) variants (seed \(seed))")
            print("genobench ld --bfile \(out)")
        }
    }
}
