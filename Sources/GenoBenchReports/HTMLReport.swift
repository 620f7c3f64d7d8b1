import GenoBenchCore
import GenoBenchStore

/// One self-contained page (inline CSS and SVG, no scripts, no network) over the whole store:
/// per family, cost against problem size on log axes per backend, accuracy against time, the
/// history of every benchmark over invocations with regressions marked, and the tables of the
/// compare, scaling and regress reports. Written as XHTML so that it parses as XML.
public struct HTMLReport: Sendable {
    public var regression = RegressionReport()

    public init() {}

    public struct Input: Sendable {
        public var invocations: [StoredInvocation]
        public var runs: [StoredRun]
        public var references: [StoredReference]
        public init(invocations: [StoredInvocation], runs: [StoredRun], references: [StoredReference]) {
            self.invocations = invocations
            self.runs = runs
            self.references = references
        }
    }

    public func render(_ input: Input, storeName: String) throws -> String {
        guard let latest = input.invocations.last(where: { inv in input.runs.contains { $0.invocationID == inv.id } }) else {
            throw ReportError("the store \(storeName) holds no runs")
        }
        var body = "<h1>GenoBench report</h1>\n"
        body += "<p>Store <code>\(XML.escape(storeName))</code>: \(input.invocations.count) invocations, \(input.runs.count) runs. "
        body += "Latest: invocation \(latest.id), suite <code>\(XML.escape(latest.suiteName))</code>, commit <code>\(XML.escape(String(latest.gitCommit.prefix(12))))</code>, \(XML.escape(latest.machineDescription)), started \(XML.escape(latest.startedAt)).</p>\n"
        let families = Set(input.runs.map(\.family)).sorted()
        body += "<p>Families: " + families.map { "<a href=\"#\($0)\">\($0)</a>" }.joined(separator: ", ") + ".</p>\n"
        for family in families {
            guard let inv = input.invocations.last(where: { i in input.runs.contains { $0.invocationID == i.id && $0.family == family } }) else { continue }
            let benchmarks = Benchmark.group(input.runs.filter { $0.invocationID == inv.id && $0.family == family })
            body += "<h2 id=\"\(family)\">\(XML.escape(family))</h2>\n<p>From invocation \(inv.id) (suite <code>\(XML.escape(inv.suiteName))</code>).</p>\n"
            if let heap = HeapState.note(benchmarks.flatMap(\.runs)) { body += "<p>\(XML.escape(heap))</p>\n" }
            if let x = Self.sizeParameter(benchmarks) {
                body += "<div class=\"chart\">" + costChart(benchmarks, x: x, family: family).render() + "</div>\n"
                if let scaling = try? ScalingReport(family: family, by: [x]).document(benchmarks, invocation: inv) {
                    body += Self.html(scaling.tables.last!, level: 3)
                }
            }
            body += "<div class=\"chart\">" + accuracyChart(benchmarks, family: family).render() + "</div>\n"
            let history = historyChart(input, family: family, machine: inv.machineFingerprint)
            body += history.series.isEmpty ? "<p>History: fewer than two invocations of these benchmarks on this machine.</p>\n"
                : "<div class=\"chart\">" + history.render() + "</div>\n"
            let refs = input.references.filter { $0.invocationID == inv.id }
            if let compare = try? CompareReport(family: family).document(benchmarks, references: refs, invocation: inv) {
                body += "<details><summary>Method comparison tables (\(compare.tables.count))</summary>\n"
                for t in compare.tables { body += Self.html(t, level: 3) }
                body += "</details>\n"
            }
        }
        if let previous = input.invocations.last(where: { $0.id < latest.id && $0.suiteName == latest.suiteName && $0.machineFingerprint == latest.machineFingerprint }) {
            let b = Benchmark.group(input.runs.filter { $0.invocationID == previous.id })
            let c = Benchmark.group(input.runs.filter { $0.invocationID == latest.id })
            if let outcome = try? regression.compare(baseline: previous, b, current: latest, c) {
                body += "<h2 id=\"regress\">Regression check: invocation \(latest.id) against \(previous.id)</h2>\n"
                body += "<p>Verdict: <strong>\(outcome.regressions > 0 ? "\(outcome.regressions) regression(s)" : "no regression")</strong>. \(XML.escape(outcome.document.notes.dropFirst().joined(separator: " ")))</p>\n"
                for t in outcome.document.tables { body += Self.html(t, level: 3) }
            }
        }
        return """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
            <head>
            <meta charset="utf-8"/>
            <title>GenoBench report</title>
            <style>
            body { font-family: sans-serif; margin: 2em; max-width: 1200px; color: #222; }
            table { border-collapse: collapse; margin: 0.5em 0 1.5em 0; font-size: 12px; }
            th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; }
            th { background: #f0f0f0; }
            .chart { display: inline-block; margin: 0.5em 1em 0.5em 0; }
            code { background: #f4f4f4; padding: 0 3px; }
            </style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
    }

    /// The numeric parameter with the most distinct values (ties: alphabetical), or nil.
    static func sizeParameter(_ benchmarks: [Benchmark]) -> String? {
        var values: [String: Set<Double>] = [:]
        for b in benchmarks { for (k, v) in b.params { if let d = numeric(v), d > 0 { values[k, default: []].insert(d) } } }
        return values.filter { $0.value.count > 1 }.max { ($0.value.count, $1.key) < ($1.value.count, $0.key) }?.key
    }

    func costChart(_ benchmarks: [Benchmark], x: String, family: String) -> SVGChart {
        var chart = SVGChart(title: "\(family): median wall time against \(x)", xLabel: x, yLabel: "wall s (log)")
        var series: [String: [(x: Double, y: [Double])]] = [:]
        let labeler = ProblemLabeler(benchmarks)
        for b in benchmarks {
            guard let xv = numeric(b.params[x]) else { continue }
            let context = (labeler.byFamily[family] ?? []).filter { $0 != x }.compactMap { k in b.params[k].map { "\(k)=\($0)" } }.joined(separator: " ")
            let name = context.isEmpty ? b.backend : "\(b.backend) \(context)"
            var pts = series[name] ?? []
            let costs = b.okRuns.compactMap(\.wallSeconds)
            if let i = pts.firstIndex(where: { $0.x == xv }) { pts[i].y += costs } else { pts.append((xv, costs)) }
            series[name] = pts
        }
        chart.series = series.keys.sorted().map { name in
            SVGChart.Series(name: name, points: series[name]!.filter { !$0.y.isEmpty }.sorted { $0.x < $1.x }.map { ($0.x, SampleSummary($0.y).median) })
        }
        return chart
    }

    func accuracyChart(_ benchmarks: [Benchmark], family: String) -> SVGChart {
        var chart = SVGChart(title: "\(family): accuracy against time", xLabel: "median wall s (log)", yLabel: "worst metric / tolerance (log; 0 at 1e-9)")
        chart.guideY = 1
        var byBackend: [String: [(x: Double, y: Double)]] = [:]
        for b in benchmarks {
            guard let s = b.summary(.wall) else { continue }
            var worst = 0.0
            for r in b.runs { for m in r.metrics { if let t = m.tolerance {
                let v = m.value ?? .infinity
                let norm = !m.passed ? max(1, t > 0 ? v / t : 1) : (t > 0 ? v / t : 0)
                worst = max(worst, norm.isFinite ? norm : 1e3)
            } } }
            byBackend[b.backend, default: []].append((s.median, max(worst, 1e-9)))
        }
        chart.series = byBackend.keys.sorted().map { SVGChart.Series(name: $0, points: byBackend[$0]!, connect: false) }
        return chart
    }

    /// Every benchmark's median wall over the invocations on one machine, relative to its
    /// first, with the points where the regression rule fires against the previous one marked.
    func historyChart(_ input: Input, family: String, machine: String) -> SVGChart {
        var chart = SVGChart(title: "\(family): history on this machine (median wall / first)", xLabel: "invocation", yLabel: "relative wall (log)")
        chart.logX = false
        var history: [String: [(inv: Int64, b: Benchmark)]] = [:]
        let runs = input.runs.filter { $0.family == family }
        for inv in input.invocations where inv.machineFingerprint == machine {
            for b in Benchmark.group(runs.filter { $0.invocationID == inv.id }) {
                history["\(b.problem.paramsJSON) \(b.problem.seed) \(b.backend)", default: []].append((inv.id, b))
            }
        }
        let labeler = ProblemLabeler(Benchmark.group(runs))
        for key in history.keys.sorted() {
            let h = history[key]!.compactMap { e in e.b.summary(.wall).map { (e.inv, e.b, $0.median) } }
            guard let first = h.first?.2, h.count > 1 else { continue }
            var s = SVGChart.Series(name: "\(labeler.label(h[0].1)) \(h[0].1.backend)", points: h.map { (Double($0.0), $0.2 / first) })
            for i in 1..<h.count {
                let a = h[i - 1].1.okRuns.compactMap(\.wallSeconds), c = h[i].1.okRuns.compactMap(\.wallSeconds)
                let change = h[i].2 / h[i - 1].2 - 1
                if regression.timeEvidence(a, c).0 && change > regression.threshold { s.marked.append(i) }
            }
            chart.series.append(s)
        }
        return chart
    }

    static func html(_ t: ReportTable, level: Int) -> String {
        var out = "<h\(level)>\(XML.escape(t.title))</h\(level)>\n"
        for n in t.notes { out += "<p>\(XML.escape(n))</p>\n" }
        out += "<table>\n<tr>" + t.columns.map { "<th>\(XML.escape($0))</th>" }.joined() + "</tr>\n"
        for r in t.rows { out += "<tr>" + r.map { "<td>\(XML.escape($0.shown))</td>" }.joined() + "</tr>\n" }
        return out + "</table>\n"
    }
}
