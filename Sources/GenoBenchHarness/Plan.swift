import GenoBenchCore

/// One problem instance of a run plan: a family, resolved parameters, a seed, the backends to
/// run on it and the tolerance overrides.
public struct PlannedProblem: Sendable {
    public let family: FamilyEntry
    public let parameters: ProblemParameters
    public let seed: UInt64
    public let backends: [BackendInfo]
    public let toleranceOverrides: [String: Double]
    /// 0-based position in the whole (unsharded) plan: the shard rule's k.
    public let unitIndex: Int

    /// "family key=value … seed=s", showing only `keys` (the parameters that vary in the plan).
    public func label(showing keys: Set<String>) -> String {
        let shown = parameters.values.keys.sorted().filter(keys.contains).map { "\($0)=\(parameters.values[$0]!)" }
        return ([family.id] + shown + ["seed=\(seed)"]).joined(separator: " ")
    }
}

/// The cross product a suite describes: for each [[problems]] table, every combination of
/// parameter values (keys in sorted order) times every seed, and for a family that splits a
/// problem into parts (LD's `subproblems`/`part`) given a count C but no index, times the C
/// parts 1…C (innermost, so the parts of one problem are consecutive units).
///
/// With a shard I/N only the units k (0-based, in that order) with `k % N == I - 1` are kept.
/// A unit is one problem with all its backends and repeats, so each problem's data and GSL
/// reference are built in exactly one shard (see `Shard`).
public struct RunPlan: Sendable {
    public let suite: Suite
    public let problems: [PlannedProblem]
    /// The shard this plan is (nil: the whole plan).
    public let shard: Shard?
    /// Problems in the whole plan, every shard together.
    public let unitCount: Int

    public init(suite: Suite, registry: Registry, shard: Shard? = nil) throws {
        self.suite = suite
        self.shard = shard
        var out: [PlannedProblem] = []
        for (index, p) in suite.problems.enumerated() {
            let family = try registry.family(p.family)
            let backends = try (p.backends ?? family.backends.map(\.id)).map { try registry.backend($0, family: p.family) }
            var combos: [[String: ParameterValue]] = [[:]]
            for (key, values) in p.params {
                combos = combos.flatMap { c in values.map { v in c.merging([key: v]) { $1 } } }
            }
            let expandsParts = family.partition.map { part in
                p.params.contains { $0.0 == part.count } && !p.params.contains { $0.0 == part.index }
            } ?? false
            for combo in combos {
                let parameters = try ProblemParameters.resolve(combo, specs: family.parameters, family: family.id)
                var variants = [parameters]
                if expandsParts, let part = family.partition {
                    let count = try parameters.int(part.count)
                    if count > 1 {
                        variants = try (1...count).map { j in
                            try ProblemParameters.resolve(combo.merging([part.index: .int(j)]) { $1 }, specs: family.parameters,
                                                          family: family.id)
                        }
                    }
                }
                for v in variants {
                    do { try family.checkParameters(v) } catch {
                        throw SuiteError(file: suite.path, "problems[\(index + 1)] (\(v.label)): \(error)")
                    }
                }
                for seed in p.seeds {
                    for v in variants {
                        out.append(PlannedProblem(family: family, parameters: v, seed: seed, backends: backends,
                                                  toleranceOverrides: p.tolerances, unitIndex: out.count))
                    }
                }
            }
        }
        unitCount = out.count
        problems = shard.map { s in out.filter { s.contains(unit: $0.unitIndex) } } ?? out
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

/// One of N disjoint shards of a run plan, `--shard I/N` (1 ≤ I ≤ N).
///
/// The rule: the k-th unit of the plan (0-based, plan order) belongs to shard `k mod N + 1`.
/// A unit is a problem with all its backends and repeats: the problem's data is built and its
/// reference computed once, in one shard, as in an unsharded run (splitting a problem's
/// backends over shards would build the data and the GSL reference once per shard). The
/// shards are disjoint and together cover the plan, for any N.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw ShardError("--shard I/N needs N >= 1, got \(count)") }
        guard (1...count).contains(index) else { throw ShardError("--shard \(index)/\(count): I must be in 1...\(count)") }
        self.index = index
        self.count = count
    }

    /// Parses "I/N".
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw ShardError("--shard wants I/N with integers 1 <= I <= N (e.g. 2/8), got '\(text)'")
        }
        try self.init(index: i, count: n)
    }

    public func contains(unit k: Int) -> Bool { k % count == index - 1 }

    public var description: String { "\(index)/\(count)" }
}

/// An invalid `--shard` (a usage error).
public struct ShardError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ d: String) { description = d }
}
