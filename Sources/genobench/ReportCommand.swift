import ArgumentParser
import Foundation
import GenoBenchReports
import GenoBenchStore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Reports from the store: scaling tables, regression checks, method comparisons, an HTML page.",
        discussion: "Every report reads the store given by --db and prints Markdown (default), CSV or JSON; the same store gives the same bytes.",
        subcommands: [ScalingCommand.self, RegressCommand.self, CompareCommand.self, HTMLCommand.self])
}

/// The store and output format every report takes.
struct ReportOptions: ParsableArguments {
    @Option(help: "SQLite store.") var db = "reports/genobench.sqlite"
    @Option(help: "Output format: markdown, csv or json.") var format: String = "markdown"
    @Flag(help: "Same as --format json.") var json = false
    @Option(help: "Write the report to this file instead of standard output.") var out: String?

    func resolvedFormat() throws -> ReportFormat {
        if json { return .json }
        guard let f = ReportFormat(rawValue: format) else {
            throw ReportError("--format must be one of \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")), got '\(format)'")
        }
        return f
    }

    func emit(_ text: String) throws {
        guard let out else { print(text, terminator: ""); return }
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic) } catch {
            throw StoreError("cannot write \(out): \(error.localizedDescription)")
        }
        note("wrote \(out)")
    }
}

/// The invocation a report is about, and its benchmarks.
func loadInvocation(_ store: Store, _ reference: String?, family: String? = nil) throws -> (StoredInvocation, [Benchmark]) {
    var invocation = try store.resolveInvocation(reference ?? "latest")
    if reference == nil, let family {
        // Default: the latest invocation that has runs of this family.
        for candidate in try store.invocations().reversed() {
            if try store.runs(invocations: [candidate.id]).contains(where: { $0.family == family }) { invocation = candidate; break }
        }
    }
    return (invocation, Benchmark.group(try store.runs(invocations: [invocation.id])))
}

struct ScalingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scaling", abstract: "Relative-cost table per backend with fitted exponents and the closest complexity class.")

    @Option(help: "Family id (ld, reml, ...).") var family: String
    @Option(help: "Parameter(s) cost is measured against, comma-separated (e.g. samples or k,t,P).") var by: String
    @Option(help: "Cost: wall, cpu or peak_rss.") var metric = "wall"
    @Option(help: "Baseline row, PARAM=VALUE[,PARAM=VALUE] (default: the smallest values).") var baseline: String?
    @Option(help: "Invocation: id, tag or git commit (default: the latest with runs of the family).") var invocation: String?
    @OptionGroup var options: ReportOptions

    func run() throws {
        try Failure.guarded {
            let format = try options.resolvedFormat()
            guard let cost = CostMetric(rawValue: metric) else {
                throw ReportError("--metric must be one of \(CostMetric.allCases.map(\.rawValue).joined(separator: ", ")), got '\(metric)'")
            }
            var report = ScalingReport(family: family, by: by.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            report.metric = cost
            if let baseline {
                for item in baseline.split(separator: ",") {
                    let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
                    guard kv.count == 2 else { throw ReportError("--baseline wants PARAM=VALUE[,PARAM=VALUE], got '\(item)'") }
                    report.baseline[kv[0]] = kv[1]
                }
            }
            let store = try Store.existing(path: options.db)
            let (inv, benchmarks) = try loadInvocation(store, invocation, family: family)
            try options.emit(format.render(try report.document(benchmarks, invocation: inv)))
        }
    }
}

struct RegressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regress", abstract: "Compare an invocation with a baseline; exit 1 on any regression (for CI).",
        discussion: "REF is an invocation id, a tag or a git commit prefix. Exit status: 0 no regression, 1 regression, 64 bad request (unknown REF, different machines without --allow-cross-machine), 74 store.")

    @Option(help: "Baseline invocation: id, tag, commit, or 'previous' (the one before the current, same suite and machine).") var baseline: String
    @Option(help: "Current invocation (default: the latest).") var current: String?
    @Option(help: "Smallest change of the median wall time that counts, e.g. 5%.") var threshold = "5%"
    @Option(name: .customLong("memory-threshold"), help: "Smallest change of the median peak RSS that counts.") var memoryThreshold = "10%"
    @Option(name: .customLong("accuracy-factor"), help: "An accuracy metric growing by more than this factor is a regression.") var accuracyFactor = 10.0
    @Flag(name: .customLong("allow-cross-machine"), help: "Compare invocations from different machines.") var allowCrossMachine = false
    @OptionGroup var options: ReportOptions

    static func fraction(_ s: String, _ option: String) throws -> Double {
        let t = s.trimmingCharacters(in: .whitespaces)
        let v = t.hasSuffix("%") ? Double(t.dropLast()).map { $0 / 100 } : Double(t)
        guard let v, v >= 0, v.isFinite else { throw ReportError("\(option) wants a percentage such as 5% (or 0.05), got '\(s)'") }
        return v
    }

    func run() throws {
        try Failure.guarded {
            let format = try options.resolvedFormat()
            var report = RegressionReport()
            report.threshold = try Self.fraction(threshold, "--threshold")
            report.memoryThreshold = try Self.fraction(memoryThreshold, "--memory-threshold")
            guard accuracyFactor >= 1 else { throw ReportError("--accuracy-factor must be at least 1, got \(accuracyFactor)") }
            report.accuracyFactor = accuracyFactor
            report.allowCrossMachine = allowCrossMachine
            let store = try Store.existing(path: options.db)
            let (c, cb) = try loadInvocation(store, current)
            let (b, bb): (StoredInvocation, [Benchmark])
            if baseline == "previous" {
                guard let p = try store.invocations().last(where: { $0.id < c.id && $0.suiteName == c.suiteName && $0.machineFingerprint == c.machineFingerprint }) else {
                    throw ReportError("--baseline previous: no earlier invocation of suite \(c.suiteName) on this machine before invocation \(c.id)")
                }
                (b, bb) = try loadInvocation(store, String(p.id))
            } else {
                (b, bb) = try loadInvocation(store, baseline)
            }
            let outcome = try report.compare(baseline: b, bb, current: c, cb)
            try options.emit(format.render(outcome.document))
            if outcome.regressions > 0 { throw ExitCode(1) }
        }
    }
}

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare", abstract: "Backends side by side per problem, speed-ups, accuracy against tolerance, and the Pareto front.")

    @Option(help: "Invocation: id, tag or git commit (default: the latest).") var invocation: String?
    @Option(help: "Only this family.") var family: String?
    @Option(name: .customLong("baseline-backend"), help: "Speed-ups over this backend (default: the slowest on each problem).") var baselineBackend: String?
    @OptionGroup var options: ReportOptions

    func run() throws {
        try Failure.guarded {
            let format = try options.resolvedFormat()
            let store = try Store.existing(path: options.db)
            let (inv, benchmarks) = try loadInvocation(store, invocation, family: family)
            let report = CompareReport(family: family, baselineBackend: baselineBackend)
            try options.emit(format.render(try report.document(benchmarks, references: try store.references(invocations: [inv.id]), invocation: inv)))
        }
    }
}

struct HTMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "html", abstract: "One self-contained HTML page with SVG charts and the report tables.")

    @Option(help: "SQLite store.") var db = "reports/genobench.sqlite"
    @Option(help: "Output file.") var out = "reports/genobench.html"

    func run() throws {
        try Failure.guarded {
            let store = try Store.existing(path: db)
            let input = HTMLReport.Input(invocations: try store.invocations(), runs: try store.runs(), references: try store.references())
            let page = try HTMLReport().render(input, storeName: (db as NSString).lastPathComponent)
            do { try Data(page.utf8).write(to: URL(fileURLWithPath: out), options: .atomic) } catch {
                throw StoreError("cannot write \(out): \(error.localizedDescription)")
            }
            note("wrote \(out) (\(page.utf8.count) bytes)")
        }
    }
}
