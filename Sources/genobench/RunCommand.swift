import ArgumentParser
import Foundation
import GenoBenchCatalog
import GenoBenchCore
import GenoBenchHarness
import GenoBenchStore

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a suite (TOML) into the SQLite store and print a summary.",
        discussion: """
            SIGINT or SIGTERM stops after the run in flight (a second signal stops at once): the invocation is left \
            unfinished, the exit status is 130, and `--resume` continues it.
            """)

    @Argument(help: "Suite file (TOML).") var suite: String
    @Option(help: "SQLite store.") var db = "reports/genobench.sqlite"
    @Flag(help: "Continue the latest unfinished invocation of this suite (same shard and batch), skipping runs already stored.") var resume = false
    @Option(help: "A label stored with the invocation (e.g. a branch or 'baseline').") var tag: String?
    @Option(help: "Run only shard I of N (1 <= I <= N): the k-th problem of the plan (0-based) belongs to shard k mod N + 1.")
    var shard: String?
    @Option(help: "A label shared by the shards of one sharded run; `genobench merge` unites shards with the same suite, N and batch into one invocation.")
    var batch: String?
    @Flag(help: "No progress lines.") var quiet = false
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup(title: "Resource limits") var limitOptions: LimitOptions

    mutating func validate() throws {
        if let shard { do { _ = try Shard(parsing: shard) } catch { throw ValidationError("\(error)") } }
        if batch != nil && shard == nil { throw ValidationError("--batch labels the shards of a sharded run: use it with --shard I/N") }
        if let batch, batch.isEmpty { throw ValidationError("--batch must not be empty") }
    }

    func run() throws {
        try Failure.guarded {
            let registry = Catalog.registry
            let loaded = try Suite.load(path: suite, registry: registry)
            let shard = try self.shard.map { try Shard(parsing: $0) }
            let plan = try RunPlan(suite: loaded, registry: registry, shard: shard)
            let threads = threadOptions.apply()
            let store = try Store(path: db)
            let invocation = InvocationInfo(
                gitCommit: GitInfo.commit(), toolVersion: GenoBench.version, suiteName: loaded.name, suiteHash: loaded.hash,
                commandLine: CommandLine.arguments.joined(separator: " "), tag: tag, threads: threads, shard: shard, batch: batch)
            let resumed = try store.beginInvocation(invocation, machine: MachineInfo.current(), resume: resume)
            StopSignals.install(message: "genobench: stopping after the run in flight (signal again to stop now); --resume continues\n",
                                immediateStatus: Self.stoppedStatus)
            let progress: any ProgressSink = quiet ? NoProgress() : StderrProgress()
            let shardNote = shard.map { ", shard \($0) (\(plan.problems.count) of \(plan.unitCount) problems)" } ?? ""
            progress.report("suite \(loaded.name): \(plan.problems.count) problems, \(plan.runCount) counted runs (\(loaded.warmup) warm-up, \(loaded.repeats) repeats\(loaded.heap == .warm ? ", warm heap" : "")), \(threads) threads, store \(db)\(shardNote)\(resumed ? " (resuming invocation \(store.invocationID!))" : "")")
            let limits = limitOptions.limits(suite: loaded)
            let outcome = try Runner(plan: plan, threads: threads, progress: progress, shouldStop: { StopSignals.requested != nil },
                                     limits: limits)
                .run(into: store)
            if outcome.stopped {
                let name = StopSignals.requested == SIGTERM ? "SIGTERM" : "SIGINT"
                note("genobench: stopped by \(name): invocation \(store.invocationID!) left unfinished after \(outcome.recorded) runs recorded this time (\(outcome.skipped) stored before); continue with: genobench run \(suite) --db \(db) --resume\(self.shard.map { " --shard \($0)" } ?? "")\(batch.map { " --batch \($0)" } ?? "")")
                throw ExitCode(Self.stoppedStatus)
            }
            try store.finishInvocation()
            print(SummaryTable.render(try store.summary()), terminator: "")
            print("invocation \(store.invocationID!): \(outcome.recorded) runs recorded, \(outcome.skipped) already stored, \(outcome.failed) failed, \(outcome.outOfTolerance) out of tolerance\(limits.timeoutSeconds == nil ? "" : ", \(outcome.timedOut) timed out")")
        }
    }

    /// Exit status of a run stopped by SIGINT or SIGTERM (128 + SIGINT, the shell's convention
    /// for an interrupted command); the invocation is unfinished and `--resume` continues it.
    static let stoppedStatus: Int32 = 130
}

struct StderrProgress: ProgressSink {
    func report(_ line: String) { note(line) }
}

enum GitInfo {
    /// The commit of the working directory's repository, or GENOBENCH_GIT_COMMIT, or "unknown".
    static func commit() -> String {
        if let c = ProcessInfo.processInfo.environment["GENOBENCH_GIT_COMMIT"], !c.isEmpty { return c }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "rev-parse", "HEAD"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return "unknown" }
        p.waitUntilExit()
        let out = String(data: pipe.fileHandleForReading.readDataToEndOfFile(), encoding: .utf8)?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return p.terminationStatus == 0 && !out.isEmpty ? out : "unknown"
    }
}
