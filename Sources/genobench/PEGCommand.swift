import ArgumentParser
import Foundation
import GenoBenchCatalog
import GenoBenchCore
import GenoBenchHarness
import GenoBenchPEG

struct PEGCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peg", abstract: "mrpeg-style perturbation-effect regression with a permutation test, with one backend.",
        discussion: """
        Inputs as mrpeg's (spec peg.md §2): GWAS and eQTL summary statistics (TSV, gzip ok), a perturbation matrix \
        (first column = perturbed gene, one column per downstream gene) and per-chromosome PLINK 1 reference \
        genotypes (--ref-geno with * for the chromosome). Default: LD-prune the instruments and use V = I; --mr-ld \
        keeps every instrument and weights by V = R + 0.001·I. Writes PREFIX.peg.tsv (trait tissue gene_name \
        n_perturb_top n_perturb_all n_gwas_sig gamma gamma_se gamma_p gamma_perm_mean gamma_perm_z gamma_null_p) and \
        PREFIX.log with the counts at each filter step. Errors exit 64 (bad request) or 65 (bad data).
        """)

    @Option(help: "GWAS summary statistics (TSV, gzip ok).") var gwas: String
    @Option(help: "eQTL summary statistics (TSV, gzip ok).") var eqtl: String
    @Option(help: "Perturbation matrix (TSV): perturbed gene id, then one column per downstream gene.") var perturb: String
    @Option(name: .customLong("ref-geno"), help: "PLINK 1 prefix with * for the chromosome (e.g. 'plink/geno_chr*').") var refGeno: String
    @Option(name: .customLong("gwas-cols"), parsing: .upToNextOption, help: "GWAS column names: CHR SNP A1 A0 BETA SE.")
    var gwasCols: [String] = ["CHR", "SNP", "A1", "A0", "BETA", "SE"]
    @Option(name: .customLong("eqtl-cols"), parsing: .upToNextOption, help: "eQTL column names: CHR SNP A1 A0 Z GENE.")
    var eqtlCols: [String] = ["CHR", "SNP", "A1", "A0", "Z", "GENE"]
    @Option(name: .customLong("top-signal"), help: "Fraction in [0, 1] of perturbation entries kept (largest |effect|).") var topSignal = 0.01
    @Option(name: .customLong("min-snps"), help: "Minimum non-zero instruments per downstream gene.") var minSNPs = 10
    @Flag(name: .customLong("mr-ld"), help: "LD-weighted estimator (V = R + ld-ridge·I) instead of LD pruning with V = I.") var mrLD = false
    @Option(name: .customLong("ld-ridge"), help: "Ridge on R with --mr-ld (mrpeg: 0.001; 0 = none).") var ldRidge = 0.001
    @Option(name: .customLong("corr-threshold"), help: "Pruning removes SNPs with |r| above this within 500 kb.") var corrThreshold = 0.1
    @Flag(name: .customLong("keep-ambiguous"), help: "Keep strand-ambiguous (A/T, C/G) GWAS SNPs.") var keepAmbiguous = false
    @Option(name: .customLong("perm-number"), help: "Permutations P.") var permNumber = 1000
    @Option(help: "Seed of the permutation stream (>= 1).") var seed = 12345
    @Flag(help: "Alternative estimator: regress β on D V D⁻¹ V⁻¹ x (equals the default when V = I).") var alt = false
    @Option(help: "Label written in the trait column.") var trait = "Trait"
    @Option(help: "Label written in the tissue column.") var tissue = "Tissue"
    @Option(help: "Backend id (see `genobench list`).") var backend = "batched-f64"
    @Option(help: "Output prefix: writes PREFIX.peg.tsv and PREFIX.log.") var out = "genobench"
    @Flag(name: [.customShort("c"), .long], help: "gzip the table (PREFIX.peg.tsv.gz).") var compress = false
    @Flag(name: .customLong("dump-problem"), help: "Also write the assembled inputs: PREFIX.problem.tsv, PREFIX.ld.tsv (--mr-ld), PREFIX.perms.tsv.")
    var dumpProblem = false
    @Flag(help: "No log on standard error (the .log file is still written).") var quiet = false
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup(title: "Time limit") var timeOptions: TimeoutOptions

    func options() -> PEGOptions {
        var o = PEGOptions()
        o.gwasColumns = gwasCols; o.eqtlColumns = eqtlCols; o.topSignal = topSignal; o.minSNPs = minSNPs; o.mrLD = mrLD
        o.ldRidge = ldRidge; o.corrThreshold = corrThreshold; o.keepAmbiguous = keepAmbiguous; o.permutations = permNumber
        o.seed = seed; o.alternative = alt
        return o
    }

    func run() throws {
        try Failure.guarded {
            var lines = ["genobench \(GenoBench.version) peg", "command: " + CommandLine.arguments.joined(separator: " ")]
            do {
                try analyse(&lines)
            } catch {
                // The log is written whatever fails (an option, the panel, the data, the solve), so
                // the filter counts reached before the failure are kept beside the error.
                lines.append("error: \(error)")
                try? TextFile.write(lines.joined(separator: "\n") + "\n", to: out + ".log")
                throw error
            }
        }
    }

    /// The whole analysis, appending each log line to `lines` (and to standard error unless
    /// `--quiet`); writes the table and the log.
    private func analyse(_ lines: inout [String]) throws {
        let started = DispatchTime.now().uptimeNanoseconds
        _ = try Catalog.registry.backend(backend, family: "peg")
        let options = options()
        _ = try options.validate()
        let panel = try ReferencePanel.files(pattern: refGeno)
        let threads = threadOptions.apply()
        func emit(_ l: String) { lines.append(l); if !quiet { note("peg: " + l) } }
        var steps = FilterLog()
        let analysis: PEGAnalysis
        do {
            analysis = try PEGAnalysis(gwas: try TextTable.read(gwas), eqtl: try TextTable.read(eqtl),
                                       perturbation: try TextTable.read(perturb), reference: panel, options: options, log: &steps)
        } catch {
            steps.lines.forEach(emit)  // the counts of the steps that ran, before the error line
            throw error
        }
        analysis.log.lines.forEach(emit)
        let solver: any Backend<PEGFamily> = switch backend {
        case "loop-f32": LoopPEG<Float>()
        case "loop-f64": LoopPEG<Double>()
        case "batched-f32": BatchedPEG<Float>()
        default: BatchedPEG<Double>()
        }
        let problem = analysis.problem
        emit("estimator: \(options.mrLD ? "LD-weighted, V = R + \(options.ldRidge)·I in \(problem.ld.blocks.count) chromosome blocks" : "LD-pruned, V = I")\(options.alternative ? ", --alt" : ""); k = \(problem.instrumentCount) instruments, t = \(problem.geneCount) genes, P = \(problem.permutationCount) permutations (seed \(options.seed)); backend \(backend), \(threads) threads")
        if dumpProblem {
            try TextFile.write(PEGProblemWriter.problem(problem), to: out + ".problem.tsv")
            if let ld = PEGProblemWriter.ld(problem) { try TextFile.write(ld, to: out + ".ld.tsv") }
            try TextFile.write(PEGProblemWriter.permutations(problem), to: out + ".perms.tsv")
            emit("wrote the assembled inputs to \(out).problem.tsv\(problem.ld.isIdentity ? "" : ", \(out).ld.tsv"), \(out).perms.tsv")
        }
        let (solved, m) = try timeOptions.solve(threads: threads, command: "peg") { context in try Measure.call { try solver.solve(problem, context: context) } }
        let table = PEGTableWriter.render(solved.solution, genes: problem.geneNames, counts: analysis.counts, trait: trait, tissue: tissue)
        let path = out + ".peg.tsv" + (compress ? ".gz" : "")
        try TextFile.write(table, to: path, compress: compress)
        let total = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        emit(String(format: "wrote %@ (%d genes); solve: wall %.3f s, cpu %.3f s, peak RSS %.1f MiB; end to end %.3f s",
                    path, problem.geneCount, m.wallSeconds, m.cpuSeconds, Double(m.peakResidentBytes) / 1_048_576, total))
        emit("diagnostics \(solved.diagnostics.json)")
        try TextFile.write(lines.joined(separator: "\n") + "\n", to: out + ".log")
    }
}

struct SimulatePEG: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peg", abstract: "Simulate a complete peg input set with a known mediating effect.",
        discussion: """
        Writes DIR/gwas.tsv, eqtl.tsv, perturb.tsv, genes.tsv (annotations for `signal`), truth.tsv (true γ per focal \
        gene: --effect for FOCAL_1, 0 for the others) and DIR/ref_chr<c>.bed/.bim/.fam. The harness builds the same \
        data for the same parameters and seed, so `genobench peg` on these files reruns a suite problem \
        (--perm-number and --seed as the suite's permutations and perm-seed). Pass --chromosomes as the suite \
        problem has it: a suite's chromosomes defaults to 4, this command's to min(22, instruments).
        """)

    @Option(help: "Perturbed genes (instruments before filtering).") var instruments: Int
    @Option(help: "Downstream (focal) genes.") var focal: Int
    @Option(help: "Seed (the same seed gives the same files).") var seed: UInt64
    @Option(help: "Output directory (created if missing).") var out: String
    @Option(help: "Autosomes to spread the genes over (0: min(22, instruments)).") var chromosomes = 0
    @Option(name: .customLong("ref-samples"), help: "Reference panel samples.") var refSamples = 500
    @Option(name: .customLong("gwas-samples"), help: "GWAS sample size (SE ≈ 1/sqrt(n)).") var gwasSamples = 100_000
    @Option(help: "True mediating effect γ of the first focal gene.") var effect = 2e-4

    func run() throws {
        try Failure.guarded {
            var s = PEGSimulator(instruments: instruments, focal: focal, seed: seed)
            s.chromosomes = chromosomes; s.referenceSamples = refSamples; s.gwasSamples = gwasSamples; s.effect = effect
            let sim = try s.simulate()
            do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
                throw PEGError.invalidInput("\(out): cannot create the output directory (\(error.localizedDescription))")
            }
            let dir = out.hasSuffix("/") ? String(out.dropLast()) : out
            for (name, text) in [("gwas.tsv", sim.gwas), ("eqtl.tsv", sim.eqtl), ("perturb.tsv", sim.perturbation),
                                 ("genes.tsv", sim.annotations), ("truth.tsv", sim.truth)] {
                try TextFile.write(text, to: dir + "/" + name)
            }
            for (c, fileset) in sim.filesets { try fileset.write(prefix: "\(dir)/ref_chr\(c)") }
            print("wrote \(dir)/{gwas,eqtl,perturb,genes,truth}.tsv and ref_chr1..\(s.chromosomeCount).bed/.bim/.fam: \(instruments) perturbed genes x \(focal) focal genes, effect \(effect) on \(sim.gammas.keys.sorted().first ?? "") (seed \(seed))")
            print("genobench peg --gwas \(dir)/gwas.tsv --eqtl \(dir)/eqtl.tsv --perturb \(dir)/perturb.tsv --ref-geno '\(dir)/ref_chr*' --top-signal 1 --out \(dir)/peg")
        }
    }
}
