import GenoBenchCore

/// One problem instance of a run plan: a family, resolved parameters, a seed, the backends to
/// run on it and the tolerance overrides.
public struct PlannedProblem: Sendable {
    public let family: FamilyEntry
    public let parameters: ProblemParameters
    public let seed: UInt64
    public let backends: [BackendInfo]
    public let toleranceOverrides: [String: Double]

    public var label: String { "\(family.id) \(parameters.label) seed=\(seed)" }
}

/// The cross product a suite describes: for each [[problems]] table, every combination of
/// parameter values (keys in sorted order) times every seed.
public struct RunPlan: Sendable {
    public let suite: Suite
    public let problems: [PlannedProblem]

    public init(suite: Suite, registry: Registry) throws {
        self.suite = suite
        var out: [PlannedProblem] = []
        for p in suite.problems {
            let family = try registry.family(p.family)
            let backends = try (p.backends ?? family.backends.map(\.id)).map { try registry.backend($0, family: p.family) }
            var combos: [[String: ParameterValue]] = [[:]]
            for (key, values) in p.params {
                combos = combos.flatMap { c in values.map { v in c.merging([key: v]) { $1 } } }
            }
            for combo in combos {
                let parameters = try ProblemParameters.resolve(combo, specs: family.parameters, family: family.id)
                for seed in p.seeds {
                    out.append(PlannedProblem(family: family, parameters: parameters, seed: seed, backends: backends,
                                              toleranceOverrides: p.tolerances))
                }
            }
        }
        problems = out
    }

    /// Counted runs in the plan (warm-ups excluded).
    public var runCount: Int { problems.reduce(0) { $0 + $1.backends.count } * suite.repeats }
}
