/// What happened to one feature's fit (spec did.md §11). Only `ok`, `few_clusters` and
/// `fallback_nonrobust` carry numbers; the others leave every statistic NaN.
public enum DiDStatus: String, Sendable, CaseIterable, Codable {
    /// Fitted with cluster-robust SEs and at least 10 participants.
    case ok
    /// Fitted, but with 4–9 participants: cluster-robust SEs are unreliable (sctrial warns).
    case fewClusters = "few_clusters"
    /// Fewer than 4 participants with usable rows, or no residual degrees of freedom left.
    case tooFewUnits = "too_few_units"
    /// The outcome's SD over the rows is below 1e-8 or not finite (both `--standardize` settings).
    case constantOutcome = "constant_outcome"
    /// visit or visit × arm is collinear with the participant fixed effects (one arm only, or
    /// no participant with both visits among the usable rows).
    case noContrast = "no_contrast"
    /// The cluster SE was not finite: ordinary covariance σ̂²B⁻¹ with Student t(N − K) p-values.
    case fallbackNonrobust = "fallback_nonrobust"

    /// Whether β, SE and p are numbers.
    public var isFitted: Bool { self == .ok || self == .fewClusters || self == .fallbackNonrobust }
}

/// One feature's difference-in-differences estimates (spec §4, §7), in raw or standardised
/// units as `DiDOptions.standardize` says. Undefined values are NaN and `status` says why.
public struct FeatureFit: Sendable, Equatable {
    public var betaDiD = Double.nan
    public var seDiD = Double.nan
    public var zDiD = Double.nan
    public var pDiD = Double.nan
    public var betaTime = Double.nan
    public var seTime = Double.nan
    public var pTime = Double.nan
    /// Participants with at least one usable row (the clusters G).
    public var units = 0
    /// Cells behind the usable rows (pseudobulk: the sum of the weights).
    public var cells = 0
    /// Rows that entered the regression (N).
    public var rows = 0
    /// sqrt(Σ w e² / (N − K)).
    public var residualSD = Double.nan
    /// K: the design rank as the small-sample factor counts it.
    public var rank = 0
    /// The outcome SD over the rows (the standardisation scale s).
    public var outcomeSD = Double.nan
    /// Indices of covariates dropped as collinear with the fixed effects (time-invariant).
    public var droppedCovariates: [Int] = []
    public var status: DiDStatus = .tooFewUnits

    public init() {}
}
