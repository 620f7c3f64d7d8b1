import ArgumentParser
import Foundation
import GenoBenchCatalog
import GenoBenchCore
import GenoBenchData
import GenoBenchHarness
import GenoBenchLD

struct LDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ld", abstract: "Pairwise LD on a PLINK 1 fileset with one backend.",
        discussion: """
        Writes one tab-separated row per pair (a < b in .bim order): chrom_a pos_a id_a chrom_b pos_b id_b n r r2 d \
        dprime r2_hap flags g00..g22. r and r2 are the dosage correlation over samples observed at both variants \
        (PLINK 1.9 --r/--r2 with --keep-allele-order, counting the .bim column-5 allele); d, dprime, r2_hap come \
        from the haplotype-frequency estimate (Hill 1974 cubic). The run's time, peak memory and tile are printed \
        to standard error.
        """)

    @Option(help: "PLINK 1 fileset prefix (PREFIX.bed/.bim/.fam).") var bfile: String
    @Option(help: "Backend id (see `genobench list`).") var backend: String = "tiled-f64"
    @Option(help: "Output table (tab-separated).") var out: String = "genobench.ld.tsv"
    @Option(name: .customLong("r2-min"), help: "Write pairs with dosage r² at least this (0 writes every pair).") var r2Min = 0.2
    @Option(name: .customLong("window-kb"), help: "Only same-chromosome pairs at most this many kb apart (inclusive).") var windowKb: Double?
    @Option(name: .customLong("block-size"), help: "Variants per tiling block.") var blockSize = 500
    @Option(help: "Split the pair triangle into C subproblems (C triangular: 1, 3, 6, 10, 15, ...).") var subproblems = 1
    @Option(help: "Which subproblem to compute, 1...C.") var part = 1
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup(title: "Resource limits") var limitOptions: LimitOptions

    func run() throws {
        try Failure.guarded {
            let info = try Catalog.registry.backend(backend, family: "ld")
            let threads = threadOptions.apply()
            let options = LDOptions(r2Min: r2Min, windowKb: windowKb, blockSize: blockSize, subproblems: subproblems, part: part)
            // Options are checked against the variant count before any genotype is read.
            let fileset = try PlinkFileset.open(prefix: bfile)
            let problem = try LDProblem(fileset: fileset, options: options)
            let solver: any Backend<LDFamily> = switch info.id {
            case "naive-f32": NaiveLD<Float>()
            case "naive-f64": NaiveLD<Double>()
            case "tiled-f32": TiledLD<Float>()
            default: TiledLD<Double>()
            }
            let (solved, m) = try limitOptions.solve(threads: threads, command: "ld") { context in try Measure.call { try solver.solve(problem, context: context) } }
            try LDTableWriter.write(solved.solution, variants: problem.variants, to: out)
            let window = windowKb.map { "\($0) kb, same chromosome" } ?? "none"
            note("ld: \(backend) on \(bfile): \(problem.sampleCount) samples, \(problem.variantCount) variants; window \(window); r2-min \(r2Min); part \(part)/\(subproblems)")
            note(String(format: "ld: %d pairs compared, %d written to %@; wall %.3f s, cpu %.3f s, peak RSS %.1f MiB (%.1f MiB over the resident set before the call)",
                        solved.solution.pairsCompared, solved.solution.rows.count, out, m.wallSeconds, m.cpuSeconds,
                        Double(m.peakResidentBytes) / 1_048_576, Double(m.peakResidentBytes - m.residentBeforeBytes) / 1_048_576))
            note("ld: diagnostics \(solved.diagnostics.json)")
        }
    }
}
