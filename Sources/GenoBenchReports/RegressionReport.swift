import GenoBenchCore
import GenoBenchStore

/// The current invocation against a baseline, per backend and problem: time by a rank test
/// over the repeats plus a minimum effect, memory by a threshold, accuracy by verdict and by
/// factor. `regressions > 0` is what CI fails on.
public struct RegressionReport: Sendable {
    /// Smallest relative change of the median wall time that counts (0.05 = 5 %).
    public var threshold = 0.05
    public var memoryThreshold = 0.10
    /// An accuracy metric that grows by more than this factor is a regression even within tolerance.
    public var accuracyFactor = 10.0
    /// Significance level of the Mann–Whitney test.
    public var alpha = 0.05
    public var allowCrossMachine = false

    public init() {}

    public struct Outcome: Sendable {
        public var document: ReportDocument
        public var regressions: Int
    }

    public func compare(baseline: StoredInvocation, _ base: [Benchmark], current: StoredInvocation, _ cur: [Benchmark]) throws -> Outcome {
        if baseline.machineFingerprint != current.machineFingerprint && !allowCrossMachine {
            throw ReportError("baseline invocation \(baseline.id) ran on \(baseline.machineDescription), current invocation \(current.id) on \(current.machineDescription): timings from different machines are not comparable (--allow-cross-machine to compare anyway)")
        }
        func key(_ b: Benchmark) -> String { "\(b.problem.family)|\(b.problem.paramsJSON)|\(b.problem.seed)|\(b.backend)" }
        let baseByKey = Dictionary(base.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let labeler = ProblemLabeler(base + cur)
        var regressions = ReportTable(title: "Regressions", columns: ["benchmark", "kind", "baseline", "current", "change", "evidence"])
        var improvements = ReportTable(title: "Improvements", columns: ["benchmark", "kind", "baseline", "current", "change", "evidence"])
        var unchanged = ReportTable(title: "Unchanged", columns: ["benchmark", "baseline wall s", "current wall s", "change", "evidence"])
        var missing: [String] = []
        for c in cur {
            let name = "\(labeler.label(c)) \(c.backend)"
            guard let b = baseByKey[key(c)] else { missing.append("\(name): not in the baseline"); continue }
            // Status: a backend that ran before and now fails.
            if b.verdict != "failed" && b.verdict != "timeout" && (c.verdict == "failed" || c.verdict == "timeout") {
                regressions.rows.append([.text(name), "status", .text(b.verdict), .text(c.verdict), "–", .text(c.runs.first { $0.error != nil }?.error ?? "")])
                continue
            }
            // Time.
            if let bs = b.summary(.wall), let cs = c.summary(.wall) {
                let bv = b.okRuns.compactMap(\.wallSeconds), cv = c.okRuns.compactMap(\.wallSeconds)
                let change = cs.median / bs.median - 1
                let (significant, evidence) = timeEvidence(bv, cv)
                let cells: [ReportCell] = [.text(name), "time", Format.seconds(bs.median), Format.seconds(cs.median), Format.percent(change), .text(evidence)]
                if significant && change > threshold {
                    regressions.rows.append(cells)
                } else if significant && change < -threshold {
                    improvements.rows.append(cells)
                } else {
                    unchanged.rows.append([.text(name), Format.seconds(bs.median), Format.seconds(cs.median), Format.percent(change), .text(evidence)])
                }
            }
            // Memory.
            let bp = b.okRuns.compactMap(\.peakResidentBytes).map(Double.init), cp = c.okRuns.compactMap(\.peakResidentBytes).map(Double.init)
            if !bp.isEmpty && !cp.isEmpty {
                let bm = SampleSummary(bp).median, cm = SampleSummary(cp).median
                let change = cm / bm - 1
                let cells: [ReportCell] = [.text(name), "peak RSS", Format.mebibytes(bm), Format.mebibytes(cm), Format.percent(change),
                                           .text("median peak, threshold ±\(Format.significant(100 * memoryThreshold, 3))%")]
                if change > memoryThreshold { regressions.rows.append(cells) } else if change < -memoryThreshold { improvements.rows.append(cells) }
            }
            // Accuracy.
            for (metric, bw, cw, bPassed, cPassed) in accuracyPairs(b, c) {
                if bPassed && !cPassed {
                    regressions.rows.append([.text(name), .text("accuracy \(metric)"), Format.general(bw), Format.general(cw), "–", "passed, now beyond tolerance"])
                } else if bw > 0 && cw > accuracyFactor * bw {
                    regressions.rows.append([.text(name), .text("accuracy \(metric)"), Format.general(bw), Format.general(cw), Format.ratio(cw / bw),
                                             .text("worse by more than \(Format.significant(accuracyFactor, 3))x")])
                }
            }
        }
        for b in base where !cur.contains(where: { key($0) == key(b) }) {
            missing.append("\(labeler.label(b)) \(b.backend): not in the current invocation")
        }
        var doc = ReportDocument(report: "regress", title: "Regression check: invocation \(current.id) against \(baseline.id)")
        doc.notes = [
            "Baseline: invocation \(baseline.id) (\(describe(baseline))). Current: invocation \(current.id) (\(describe(current))).",
            "Time: a change counts when the median moved by more than \(Format.significant(100 * threshold, 3))% and the repeats differ: Mann–Whitney p < \(Format.significant(alpha, 2)) when both sides have at least 4 repeats, otherwise the two ranges must not overlap. Peak RSS: median beyond ±\(Format.significant(100 * memoryThreshold, 3))%. Accuracy: a metric that passed and now fails, or grows more than \(Format.significant(accuracyFactor, 3))x.",
        ]
        let baseHeap = HeapState.of(base.flatMap(\.runs)), curHeap = HeapState.of(cur.flatMap(\.runs))
        if baseHeap != curHeap && baseHeap != .unknown && curHeap != .unknown {
            doc.notes.append("Heap: the baseline's runs were measured \(baseHeap), the current invocation's \(curHeap) (the suites' `heap`): a cold run's time includes first-touch page faults a warm run does not take, so time changes may come from the heap.")
        }
        let count = regressions.rows.count
        doc.facts = [("verdict", .text(count > 0 ? "regression" : "ok")),
                     ("regressions", .integer(count)),
                     ("improvements", .integer(improvements.rows.count)),
                     ("unchanged", .integer(unchanged.rows.count)),
                     ("baseline", .integer(Int(baseline.id))),
                     ("current", .integer(Int(current.id)))]
        doc.tables = [regressions, improvements, unchanged]
        if !missing.isEmpty { doc.tables.append(ReportTable(title: "Not compared", columns: ["benchmark"], rows: missing.map { [.text($0)] })) }
        return Outcome(document: doc, regressions: count)
    }

    func describe(_ i: StoredInvocation) -> String {
        "suite \(i.suiteName), commit \(String(i.gitCommit.prefix(12)))" + (i.tag.map { ", tag \($0)" } ?? "") + ", \(i.machineDescription)"
    }

    /// Whether two sets of repeats differ, and the evidence as text.
    func timeEvidence(_ a: [Double], _ b: [Double]) -> (Bool, String) {
        if a.count >= 4 && b.count >= 4 {
            let t = MannWhitney(a, b)
            return (t.pValue < alpha, "Mann–Whitney p = \(Format.significant(t.pValue, 2)) (\(a.count) vs \(b.count) repeats)")
        }
        let separated = (b.min()! > a.max()!) || (b.max()! < a.min()!)
        return (separated, separated ? "ranges do not overlap (\(a.count) vs \(b.count) repeats)" : "ranges overlap (\(a.count) vs \(b.count) repeats)")
    }

    /// (metric, baseline worst, current worst, baseline passed, current passed) for every
    /// toleranced metric both sides report.
    func accuracyPairs(_ b: Benchmark, _ c: Benchmark) -> [(String, Double, Double, Bool, Bool)] {
        func worst(_ x: Benchmark) -> [String: (Double, Bool)] {
            var out: [String: (Double, Bool)] = [:]
            for r in x.runs { for m in r.metrics where m.tolerance != nil {
                let v = m.value ?? .infinity
                let prev = out[m.name] ?? (-.infinity, true)
                out[m.name] = (max(prev.0, v), prev.1 && m.passed)
            } }
            return out
        }
        let wb = worst(b), wc = worst(c)
        return wb.keys.sorted().compactMap { k in wc[k].map { (k, wb[k]!.0, $0.0, wb[k]!.1, $0.1) } }
    }
}
