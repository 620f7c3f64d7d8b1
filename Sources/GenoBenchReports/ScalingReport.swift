import GenoBenchCore
import GenoBenchStore

/// A report that cannot be made from what was asked (unknown family or parameter, no runs).
public struct ReportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// Relative-cost tables like the seeds' (each row's cost over a baseline row's, "~5x"), per
/// backend, with the fitted exponent of cost in each parameter (log-log least squares, t
/// interval) and the closest complexity class.
public struct ScalingReport: Sendable {
    public var family: String
    public var by: [String]
    public var metric: CostMetric = .wall
    /// Baseline row values (PARAM=VALUE); default: the row with the smallest values.
    public var baseline: [String: String] = [:]

    public init(family: String, by: [String]) {
        self.family = family
        self.by = by
    }

    struct Row {
        var values: [Double]
        var texts: [String]
        var costs: [Double]
        var summary: SampleSummary
    }

    public func document(_ all: [Benchmark], invocation: StoredInvocation) throws -> ReportDocument {
        let benchmarks = all.filter { $0.problem.family == family }
        guard !benchmarks.isEmpty else {
            let families = Set(all.map(\.problem.family)).sorted()
            throw ReportError("invocation \(invocation.id) has no runs of family '\(family)' (it has: \(families.joined(separator: ", ")))")
        }
        let known = Set(benchmarks.flatMap(\.params.keys))
        for p in by where !known.contains(p) {
            throw ReportError("--by \(p): not a parameter of the \(family) problems (parameters: \(known.sorted().joined(separator: ", ")))")
        }
        for p in by where benchmarks.contains(where: { numeric($0.params[p]) == nil }) {
            throw ReportError("--by \(p): its values are not all numbers, so cost cannot be fitted against it")
        }
        for k in baseline.keys where !by.contains(k) {
            throw ReportError("--baseline \(k)=…: \(k) is not one of the --by parameters (\(by.joined(separator: ", ")))")
        }
        // Groups: backend x the other parameters (seeds pooled as repeats).
        func context(_ b: Benchmark) -> [(String, String)] { b.params.filter { !by.contains($0.key) }.sorted { $0.key < $1.key } }
        var contextValues: [String: Set<String>] = [:]
        for b in benchmarks { for (k, v) in context(b) { contextValues[k, default: []].insert(v) } }
        let shownContext = contextValues.filter { $0.value.count > 1 }.keys.sorted()
        var groups: [String: [Benchmark]] = [:]
        var titles: [String: String] = [:]
        for b in benchmarks {
            let ctx = context(b).filter { shownContext.contains($0.0) }.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
            let key = b.backend + "|" + ctx
            groups[key, default: []].append(b)
            titles[key] = ctx.isEmpty ? b.backend : "\(b.backend) (\(ctx))"
        }
        var doc = ReportDocument(report: "scaling", title: "Scaling of \(family): \(metric.label) against \(by.joined(separator: ", "))")
        doc.notes = [
            "Invocation \(invocation.id) (suite \(invocation.suiteName), commit \(String(invocation.gitCommit.prefix(12))), \(invocation.machineDescription)).",
            "Cost is the median of the repeats (seeds pooled) with a distribution-free 95% interval for the median (with fewer than 6 repeats no such interval exists: [min, max] is given with its exact coverage, 1 − 2^(1−n), in brackets); 'relative' is the row's median over the baseline row's. Exponents: least-squares slope of log cost on log parameter, 95% t interval.",
        ]
        if let heap = HeapState.note(benchmarks.flatMap(\.runs)) { doc.notes.append(heap) }
        doc.facts = [("family", .text(family)), ("metric", .text(metric.rawValue)), ("invocation", .integer(Int(invocation.id)))]
        var fits = ReportTable(title: "Fitted exponents", columns: ["backend", "parameter", "exponent", "95% CI", "points", "closest class"])
        for key in groups.keys.sorted() {
            let rows = collectRows(groups[key]!)
            guard !rows.isEmpty else { continue }
            let base = try baselineRow(rows, title: titles[key]!)
            let interval = rows.allSatisfy { $0.summary.coverage >= 0.95 } ? "95% CI" : "interval (coverage < 95%)"
            var table = ReportTable(title: titles[key]!, columns: by + ["repeats", "median \(metric.label)", interval, "relative", "outliers"])
            for r in rows {
                // Too few repeats for 95 %: the interval is [min, max] and its exact coverage is shown.
                let short = r.summary.coverage < 0.95 ? " (\(Format.significant(100 * r.summary.coverage, 3))%)" : ""
                let ci = "[\(metric.cell(r.summary.low).shown), \(metric.cell(r.summary.high).shown)]" + short
                table.rows.append(r.texts.map { ReportCell.text($0) } + [
                    .integer(r.summary.count), metric.cell(r.summary.median), .text(ci),
                    Format.ratio(r.summary.median / base.summary.median), .text(r.summary.outliers.isEmpty ? "" : "\(r.summary.outliers.count)"),
                ])
            }
            table.notes = ["Baseline row: " + zip(by, base.texts).map { "\($0)=\($1)" }.joined(separator: ", ") + "."]
            if let fit = PowerLawFit(x: rows.map(\.values), y: rows.map(\.summary.median)) {
                for (i, p) in by.enumerated() {
                    let e = fit.exponents[i], h = fit.halfWidths[i]
                    let cls: String
                    if by.count == 1 {
                        cls = ComplexityClass.closest(sizes: rows.map { $0.values[0] }, costs: rows.map(\.summary.median))?.rawValue ?? "–"
                    } else {
                        cls = "~\(p)^\(Int(e.rounded()))"
                    }
                    // Stored to 9 significant digits: further ones are rounding noise of the
                    // least-squares solve and differ between BLAS kernels.
                    fits.rows.append([.text(titles[key]!), .text(p), Format.general(Double(String(format: "%.9g", e)) ?? e), .text(h.isFinite ? "\(Format.significant(e - h, 3)) … \(Format.significant(e + h, 3))" : "–"),
                                      .integer(fit.points), .text(cls)])
                    // A half-width below 1e-9 is rounding noise of an exact fit, and its digits
                    // depend on the BLAS kernels that solved the normal equations.
                    let spread = !h.isFinite ? " (too few points for an interval)" : h < 1e-9 * max(1, abs(e)) ? " ± <1e-9 (exact fit)" : " ± \(Format.significant(h, 2))"
                    table.notes.append("Exponent in \(p): \(Format.significant(e, 3))" + spread + "; closest class \(cls).")
                }
            } else {
                table.notes.append("Too few distinct points to fit an exponent.")
            }
            doc.tables.append(table)
        }
        doc.tables.append(fits)
        return doc
    }

    func collectRows(_ group: [Benchmark]) -> [Row] {
        var byValues: [[Double]: (texts: [String], costs: [Double])] = [:]
        for b in group {
            let values = by.map { numeric(b.params[$0])! }
            let costs = b.okRuns.compactMap(metric.value)
            byValues[values, default: (by.map { b.params[$0]! }, [])].costs += costs
        }
        return byValues.compactMap { v, e in e.costs.isEmpty ? nil : Row(values: v, texts: e.texts, costs: e.costs, summary: SampleSummary(e.costs)) }
            .sorted { $0.values.lexicographicallyPrecedes($1.values) }
    }

    func baselineRow(_ rows: [Row], title: String) throws -> Row {
        if baseline.isEmpty { return rows[0] }
        let want = by.map { baseline[$0].flatMap(Double.init) }
        guard let hit = rows.first(where: { r in zip(r.values, want).allSatisfy { $1 == nil || $0 == $1! } }) else {
            throw ReportError("--baseline \(baseline.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")): no such row for \(title) (rows: \(rows.map { $0.texts.joined(separator: "/") }.joined(separator: ", ")))")
        }
        return hit
    }
}
