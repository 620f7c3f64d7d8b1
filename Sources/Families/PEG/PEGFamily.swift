import GenoBenchCore
import GenoBenchData

/// mrpeg-style perturbation-effect regression with a permutation test (spec peg.md): one
/// weighted regression through the origin per downstream gene, and a null from permuting the
/// rows of the perturbation matrix, one draw at a time (`loop`) or as matrix products
/// (`batched`).
public struct PEGFamily: Family {
    public init() {}
    public var id: String { "peg" }
    public var summary: String { "perturbation-effect regression (mrpeg): γ̂, SE, t-test p and permutation p per downstream gene" }

    public var parameters: [ParameterSpec] {
        [
            ParameterSpec("instruments", default: .int(100), help: "perturbed genes (instruments before filtering) to simulate", minimum: 3),
            ParameterSpec("focal", default: .int(5), help: "downstream (focal) genes; the first carries the mediating effect", minimum: 1),
            ParameterSpec("chromosomes", default: .int(4), help: "autosomes the genes are spread over (one LD block each with mr-ld; 0: min(22, instruments))", minimum: 0, maximum: 22),
            ParameterSpec("ref-samples", default: .int(500), help: "reference panel samples", minimum: 10),
            ParameterSpec("gwas-samples", default: .int(100_000), help: "GWAS sample size (SE ≈ 1/sqrt(n))", minimum: 1),
            ParameterSpec("effect", default: .double(2e-4), help: "true γ of the first focal gene"),
            ParameterSpec("top-signal", default: .double(1), help: "fraction of perturbation entries kept", minimum: 0, maximum: 1),
            ParameterSpec("min-snps", default: .int(10), help: "minimum non-zero instruments per downstream gene", minimum: 1),
            ParameterSpec("corr-threshold", default: .double(0.1), help: "|r| above which pruning removes an instrument", minimum: 0, maximum: 1),
            ParameterSpec("mr-ld", default: .bool(false), help: "LD-weighted estimator (V = R + ld-ridge·I, dense W) instead of pruning (V = I)"),
            ParameterSpec("alt", default: .bool(false), help: "the --alt estimator (β on D V D⁻¹ V⁻¹ x)"),
            ParameterSpec("ld-ridge", default: .double(0.001), help: "ridge on R with mr-ld", minimum: 0),
            ParameterSpec("permutations", default: .int(1000), help: "permutations P", minimum: 1),
            ParameterSpec("perm-seed", default: .int(12345), help: "seed of the permutation stream (genobench peg --seed)", minimum: 1),
            ParameterSpec("reference-max-work", default: .double(5e10), help: "skip the reference's permutation null above P·t·Σ(block size)² flops", minimum: 0),
        ]
    }

    public var tolerances: [ToleranceSpec] {
        // Spec §14: Double 1e-10 relative on γ̂, se and the t p (1e-12 absolute near 0);
        // Float 1e-4 on γ̂ and se for cond(V) ≤ 1e3, scaled by cond(V)/1e3 above; the Float t p
        // follows γ̂/se through the t density, hence 1e-3 on the floored scale. Double counts
        // identical; Float counts may differ only by near-ties. A permutation p is 2·count/(P+1),
        // so it is exact in Double; in Float it is reported against the count rule (tolerance 1).
        [
            ToleranceSpec("gamma_rel_err", f32: 1e-4, f64: 1e-10, help: "max |Δγ̂|/max(|γ̂|, se), x max(1, cond(V)/1e3)"),
            ToleranceSpec("se_rel_err", f32: 1e-4, f64: 1e-10, help: "max |Δse|/se, x max(1, cond(V)/1e3)"),
            ToleranceSpec("p_t_err", f32: 1e-3, f64: 1e-10, help: "max |Δp_t|/max(p_t, 0.01), x max(1, cond(V)/1e3)"),
            ToleranceSpec("null_rel_err", f32: 1e-4, f64: 1e-10, help: "max |ΔG_pj|/scale_j over the permutation null, x max(1, cond(V)/1e3)"),
            ToleranceSpec("null_count_excess", f32: 0, f64: 0, help: "count differences beyond the near-ties (Float) / any (Double)"),
            ToleranceSpec("null_p_abs_err", f32: 1, f64: 0, help: "max |Δ gamma_null_p|"),
        ]
    }

    public func simulator(_ p: ProblemParameters, seed: UInt64) throws -> PEGSimulator {
        var s = PEGSimulator(instruments: try p.int("instruments"), focal: try p.int("focal"), seed: seed)
        s.chromosomes = try p.int("chromosomes")
        s.referenceSamples = try p.int("ref-samples")
        s.gwasSamples = try p.int("gwas-samples")
        s.effect = try p.double("effect")
        return s
    }

    public func options(_ p: ProblemParameters) throws -> PEGOptions {
        var o = PEGOptions()
        o.topSignal = try p.double("top-signal")
        o.minSNPs = try p.int("min-snps")
        o.corrThreshold = try p.double("corr-threshold")
        o.mrLD = try bool(p, "mr-ld")
        o.alternative = try bool(p, "alt")
        o.ldRidge = try p.double("ld-ridge")
        o.permutations = try p.int("permutations")
        o.seed = try p.int("perm-seed")
        return o
    }

    func bool(_ p: ProblemParameters, _ key: String) throws -> Bool {
        guard case .bool(let b)? = p[key] else { throw ParameterError("parameter '\(key)' must be true or false") }
        return b
    }

    /// Simulates the input set, then runs it through the same readers and preprocessing as
    /// `genobench peg` on the files `genobench simulate peg` writes (same text, same order).
    public func makeProblem(_ p: ProblemParameters, seed: UInt64) throws -> PEGProblem {
        let sim = try simulator(p, seed: seed).simulate()
        var analysis = try PEGAnalysis(gwas: try TextTable(text: sim.gwas, source: "gwas.tsv"),
                                       eqtl: try TextTable(text: sim.eqtl, source: "eqtl.tsv"),
                                       perturbation: try TextTable(text: sim.perturbation, source: "perturb.tsv"),
                                       reference: ReferencePanel(filesets: sim.filesets, pattern: "ref_chr*"), options: try options(p))
        analysis.problem.truth = analysis.problem.geneNames.map { sim.gammas[$0] ?? 0 }
        analysis.problem.referenceMaxWork = try p.double("reference-max-work")
        return analysis.problem
    }

    public func dataHash(of problem: PEGProblem) -> String {
        var h = ContentHash()
        for v in problem.beta + problem.standardErrors + problem.eqtlZ + problem.perturbation.storage { h.combine(String(v.bitPattern)) }
        for b in problem.ld.blocks { h.combine(b.start); for v in b.matrix.storage { h.combine(String(v.bitPattern)) } }
        h.combine(problem.alternative ? 1 : 0)
        problem.permutations.indices.withUnsafeBytes { h.combine(bytes: $0) }
        for n in problem.geneNames { h.combine(n) }
        return h.hex
    }

    public func reference(for problem: PEGProblem) throws -> PEGReference.Result { try PEGReference.solve(problem) }

    public func compare(_ solution: PEGSolution, with reference: PEGReference.Result, tolerances: Tolerances) -> [Metric] {
        PEGComparison(solution: solution, reference: reference).metrics(tolerances)
    }

    public func estimates(of solution: PEGSolution) -> [Estimate] {
        var out = [Estimate("instruments", Double(solution.instrumentCount)), Estimate("genes", Double(solution.geneCount)), Estimate("permutations", Double(solution.null.rows))]
        if solution.geneCount > 0 {
            out += [Estimate("gamma_1", solution.gamma[0]), Estimate("gamma_se_1", solution.standardError[0]),
                    Estimate("gamma_p_1", solution.pValue[0]), Estimate("gamma_null_p_1", solution.summary[0].pValue),
                    Estimate("min_gamma_null_p", solution.summary.map(\.pValue).min()!)]
        }
        return out
    }
}
