import Foundation
import GenoBenchCore

/// Settings of the bound-constrained AI-REML optimiser (spec reml.md §2.4–2.7).
public struct AIREMLSettings: Sendable, Equatable {
    /// `strict`: the reference's rules (§2.7: |Δℓ_R|, relative step and projected score all
    /// tiny). `compat`: GPU_REML's (relative Δℓ/n < 1e−3 and a small score or step).
    public enum Convergence: String, Sendable { case strict, compat }

    public var convergence: Convergence
    public var maxIterations: Int
    /// Step-halving trials per iteration (α = 1, ½, ¼, ...).
    public var maxTrials: Int
    /// Lower bound of η on the standardised scale.
    public var residualFloor = 0.01
    public var geneticZeroTolerance = 1e-8
    /// Ridge added to the per-sample AI in the step.
    public var ridge = 1e-4
    public var h2Init = 0.5
    /// Strict rules: |Δℓ_R| < this·max(1, |ℓ_R|) ...
    public var strictLogLikelihood = 1e-10
    /// ... and max relative parameter change < this ...
    public var strictStep = 1e-10
    /// ... and the un-divided projected score's ∞-norm < this.
    public var strictScore = 1e-6
    /// Compat rules (per-sample scale).
    public var relativeLogLikelihood = 1e-3
    public var scoreTolerance = 1e-4
    public var stepTolerance = 1e-4
    /// A trial is accepted when ℓ(trial) − ℓ(ψ) ≥ −slack·max(1, |ℓ|): 0 for Double evaluations;
    /// Float evaluations are noisy at ~1e−7 relative.
    public var acceptanceSlack = 0.0
    /// Compat mode: predicted log-likelihood gain of the full AI step below which a fit whose
    /// trials are all rejected is converged within noise.
    public var noiseGain = 1e-2

    public init(convergence: Convergence, maxIterations: Int, maxTrials: Int) {
        self.convergence = convergence
        self.maxIterations = maxIterations
        self.maxTrials = maxTrials
    }

    /// Rejects settings no fit can use, naming the command-line option.
    public func validate() throws {
        func need(_ ok: Bool, _ message: String) throws { if !ok { throw REMLError.invalidOption(message) } }
        try need(maxIterations >= 1, "--max-iter must be at least 1")
        try need(maxTrials >= 1, "--max-linesearch-trials must be at least 1")
        try need(h2Init > 0 && h2Init < 1, "--h2-init must be in (0, 1)")
        try need(residualFloor >= 0 && residualFloor < 1, "--residual-floor must be in [0, 1)")
        try need(geneticZeroTolerance >= 0 && geneticZeroTolerance.isFinite, "--genetic-zero-tol must be a number ≥ 0")
        try need(ridge >= 0 && ridge.isFinite, "--ai-ridge must be a number ≥ 0")
        try need(relativeLogLikelihood > 0 && scoreTolerance > 0 && stepTolerance > 0,
                 "--rel-dll-tol and --scoring-step-tol must be positive")
    }

    /// The exact reference's rules: strict, 200 iterations, 30 halvings.
    public static var strict: AIREMLSettings { AIREMLSettings(convergence: .strict, maxIterations: 200, maxTrials: 30) }
    /// GPU_REML's library defaults: compat, 50 iterations, 3 trials.
    public static var compat: AIREMLSettings { AIREMLSettings(convergence: .compat, maxIterations: 50, maxTrials: 3) }
}

/// Why a fit stopped (spec reml.md §2.6–2.7, §9: never silent).
public enum StopReason: String, Sendable {
    /// The convergence rules held after an accepted step.
    case converged
    /// Every step-halving trial lowered ℓ (or failed to evaluate): the last accepted ψ is returned.
    case likelihoodDown = "ll_down"
    /// The iteration cap was reached.
    case maxIterations = "max_iter"
    /// Compat mode (stochastic evaluations): every trial was rejected, but the remaining AI step
    /// predicts a gain ½ sᵀAI⁻¹s below `noiseGain` (a step under ~0.15 standard errors): the
    /// estimate is as good as the noisy likelihood can tell. Counts as converged.
    case withinNoise = "within_noise"
}

/// One iteration of the optimiser's history.
public struct IterationRecord: Sendable {
    public var iteration: Int
    public var logLikelihood: Double
    public var alpha: Double
    public var trials: Int
    public var projectedScore: Double
    public var maxRelativeStep: Double
    public var psi: [Double]
}

/// The optimiser's result on the standardised scale.
public struct AIREMLFit: Sendable {
    public var psi: [Double]
    public var evaluation: REMLEvaluation
    public var stopReason: StopReason
    public var iterations: Int
    public var evaluations: Int
    /// Un-divided projected score ∞-norm at ψ.
    public var projectedScore: Double
    public var history: [IterationRecord]
    public var converged: Bool { stopReason == .converged || stopReason == .withinNoise }
}

/// Bound-constrained average-information REML (spec reml.md §2.4–2.7), shared by every backend
/// and the reference: what differs between them is only how ℓ, s and AI are evaluated.
public struct AIREML {
    public var settings: AIREMLSettings
    /// Polled once per outer iteration and per trial (`RunContext.isCancelled`); true stops
    /// the fit with `RunCancelled`.
    public var isCancelled: @Sendable () -> Bool = { false }

    public init(settings: AIREMLSettings) { self.settings = settings }

    public init(settings: AIREMLSettings, context: RunContext) {
        self.settings = settings
        self.isCancelled = context.isCancelled
    }

    /// Starting values (§2.4): h²_init split over the components with a positive atom.
    public func start(atoms: [Double]) -> [Double] {
        let total = atoms.filter { $0 > 0 }.reduce(0, +)
        var psi = atoms.map { $0 > 0 && total > 0 ? settings.h2Init / total : 0 }
        psi.append(max(1 - settings.h2Init, settings.residualFloor))
        return psi
    }

    func lowerBounds(_ k: Int) -> [Double] {
        var l = [Double](repeating: 0, count: k)
        l[k - 1] = settings.residualFloor
        return l
    }

    /// ‖s_proj‖_∞: at a lower bound only a positive (inward) score counts.
    func projectedScore(_ s: [Double], _ psi: [Double]) -> Double {
        let k = psi.count
        var m = 0.0
        for i in 0..<k {
            let atBound = i < k - 1 ? psi[i] <= settings.geneticZeroTolerance : psi[i] <= settings.residualFloor + 1e-8
            m = max(m, abs(atBound ? max(s[i], 0) : s[i]))
        }
        return m
    }

    /// Whether a trial is accepted: ℓ does not fall (by more than the slack). In strict mode with
    /// exact (Double) evaluations, where ℓ changes by no more than its rounding (1e−13·|ℓ|) the
    /// likelihood cannot tell the points apart, and the trial is judged by its projected score.
    func improves(_ trial: REMLEvaluation, _ next: [Double], over current: REMLEvaluation, _ psi: [Double]) -> Bool {
        let scale = max(1, abs(current.logLikelihood))
        let dl = trial.logLikelihood - current.logLikelihood
        if settings.convergence == .strict && settings.acceptanceSlack == 0 && abs(dl) <= 1e-13 * scale {
            return projectedScore(trial.score, next) < projectedScore(current.score, psi)
        }
        return dl >= -settings.acceptanceSlack * scale
    }

    /// ½ sᵀAI⁻¹s over the coordinates free to move (not at a bound with an outward score).
    func predictedGain(_ e: REMLEvaluation, _ psi: [Double]) -> Double {
        let k = psi.count
        let free = (0..<k).filter { i in
            let atBound = i < k - 1 ? psi[i] <= settings.geneticZeroTolerance : psi[i] <= settings.residualFloor + 1e-8
            return !atBound || e.score[i] > 0
        }
        if free.isEmpty { return 0 }
        var a = Matrix<Double>(rows: free.count, columns: free.count)
        var s = Matrix<Double>(rows: free.count, columns: 1)
        for (x, i) in free.enumerated() {
            s[x, 0] = e.score[i]
            for (y, j) in free.enumerated() { a[x, y] = e.averageInformation[i, j] }
        }
        guard let (l, _) = SmallLinearAlgebra.cholesky(a) else { return .infinity }
        let d = SmallLinearAlgebra.solve(factor: l, s)
        return 0.5 * (0..<free.count).reduce(0.0) { $0 + s[$1, 0] * d[$1, 0] }
    }

    public func fit<O: REMLObjective>(_ objective: inout O, sampleCount n: Int, start: [Double]? = nil) throws -> AIREMLFit {
        var psi = start ?? self.start(atoms: objective.atoms)
        let k = psi.count
        let lower = lowerBounds(k)
        for i in 0..<k { psi[i] = max(psi[i], lower[i]); if i < k - 1, psi[i] <= settings.geneticZeroTolerance { psi[i] = 0 } }
        var current: REMLEvaluation
        do {
            current = try objective.evaluate(psi, iteration: 0)
        } catch let e as EvaluationFailure {
            throw REMLError.numerical("cannot evaluate the likelihood at the starting values \(psi): \(e.reason)")
        }
        guard current.isFinite else { throw REMLError.numerical("the likelihood is not finite at the starting values \(psi)") }
        var evaluations = 1
        let debug = ProcessInfo.processInfo.environment["GENOBENCH_REML_TRACE"] != nil
        if debug { trace("start psi \(psi): logL \(current.logLikelihood) score \(current.score) yPy \(current.yPy) logH \(current.logDetH)") }
        var history: [IterationRecord] = []
        let nn = Double(n)
        var currentTolerance = objective.evaluationTolerance(iteration: 0)
        for it in 1...max(1, settings.maxIterations) {
            // Outer iteration `it` evaluates with the accuracy of schedule index it − 1 (the first
            // iteration's trials use the start's). Re-evaluate ψ when that accuracy changes.
            let tolerance = objective.evaluationTolerance(iteration: it - 1)
            if isCancelled() { throw RunCancelled("AI-REML iteration \(it)") }
            if tolerance != currentTolerance {
                let reevaluated: REMLEvaluation?
                do { reevaluated = try objective.evaluate(psi, iteration: it - 1) } catch let e as RunCancelled { throw e } catch { reevaluated = nil }
                if let e = reevaluated, e.isFinite {
                    current = e
                    evaluations += 1
                    if debug { trace("re-evaluated psi \(psi) at tolerance \(tolerance): logL \(e.logLikelihood)") }
                }
                currentTolerance = tolerance
            }
            // Per-sample score and AI (§2.5).
            let s = current.score.map { $0 / nn }
            var a = current.averageInformation
            for i in 0..<a.storage.count { a.storage[i] /= nn }
            var accepted: (psi: [Double], eval: REMLEvaluation, alpha: Double, trials: Int)?
            var alpha = 1.0
            for trial in 1...settings.maxTrials {
                let d = try AIREMLStep.solve(score: s, information: a, psi: psi, lower: lower, alpha: alpha,
                                             ridge: settings.ridge, zeroTolerance: settings.geneticZeroTolerance)
                var next = psi
                for i in 0..<k {
                    next[i] = max(psi[i] + alpha * d[i], lower[i])
                    if i < k - 1, next[i] <= settings.geneticZeroTolerance { next[i] = 0 }
                }
                if next == psi { break }  // no move is possible: the step is below rounding
                evaluations += 1
                let trialEval: REMLEvaluation?
                if isCancelled() { throw RunCancelled("AI-REML iteration \(it), trial \(trial)") }
                do { trialEval = try objective.evaluate(next, iteration: it - 1) } catch let e as RunCancelled { throw e } catch {
                    trialEval = nil
                    if debug { trace("  trial \(trial) alpha \(alpha) psi \(next): failed: \(error)") }
                }
                if debug, let e = trialEval { trace("  trial \(trial) alpha \(alpha) psi \(next): logL \(e.logLikelihood) (current \(current.logLikelihood)) yPy \(e.yPy) logH \(e.logDetH) logW \(e.logDetW)") }
                if let e = trialEval, e.isFinite, improves(e, next, over: current, psi) {
                    accepted = (next, e, alpha, trial)
                    break
                }
                alpha /= 2
            }
            guard let step = accepted else {
                let ps = projectedScore(current.score, psi)
                // A stationary point whose every step is below rounding has converged; otherwise
                // the fit stopped because the likelihood would not increase.
                // Strict: stationary when the score is tiny or the full AI step cannot raise ℓ by
                // more than the ℓ tolerance (at n in the thousands the score's rounding exceeds 1e-6).
                let stationary = settings.convergence == .strict
                    ? ps < settings.strictScore || predictedGain(current, psi) < settings.strictLogLikelihood * max(1, abs(current.logLikelihood))
                    : ps / nn < settings.scoreTolerance
                let reason: StopReason = stationary ? .converged
                    : settings.convergence == .compat && predictedGain(current, psi) < settings.noiseGain ? .withinNoise : .likelihoodDown
                return AIREMLFit(psi: psi, evaluation: current, stopReason: reason,
                                 iterations: it - 1, evaluations: evaluations, projectedScore: ps, history: history)
            }
            var maxRel = 0.0
            for i in 0..<k { maxRel = max(maxRel, abs(step.psi[i] - psi[i]) / max(abs(psi[i]), 1e-8)) }
            let dl = step.eval.logLikelihood - current.logLikelihood
            let oldL = current.logLikelihood
            psi = step.psi
            current = step.eval
            let ps = projectedScore(current.score, psi)
            history.append(IterationRecord(iteration: it, logLikelihood: current.logLikelihood, alpha: step.alpha, trials: step.trials,
                                           projectedScore: ps, maxRelativeStep: maxRel, psi: psi))
            let done: Bool
            defer { if !done { objective.accepted(psi: psi, maxRelativeStep: maxRel) } }
            switch settings.convergence {
            case .strict:
                done = abs(dl) < settings.strictLogLikelihood * max(1, abs(current.logLikelihood))
                    && maxRel < settings.strictStep && ps < settings.strictScore
            case .compat:
                let rel = (dl / nn) / max(abs(oldL / nn), 1e-12)
                done = rel < settings.relativeLogLikelihood && (ps / nn < settings.scoreTolerance || maxRel < settings.stepTolerance)
            }
            if done {
                return AIREMLFit(psi: psi, evaluation: current, stopReason: .converged, iterations: it, evaluations: evaluations,
                                 projectedScore: ps, history: history)
            }
        }
        return AIREMLFit(psi: psi, evaluation: current, stopReason: .maxIterations, iterations: settings.maxIterations,
                         evaluations: evaluations, projectedScore: projectedScore(current.score, psi), history: history)
    }
}

/// The bound-constrained AI step of spec reml.md §2.5: maximise s̃ᵀd − ½dᵀ(Ã + ρI)d subject to
/// ψ + αd ≥ lower, solved exactly as a non-negative quadratic programme in x = d − ℓ_b
/// (ℓ_b = (lower − ψ)/α) by the Lawson–Hanson active-set method, then checked against KKT.
public enum AIREMLStep {
    public static func solve(score s: [Double], information a: Matrix<Double>, psi: [Double], lower: [Double], alpha: Double,
                             ridge: Double, zeroTolerance: Double) throws -> [Double] {
        let k = psi.count
        var m = a
        for i in 0..<k { m[i, i] += ridge }
        // A positive-definite curvature: jitter the diagonal if the Cholesky fails (§2.5).
        let meanDiag = (0..<k).map { abs(m[$0, $0]) }.reduce(0, +) / Double(k)
        var t = 0
        while SmallLinearAlgebra.cholesky(m) == nil {
            t += 1
            guard t <= 8 else { throw REMLError.numerical("the average-information matrix is not positive definite even with jitter") }
            for i in 0..<k { m[i, i] += 1e-8 * max(meanDiag, 1e-300) * Double.pow(10, Double(t - 1)) }
        }
        let lb = (0..<k).map { (lower[$0] - psi[$0]) / alpha }
        // c = s̃ − M ℓ_b; minimise ½xᵀMx − cᵀx over x ≥ 0.
        var c = s
        for i in 0..<k { for j in 0..<k { c[i] -= m[i, j] * lb[j] } }
        var x = nonNegativeQuadratic(m, c)
        for i in 0..<k where alpha * x[i] <= zeroTolerance { x[i] = 0 }
        let d = (0..<k).map { lb[$0] + x[$0] }
        // KKT: residual r = s̃ − M d; |r| ≤ τ where free, r ≤ τ where at the bound.
        let tau = max(1e-7, 1e-6 * max(1, s.map(abs).max() ?? 0))
        for i in 0..<k {
            var r = s[i]
            for j in 0..<k { r -= m[i, j] * d[j] }
            if x[i] > 0 ? abs(r) > tau * max(1, abs(c[i])) : r > tau * max(1, abs(c[i])) {
                throw REMLError.numerical("constrained AI step failed its KKT check (coordinate \(i), residual \(r))")
            }
        }
        return d
    }

    /// min ½xᵀMx − cᵀx subject to x ≥ 0, M symmetric positive definite (Lawson–Hanson).
    static func nonNegativeQuadratic(_ m: Matrix<Double>, _ c: [Double]) -> [Double] {
        let k = c.count
        var x = [Double](repeating: 0, count: k)
        var free = [Bool](repeating: false, count: k)
        func solveFree() -> [Double] {
            let idx = (0..<k).filter { free[$0] }
            var z = [Double](repeating: 0, count: k)
            if idx.isEmpty { return z }
            var sub = Matrix<Double>(rows: idx.count, columns: idx.count)
            var rhs = Matrix<Double>(rows: idx.count, columns: 1)
            for (a, i) in idx.enumerated() {
                rhs[a, 0] = c[i]
                for (b, j) in idx.enumerated() { sub[a, b] = m[i, j] }
            }
            guard let (l, _) = SmallLinearAlgebra.cholesky(sub) else { return x }
            let sol = SmallLinearAlgebra.solve(factor: l, rhs)
            for (a, i) in idx.enumerated() { z[i] = sol[a, 0] }
            return z
        }
        for _ in 0..<(3 * k + 3) {
            var w = c
            for i in 0..<k { for j in 0..<k { w[i] -= m[i, j] * x[j] } }
            let scale = max(1, c.map(abs).max() ?? 0)
            guard let j = (0..<k).filter({ !free[$0] && w[$0] > 1e-14 * scale }).max(by: { w[$0] < w[$1] }) else { break }
            free[j] = true
            for _ in 0..<(3 * k + 3) {
                let z = solveFree()
                if (0..<k).allSatisfy({ !free[$0] || z[$0] > 0 }) { x = z; break }
                var step = 1.0
                for i in 0..<k where free[i] && z[i] <= 0 { step = min(step, x[i] / (x[i] - z[i])) }
                for i in 0..<k { x[i] += step * (z[i] - x[i]) }
                for i in 0..<k where free[i] && x[i] <= 1e-15 { free[i] = false; x[i] = 0 }
            }
        }
        return x
    }
}

/// One line of the optimiser's trace (GENOBENCH_REML_TRACE=1) on standard error.
func trace(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
