import GenoBenchCore

/// The data a fit works on, on the standardised phenotype scale of spec reml.md §1.7:
/// y_std = (y − ȳ)/c with c = population SD + 1e−6, and the fixed-effect design X (n x p, an
/// intercept first). With an intercept, ψ_original = c²·ψ_std and
/// ℓ_R(original) = ℓ_R(std) − (n − p)·log c; h² is unchanged.
public struct REMLData: Sendable {
    public let y: [Double]
    public let design: Matrix<Double>
    public let yMean: Double
    public let yScale: Double
    public var sampleCount: Int { y.count }
    public var fixedCount: Int { design.columns }

    public init(phenotype: [Double], design: Matrix<Double>) {
        precondition(design.rows == phenotype.count, "design rows differ from the phenotype length")
        let n = Double(phenotype.count)
        let mean = phenotype.reduce(0, +) / n
        let sd = (phenotype.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
        yMean = mean
        yScale = sd + 1e-6
        y = phenotype.map { ($0 - mean) / (sd + 1e-6) }
        self.design = design
    }
}

/// ℓ_R, its score and average information at one ψ (spec reml.md §1.2–1.5), un-divided, on the
/// standardised scale, without the −½(n − p)·log 2π constant.
public struct REMLEvaluation: Sendable {
    public var logLikelihood: Double
    /// s_i = ½[(Py)ᵀA_i(Py) − tr(P A_i)], genetic components first, the residual last.
    public var score: [Double]
    /// AI_ij = ½(A_i Py)ᵀ P (A_j Py), k x k.
    public var averageInformation: Matrix<Double>
    public var yPy: Double
    public var logDetH: Double
    public var logDetW: Double

    public init(logLikelihood: Double, score: [Double], averageInformation: Matrix<Double>, yPy: Double, logDetH: Double, logDetW: Double) {
        self.logLikelihood = logLikelihood
        self.score = score
        self.averageInformation = averageInformation
        self.yPy = yPy
        self.logDetH = logDetH
        self.logDetW = logDetW
    }

    var isFinite: Bool {
        logLikelihood.isFinite && score.allSatisfy(\.isFinite) && averageInformation.storage.allSatisfy(\.isFinite)
    }
}

/// A failed evaluation at a trial ψ (H or XᵀH⁻¹X not positive definite, an iterative solve that
/// did not converge): the optimiser rejects the trial; at the start it is fatal.
public struct EvaluationFailure: Error, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Something that evaluates ℓ_R, score and AI at ψ = (θ_1..θ_G, η) for H = Σθ_g K_g + ηI.
public protocol REMLObjective {
    /// Genetic atoms a_g = tr(K_g)/n.
    var atoms: [Double] { get }
    /// Evaluates at ψ; `iteration` lets iterative evaluators follow a tolerance schedule.
    mutating func evaluate(_ psi: [Double], iteration: Int) throws -> REMLEvaluation
    /// Extra numbers the backend reports (PCG iterations, operator passes), merged into diagnostics.
    var diagnostics: Diagnostics { get }
    /// The accuracy an evaluation at this outer iteration uses (an iterative solver's tolerance).
    /// When it changes, the optimiser re-evaluates the current point, so a trial is never judged
    /// against a likelihood computed less accurately. Exact evaluators return 0.
    func evaluationTolerance(iteration: Int) -> Double
    /// Called after the optimiser accepts a step (an iterative evaluator may refresh its preconditioner).
    mutating func accepted(psi: [Double], maxRelativeStep: Double)
}

extension REMLObjective {
    public var diagnostics: Diagnostics { Diagnostics() }
    public mutating func accepted(psi: [Double], maxRelativeStep: Double) {}
    public func evaluationTolerance(iteration: Int) -> Double { 0 }
}

/// Small dense helpers in Double for p x p and k x k systems.
enum SmallLinearAlgebra {
    /// log-determinant and Cholesky factor of a symmetric positive-definite matrix, or nil.
    static func cholesky(_ a: Matrix<Double>) -> (factor: Matrix<Double>, logDet: Double)? {
        guard case .success(let l) = a.choleskyFactor() else { return nil }
        var s = 0.0
        for i in 0..<a.rows { s += 2 * Double.log(l[i, i]) }
        return (l, s)
    }

    /// Solves L Lᵀ X = B from a lower factor.
    static func solve(factor l: Matrix<Double>, _ b: Matrix<Double>) -> Matrix<Double> {
        var x = b
        if b.columns == 0 || b.rows == 0 { return x }
        _ = l.storage.withUnsafeBufferPointer { lp in
            x.storage.withUnsafeMutableBufferPointer { xp in
                Double.potrs(n: l.rows, nrhs: b.columns, a: lp.baseAddress!, lda: l.rows, b: xp.baseAddress!, ldb: b.rows)
            }
        }
        return x
    }

    /// The inverse of a symmetric positive-definite matrix, or nil.
    static func inverse(_ a: Matrix<Double>) -> Matrix<Double>? {
        guard let (l, _) = cholesky(a) else { return nil }
        return solve(factor: l, Matrix.identity(a.rows))
    }
}
