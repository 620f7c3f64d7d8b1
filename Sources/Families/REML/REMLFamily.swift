import GenoBenchCore
import GenoBenchData

/// SNP heritability by REML (spec reml.md): exact dense AI-REML vs matrix-free stochastic REML.
public struct REMLFamily: Family {
    public init() {}
    public var id: String { "reml" }
    public var summary: String { "SNP heritability by REML: variance components, h² with SEs, logL and LRT per fit" }

    public var parameters: [ParameterSpec] {
        [
            ParameterSpec("samples", default: .int(1000), help: "samples to simulate", minimum: 10),
            ParameterSpec("variants", default: .int(2000), help: "SNPs to simulate", minimum: 1),
            ParameterSpec("h2", default: .double(0.5), help: "simulated total heritability", minimum: 0, maximum: 1),
            ParameterSpec("components", default: .int(1), help: "genetic components (contiguous SNP blocks, h² split equally)", minimum: 1),
            ParameterSpec("missing-rate", default: .double(0), help: "probability a call is missing (mean-imputed; atoms < 1)", minimum: 0, maximum: 1),
            ParameterSpec("ld-rho", default: .double(0.5), help: "simulated LD: probability a haplotype keeps its latent state", minimum: 0, maximum: 1),
            ParameterSpec("probes", default: .int(100), help: "stochastic: Hutchinson probes", minimum: 1),
            ParameterSpec("slq-samples", default: .int(4), help: "stochastic: Lanczos quadrature probes", minimum: 1),
            ParameterSpec("slq-steps", default: .int(8), help: "stochastic: Lanczos steps", minimum: 1),
            ParameterSpec("precond-rank", default: .int(-1), help: "stochastic: preconditioner rank (-1: min(500, n, SNPs); 0: none)"),
            ParameterSpec("max-iter", default: .int(50), help: "stochastic: outer iterations", minimum: 1),
            ParameterSpec("stochastic-seed", default: .int(0), help: "stochastic: probe seed", minimum: 0),
            ParameterSpec("slq-mode", default: .string("residual"), help: "stochastic, several components: log|H| by residual or raw SLQ"),
            ParameterSpec("reference-max-samples", default: .int(5000), help: "skip the O(n³) GSL reference above this many samples", minimum: 0),
        ]
    }

    public var tolerances: [ToleranceSpec] {
        // Exact f64 vs the GSL reference: issue 3 asks 1e-6 in h²; both converge under the strict
        // rules, so ψ agrees to ~1e-8 relative and ℓ_R to ~1e-9. Float: GRM entries carry ~1e-7
        // relative error and the f32 strict rules stop at 1e-5 relative step, hence 1e-3 (spec §9:
        // "Float backends need h²/θ tolerances around 1e−3"). Stochastic: issue 3 and spec T18
        // ask |Δh²| ≤ 0.01 at n ≥ 2,000 with defaults; its ℓ comes from SLQ and is not comparable.
        [
            ToleranceSpec("h2_abs_err", f32: 1e-3, f64: 1e-6, help: "exact backends: |Δh²| vs the GSL reference"),
            ToleranceSpec("component_rel_err_max", f32: 1e-2, f64: 1e-5, help: "exact backends: max relative error of θ_g and η"),
            ToleranceSpec("logl_abs_err", f32: 1e-2, f64: 1e-6, help: "exact backends: |ΔlogL|"),
            ToleranceSpec("stochastic_h2_abs_err", f32: 0.01, f64: 0.01, help: "stochastic backends: |Δh²| vs the GSL reference"),
            ToleranceSpec("stochastic_component_rel_err_max", f32: 0.5, f64: 0.5, help: "stochastic backends: max relative error of θ_g and η"),
            ToleranceSpec("not_converged", f32: 0, f64: 0, help: "1 when the fit stopped without meeting its convergence rules"),
        ]
    }

    public func simulator(_ p: ProblemParameters, seed: UInt64) throws -> REMLSimulator {
        var s = REMLSimulator(samples: try p.int("samples"), variants: try p.int("variants"), h2: try p.double("h2"), seed: seed)
        s.components = try p.int("components")
        s.missingRate = try p.double("missing-rate")
        s.ldRho = try p.double("ld-rho")
        return s
    }

    public func stochasticSettings(_ p: ProblemParameters) throws -> StochasticSettings {
        var s = StochasticSettings()
        s.probes = try p.int("probes")
        s.slqSamples = try p.int("slq-samples")
        s.slqSteps = try p.int("slq-steps")
        let rank = try p.int("precond-rank")
        s.preconditionerRank = rank < 0 ? nil : rank
        let seed = try p.int("stochastic-seed")
        guard seed >= 0 else { throw REMLError.invalidOption("stochastic-seed must be 0 or more, got \(seed)") }
        s.seed = UInt64(seed)
        let mode = try p.string("slq-mode")
        guard let slqMode = SLQMode(rawValue: mode) else {
            throw REMLError.invalidOption("slq-mode must be one of \(SLQMode.allCases.map(\.rawValue).joined(separator: ", ")), got '\(mode)'")
        }
        s.slqMode = slqMode
        try s.validate()
        return s
    }

    public func makeProblem(_ p: ProblemParameters, seed: UInt64) throws -> REMLProblem {
        let sim = try simulator(p, seed: seed).simulate()
        // The simulated phenotype and covariates go through the same alignment, checks and
        // standardisation as a user's files.
        let ids = sim.fileset.samples.map(\.individualID)
        let lines = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($0.element, $0.offset + 1) })
        let samples = try REMLSamples.align(
            fam: sim.fileset.samples, famPath: "simulated.fam",
            phenotype: (Dictionary(uniqueKeysWithValues: zip(ids, sim.phenotype)), lines, "y", []), phenotypePath: "simulated.pheno",
            covariates: (["c1", "c2"], Dictionary(uniqueKeysWithValues: zip(ids, sim.covariates)), lines, []),
            covariatePath: "simulated.covar", keep: nil)
        let inputs = sim.blocks.enumerated().map { ComponentInput(name: "G\($0.offset + 1)", source: sim.fileset.genotypes, variants: $0.element.variantIndices) }
        var problem = try REMLProblem(data: REMLData(phenotype: samples.y, design: samples.design), inputs: inputs,
                                      samples: samples.famIndices, stochastic: try stochasticSettings(p))
        problem.stochasticOptimizer.maxIterations = try p.int("max-iter")
        try problem.stochasticOptimizer.validate()
        problem.truth = sim.truth
        problem.referenceMaxSamples = try p.int("reference-max-samples")
        return problem
    }

    public func dataHash(of problem: REMLProblem) -> String {
        var h = ContentHash()
        h.combine(problem.sampleCount)
        for v in problem.data.y { h.combine(String(v.bitPattern)) }
        for v in problem.data.design.storage { h.combine(String(v.bitPattern)) }
        for c in problem.components { h.combine(c.name); h.combine(bytes: c.packed) }
        return h.hex
    }

    public func reference(for problem: REMLProblem) throws -> REMLReferenceFit {
        guard problem.sampleCount <= problem.referenceMaxSamples else {
            return REMLReferenceFit(estimates: nil, skipped: "\(problem.sampleCount) samples > reference-max-samples \(problem.referenceMaxSamples)",
                                    truth: problem.truth)
        }
        var kernels: [[Double]] = [], atoms: [Double] = []
        for input in problem.inputs {
            let k = try REMLReference.grm(source: input.source, variants: input.variants, samples: problem.samples)
            kernels.append(k.kernel)
            atoms.append(k.atom)
        }
        return REMLReferenceFit(estimates: try REMLReference.fit(kernels: kernels, atoms: atoms, names: problem.componentNames, data: problem.data),
                                skipped: nil, truth: problem.truth)
    }

    public func compare(_ solution: REMLSolution, with reference: REMLReferenceFit, tolerances t: Tolerances) -> [Metric] {
        let e = solution.estimates
        let prefix = solution.isStochastic ? "stochastic_" : ""
        var out: [Metric] = []
        if let r = reference.estimates {
            let rel = zip(e.variances, r.variances).map { abs($0 - $1) / max(abs($1), 1e-8 * max(r.vp, 1e-300)) }.max() ?? 0
            out.append(Metric(name: "h2_abs_err", value: abs(e.h2 - r.h2), tolerance: t[prefix + "h2_abs_err"]))
            out.append(Metric(name: "component_rel_err_max", value: rel, tolerance: t[prefix + "component_rel_err_max"]))
            // The stochastic ℓ comes from SLQ: recorded, not judged.
            out.append(Metric(name: "logl_abs_err", value: abs(e.logL - r.logL), tolerance: solution.isStochastic ? nil : t["logl_abs_err"]))
        }
        if let truth = reference.truth {
            out.append(Metric(name: "h2_truth_abs_err", value: abs(e.h2 - truth[0]), tolerance: nil))
        }
        out.append(Metric(name: "not_converged", value: e.converged ? 0 : 1, tolerance: t["not_converged"]))
        return out
    }

    public func estimates(of solution: REMLSolution) -> [Estimate] {
        let e = solution.estimates
        var out = [Estimate("h2", e.h2), Estimate("h2_se", e.h2SE), Estimate("h2_raw", e.h2Raw), Estimate("vp", e.vp),
                   Estimate("logl", e.logL), Estimate("lrt", e.lrt), Estimate("iterations", Double(e.iterations))]
        for (i, name) in e.componentNames.enumerated() {
            out.append(Estimate("V(\(name))", e.variances[i]))
            out.append(Estimate("SE(\(name))", e.standardErrors[i]))
        }
        return out
    }
}
