import Foundation

/// One row of the end-of-run summary: a backend on a problem over its repeats.
public struct SummaryRow: Sendable, Equatable {
    public var problem: String
    public var backend: String
    public var runs: Int
    public var medianWallSeconds: Double?
    public var maxPeakResidentBytes: Int64?
    /// The metric furthest from (or beyond) its tolerance, as "name=value".
    public var worstMetric: String
    public var verdict: String

    public init(problem: String, backend: String, runs: Int, medianWallSeconds: Double?, maxPeakResidentBytes: Int64?,
                worstMetric: String, verdict: String) {
        self.problem = problem; self.backend = backend; self.runs = runs; self.medianWallSeconds = medianWallSeconds
        self.maxPeakResidentBytes = maxPeakResidentBytes; self.worstMetric = worstMetric; self.verdict = verdict
    }
}

/// Renders the summary table (a pure function of the rows).
public enum SummaryTable {
    public static func render(_ rows: [SummaryRow]) -> String {
        let header = ["problem", "backend", "runs", "median wall s", "peak RSS MiB", "worst error", "verdict"]
        let body = rows.map { r in
            [r.problem, r.backend, String(r.runs),
             r.medianWallSeconds.map { String(format: "%.4f", $0) } ?? "-",
             r.maxPeakResidentBytes.map { String(format: "%.1f", Double($0) / 1_048_576) } ?? "-",
             r.worstMetric, r.verdict]
        }
        var widths = header.map(\.count)
        for row in body { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        var out = line(header) + "\n" + line(widths.map { String(repeating: "-", count: $0) }) + "\n"
        for row in body { out += line(row) + "\n" }
        return out
    }

    /// The median of values (mean of the middle two for an even count).
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
