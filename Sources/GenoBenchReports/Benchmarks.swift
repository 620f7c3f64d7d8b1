import GenoBenchStore

/// The cost a report measures.
public enum CostMetric: String, Sendable, CaseIterable {
    case wall, cpu
    case peakRSS = "peak_rss"

    func value(_ r: StoredRun) -> Double? {
        switch self {
        case .wall: r.wallSeconds
        case .cpu: r.cpuSeconds
        case .peakRSS: r.peakResidentBytes.map(Double.init)
        }
    }

    var label: String {
        switch self {
        case .wall: "wall s"
        case .cpu: "CPU s"
        case .peakRSS: "peak RSS MiB"
        }
    }

    func cell(_ x: Double) -> ReportCell { self == .peakRSS ? Format.mebibytes(x) : Format.seconds(x) }
}

/// What the heap held when runs were measured (the suite's `heap`), from each run's peak method.
public enum HeapState: String, Sendable {
    /// Every run that says was measured cold.
    case cold
    /// Every run that says was measured with `heap = "warm"`.
    case warm
    /// Some of each.
    case mixed
    /// No run says (stores older than the `heap` key, or runs never measured).
    case unknown

    public static func of(_ runs: [StoredRun]) -> HeapState {
        let measured = runs.compactMap(\.measuredWarm)
        if measured.isEmpty { return .unknown }
        let warm = measured.filter { $0 }.count
        return warm == 0 ? .cold : (warm == measured.count ? .warm : .mixed)
    }

    /// The reports' note for runs that were not all measured cold; nil for cold or unknown.
    public static func note(_ runs: [StoredRun]) -> String? {
        switch of(runs) {
        case .warm: "Heap: warm (the suite's `heap = \"warm\"`): freed heap stayed with the process between measured calls, so times are the steady state; a peak includes the freed heap kept from earlier calls, and peak minus the resident set before the run no longer counts memory the run reused."
        case .mixed: "Heap: mixed: some runs were measured with a warm heap (`heap = \"warm\"`), others cold; their times are not comparable."
        case .cold, .unknown: nil
        }
    }
}

/// One problem (family, parameters, seed) as stored.
public struct ProblemKey: Sendable, Hashable, Comparable {
    public var family: String
    public var paramsJSON: String
    public var seed: Int64

    /// Family, then parameters in key order with numbers compared as numbers (samples=500
    /// before samples=2000), then seed.
    public static func < (a: ProblemKey, b: ProblemKey) -> Bool {
        if a.family != b.family { return a.family < b.family }
        let pa = Store.compactParams(a.paramsJSON), pb = Store.compactParams(b.paramsJSON)
        for (x, y) in zip(pa, pb) where x != y {
            if x.0 != y.0 { return x.0 < y.0 }
            if let u = Double(x.1), let v = Double(y.1) { return u < v }
            return x.1 < y.1
        }
        if pa.count != pb.count { return pa.count < pb.count }
        return a.seed < b.seed
    }
}

/// The repeats of one backend on one problem: what every report summarises.
public struct Benchmark: Sendable {
    public var problem: ProblemKey
    public var params: [String: String]
    public var backend: String
    public var runs: [StoredRun]

    public var okRuns: [StoredRun] { runs.filter { $0.status == "ok" || $0.status == "out_of_tolerance" } }

    /// Summary of a cost over the runs that produced one (failed runs have none).
    public func summary(_ metric: CostMetric) -> SampleSummary? {
        let v = okRuns.compactMap(metric.value)
        return v.isEmpty ? nil : SampleSummary(v)
    }

    /// "ok", "failed", "out_of_tolerance" or "timeout" if any run has it, in that order of weight.
    public var verdict: String {
        let s = Set(runs.map(\.status))
        for worst in ["failed", "timeout", "out_of_tolerance"] where s.contains(worst) { return worst }
        return "ok"
    }

    /// Groups runs by (problem, backend), sorted by problem then backend.
    public static func group(_ runs: [StoredRun]) -> [Benchmark] {
        var order: [String] = []
        var byKey: [String: Benchmark] = [:]
        for r in runs {
            let key = "\(r.family)|\(r.paramsJSON)|\(r.seed)|\(r.backend)"
            if byKey[key] == nil {
                order.append(key)
                byKey[key] = Benchmark(problem: ProblemKey(family: r.family, paramsJSON: r.paramsJSON, seed: r.seed),
                                       params: r.params, backend: r.backend, runs: [])
            }
            byKey[key]!.runs.append(r)
        }
        return order.map { byKey[$0]! }.sorted { ($0.problem, $0.backend) < ($1.problem, $1.backend) }
    }
}

/// Labels problems by the parameters that differ between them ("samples=500 variants=1200 seed=1").
public struct ProblemLabeler: Sendable {

    /// Parameters are compared within each family (ld's ld-rho and reml's are unrelated).
    public init(_ benchmarks: [Benchmark]) {
        var values: [String: [String: Set<String>]] = [:]
        for b in benchmarks { for (k, v) in b.params { values[b.problem.family, default: [:]][k, default: []].insert(v) } }
        byFamily = values.mapValues { $0.filter { $0.value.count > 1 }.keys.sorted() }
    }

    /// Per family, the parameters whose values differ between its problems.
    let byFamily: [String: [String]]

    public func label(_ b: Benchmark) -> String {
        let shown = (byFamily[b.problem.family] ?? []).compactMap { k in b.params[k].map { "\(k)=\($0)" } }
        return ([b.problem.family] + shown + ["seed=\(b.problem.seed)"]).joined(separator: " ")
    }
}

/// Numeric value of a stored parameter text ("4000", "0.5", "true" → nil).
func numeric(_ s: String?) -> Double? { s.flatMap(Double.init) }
