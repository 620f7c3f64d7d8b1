import ArgumentParser
import Foundation
import GenoBenchCatalog
import GenoBenchCore
import GenoBenchHarness
import GenoBenchStore

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a suite (TOML) into the SQLite store and print a summary.")

    @Argument(help: "Suite file (TOML).") var suite: String
    @Option(help: "SQLite store.") var db = "reports/genobench.sqlite"
    @Flag(help: "Continue the latest unfinished invocation of this suite, skipping runs already stored.") var resume = false
    @Option(help: "A label stored with the invocation (e.g. a branch or 'baseline').") var tag: String?
    @Flag(help: "No progress lines.") var quiet = false
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup(title: "Resource limits") var limitOptions: LimitOptions

    func run() throws {
        try Failure.guarded {
            let registry = Catalog.registry
            let loaded = try Suite.load(path: suite, registry: registry)
            let plan = try RunPlan(suite: loaded, registry: registry)
            let threads = threadOptions.apply()
            let store = try Store(path: db)
            let invocation = InvocationInfo(
                gitCommit: GitInfo.commit(), toolVersion: GenoBench.version, suiteName: loaded.name, suiteHash: loaded.hash,
                commandLine: CommandLine.arguments.joined(separator: " "), tag: tag, threads: threads)
            let resumed = try store.beginInvocation(invocation, machine: MachineInfo.current(), resume: resume)
            let progress: any ProgressSink = quiet ? NoProgress() : StderrProgress()
            progress.report("suite \(loaded.name): \(plan.problems.count) problems, \(plan.runCount) counted runs (\(loaded.warmup) warm-up, \(loaded.repeats) repeats), \(threads) threads, store \(db)\(resumed ? " (resuming invocation \(store.invocationID!))" : "")")
            let limits = limitOptions.limits(suite: loaded)
            let outcome = try Runner(plan: plan, threads: threads, progress: progress, limits: limits).run(into: store)
            try store.finishInvocation()
            print(SummaryTable.render(try store.summary()), terminator: "")
            print("invocation \(store.invocationID!): \(outcome.recorded) runs recorded, \(outcome.skipped) already stored, \(outcome.failed) failed, \(outcome.outOfTolerance) out of tolerance\(limits.timeoutSeconds == nil ? "" : ", \(outcome.timedOut) timed out")")
        }
    }
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
