import GenoBenchCore
import GenoBenchReference

/// What a REML fit reports, on the original phenotype scale (spec reml.md §1.6, §2.8, and
/// GCTA's .hsq): variance components with standard errors, Vp, trace-weighted h² and
/// per-component shares (with delta-method SEs), the raw-sum h², log-likelihoods, the LRT
/// against the no-genetic model, and the fit's status.
public struct REMLEstimates: Sendable {
    public var componentNames: [String]
    /// θ_1..θ_G then η, original scale.
    public var variances: [Double]
    /// Standard errors from the inverse AI restricted to the free parameters; NaN at a bound.
    public var standardErrors: [Double]
    /// Parameters at a bound (θ_g = 0, or η at its floor): Wald SEs are not valid there.
    public var atBound: [Bool]
    /// a_g = tr(K_g)/n.
    public var atoms: [Double]
    public var vp: Double
    public var vpSE: Double
    /// Trace-weighted h² = Σ a_gθ_g / (Σ a_gθ_g + η) and its delta-method SE.
    public var h2: Double
    public var h2SE: Double
    /// Σθ / (Σθ + η), the raw-sum ratio of GPU_REML's README.
    public var h2Raw: Double
    /// Per-component trace-weighted shares a_gθ_g / (V_G + V_E) and SEs.
    public var shares: [Double]
    public var sharesSE: [Double]
    /// ℓ_R without the −½(n − p)·log 2π constant (GCTA's convention), original scale.
    public var logL: Double
    public var logL0: Double
    /// −½(n − p)·log 2π, to add for the full restricted log-likelihood.
    public var logLConstant: Double
    public var lrt: Double
    public var df: Int
    /// ½·P(χ²_df > LRT): the boundary mixture, as GCTA reports it.
    public var pValue: Double
    public var sampleCount: Int
    public var fixedCount: Int
    public var stopReason: StopReason
    public var iterations: Int
    public var evaluations: Int
    /// Un-divided projected score ∞-norm at the estimate (standardised scale).
    public var projectedScore: Double
    /// Parameters on the standardised scale, as fitted.
    public var standardisedPsi: [Double]
    public var converged: Bool { stopReason == .converged || stopReason == .withinNoise }
    public var boundary: Bool { atBound.contains(true) }

    /// One line for logs and the .hsq: converged or why not, iterations, boundary.
    public var statusLine: String {
        var s = stopReason == .converged ? "converged"
            : stopReason == .withinNoise ? "converged within noise (remaining step below ~0.15 SE; every trial of the last iteration was rejected)"
            : "NOT CONVERGED (\(stopReason.rawValue))"
        s += " after \(iterations) iterations (\(evaluations) likelihood evaluations); projected score \(String(format: "%.2e", projectedScore))"
        let bounds = atBound.enumerated().filter(\.element).map { componentNames[$0.offset] }
        if !bounds.isEmpty { s += "; at the boundary: \(bounds.joined(separator: ", ")) (Wald SE not valid there; use the LRT)" }
        return s
    }

    /// Builds the report from a fit on the standardised scale.
    public init(fit: AIREMLFit, data: REMLData, atoms: [Double], names: [String], settings: AIREMLSettings) {
        let g = atoms.count, k = g + 1
        let c2 = data.yScale * data.yScale
        let psi = fit.psi
        componentNames = names + ["e"]
        self.atoms = atoms
        standardisedPsi = psi
        let variances = psi.map { $0 * c2 }
        let atBound = (0..<k).map { i in i < g ? psi[i] <= settings.geneticZeroTolerance : psi[i] <= settings.residualFloor + 1e-8 }
        self.variances = variances
        self.atBound = atBound
        // Covariance of the free parameters: inverse of the un-divided AI restricted to them.
        let free = (0..<k).filter { !atBound[$0] }
        var cov = Matrix<Double>(rows: k, columns: k)
        var sub = Matrix<Double>(rows: free.count, columns: free.count)
        for (a, i) in free.enumerated() { for (b, j) in free.enumerated() { sub[a, b] = fit.evaluation.averageInformation[i, j] } }
        let inv = SmallLinearAlgebra.inverse(sub)
        for (a, i) in free.enumerated() {
            for (b, j) in free.enumerated() { cov[i, j] = (inv?[a, b] ?? .nan) * c2 * c2 }
        }
        func variance(_ grad: [Double]) -> Double {
            var v = 0.0
            for i in free { for j in free { v += grad[i] * cov[i, j] * grad[j] } }
            return v
        }
        standardErrors = (0..<k).map { atBound[$0] ? .nan : cov[$0, $0].squareRoot() }
        let ones = [Double](repeating: 1, count: k)
        vp = variances.reduce(0, +)
        vpSE = variance(ones).squareRoot()
        let vg = (0..<g).reduce(0.0) { $0 + atoms[$1] * variances[$1] }
        let ve = variances[g]
        let total = max(vg + ve, 1e-8 * c2)
        let h2 = vg / total
        self.h2 = h2
        var grad = (0..<g).map { atoms[$0] * ve / (total * total) }
        grad.append(-vg / (total * total))
        // With every genetic component at the boundary h² is pinned at 0: no Wald SE (NA), as
        // for the components' variances and shares; otherwise the restricted delta method.
        h2SE = (0..<g).allSatisfy { atBound[$0] } ? .nan : variance(grad).squareRoot()
        let rawG = variances[0..<g].reduce(0, +)
        h2Raw = rawG / max(rawG + ve, 1e-8 * c2)
        shares = (0..<g).map { atoms[$0] * variances[$0] / total }
        // A component at the boundary has no Wald SE (its variance row says NA), nor has its
        // share, which the restricted inverse would pin at exactly 0.
        sharesSE = (0..<g).map { c in
            if atBound[c] { return .nan }
            var gr = (0..<g).map { j in (j == c ? atoms[c] / total : 0) - atoms[c] * variances[c] * atoms[j] / (total * total) }
            gr.append(-atoms[c] * variances[c] / (total * total))
            return variance(gr).squareRoot()
        }
        // Log-likelihoods on the original scale (§1.7) and the no-genetic model in closed form.
        let n = data.sampleCount, p = data.fixedCount
        let shift = Double(n - p) * Double.log(data.yScale)
        logL = fit.evaluation.logLikelihood - shift
        logL0 = REMLEstimates.nullLogLikelihood(data, floor: settings.residualFloor) - shift
        logLConstant = -0.5 * Double(n - p) * Double.log(2 * Double.pi)
        lrt = max(0, 2 * (logL - logL0))
        df = atoms.filter { $0 > 0 }.count
        pValue = df == 0 ? 1 : 0.5 * GSL.chiSquaredUpperTail(lrt, degreesOfFreedom: Double(df))
        sampleCount = n
        fixedCount = p
        stopReason = fit.stopReason
        iterations = fit.iterations
        evaluations = fit.evaluations
        projectedScore = fit.projectedScore
    }

    /// max over η of ℓ_R for H = ηI: η̂ = RSS/(n − p) (at least the floor),
    /// ℓ = −½[(n − p)·log η̂ + log|XᵀX| + RSS/η̂], standardised scale.
    public static func nullLogLikelihood(_ data: REMLData, floor: Double) -> Double {
        let n = data.sampleCount, p = data.fixedCount
        let xtx = data.design.gram()
        guard let (l, logDet) = SmallLinearAlgebra.cholesky(xtx) else { return .nan }
        let xty = data.design.multiplied(by: Vector(data.y), transpose: true)
        let b = SmallLinearAlgebra.solve(factor: l, Matrix(rows: p, columns: 1, columnMajor: xty.storage))
        let fitted = data.design.multiplied(by: Vector(b.storage)).storage
        let rss = (0..<n).reduce(0.0) { $0 + (data.y[$1] - fitted[$1]) * (data.y[$1] - fitted[$1]) }
        let eta = max(rss / Double(n - p), floor)
        return -0.5 * (Double(n - p) * Double.log(eta) + logDet + rss / eta)
    }
}
