import ArgumentParser
import Foundation
import GenoBenchCatalog
import GenoBenchCore
import GenoBenchData
import GenoBenchHarness
import GenoBenchREML

struct REMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reml", abstract: "SNP heritability by REML on PLINK 1 filesets with one backend.",
        discussion: """
        Components: one GRM per --bfile prefix (every .fam must list the same IIDs in the same order), or contiguous \
        SNP blocks of one fileset (--vc-block-sizes), or a component spec JSON (--components; spec reml.md §4.2). \
        GRMs use observed-variance standardisation with mean imputation (K = ZZᵀ/m). The intercept is always a fixed \
        effect; covariates are standardised, constant ones dropped, collinear ones rejected before fitting. Writes \
        PREFIX.hsq in GCTA's layout plus h2_raw and a Status line; non-convergence and boundary estimates are \
        reported there and on standard error, and the exit status is still 0.
        """)

    @Option(help: "PLINK 1 fileset prefix(es), comma-separated: one genetic component each.") var bfile: String
    @Option(help: "Phenotype file: FID IID value(s); header optional; -9 and NA missing.") var pheno: String
    @Option(name: .customLong("pheno-col"), help: "Phenotype column: a header name or a 1-based number (default: the first).") var phenoCol: String?
    @Option(help: "Quantitative covariates: FID IID c1 c2 ...") var covar: String?
    @Option(help: "Component spec JSON (zero-based variant indices of the first fileset).") var components: String?
    @Option(name: .customLong("vc-block-sizes"), help: "Contiguous SNP blocks as components, e.g. 1000,2000 (sum = SNP count).") var vcBlockSizes: String?
    @Option(help: "Keep only these samples (FID IID or IID per line).") var keep: String?
    @Option(help: "Backend id (see `genobench list`).") var backend: String = "exact-f64"
    @Option(help: "Output prefix: writes PREFIX.hsq.") var out: String = "genobench"
    @OptionGroup(title: "Stochastic backends (defaults: GPU_REML's, spec reml.md §3.10)") var stochastic: StochasticOptions
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup(title: "Resource limits") var limitOptions: LimitOptions

    func run() throws {
        try Failure.guarded {
            _ = try Catalog.registry.backend(backend, family: "reml")
            let threads = threadOptions.apply()
            let prefixes = bfile.split(separator: ",").map(String.init)
            guard !prefixes.isEmpty else { throw REMLError.invalidOption("--bfile needs at least one prefix") }
            if prefixes.count > 1 && (components != nil || vcBlockSizes != nil) {
                throw REMLError.invalidOption("several --bfile prefixes already define the components; drop --components / --vc-block-sizes")
            }
            if components != nil && vcBlockSizes != nil { throw REMLError.invalidOption("give --components or --vc-block-sizes, not both") }
            let (settings, optimizer) = try stochastic.settings()
            let filesets = try prefixes.map { try PlinkFileset.open(prefix: $0) }
            let first = filesets[0]
            for (k, f) in filesets.enumerated().dropFirst() {
                guard f.samples.count == first.samples.count else {
                    throw DataError(file: prefixes[k] + ".fam", "has \(f.samples.count) samples, \(prefixes[0]).fam has \(first.samples.count): every fileset must list the same samples in the same order")
                }
                if let i = f.samples.indices.first(where: { f.samples[$0].individualID != first.samples[$0].individualID }) {
                    throw DataError(file: prefixes[k] + ".fam", line: i + 1, "IID '\(f.samples[i].individualID)' differs from '\(first.samples[i].individualID)' on the same line of \(prefixes[0]).fam")
                }
            }
            var inputs: [ComponentInput]
            if let components {
                inputs = try ComponentSpec.read(components, variantCount: first.variants.count).map {
                    ComponentInput(name: $0.name, source: first.genotypes, variants: $0.variantIndices)
                }
            } else if let vcBlockSizes {
                let sizes = try vcBlockSizes.split(separator: ",").map { s -> Int in
                    guard let v = Int(s.trimmingCharacters(in: .whitespaces)) else { throw REMLError.invalidOption("--vc-block-sizes: '\(s)' is not an integer") }
                    return v
                }
                inputs = try ComponentSpec.contiguousBlocks(sizes, variantCount: first.variants.count).map {
                    ComponentInput(name: $0.name, source: first.genotypes, variants: $0.variantIndices)
                }
            } else {
                inputs = filesets.enumerated().map { ComponentInput(name: prefixes.count == 1 ? "G1" : prefixes[$0.offset], source: $0.element.genotypes, variants: Array(0..<$0.element.variants.count)) }
            }
            let samples = try REMLSamples.align(
                fam: first.samples, famPath: prefixes[0] + ".fam",
                phenotype: try SampleFiles.readPhenotype(pheno, column: phenoCol), phenotypePath: pheno,
                covariates: try covar.map { try SampleFiles.readCovariates($0) }, covariatePath: covar,
                keep: try keep.map { try SampleFiles.readKeep($0) }, keepPath: keep)
            for w in samples.warnings { note("reml: warning: \(w)") }
            var problem = try REMLProblem(data: REMLData(phenotype: samples.y, design: samples.design), inputs: inputs,
                                          samples: samples.famIndices, stochastic: settings)
            problem.stochasticOptimizer = optimizer
            for c in problem.components where c.effectiveCount < c.snpCount {
                note("reml: \(c.name): \(c.snpCount - c.effectiveCount) of \(c.snpCount) SNPs are monomorphic or all-missing over the analysed samples and are left out (m_eff = \(c.effectiveCount))")
            }
            let solver: any Backend<REMLFamily> = switch backend {
            case "exact-f32": ExactREML<Float>()
            case "stochastic-f32": StochasticREML<Float>()
            case "stochastic-f64": StochasticREML<Double>()
            default: ExactREML<Double>()
            }
            let (solved, m) = try limitOptions.solve(threads: threads, command: "reml") { context in try Measure.call { try solver.solve(problem, context: context) } }
            let e = solved.solution.estimates
            try HsqWriter.write(e, to: out + ".hsq")
            note("reml: \(backend) on \(bfile): \(problem.sampleCount) samples, \(problem.data.fixedCount) fixed effects (\(["intercept"] + samples.covariateNames)), components \(problem.components.map { "\($0.name) (m_eff \($0.effectiveCount), atom \(String(format: "%.4f", $0.atom)))" }.joined(separator: ", "))")
            note(String(format: "reml: h2 = %.6f (SE %.6f), h2_raw = %.6f; wrote %@.hsq; wall %.3f s, cpu %.3f s, peak RSS %.1f MiB (%.1f MiB over the resident set before the fit)",
                        e.h2, e.h2SE, e.h2Raw, out, m.wallSeconds, m.cpuSeconds, Double(m.peakResidentBytes) / 1_048_576,
                        Double(m.peakResidentBytes - m.residentBeforeBytes) / 1_048_576))
            note("reml: \(e.converged ? "" : "warning: ")\(e.statusLine)")
            note("reml: diagnostics \(solved.diagnostics.json)")
        }
    }
}

/// Every setting of the stochastic backends, with GPU_REML's defaults.
struct StochasticOptions: ParsableArguments {
    @Option(help: "Hutchinson probes (Rademacher).") var probes = 100
    @Option(name: .customLong("slq-samples"), help: "Lanczos quadrature probes.") var slqSamples = 4
    @Option(name: .customLong("slq-steps"), help: "Lanczos steps per quadrature probe.") var slqSteps = 8
    @Option(name: .customLong("slq-mode"), help: "log|H| with several components: residual (projected-core residual) or raw. One component is always affine.")
    var slqMode = "residual"
    @Option(name: .customLong("precond-rank"), help: "Preconditioner rank (default min(500, n, SNPs); 0 = none).") var precondRank: Int?
    @Option(name: .customLong("precond-oversampling"), help: "Range-finder oversampling of the preconditioner.") var precondOversampling = 8
    @Option(name: .customLong("precond-refresh"), help: "Rebuild the preconditioner after a step with max relative change ≥ this (several components; 0 = never).")
    var precondRefresh = 0.2
    @Option(name: .customLong("pcg-ridge"), help: "Preconditioner diagonal ridge (pcg_ridge).") var pcgRidge = 1e-6
    @Option(name: .customLong("pcg-max-iter"), help: "Block PCG iteration cap.") var pcgMaxIter = 400
    @Option(name: .customLong("pcg-check-every"), help: "Check PCG convergence every this many iterations.") var pcgCheckEvery = 2
    @Option(name: .customLong("pcg-tol"), help: "PCG tolerances: warm-up (iteration 0), early (1), default (2 on).") var pcgTol = "1e-2,5e-3,1e-3"
    @Option(name: .customLong("max-iter"), help: "Outer AI iterations (minq_iter).") var maxIter = 50
    @Option(name: .customLong("max-linesearch-trials"), help: "Step-halving trials per iteration.") var maxLinesearchTrials = 3
    @Option(name: .customLong("h2-init"), help: "Starting h².") var h2Init = 0.5
    @Option(name: .customLong("residual-floor"), help: "Lower bound of the residual variance (standardised scale).") var residualFloor = 0.01
    @Option(name: .customLong("genetic-zero-tol"), help: "Genetic components below this are frozen at 0 in the step.") var geneticZeroTol = 1e-8
    @Option(name: .customLong("ai-ridge"), help: "Ridge added to the per-sample AI matrix in the step.") var aiRidge = 1e-4
    @Option(name: .customLong("rel-dll-tol"), help: "Converged when the relative log-likelihood change per sample is below this ...") var relDllTol = 1e-3
    @Option(name: .customLong("scoring-step-tol"), help: "... and the projected score or the relative step is below this.") var scoringStepTol = 1e-4
    @Option(help: "Probe seed (the same seed gives the same fit).") var seed: UInt64 = 0

    func settings() throws -> (StochasticSettings, AIREMLSettings) {
        var s = StochasticSettings()
        s.probes = probes; s.slqSamples = slqSamples; s.slqSteps = slqSteps
        guard let mode = SLQMode(rawValue: slqMode) else {
            throw REMLError.invalidOption("--slq-mode must be one of \(SLQMode.allCases.map(\.rawValue).joined(separator: ", ")), got '\(slqMode)'")
        }
        s.slqMode = mode
        s.preconditionerRank = precondRank; s.oversampling = precondOversampling; s.refreshRelativeStep = precondRefresh
        s.pcgRidge = pcgRidge; s.maxPCGIterations = pcgMaxIter; s.pcgCheckEvery = pcgCheckEvery; s.seed = seed
        s.pcgTolerances = try pcgTol.split(separator: ",").map { t in
            guard let v = Double(t.trimmingCharacters(in: .whitespaces)) else { throw REMLError.invalidOption("--pcg-tol: '\(t)' is not a number") }
            return v
        }
        try s.validate()
        var o = AIREMLSettings.compat
        o.maxIterations = maxIter; o.maxTrials = maxLinesearchTrials; o.h2Init = h2Init; o.residualFloor = residualFloor
        o.geneticZeroTolerance = geneticZeroTol; o.ridge = aiRidge; o.relativeLogLikelihood = relDllTol
        o.scoreTolerance = scoringStepTol; o.stepTolerance = scoringStepTol
        try o.validate()
        return (s, o)
    }
}

struct SimulateREML: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reml", abstract: "Simulate genotypes, a phenotype with known h², and covariates.",
        discussion: "Writes PREFIX.bed/.bim/.fam, PREFIX.pheno, PREFIX.covar (c1 c2), PREFIX.truth and, with several components, PREFIX.components.json.")

    @Option(help: "Samples.") var samples: Int
    @Option(help: "SNPs.") var variants: Int
    @Option(help: "Total heritability in [0, 1).") var h2: Double
    @Option(help: "Genetic components (contiguous SNP blocks, h² split equally).") var components = 1
    @Option(name: .customLong("missing-rate"), help: "Probability a call is missing.") var missingRate = 0.0
    @Option(name: .customLong("ld-rho"), help: "LD: probability a haplotype keeps its latent state to the next SNP.") var ldRho = 0.5
    @Option(help: "Seed (the same seed gives the same files).") var seed: UInt64
    @Option(help: "Output prefix.") var out: String

    func run() throws {
        try Failure.guarded {
            var s = REMLSimulator(samples: samples, variants: variants, h2: h2, seed: seed)
            s.components = components; s.missingRate = missingRate; s.ldRho = ldRho
            let sim = try s.simulate()
            try sim.fileset.write(prefix: out)
            let ids = sim.fileset.samples
            try SampleFiles.writeValues(out + ".pheno", header: nil, rows: ids.indices.map { (ids[$0].familyID, ids[$0].individualID, [sim.phenotype[$0]]) })
            try SampleFiles.writeValues(out + ".covar", header: nil, rows: ids.indices.map { (ids[$0].familyID, ids[$0].individualID, sim.covariates[$0]) })
            var truth = "h2\t\(sim.truth[0])\n"
            for (i, v) in sim.truth.dropFirst().enumerated() { truth += "h2_G\(i + 1)\t\(v)\n" }
            truth += "beta_c1\t0.3\nbeta_c2\t-0.2\nintercept\t10\nseed\t\(seed)\n"
            try truth.write(toFile: out + ".truth", atomically: true, encoding: .utf8)
            var command = "genobench reml --bfile \(out) --pheno \(out).pheno --covar \(out).covar"
            if components > 1 {
                let json = "{\"components\": [" + sim.blocks.map { "{\"name\": \"\($0.name)\", \"variant_indices\": [\($0.variantIndices.map(String.init).joined(separator: ","))]}" }.joined(separator: ", ") + "]}\n"
                try json.write(toFile: out + ".components.json", atomically: true, encoding: .utf8)
                command += " --components \(out).components.json"
            }
            print("wrote \(out).bed/.bim/.fam, .pheno, .covar, .truth\(components > 1 ? ", .components.json" : ""): \(samples) samples x \(variants) SNPs, h2 \(h2) (seed \(seed))")
            print(command + " --backend exact-f64 --out \(out)")
        }
    }
}
