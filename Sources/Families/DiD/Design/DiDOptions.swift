/// How the cells enter the model (spec did.md §3).
public enum AggregateMode: String, Sendable, CaseIterable, Codable {
    /// One row per participant × visit, weighted by its cell count (WLS).
    case participantVisit = "participant_visit"
    /// One row per participant × visit × cell type, weighted by its cell count; one participant
    /// fixed effect, no cell-type term.
    case participantVisitCelltype = "participant_visit_celltype"
    /// One row per cell, unweighted (OLS).
    case cell
}

/// The per-group summary of the per-cell values in the pseudobulk modes (spec §3, §11).
public enum AggregateFunction: String, Sendable, CaseIterable, Codable {
    /// Mean over the group's non-missing cell values.
    case mean
    /// Percentage (0–100) of the group's non-missing cell values that are > 0 (sctrial
    /// advertises it and fails; spec §11 asks for this definition).
    case pctPos = "pct_pos"
}

/// Which columns the small-sample factor `c = G/(G−1)·(N−1)/(N−K)` counts in K (spec §4.3, §15.2).
public enum FixedEffectCounting: String, Sendable, CaseIterable, Codable {
    /// K counts the intercept, the G − 1 participant dummies, both slopes and the covariates:
    /// statsmodels on sctrial's formula (the default; c ≈ 2 for pseudobulk with large G).
    case feInK = "fe-in-k"
    /// K counts the intercept, both slopes and the covariates only (Stata xtreg / fixest style).
    case feAbsorbed = "fe-absorbed"
}

/// The reference distribution of z = β/SE for the cluster-robust p-values (spec §4.3, §15.1).
public enum PValueDistribution: String, Sendable, CaseIterable, Codable {
    /// Two-sided normal: statsmodels' default for robust covariances, what sctrial reports.
    case normal
    /// Two-sided Student t with G − 1 degrees of freedom (the df statsmodels records but does not use).
    case tClusters = "t-clusters"
}

/// Everything that decides the model once the cells are chosen.
public struct DiDOptions: Sendable, Equatable, Codable {
    public var aggregate: AggregateMode = .participantVisit
    public var function: AggregateFunction = .mean
    /// z-score the outcome over the rows entering the fit (spec §4.1); z and p do not depend on it.
    public var standardize = true
    public var kCounting: FixedEffectCounting = .feInK
    public var pDistribution: PValueDistribution = .normal

    public init(aggregate: AggregateMode = .participantVisit, function: AggregateFunction = .mean, standardize: Bool = true,
                kCounting: FixedEffectCounting = .feInK, pDistribution: PValueDistribution = .normal) {
        self.aggregate = aggregate
        self.function = function
        self.standardize = standardize
        self.kCounting = kCounting
        self.pDistribution = pDistribution
    }

    /// Parses one option value against an enum's raw values, naming the option and the choices.
    public static func parse<E: RawRepresentable & CaseIterable>(_ value: String, option: String, as: E.Type) throws -> E
    where E.RawValue == String {
        guard let v = E(rawValue: value) else {
            throw DiDError.invalidOption("\(option) must be one of \(E.allCases.map(\.rawValue).joined(separator: ", ")), got '\(value)'")
        }
        return v
    }
}
