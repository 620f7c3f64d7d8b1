import Foundation
import GenoBenchCore

/// Per-run limits of a suite run: a time limit (`--timeout`) and a memory budget
/// (`--memory-budget`, passed to backends as `RunContext.memoryBudgetBytes`).
///
/// The time limit is enforced in two steps. At the deadline `RunContext.isCancelled` turns
/// true; every backend polls it in its long loops and throws `RunCancelled`, and the run is
/// recorded as `timeout` with the time it took. A backend stuck in one long call (a BLAS or
/// LAPACK routine) cannot notice: if it has not returned `graceSeconds` after the deadline, the
/// watchdog records the run as `timeout` and calls `onStuck`, which in the CLI exits the
/// process with `stuckExitStatus` (`genobench run --resume` continues with the remaining
/// runs). The GSL reference runs under the same watchdog; a reference that finishes but took
/// longer than the limit marks the problem's runs `timeout` without running the backends.
public struct RunLimits: Sendable {
    /// Seconds per warm-up, counted run and reference; nil for none.
    public var timeoutSeconds: Double?
    /// Bytes a backend's working set may take; nil for none.
    public var memoryBudgetBytes: Int?
    /// How long after the deadline the watchdog waits; nil for max(5 s, timeout / 2).
    public var graceSeconds: Double?
    /// Called on the watchdog's thread after a stuck run has been recorded. The default exits
    /// the process with `stuckExitStatus`; it must not return into a process that goes on
    /// using the stuck thread's results (tests pass a closure that only notes the call).
    public var onStuck: @Sendable (_ message: String) -> Void

    /// Exit status after a stuck run was recorded (75, BSD's EX_TEMPFAIL: try again, with `--resume`).
    public static let stuckExitStatus: Int32 = 75

    public init(timeoutSeconds: Double? = nil, memoryBudgetBytes: Int? = nil, graceSeconds: Double? = nil,
                onStuck: @escaping @Sendable (String) -> Void = RunLimits.exitProcess) {
        self.timeoutSeconds = timeoutSeconds
        self.memoryBudgetBytes = memoryBudgetBytes
        self.graceSeconds = graceSeconds
        self.onStuck = onStuck
    }

    /// The watchdog's delay after the deadline.
    public var grace: Double { graceSeconds ?? max(5, (timeoutSeconds ?? 0) / 2) }

    /// Writes `message` to standard error and ends the process at once with `stuckExitStatus`
    /// (`_exit`: the stuck thread is still running, so no atexit handlers or destructors run;
    /// every recorded run is already committed).
    public static let exitProcess: @Sendable (String) -> Void = { message in
        FileHandle.standardError.write(Data("genobench: \(message)\n".utf8))
        fflush(nil)  // every C stream (stdout is not concurrency-safe to name in Swift 6)
        _exit(stuckExitStatus)
    }

    /// A context for one call: the threads, the budget and, with a time limit, a deadline from now.
    func context(threads: Int) -> RunContext {
        guard let t = timeoutSeconds else { return RunContext(threads: threads, memoryBudgetBytes: memoryBudgetBytes) }
        return RunContext(threads: threads, memoryBudgetBytes: memoryBudgetBytes, isCancelled: Deadline(secondsFromNow: t).check)
    }
}

/// A box that lets a sink cross to the watchdog's thread (the runner's thread is then blocked
/// inside the stuck call, and `Watchdog.disarm` keeps the two from using the sink at once).
struct SinkBox: @unchecked Sendable {
    let sink: RunSink
}

extension Runner {
    /// Runs `body` measured, under the watchdog when there is a time limit. If the watchdog
    /// fires, `stuck()` (made beforehand) is recorded as `timeout` with the elapsed time and
    /// `limits.onStuck` is called; `fired` tells the caller not to record the run again.
    func limited<R>(_ sink: RunSink, what: String, stuck: [RunRecord], watchdog: Watchdog?,
                    _ body: () throws -> R) -> (result: Result<R, Error>, measurement: Measurement, fired: Bool) {
        guard let timeout = limits.timeoutSeconds, let watchdog else {
            let (r, m) = Measure.attempt(heap: plan.suite.heap, body)
            return (r, m, false)
        }
        let probe = Measure.Probe(heap: plan.suite.heap)
        let box = SinkBox(sink: sink)
        let onStuck = limits.onStuck
        let grace = limits.grace
        watchdog.arm(after: timeout + grace) {
            let m = probe.finish()
            var failures: [String] = []
            for var record in stuck {
                record.status = .timeout
                record.measurement = m
                record.error = "\(what) did not return within the time limit of \(Self.seconds(timeout)) plus \(Self.seconds(grace)) grace (stuck in a call that cannot be interrupted, e.g. one BLAS call); recorded by the watchdog, which then ended the process"
                do { try box.sink.record(record) } catch { failures.append("\(error)") }
            }
            let note = failures.isEmpty ? "" : " (recording failed: \(failures.joined(separator: "; ")))"
            onStuck("\(what) did not return within \(Self.seconds(timeout)) + \(Self.seconds(grace)) grace; \(stuck.count) run(s) recorded as timeout\(note); exiting with status \(RunLimits.stuckExitStatus): run again with --resume to continue with the remaining runs")
        }
        let result = Result { try body() }
        let m = probe.finish()
        let fired = watchdog.disarm()
        return (result, m, fired)
    }

    /// What a run that hit the time limit stores as its error.
    func timeoutMessage(_ error: Error?, _ m: Measurement) -> String {
        let limit = Self.seconds(limits.timeoutSeconds ?? 0)
        if let error { return "\(error) after \(Self.seconds(m.wallSeconds)) (time limit \(limit))" }
        return "finished after \(Self.seconds(m.wallSeconds)), over the time limit of \(limit)"
    }

    /// Whether a call that returned normally still overran the limit.
    func overran(_ m: Measurement) -> Bool {
        guard let t = limits.timeoutSeconds else { return false }
        return m.wallSeconds > t
    }

    static func seconds(_ s: Double) -> String { String(format: "%.3g s", s) }
}
