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
    /// Time limit and memory budget per run (RunLimits.swift).
    public var limits: RunLimits

    public init(plan: RunPlan, threads: Int, progress: any ProgressSink = NoProgress(),
                shouldStop: @escaping @Sendable () -> Bool = { false }, limits: RunLimits = RunLimits()) {
        self.plan = plan
        self.threads = threads
        self.progress = progress
        self.shouldStop = shouldStop
        self.limits = limits
    }

    public struct Outcome: Sendable {
        public var recorded = 0
        public var skipped = 0
        public var failed = 0
        public var outOfTolerance = 0
        /// Stopped on request before the plan was done (the invocation stays unfinished).
        public var stopped = false
        public var timedOut = 0
    }

    public func run(into sink: RunSink) throws -> Outcome {
        var outcome = Outcome()
        let watchdog = limits.timeoutSeconds == nil ? nil : Watchdog()
        defer { watchdog?.stop() }
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
            var setupStatus = RunStatus.failed
            var referenceStuck = false
            var reference: ReferenceRecord?
            do {
                let built = try problem.family.makeInstance(problem.parameters, seed: problem.seed)
                progress.report("problem \(label): computing the reference")
                let stuck = pending.map { b, r in
                    RunRecord(problem: problem, dataHash: built.dataHash, backend: b, repeatIndex: r, status: .timeout, error: nil,
                              measurement: nil, threads: threads, metrics: [], estimates: [], diagnostics: Diagnostics())
                }
                let (result, m, fired) = limited(sink, what: "the GSL reference of problem \(label)", stuck: stuck, watchdog: watchdog) {
                    try built.prepareReference()
                }
                referenceStuck = fired
                if case .failure(let error) = result {
                    reference = ReferenceRecord(problem: problem, dataHash: built.dataHash, error: "\(error)")
                    throw error
                }
                reference = ReferenceRecord(problem: problem, dataHash: built.dataHash, measurement: m)
                if overran(m) {
                    setupStatus = .timeout
                    setupError = "the GSL reference \(timeoutMessage(nil, m)); backends not run"
                }
                instance = setupError == nil ? built : nil
            } catch {
                instance = nil
                setupError = "problem set-up failed: \(error)"
            }
            // Outside the catch above: a store that fails stops the run.
            if let reference { try sink.recordReference(reference) }
            if referenceStuck {  // the watchdog recorded every pending run of the problem
                position += pending.count
                outcome.recorded += pending.count
                outcome.timedOut += pending.count
                continue
            }
            for backend in problem.backends {
                let repeats = pending.filter { $0.0.id == backend.id }.map(\.1)
                if repeats.isEmpty { continue }
                var warmupTimeout: String?
                var warmupStuck = false
                if let instance {
                    for w in 0..<plan.suite.warmup {
                        if shouldStop() { outcome.stopped = true; return outcome }
                        progress.report("  \(backend.id) warm-up \(w + 1)/\(plan.suite.warmup)")
                        let stuck = repeats.map { r in
                            RunRecord(problem: problem, dataHash: instance.dataHash, backend: backend, repeatIndex: r, status: .timeout,
                                      error: nil, measurement: nil, threads: threads, metrics: [], estimates: [], diagnostics: Diagnostics())
                        }
                        let (result, m, fired) = limited(sink, what: "\(backend.id) warm-up \(w + 1)", stuck: stuck, watchdog: watchdog) {
                            try instance.solve(backend: backend.id, context: limits.context(threads: threads))
                        }
                        if fired { warmupStuck = true; break }  // the watchdog recorded the repeats
                        if case .failure(let e) = result, e is RunCancelled {
                            warmupTimeout = "warm-up \(w + 1) \(timeoutMessage(e, m)); counted run not started"
                        } else if case .success = result, overran(m) {
                            warmupTimeout = "warm-up \(w + 1) \(timeoutMessage(nil, m)); counted run not started"
                        }
                        if warmupTimeout != nil { break }
                    }
                }
                if warmupStuck {
                    position += repeats.count
                    outcome.recorded += repeats.count
                    outcome.timedOut += repeats.count
                    continue
                }
                for r in repeats {
                    if shouldStop() { outcome.stopped = true; return outcome }
                    position += 1
                    var record = RunRecord(problem: problem, dataHash: instance?.dataHash ?? "", backend: backend, repeatIndex: r,
                                           status: setupStatus, error: setupError, measurement: nil, threads: threads,
                                           metrics: [], estimates: [], diagnostics: Diagnostics())
                    if let warmupTimeout {
                        record.status = .timeout
                        record.error = warmupTimeout
                    } else if let instance {
                        let stuck = [record]
                        let (result, m, fired) = limited(sink, what: "\(backend.id) repeat \(r + 1) of problem \(label)", stuck: stuck,
                                                         watchdog: watchdog) {
                            try instance.solve(backend: backend.id, context: limits.context(threads: threads))
                        }
                        if fired {  // the watchdog recorded it already
                            outcome.recorded += 1
                            outcome.timedOut += 1
                            continue
                        }
                        do {
                            let solved = try result.get()
                            record.measurement = m
                            if overran(m) {
                                record.status = .timeout
                                record.error = timeoutMessage(nil, m)
                                record.diagnostics = solved.diagnostics
                                throw RunCancelled()
                            }
                            record.diagnostics = solved.diagnostics
                            let evaluation = try instance.evaluate(solved, tolerances: problem.toleranceOverrides)
                            record.metrics = evaluation.metrics
                            record.estimates = evaluation.estimates
                            record.status = evaluation.passed ? .ok : .outOfTolerance
                            record.error = nil
                        } catch is RunCancelled {
                            record.measurement = m
                            if record.status != .timeout {
                                record.status = .timeout
                                if case .failure(let e) = result { record.error = timeoutMessage(e, m) }
                            }
                        } catch {
                            record.status = .failed
                            record.error = "\(error)"
                        }
                    }
                    try sink.record(record)
                    outcome.recorded += 1
                    if record.status == .failed { outcome.failed += 1 }
                    if record.status == .outOfTolerance { outcome.outOfTolerance += 1 }
                    if record.status == .timeout { outcome.timedOut += 1 }
                    let timing = record.measurement.map { String(format: "%.4f s, peak %.1f MiB", $0.wallSeconds, Double($0.peakResidentBytes) / 1_048_576) } ?? "-"
                    progress.report("[\(position)/\(total)] \(backend.id) repeat \(r + 1): \(record.status.rawValue) (\(timing))\(record.error.map { ": " + $0 } ?? "")")
                }
            }
        }
        return outcome
    }
}
