import GenoBenchCore

/// One table cell: text, or a number with the text it is shown as (JSON keeps the number).
public enum ReportCell: Sendable, Equatable {
    case text(String)
    case number(Double, shown: String)
    case integer(Int)

    public var shown: String {
        switch self {
        case .text(let s): s
        case .number(_, let s): s
        case .integer(let i): String(i)
        }
    }
}

extension ReportCell: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
}

/// A titled table of a report.
public struct ReportTable: Sendable, Equatable {
    public var title: String
    public var columns: [String]
    public var rows: [[ReportCell]]
    public var notes: [String]

    public init(title: String, columns: [String], rows: [[ReportCell]] = [], notes: [String] = []) {
        self.title = title
        self.columns = columns
        self.rows = rows
        self.notes = notes
    }
}

/// A report: a title, notes, key facts (for `--json` consumers such as CI) and tables.
/// Rendering is a pure function of the document, so the same store gives the same bytes.
public struct ReportDocument: Sendable, Equatable {
    public var report: String
    public var title: String
    public var notes: [String] = []
    /// Ordered key facts ("verdict": "regression", "regressions": "2").
    public var facts: [(String, ReportCell)] = []
    public var tables: [ReportTable] = []

    public init(report: String, title: String) {
        self.report = report
        self.title = title
    }

    public static func == (a: ReportDocument, b: ReportDocument) -> Bool {
        a.report == b.report && a.title == b.title && a.notes == b.notes && a.tables == b.tables
            && a.facts.map(\.0) == b.facts.map(\.0) && a.facts.map(\.1) == b.facts.map(\.1)
    }
}

/// Output formats of every report.
public enum ReportFormat: String, Sendable, CaseIterable {
    case markdown, csv, json

    public func render(_ d: ReportDocument) -> String {
        switch self {
        case .markdown: Self.markdown(d)
        case .csv: Self.csv(d)
        case .json: Self.json(d)
        }
    }

    static func markdown(_ d: ReportDocument) -> String {
        var out = "# \(d.title)\n\n"
        for n in d.notes { out += n + "\n\n" }
        if !d.facts.isEmpty {
            out += d.facts.map { "- \($0.0): \($0.1.shown)" }.joined(separator: "\n") + "\n\n"
        }
        for t in d.tables {
            out += "## \(t.title)\n\n"
            for n in t.notes { out += n + "\n\n" }
            func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
            out += "| " + t.columns.map(cell).joined(separator: " | ") + " |\n"
            out += "|" + t.columns.map { _ in " --- |" }.joined() + "\n"
            for r in t.rows { out += "| " + r.map { cell($0.shown) }.joined(separator: " | ") + " |\n" }
            if t.rows.isEmpty { out += "| " + t.columns.map { _ in "–" }.joined(separator: " | ") + " |\n" }
            out += "\n"
        }
        return out
    }

    /// Each table as a block: `# title`, the header, the rows (RFC 4180 quoting), a blank line.
    static func csv(_ d: ReportDocument) -> String {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var blocks: [String] = []
        for t in d.tables {
            var lines = ["# \(t.title)", t.columns.map(field).joined(separator: ",")]
            for r in t.rows {
                lines.append(r.map { c in
                    switch c {
                    case .text(let s): field(s)
                    case .number(let x, _): x.isFinite ? "\(x)" : ""
                    case .integer(let i): String(i)
                    }
                }.joined(separator: ","))
            }
            blocks.append(lines.joined(separator: "\n") + "\n")
        }
        return blocks.joined(separator: "\n")
    }

    static func json(_ d: ReportDocument) -> String {
        func value(_ c: ReportCell) -> String {
            switch c {
            case .text(let s): JSONText.quote(s)
            case .number(let x, _): JSONText.number(x)
            case .integer(let i): String(i)
            }
        }
        var out = "{\n  \"report\": \(JSONText.quote(d.report)),\n  \"title\": \(JSONText.quote(d.title)),\n"
        out += "  \"notes\": [" + d.notes.map(JSONText.quote).joined(separator: ", ") + "],\n"
        out += "  \"facts\": {" + d.facts.map { "\(JSONText.quote($0.0)): \(value($0.1))" }.joined(separator: ", ") + "},\n"
        out += "  \"tables\": [\n"
        out += d.tables.map { t in
            var s = "    {\n      \"title\": \(JSONText.quote(t.title)),\n"
            s += "      \"columns\": [" + t.columns.map(JSONText.quote).joined(separator: ", ") + "],\n"
            s += "      \"notes\": [" + t.notes.map(JSONText.quote).joined(separator: ", ") + "],\n"
            s += "      \"rows\": [\n" + t.rows.map { "        [" + $0.map(value).joined(separator: ", ") + "]" }.joined(separator: ",\n")
            s += (t.rows.isEmpty ? "" : "\n") + "      ]\n    }"
            return s
        }.joined(separator: ",\n")
        out += (d.tables.isEmpty ? "" : "\n") + "  ]\n}\n"
        return out
    }
}

/// Number formatting shared by the reports (fixed rules, so output is deterministic).
public enum Format {
    /// Seconds with 3 significant digits ("0.0123", "1.23", "123").
    public static func seconds(_ x: Double) -> ReportCell { .number(x, shown: significant(x, 3)) }
    public static func mebibytes(_ bytes: Double) -> ReportCell { .number(bytes / 1_048_576, shown: String(format: "%.1f", bytes / 1_048_576)) }
    /// A cost ratio as the seeds write it: "~5x", "~1.9x", "~0.42x".
    public static func ratio(_ x: Double) -> ReportCell {
        guard x.isFinite else { return .number(x, shown: "–") }
        let shown = x >= 10 ? String(format: "~%.0fx", x) : (x >= 1 ? String(format: "~%.1fx", x) : String(format: "~%.2fx", x))
        return .number(x, shown: shown)
    }
    public static func percent(_ x: Double) -> ReportCell { .number(x, shown: String(format: "%+.1f%%", 100 * x)) }
    public static func general(_ x: Double, digits: Int = 3) -> ReportCell { .number(x, shown: significant(x, digits)) }

    public static func significant(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        if x == 0 { return "0" }
        let magnitude = Int(Double.log10(abs(x)).rounded(.down))
        if magnitude >= digits + 3 || magnitude < -4 { return String(format: "%.\(digits - 1)e", x) }
        let decimals = max(0, digits - 1 - magnitude)
        return String(format: "%.\(decimals)f", x)
    }
}
