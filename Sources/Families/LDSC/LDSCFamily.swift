import GenoBenchCore

/// Spatial LDSC per spot with a block jackknife (spec spatial_ldsc.md): per-spot vs batched
/// backends through a reader → computer → writer pipeline, against a GSL reference.
public struct LDSCFamily: Family {
    public init() {}
    public var id: String { "ldsc" }
    public var summary: String { "spatial LDSC (gsMap): per-spot weighted regression of χ² on spatial + baseline LD scores, block-jackknife beta, se, z, one-sided p" }

    public var parameters: [ParameterSpec] {
        [
            ParameterSpec("snps", default: .int(20000), help: "SNPs to simulate", minimum: 100),
            ParameterSpec("spots", default: .int(64), help: "spots to simulate", minimum: 1),
            ParameterSpec("genes", default: .int(500), help: "genes to simulate", minimum: 1),
            ParameterSpec("baseline-columns", default: .int(2), help: "baseline LD score columns: 2 (base, all_gene) or 3 (+ a random annotation)", minimum: 2, maximum: 3),
            ParameterSpec("signal-fraction", default: .double(0.25), help: "fraction of spots whose GSS is a scaled copy of the causal profile", minimum: 0, maximum: 1),
            ParameterSpec("singular-spots", default: .int(0), help: "spots with all-zero or uniform GSS (status singular)", minimum: 0),
            ParameterSpec("sample-size", default: .double(20000), help: "GWAS N"),
            ParameterSpec("sample-size-spread", default: .double(0), help: "N_j = N·(1 + spread·(U − 1/2))", minimum: 0),
            ParameterSpec("noise-free", default: .bool(false), help: "χ² = its expectation (exact recovery of the generating beta)"),
            ParameterSpec("n-blocks", default: .int(200), help: "jackknife blocks", minimum: 2),
            ParameterSpec("block-definition", default: .string("floor"), help: "floor (gsMap 1.73) or truncate (gsMap3D)"),
            ParameterSpec("spatial-scaling", default: .string("n-scaled"), help: "n-scaled (1.73.8) or unscaled (<= 1.73.7, gsMap3D) spatial column"),
            ParameterSpec("batch-size", default: .int(64), help: "spots per pipeline batch", minimum: 1),
            ParameterSpec("readers", default: .int(1), help: "reader workers", minimum: 1, maximum: 50),
            ParameterSpec("computers", default: .int(0), help: "compute workers (0: one per thread)", minimum: 0, maximum: 50),
            ParameterSpec("writers", default: .int(1), help: "writer workers", minimum: 1, maximum: 50),
            ParameterSpec("compute-queue-size", default: .int(4), help: "bound of the reader → computer queue (batches)", minimum: 1),
            ParameterSpec("writer-queue-size", default: .int(16), help: "bound of the computer → writer queue (batches)", minimum: 1),
            ParameterSpec("reference-spots", default: .int(-1), help: "spots the GSL reference computes, evenly spaced (-1: all)"),
        ]
    }

    public var tolerances: [ToleranceSpec] {
        // Spec §11: Double β, SE relative 1e-10, z absolute 1e-8, p relative 1e-8 (|Δlog10 p| ≈
        // 4e-9); Float with float32 products and float64 accumulation (1.73's split, which both
        // Float backends use) z absolute 1e-4, β absolute 1e-3·SE. Measured on the default suite:
        // see the README. SE and z are compared only where the reference SE is resolvable
        // (> 1e-6·|β|); an exact fit's SE is rounding noise.
        [
            ToleranceSpec("status_mismatches", f32: 0, f64: 0, help: "spots whose status (ok/singular) differs from the reference at the backend's rank threshold"),
            ToleranceSpec("beta_max_err_se", f32: 1e-3, f64: 1e-8, help: "max |Δbeta| / max(se_ref, 0.1·|beta_ref|) over ok spots"),
            ToleranceSpec("se_max_rel_err", f32: 1e-3, f64: 1e-10, help: "max |Δse| / se_ref over ok spots with a resolvable SE"),
            ToleranceSpec("z_max_err", f32: 1e-4, f64: 1e-8, help: "max |Δz| / max(1, |z_ref|) over ok spots with a resolvable SE (|Δz| itself: z_max_abs_err, recorded)"),
            ToleranceSpec("p_max_log10_err", f32: 1e-3, f64: 1e-8, help: "max |Δlog10 p| (p floored at 1e-300) over ok spots with a resolvable SE"),
        ]
    }

    public func simulator(_ p: ProblemParameters, seed: UInt64) throws -> LDSCSimulator {
        var s = LDSCSimulator(snps: try p.int("snps"), spots: try p.int("spots"), seed: seed)
        s.genes = try p.int("genes")
        s.baselineColumns = try p.int("baseline-columns")
        s.signalFraction = try p.double("signal-fraction")
        s.singularSpots = try p.int("singular-spots")
        s.sampleSize = try p.double("sample-size")
        s.sampleSizeSpread = try p.double("sample-size-spread")
        guard case .bool(let nf)? = p["noise-free"] else { throw ParameterError("parameter 'noise-free' must be true or false") }
        s.noiseFree = nf
        return s
    }

    public func options(_ p: ProblemParameters) throws -> LDSCOptions {
        var o = LDSCOptions()
        o.blockCount = try p.int("n-blocks")
        let bd = try p.string("block-definition")
        guard let b = BlockDefinition(rawValue: bd) else { throw LDSCError.invalidOption("block-definition must be floor or truncate, got '\(bd)'") }
        o.blockDefinition = b
        let sc = try p.string("spatial-scaling")
        guard let scaling = SpatialScaling(rawValue: sc) else { throw LDSCError.invalidOption("spatial-scaling must be n-scaled or unscaled, got '\(sc)'") }
        o.spatialScaling = scaling
        o.pipeline = PipelineSettings(readers: try p.int("readers"), computers: try p.int("computers"), writers: try p.int("writers"),
                                      computeQueueSize: try p.int("compute-queue-size"), writerQueueSize: try p.int("writer-queue-size"),
                                      batchSize: try p.int("batch-size"))
        return o
    }

    public func makeProblem(_ p: ProblemParameters, seed: UInt64) throws -> LDSCProblem {
        let sim = try simulator(p, seed: seed).simulate()
        let kept = ChiSquaredFilter.kept(sim.snps.chiSquared, maximum: ChiSquaredFilter.defaultMaximum(sampleSizes: sim.snps.sampleSizes))
        var annotation = sim.annotation
        annotation.weights = annotation.weights.rows(kept)
        var problem = try LDSCProblem(snps: sim.snps.subset(kept), annotation: annotation, options: try options(p))
        problem.truth = sim.truth
        let r = try p.int("reference-spots")
        if r >= 0 {
            let n = problem.spots.count
            problem.referenceSpots = r == 0 ? [] : Array(Set((0..<min(r, n)).map { problem.spots.lowerBound + $0 * n / min(r, n) })).sorted()
        }
        return problem
    }

    public func dataHash(of problem: LDSCProblem) -> String { LDSCDataHash.of(problem) }

    public func reference(for problem: LDSCProblem) throws -> LDSCReferenceFit {
        LDSCReferenceFit(spots: LDSCReference.solve(problem, spots: problem.referenceSpots ?? Array(problem.spots)), truth: problem.truth)
    }

    public func compare(_ solution: LDSCSolution, with reference: LDSCReferenceFit, tolerances t: Tolerances) -> [Metric] {
        LDSCComparison(solution, reference).metrics(t)
    }

    public func estimates(of solution: LDSCSolution) -> [Estimate] {
        let ok = solution.estimates.filter { $0.status == .ok }
        let z = ok.map(\.z).filter(\.isFinite)
        let n = Double(solution.estimates.count)
        // Results only: the pipeline's throughput is a timing and goes to the diagnostics
        // (`pipeline_items_done_per_s`), so `genobench diff` of two identical runs is "same results".
        return [Estimate("spots", n), Estimate("ok_spots", Double(ok.count)), Estimate("singular_spots", Double(solution.singularCount)),
                   Estimate("max_z", z.max() ?? .nan), Estimate("mean_z", z.isEmpty ? .nan : z.reduce(0, +) / Double(z.count)),
                   Estimate("p_below_0.05", Double(ok.filter { $0.p < 0.05 }.count)),
                   Estimate("bonferroni_spots", Double(ok.filter { $0.p < 0.05 / n }.count))]
    }
}
