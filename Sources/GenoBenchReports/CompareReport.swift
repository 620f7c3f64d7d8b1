import GenoBenchCore
import GenoBenchStore

/// Backends side by side per problem: median and spread of the cost, speed-up over the GSL
/// reference and over a baseline backend, peak memory, every accuracy metric against its
/// tolerance, the verdict; then the accuracy-against-time Pareto front of each family.
public struct CompareReport: Sendable {
    public var family: String?
    /// Speed-ups are over this backend where it ran; default: the slowest backend on the problem.
    public var baselineBackend: String?

    public init(family: String? = nil, baselineBackend: String? = nil) {
        self.family = family
        self.baselineBackend = baselineBackend
    }

    public func document(_ all: [Benchmark], references: [StoredReference], invocation: StoredInvocation) throws -> ReportDocument {
        let benchmarks = all.filter { family == nil || $0.problem.family == family }
        guard !benchmarks.isEmpty else {
            throw ReportError("invocation \(invocation.id) has no runs" + (family.map { " of family '\($0)'" } ?? ""))
        }
        if let b = baselineBackend, !benchmarks.contains(where: { $0.backend == b }) {
            throw ReportError("--baseline-backend \(b): no runs of it (backends: \(Set(benchmarks.map(\.backend)).sorted().joined(separator: ", ")))")
        }
        let refWall = Dictionary(references.filter { $0.status == "ok" }.compactMap { r in r.wallSeconds.map { (r.problemID, $0) } },
                                 uniquingKeysWith: { a, _ in a })
        var doc = ReportDocument(report: "compare", title: "Method comparison" + (family.map { " (\($0))" } ?? ""))
        doc.notes = [
            "Invocation \(invocation.id) (suite \(invocation.suiteName), commit \(String(invocation.gitCommit.prefix(12))), \(invocation.machineDescription)).",
            "Wall time: median of the repeats, [min, max] in brackets. Speed-ups are medians' ratios: over the GSL reference (computed once per problem) and over "
                + (baselineBackend.map { "`\($0)`" } ?? "the slowest backend on each problem") + ". Metrics: the worst value over the repeats against the family's tolerance (✓ within, ✗ beyond, · informational).",
        ]
        if let heap = HeapState.note(benchmarks.flatMap(\.runs)) { doc.notes.append(heap) }
        let labeler = ProblemLabeler(benchmarks)
        var problems: [ProblemKey: [Benchmark]] = [:]
        for b in benchmarks { problems[b.problem, default: []].append(b) }
        var pareto: [String: [(backend: String, relativeTime: Double, error: Double)]] = [:]
        for key in problems.keys.sorted() {
            let group = problems[key]!.sorted { $0.backend < $1.backend }
            let medians = Dictionary(uniqueKeysWithValues: group.compactMap { b in b.summary(.wall).map { (b.backend, $0.median) } })
            let baseName = baselineBackend.flatMap { medians[$0] != nil ? $0 : nil } ?? medians.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
            let metricNames = group.flatMap { $0.runs.flatMap { $0.metrics.map(\.name) } }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            var table = ReportTable(title: labeler.label(group[0]),
                                    columns: ["backend", "repeats", "median wall s", "[min, max]", "vs reference", "vs \(baseName ?? "–")", "peak RSS MiB"] + metricNames + ["verdict"])
            let problemID = group[0].runs[0].problemID
            if let w = refWall[problemID] { table.notes = ["GSL reference: \(Format.significant(w, 3)) s."] }
            let fastest = medians.values.min()
            for b in group {
                let s = b.summary(.wall)
                var row: [ReportCell] = [.text(b.backend), .integer(b.runs.count)]
                if let s {
                    row += [Format.seconds(s.median), .text("[\(Format.significant(s.minimum, 3)), \(Format.significant(s.maximum, 3))]")]
                    row.append(refWall[problemID].map { Format.ratio($0 / s.median) } ?? .text("–"))
                    row.append(baseName.flatMap { medians[$0] }.map { Format.ratio($0 / s.median) } ?? .text("–"))
                } else {
                    row += [.text("–"), .text("–"), .text("–"), .text("–")]
                }
                let peaks = b.okRuns.compactMap(\.peakResidentBytes).map(Double.init)
                row.append(peaks.isEmpty ? .text("–") : Format.mebibytes(SampleSummary(peaks).median))
                var worstNormalized = 0.0
                for name in metricNames {
                    let ms = b.runs.flatMap { $0.metrics.filter { $0.name == name } }
                    guard !ms.isEmpty else { row.append(.text("–")); continue }
                    let values = ms.map { $0.value ?? .nan }
                    let worst = values.contains(where: \.isNaN) ? Double.nan : values.max()!
                    let tolerance = ms[0].tolerance
                    let mark = tolerance == nil ? "·" : (ms.allSatisfy(\.passed) ? "✓" : "✗")
                    row.append(.number(worst, shown: "\(Format.significant(worst, 3)) \(mark)"))
                    if let t = tolerance {
                        let normalized = !ms.allSatisfy(\.passed) ? max(1.0, t > 0 ? worst / t : 1) : (t > 0 ? worst / t : 0)
                        worstNormalized = max(worstNormalized, normalized.isNaN ? .infinity : normalized)
                    }
                }
                row.append(.text(b.verdict))
                table.rows.append(row)
                if let s, let fastest, b.verdict != "failed" {
                    pareto[b.problem.family, default: []].append((b.backend, s.median / fastest, worstNormalized))
                }
            }
            doc.tables.append(table)
        }
        for fam in pareto.keys.sorted() {
            doc.tables.append(Self.paretoTable(family: fam, points: pareto[fam]!))
        }
        return doc
    }

    /// Per backend: geometric mean over problems of its time over the fastest backend's, and
    /// its worst metric over tolerance; on the front when no other backend is at least as fast
    /// and at least as accurate, and strictly better in one.
    static func paretoTable(family: String, points: [(backend: String, relativeTime: Double, error: Double)]) -> ReportTable {
        var byBackend: [String: (logTime: Double, count: Int, error: Double)] = [:]
        for p in points {
            var e = byBackend[p.backend] ?? (0, 0, 0)
            e.logTime += Double.log(p.relativeTime); e.count += 1; e.error = max(e.error, p.error)
            byBackend[p.backend] = e
        }
        let summary = byBackend.map { (backend: $0.key, time: Double.exp($0.value.logTime / Double($0.value.count)), error: $0.value.error, problems: $0.value.count) }
            .sorted { ($0.time, $0.backend) < ($1.time, $1.backend) }
        var table = ReportTable(title: "Pareto front: \(family)", columns: ["backend", "problems", "time / fastest (geometric mean)", "worst metric / tolerance", "on the front"])
        for s in summary {
            let dominated = summary.contains { o in
                o.backend != s.backend && o.time <= s.time && o.error <= s.error && (o.time < s.time || o.error < s.error)
            }
            table.rows.append([.text(s.backend), .integer(s.problems), Format.ratio(s.time),
                               Format.general(s.error), .text(dominated ? "" : "yes")])
        }
        table.notes = ["A worst metric / tolerance above 1 means a tolerance was missed; 0 means every metric is exact."]
        return table
    }
}
