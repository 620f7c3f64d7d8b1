import GenoBenchCore

/// One problem instance of a run plan: a family, resolved parameters, a seed, the backends to
/// run on it and the tolerance overrides.
public struct PlannedProblem: Sendable {
    public let family: FamilyEntry
    public let parameters: ProblemParameters
    public let seed: UInt64
    public let backends: [BackendInfo]
    public let toleranceOverrides: [String: Double]

    /// "family key=value … seed=s", showing only `keys` (the parameters that vary in the plan).
    public func label(showing keys: Set<String>) -> String {
        let shown = parameters.values.keys.sorted().filter(keys.contains).map { "\($0)=\(parameters.values[$0]!)" }
        return ([family.id] + shown + ["seed=\(seed)"]).joined(separator: " ")
    }
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

    /// Parameters whose value differs between the plan's problems (what tells them apart).
    public var varyingParameterKeys: Set<String> {
        var seen: [String: Set<String>] = [:]
        for p in problems { for (k, v) in p.parameters.values { seen[k, default: []].insert(v.json) } }
        return Set(seen.filter { $0.value.count > 1 }.keys)
    }

    /// Counted runs in the plan (warm-ups excluded).
    public var runCount: Int { problems.reduce(0) { $0 + $1.backends.count } * suite.repeats }
}
