import Foundation
import GenoBenchCore

/// Status of one stored run.
public enum RunStatus: String, Sendable, Codable {
    case ok
    case failed
    case outOfTolerance = "out_of_tolerance"
    /// Stopped at the per-run time limit.
    case timeout
}

/// The GSL reference's cost for one problem (computed once per problem and invocation).
public struct ReferenceRecord: Sendable {
    public var problem: PlannedProblem
    public var dataHash: String
    public var measurement: Measurement?
    public var error: String?
}

/// Everything recorded about one counted run.
public struct RunRecord: Sendable {
    public var problem: PlannedProblem
    public var dataHash: String
    public var backend: BackendInfo
    public var repeatIndex: Int
    public var status: RunStatus
    public var error: String?
    public var measurement: Measurement?
    public var threads: Int
    public var metrics: [Metric]
    public var estimates: [Estimate]
    public var diagnostics: Diagnostics
}

/// Where the runner puts runs (the SQLite store; tests may use memory).
public protocol RunSink: AnyObject {
    /// Whether this (problem, backend, repeat) is already stored for the invocation being resumed.
    func isRecorded(problem: PlannedProblem, backend: String, repeatIndex: Int) throws -> Bool
    /// Stores one run (one transaction).
    func record(_ run: RunRecord) throws
    /// Stores the reference's cost for a problem (once per invocation; a resumed invocation
    /// keeps the first).
    func recordReference(_ reference: ReferenceRecord) throws
}

extension RunSink {
    /// Default: references are not stored.
    public func recordReference(_ reference: ReferenceRecord) throws {}
}

/// Progress lines for a terminal (or nothing, with `--quiet`).
public protocol ProgressSink: Sendable {
    func report(_ line: String)
}

public struct NoProgress: ProgressSink {
    public init() {}
    public func report(_ line: String) {}
}

/// Runs a plan: for each problem the data is built once and the reference computed once, then
/// every backend runs on the same data: warm-ups (not recorded), then the counted repeats, each
/// measured and checked against the reference. A backend that throws is recorded as failed and
/// the suite goes on; only the sink (the store) failing stops the run.
public struct Runner {
    public var plan: RunPlan
    public var threads: Int
    public var progress: any ProgressSink
    /// Polled before each problem, warm-up and counted run: true stops the runner there (the
    /// run in flight is finished and recorded first), with `Outcome.stopped` set. SIGINT and
    /// SIGTERM set it in `genobench run`.
    public var shouldStop: @Sendable () -> Bool

    public init(plan: RunPlan, threads: Int, progress: any ProgressSink = NoProgress(),
                shouldStop: @escaping @Sendable () -> Bool = { false }) {
        self.plan = plan
        self.threads = threads
        self.progress = progress
        self.shouldStop = shouldStop
    }

    public struct Outcome: Sendable {
        public var recorded = 0
        public var skipped = 0
        public var failed = 0
        public var outOfTolerance = 0
        /// Stopped on request before the plan was done (the invocation stays unfinished).
        public var stopped = false
    }

    public func run(into sink: RunSink) throws -> Outcome {
        var outcome = Outcome()
        let context = RunContext(threads: threads)
        let total = plan.runCount
        var position = 0
        let varying = plan.varyingParameterKeys
        for problem in plan.problems {
            let label = problem.label(showing: varying)
            let pending = try problem.backends.flatMap { b in
                try (0..<plan.suite.repeats).compactMap { r in
                    try sink.isRecorded(problem: problem, backend: b.id, repeatIndex: r) ? nil : (b, r)
                }
            }
            let done = problem.backends.count * plan.suite.repeats - pending.count
            outcome.skipped += done
            position += done
            if pending.isEmpty { continue }
            if shouldStop() { outcome.stopped = true; return outcome }
            progress.report("problem \(label): building data")
            let instance: (any ProblemInstance)?
            var setupError: String?
            var reference: ReferenceRecord?
            do {
                let built = try problem.family.makeInstance(problem.parameters, seed: problem.seed)
                progress.report("problem \(label): computing the reference")
                do {
                    let (_, m) = try Measure.call { try built.prepareReference() }
                    reference = ReferenceRecord(problem: problem, dataHash: built.dataHash, measurement: m)
                } catch {
                    reference = ReferenceRecord(problem: problem, dataHash: built.dataHash, error: "\(error)")
                    throw error
                }
                instance = built
            } catch {
                instance = nil
                setupError = "problem set-up failed: \(error)"
            }
            // Outside the catch above: a store that fails stops the run.
            if let reference { try sink.recordReference(reference) }
            for backend in problem.backends {
                let repeats = pending.filter { $0.0.id == backend.id }.map(\.1)
                if repeats.isEmpty { continue }
                if let instance {
                    for w in 0..<plan.suite.warmup {
                        if shouldStop() { outcome.stopped = true; return outcome }
                        progress.report("  \(backend.id) warm-up \(w + 1)/\(plan.suite.warmup)")
                        _ = try? instance.solve(backend: backend.id, context: context)
                    }
                }
                for r in repeats {
                    if shouldStop() { outcome.stopped = true; return outcome }
                    position += 1
                    var record = RunRecord(problem: problem, dataHash: instance?.dataHash ?? "", backend: backend, repeatIndex: r,
                                           status: .failed, error: setupError, measurement: nil, threads: threads,
                                           metrics: [], estimates: [], diagnostics: Diagnostics())
                    if let instance {
                        do {
                            let (solved, m) = try Measure.call { try instance.solve(backend: backend.id, context: context) }
                            record.measurement = m
                            record.diagnostics = solved.diagnostics
                            record.diagnostics.set("peak_rss_method", m.peakMethod)
                            let evaluation = try instance.evaluate(solved, tolerances: problem.toleranceOverrides)
                            record.metrics = evaluation.metrics
                            record.estimates = evaluation.estimates
                            record.status = evaluation.passed ? .ok : .outOfTolerance
                            record.error = nil
                        } catch {
                            record.status = .failed
                            record.error = "\(error)"
                        }
                    }
                    try sink.record(record)
                    outcome.recorded += 1
                    if record.status == .failed { outcome.failed += 1 }
                    if record.status == .outOfTolerance { outcome.outOfTolerance += 1 }
                    let timing = record.measurement.map { String(format: "%.4f s, peak %.1f MiB", $0.wallSeconds, Double($0.peakResidentBytes) / 1_048_576) } ?? "-"
                    progress.report("[\(position)/\(total)] \(backend.id) repeat \(r + 1): \(record.status.rawValue) (\(timing))\(record.error.map { ": " + $0 } ?? "")")
                }
            }
        }
        return outcome
    }
}
