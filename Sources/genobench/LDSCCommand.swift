import ArgumentParser
import Foundation
import GenoBenchCatalog
import GenoBenchCore
import GenoBenchHarness
import GenoBenchLDSC

struct LDSCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ldsc", abstract: "Spatial LDSC per spot (gsMap) with a block jackknife, one backend, through the reader/computer/writer pipeline.",
        discussion: """
        Inputs: --sumstats (LDSC format: header with SNP, Z, N; gzip or plain), --ldscores (the SNP-gene LD weight \
        matrix W as a long table SNP GENE WEIGHT, gene NA for unassigned SNPs; a file or a directory of per-chromosome \
        files), --weights (regression-weight LD scores w_ld, LDSC .l2.ldscore format, file or directory), and either \
        --gss (genes x spots table) or --expression + --neighbours (the GSS is computed first, gsMap 1.73's rule). \
        The baselines are base and all_gene from W plus each --baseline table's columns. Writes one row per spot: \
        spot beta se z p neg_log10_p status (p one-sided; singular spots kept with nan). The pipeline summary goes to \
        standard error.
        """)

    @Option(help: "GWAS summary statistics: SNP Z N (header; whitespace; gzip accepted).") var sumstats: String
    @Option(help: "SNP-gene LD weight matrix W: SNP GENE WEIGHT (file or directory).") var ldscores: String
    @Option(help: "Regression-weight LD scores w_ld (.l2.ldscore[.gz], file or directory).") var weights: String
    @Option(help: "GSS, genes x spots (first column gene names, one column per spot).") var gss: String?
    @Option(help: "Expression counts, genes x spots (instead of --gss: the GSS is computed from it).") var expression: String?
    @Option(help: "Homogeneous neighbourhoods, one line per spot: SPOT NEIGHBOUR ... (with --expression).") var neighbours: String?
    @Flag(name: .customLong("no-expression-fraction"), help: "GSS without the expression-fraction gate.") var noExpressionFraction = false
    @Option(name: .customLong("gss-out"), help: "Also write the GSS computed from --expression here.") var gssOut: String?
    @Option(parsing: .singleValue, help: "Extra baseline LD score table (.l2.ldscore[.gz]); repeatable.") var baseline: [String] = []
    @Option(name: .customLong("spot-range"), help: "Spots START:END only (half-open, 0-based, over the GSS spot order).") var spotRange: String?
    @Option(name: .customLong("chisq-max"), help: "Keep SNPs with χ² below this (default max(0.001·max N, 80)).") var chisqMax: Double?
    @Option(name: .customLong("n-blocks"), help: "Jackknife blocks.") var nBlocks = 200
    @Option(name: .customLong("block-definition"), help: "floor (gsMap 1.73, all SNPs) or truncate (gsMap3D, drops M mod B).") var blockDefinition = "floor"
    @Option(name: .customLong("spatial-scaling"), help: "n-scaled (gsMap 1.73.8) or unscaled (<= 1.73.7, gsMap3D) spatial column.") var spatialScaling = "n-scaled"
    @Option(help: "Backend id (see `genobench list`).") var backend = "batched-f64"
    @Option(help: "Output table (tab-separated; gzip when it ends in .gz).") var out: String
    @OptionGroup(title: "Pipeline") var pipeline: PipelineOptions
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup(title: "Time limit") var timeOptions: TimeoutOptions

    func run() throws {
        try Failure.guarded {
            _ = try Catalog.registry.backend(backend, family: "ldsc")
            var options = LDSCOptions()
            options.blockCount = nBlocks
            guard let bd = BlockDefinition(rawValue: blockDefinition) else { throw LDSCError.invalidOption("--block-definition must be floor or truncate, got '\(blockDefinition)'") }
            options.blockDefinition = bd
            guard let sc = SpatialScaling(rawValue: spatialScaling) else { throw LDSCError.invalidOption("--spatial-scaling must be n-scaled or unscaled, got '\(spatialScaling)'") }
            options.spatialScaling = sc
            options.spotRange = try spotRange.map(LDSCOptions.parseSpotRange)
            options.pipeline = try pipeline.settings()
            guard nBlocks >= 2 else { throw LDSCError.invalidOption("--n-blocks must be at least 2 (a jackknife needs two blocks), got \(nBlocks)") }
            switch (gss, expression, neighbours) {
            case (.some, nil, nil), (nil, .some, .some): break
            case (.some, _, _): throw LDSCError.invalidOption("give --gss or --expression with --neighbours, not both")
            default: throw LDSCError.invalidOption("the GSS is missing: give --gss FILE, or --expression FILE and --neighbours FILE to compute it")
            }
            if gssOut != nil && expression == nil { throw LDSCError.invalidOption("--gss-out needs --expression (it writes the GSS computed from it)") }
            let threads = threadOptions.apply()
            var files = LDSCInputFiles(sumstats: sumstats, weightMatrix: ldscores, weightLDScores: weights)
            files.extraBaselines = baseline
            files.chiSquaredMax = chisqMax
            var report = LDSCInputFiles.Report()
            let loaded: (snps: RegressionSNPs, w: WeightMatrixTable)
            do { loaded = try files.loadSNPs(report: &report) } catch {
                for m in report.warnings { note("ldsc: warning: \(m)") }
                throw error
            }
            let (snps, w) = loaded
            let matrix: GeneMatrix
            let gssSource: String
            if let gss {
                matrix = try GeneMatrix.read(gss)
                gssSource = gss
            } else {
                let e = try GeneMatrix.read(expression!, what: "expression")
                let sets = try NeighbourhoodFile.read(neighbours!, spots: e.spotNames)
                var gssSettings = options.pipeline
                gssSettings.batchSize = pipeline.batchSize ?? 500
                let r = try GeneSpecificity.compute(expression: e, neighbourhoods: sets, expressionFraction: !noExpressionFraction,
                                                    settings: gssSettings.resolved(threads: threads))
                note(r.pipeline.render(title: "GSS of \(e.spotNames.count) spots x \(r.gss.geneNames.count) genes", itemName: "cell"))
                if r.emptyNeighbourhoods > 0 { note("ldsc: \(r.emptyNeighbourhoods) spots have no homogeneous neighbourhood: their GSS is 0") }
                if let gssOut { try r.gss.write(to: gssOut, geneColumn: "HUMAN_GENE_SYM") }
                matrix = r.gss
                gssSource = expression!
            }
            let annotation = try LDSCInputFiles.annotation(gss: matrix, w: w, gssPath: gssSource, report: &report)
            for n in report.notes { note("ldsc: \(n)") }
            for m in report.warnings { note("ldsc: warning: \(m)") }
            let problem = try LDSCProblem(snps: snps, annotation: annotation, options: options)
            let solver: any Backend<LDSCFamily> = switch backend {
            case "per-spot-f32": PerSpotLDSC<Float>()
            case "per-spot-f64": PerSpotLDSC<Double>()
            case "batched-f32": BatchedLDSC<Float>()
            default: BatchedLDSC<Double>()
            }
            let (solved, m) = try timeOptions.solve(threads: threads, command: "ldsc") { context in try Measure.call { try solver.solve(problem, context: context) } }
            let prepared = PreparedRegression(problem)
            let settings = "backend \(backend); n_blocks \(nBlocks); block_definition \(blockDefinition); spatial_scaling \(spatialScaling); snps \(prepared.snpCount); baselines \(snps.baselineNames.joined(separator: ",")); inputs \(LDSCFamily().dataHash(of: problem))"
            try SpotTable.write(solved.solution, total: annotation.spotCount, settings: settings, to: out)
            if let p = solved.solution.pipeline {
                note(p.render(title: "\(backend), \(problem.spots.count) spots x \(prepared.snpCount) SNPs", itemName: "spot"))
            }
            let s = solved.solution
            note(String(format: "ldsc: %d spots (%d singular) written to %@; wall %.3f s, cpu %.3f s, peak RSS %.1f MiB",
                        s.estimates.count, s.singularCount, out, m.wallSeconds, m.cpuSeconds, Double(m.peakResidentBytes) / 1_048_576))
            note("ldsc: diagnostics \(solved.diagnostics.json)")
        }
    }
}

/// The pipeline knobs of spec §5.3, shared by `ldsc` and `gss`.
struct PipelineOptions: ParsableArguments {
    @Option(name: .customLong("batch-size"), help: "Spots per batch (default 64; GSS: cells per batch, default 500).") var batchSize: Int?
    @Option(help: "Reader workers.") var readers = 1
    @Option(help: "Compute workers (0: one per --threads).") var computers = 0
    @Option(help: "Writer workers.") var writers = 1
    @Option(name: .customLong("compute-queue-size"), help: "Bound of the reader→computer queue (batches).") var computeQueueSize = 4
    @Option(name: .customLong("writer-queue-size"), help: "Bound of the computer→writer queue (batches).") var writerQueueSize = 16

    func settings() throws -> PipelineSettings {
        let s = PipelineSettings(readers: readers, computers: computers, writers: writers, computeQueueSize: computeQueueSize,
                                 writerQueueSize: writerQueueSize, batchSize: batchSize ?? 64)
        try s.validate()
        return s
    }
}

struct LDSCMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ldsc-merge", abstract: "Join `genobench ldsc --spot-range` shard outputs into the single-run result.",
        discussion: "Shards must come from the same inputs and settings, cover 0:TOTAL with no gap or overlap, and name every spot once; the merged file is byte-identical to one run over all spots.")

    @Option(help: "Merged output table.") var out: String
    @Argument(help: "Shard outputs of `genobench ldsc --spot-range`.") var shards: [String]

    func run() throws {
        try Failure.guarded {
            let total = try SpotTable.merge(shards, to: out)
            note("ldsc-merge: \(shards.count) shards, \(total) spots written to \(out)")
        }
    }
}

struct GSSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gss", abstract: "Gene specificity scores (gsMap 1.73's rule) from expression counts and spot neighbourhoods.",
        discussion: "Writes a genes x spots table that `genobench ldsc --gss` reads. The pipeline summary goes to standard error.")

    @Option(help: "Expression counts, genes x spots (first column gene names).") var expression: String
    @Option(help: "Homogeneous neighbourhoods, one line per spot: SPOT NEIGHBOUR ...") var neighbours: String
    @Flag(name: .customLong("no-expression-fraction"), help: "Without the expression-fraction gate.") var noExpressionFraction = false
    @Option(help: "Output GSS table.") var out: String
    @OptionGroup(title: "Pipeline") var pipeline: PipelineOptions
    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        try Failure.guarded {
            var settings = try pipeline.settings()
            settings.batchSize = pipeline.batchSize ?? 500
            let threads = threadOptions.apply()
            let e = try GeneMatrix.read(expression, what: "expression")
            let sets = try NeighbourhoodFile.read(neighbours, spots: e.spotNames)
            let r = try GeneSpecificity.compute(expression: e, neighbourhoods: sets, expressionFraction: !noExpressionFraction,
                                                settings: settings.resolved(threads: threads))
            try r.gss.write(to: out, geneColumn: "HUMAN_GENE_SYM")
            note(r.pipeline.render(title: "GSS of \(e.spotNames.count) spots x \(r.gss.geneNames.count) genes", itemName: "cell"))
            note("gss: wrote \(out) (\(r.gss.geneNames.count) genes x \(e.spotNames.count) spots; \(r.emptyNeighbourhoods) spots without neighbourhood)")
        }
    }
}

struct SimulateLDSC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ldsc", abstract: "Simulate a spatial LDSC input set with known per-spot coefficients.",
        discussion: "Writes DIR/sumstats.gz, snp_gene_weights.tsv.gz, w_ld.l2.ldscore.gz, gss.tsv, truth.tsv (and extra.l2.ldscore.gz with --baseline-columns 3).")

    @Option(help: "SNPs.") var snps: Int
    @Option(help: "Spots.") var spots: Int
    @Option(help: "Genes.") var genes = 500
    @Option(help: "Seed (the same seed gives the same files).") var seed: UInt64
    @Option(help: "Output directory.") var out: String
    @Option(name: .customLong("baseline-columns"), help: "2 (base, all_gene from W) or 3 (+ an extra annotation file).") var baselineColumns = 2
    @Option(name: .customLong("signal-fraction"), help: "Fraction of spots whose GSS is a scaled copy of the causal profile.") var signalFraction = 0.25
    @Option(name: .customLong("singular-spots"), help: "Spots with all-zero or uniform GSS (reported singular).") var singularSpots = 2
    @Option(name: .customLong("sample-size"), help: "GWAS N.") var sampleSize = 20000.0
    @Flag(name: .customLong("noise-free"), help: "χ² equal to its expectation (signal spots recover their beta exactly).") var noiseFree = false

    func run() throws {
        try Failure.guarded {
            var s = LDSCSimulator(snps: snps, spots: spots, seed: seed)
            s.genes = genes; s.baselineColumns = baselineColumns; s.signalFraction = signalFraction
            s.singularSpots = singularSpots; s.sampleSize = sampleSize; s.noiseFree = noiseFree
            let sim = try s.simulate()
            let paths = try LDSCSimulationFiles.write(sim, to: out)
            print("wrote \(out)/: \(snps) SNPs x \(genes) genes, \(spots) spots (\(sim.roles.filter { $0 == "signal" }.count) signal, generating beta in truth.tsv; seed \(seed))")
            print(paths.command(backend: "batched-f64", out: out + "/ldsc.tsv"))
        }
    }
}
