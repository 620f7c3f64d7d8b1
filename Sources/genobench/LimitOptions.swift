import ArgumentParser
import Foundation
import GenoBenchCore
import GenoBenchHarness

/// `--timeout` and `--timeout-grace`, for `run` and every family command.
struct TimeoutOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Seconds each run may take (in `run`: each warm-up, counted repeat and GSL reference); a run past it is recorded as timeout and the suite goes on (overrides the suite's `timeout`); a family command exits 75.", valueName: "seconds"))
    var timeout: Double?

    @Option(name: .customLong("timeout-grace"), help: ArgumentHelp("Seconds after --timeout before a run stuck in one uninterruptible call (e.g. one BLAS call) is recorded as timeout and the process exits with status 75 (default: max(5, timeout/2)).", valueName: "seconds"))
    var timeoutGrace: Double?

    mutating func validate() throws {
        if let t = timeout, !(t > 0 && t.isFinite) { throw ValidationError("--timeout must be a positive number of seconds, got \(t)") }
        if let g = timeoutGrace, !(g >= 0 && g.isFinite) { throw ValidationError("--timeout-grace must be a number of seconds ≥ 0, got \(g)") }
        if timeoutGrace != nil && timeout == nil { throw ValidationError("--timeout-grace needs --timeout") }
    }

    /// Runs `body` (a family command's solve) with `budget` and, with `--timeout`, a deadline
    /// and a watchdog thread that ends the process with status 75 if the call is still running
    /// at timeout + grace (the command has nothing to record, so it only says so). The watchdog
    /// stands down when `body` returns, so writing the output is not limited.
    func solve<R>(threads: Int, command: String, memoryBudgetBytes budget: Int? = nil, _ body: (RunContext) throws -> R) rethrows -> R {
        guard let t = timeout else { return try body(RunContext(threads: threads, memoryBudgetBytes: budget)) }
        let grace = RunLimits(timeoutSeconds: t, graceSeconds: timeoutGrace).grace
        let done = DoneFlag()
        let watchdog = Thread {
            let end = Date().addingTimeInterval(t + grace)
            while Date() < end {
                if done.isSet { return }
                Thread.sleep(forTimeInterval: min(0.05, max(0, end.timeIntervalSinceNow)))
            }
            if !done.isSet {
                RunLimits.exitProcess("\(command) did not return within --timeout \(t) s + \(grace) s grace (stuck in one uninterruptible call); exiting with status \(RunLimits.stuckExitStatus)")
            }
        }
        watchdog.start()
        defer { done.set() }
        return try body(RunContext(threads: threads, memoryBudgetBytes: budget, isCancelled: Deadline(secondsFromNow: t).check))
    }
}

/// The time options plus `--memory-budget`, for `run`, `ld` and `reml` (the commands whose
/// backends plan from a budget).
struct LimitOptions: ParsableArguments {
    @OptionGroup var time: TimeoutOptions

    @Option(name: .customLong("memory-budget"), help: ArgumentHelp("Memory budget per run: bytes or a size such as 512M, 2G (binary units). The tiled LD and stochastic REML backends plan their tiles and blocks to fit it and fail, naming the minimum, when it is too small (overrides the suite's `memory_budget`).", valueName: "size"))
    var memoryBudget: String?

    mutating func validate() throws {
        if let b = memoryBudget, ByteSize.parse(b) == nil {
            throw ValidationError("--memory-budget must be a number of bytes or a size such as 512M or 2G, got '\(b)'")
        }
    }

    var memoryBudgetBytes: Int? { memoryBudget.flatMap(ByteSize.parse) }

    /// The runner's limits: these options over the suite's keys.
    func limits(suite: Suite) -> RunLimits {
        RunLimits(timeoutSeconds: time.timeout ?? suite.timeoutSeconds, memoryBudgetBytes: memoryBudgetBytes ?? suite.memoryBudgetBytes,
                  graceSeconds: time.timeoutGrace)
    }

    func solve<R>(threads: Int, command: String, _ body: (RunContext) throws -> R) rethrows -> R {
        try time.solve(threads: threads, command: command, memoryBudgetBytes: memoryBudgetBytes, body)
    }
}

/// Set once, read from the watchdog thread.
final class DoneFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
