import Foundation
import GenoBenchCore

/// Exact dense AI-REML (spec reml.md §2) in precision `T`: the GRMs are formed by `?syrk` from
/// decoded blocks; one GRM takes the tridiagonal route (one `?sytrd`, then O(n·p²) per
/// evaluation), several GRMs the dense route (Cholesky and inverse of H per evaluation). Strict convergence.
public struct ExactREML<T: Scalar>: Backend {
    public typealias FamilyType = REMLFamily
    public init() {}
    public var id: String { "exact-\(T.precisionSuffix)" }
    /// 2: one GRM by tridiagonal reduction instead of a full eigendecomposition. 3: one GRM by the band reduction (was the one-stage tridiagonal one); same optimum.
    public var version: String { "3" }
    public var precision: Precision { T.precision }

    /// Strict rules; Float evaluations (the dense route's Cholesky in Float) are noisy at
    /// ~1e−7 relative, so f32 uses a looser strict set and accepts steps within that noise.
    public static var settings: AIREMLSettings {
        var s = AIREMLSettings.strict
        if T.self == Float.self {
            s.strictLogLikelihood = 1e-7
            s.strictStep = 1e-5
            s.strictScore = 1e-2
            s.acceptanceSlack = 1e-7
            s.maxTrials = 10
        }
        return s
    }

    // Specialised entry points: callers in other modules hold the generic backend, and the
    // unspecialised generic code pays a witness-table call per element in the hot loops.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func solve(_ problem: REMLProblem, context: RunContext) throws -> Solved<REMLSolution> {
        let op = KernelOperator<T>(components: problem.components, context: context)
        let settings = Self.settings
        var diagnostics = Diagnostics()
        let clock = ContinuousClock()
        let t0 = clock.now
        let fit: AIREMLFit
        let method: String
        if problem.components.count == 1 {
            let kernel = try op.dense(0)
            let t1 = clock.now
            var objective = try BandObjective(kernel: consume kernel, atom: problem.components[0].atom, data: problem.data)
            diagnostics.set("grm_seconds", (t1 - t0).seconds)
            diagnostics.set("reduction_seconds", (clock.now - t1).seconds)
            fit = try AIREML(settings: settings, context: context).fit(&objective, sampleCount: problem.sampleCount)
            method = "band"
        } else {
            let kernels = try problem.components.indices.map { try op.dense($0) }
            diagnostics.set("grm_seconds", (clock.now - t0).seconds)
            var objective = DenseObjective(kernels: kernels, atoms: problem.components.map(\.atom), data: problem.data)
            fit = try AIREML(settings: settings, context: context).fit(&objective, sampleCount: problem.sampleCount)
            method = "dense"
        }
        let estimates = REMLEstimates(fit: fit, data: problem.data, atoms: problem.components.map(\.atom),
                                      names: problem.componentNames, settings: settings)
        diagnostics.set("method", method)
        diagnostics.describe(estimates)
        return Solved(REMLSolution(estimates: estimates, method: method), diagnostics: diagnostics)
    }
}

/// Matrix-free stochastic AI-REML (spec reml.md §3) in precision `T`: the GRM is never formed;
/// H is applied from the packed genotypes. GPU_REML's compat convergence rules.
public struct StochasticREML<T: Scalar>: Backend {
    public typealias FamilyType = REMLFamily
    public init() {}
    public var id: String { "stochastic-\(T.precisionSuffix)" }
    /// 2: several components estimate log|H| by the residual SLQ of spec §3.7 (was raw).
    public var version: String { "2" }
    public var precision: Precision { T.precision }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func solve(_ problem: REMLProblem, context: RunContext) throws -> Solved<REMLSolution> {
        let settings = problem.stochasticOptimizer
        let plan = try StochasticMemoryPlan(T.self, problem: problem, settings: problem.stochastic, threads: context.threads,
                                            budget: context.memoryBudgetBytes)
        let op = KernelOperator<T>(components: problem.components, context: context,
                                   blockBytes: plan.blockBytes(T.self, samples: problem.sampleCount))
        let optimizer = AIREML(settings: settings, context: context)
        let start = optimizer.start(atoms: problem.components.map(\.atom))
        var objective = try StochasticObjective(operator: op, data: problem.data, settings: problem.stochastic, startPsi: start,
                                                batchColumns: plan.batchColumns)
        let fit = try optimizer.fit(&objective, sampleCount: problem.sampleCount, start: start)
        let estimates = REMLEstimates(fit: fit, data: problem.data, atoms: problem.components.map(\.atom),
                                      names: problem.componentNames, settings: settings)
        var diagnostics = objective.diagnostics
        diagnostics.set("method", "stochastic")
        diagnostics.set("seed", Int(problem.stochastic.seed))
        diagnostics.set("planned_block_snps", plan.blockWidth)
        diagnostics.set("planned_pcg_batch_columns", plan.batchColumns)
        if let budget = context.memoryBudgetBytes {
            diagnostics.set("memory_budget_bytes", budget)
            diagnostics.set("planned_working_set_bytes", plan.workingSetBytes)
            diagnostics.set("minimum_budget_bytes", plan.minimumBytes)
        }
        diagnostics.describe(estimates)
        return Solved(REMLSolution(estimates: estimates, method: "stochastic"), diagnostics: diagnostics)
    }
}

extension Diagnostics {
    mutating func describe(_ e: REMLEstimates) {
        set("stop_reason", e.stopReason.rawValue)
        set("iterations", e.iterations)
        set("evaluations", e.evaluations)
        set("projected_score", e.projectedScore)
        set("boundary", e.boundary ? 1 : 0)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
