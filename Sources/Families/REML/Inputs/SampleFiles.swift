import Foundation
import GenoBenchData

/// Readers and a writer for the per-sample text files of a REML analysis: phenotype
/// (`--pheno-txt`), quantitative covariates (`--covar-txt`) and keep lists (`--keep-path`),
/// spec sections 6.2–6.4.
///
/// Layout of a value file: `FID IID v1 [v2 ...]`, fields separated by any whitespace, one
/// sample per line, empty lines skipped. Samples are identified by IID only; FID is read and
/// ignored. The first non-empty line is a header when its first two fields look like FID and
/// IID (`FID`/`#FID`/`FAMID`, then `IID`/`ID`; case-insensitive) and none of its value fields
/// is a number or a missing token; column names then come from it.
///
/// Missing tokens: `-9`, `NA`, `NaN`, `nan`, `.` and any value that parses as −9 or as NaN.
/// A value that does not parse as a number is *non-numeric*. Both drop the row (for the
/// column concerned) and are counted in warnings, never silently: GPU_REML drops them
/// silently (spec section 9), which hides a misaligned or mislabelled file. A number that is
/// not finite (`inf`, `-Infinity`, or a value beyond the Double range such as `1e999`) is an
/// error naming the line and column: the spec gives it no meaning, and Python's `float` would
/// carry it into the fit.
///
/// Errors are `DataError` values naming the file and, where there is one, the line.
public enum SampleFiles {
    /// A value file read whole: every value column, with `NaN` where a value was missing or
    /// non-numeric.
    public struct ValueTable: Sendable {
        /// The file read.
        public let path: String
        /// Names of the value columns (from the header, else `PREFIX1, PREFIX2, ...`).
        public let columnNames: [String]
        /// Values per IID, one per column in `columnNames` order; `NaN` for a missing or
        /// non-numeric value.
        public let rows: [String: [Double]]
        /// The 1-based line number of each IID.
        public let lineOfIID: [String: Int]
        /// What was dropped or unusual, one sentence each, naming the file.
        public var warnings: [String]
    }

    /// Tokens that mean "no value" (spec section 6.2, plus PLINK's `.`).
    static let missingTokens: Set<Substring> = ["-9", "NA", "NaN", "nan", "."]

    /// How one value field reads.
    enum Cell: Equatable {
        case value(Double)
        case missing
        case nonNumeric
        case infinite
    }

    /// Classifies one value field: a missing token, a value equal to −9 or NaN → missing; not a
    /// finite number → non-numeric.
    static func cell(_ token: Substring) -> Cell {
        if missingTokens.contains(token) { return .missing }
        guard let v = Double(token) else { return .nonNumeric }
        if v.isNaN || v == -9 { return .missing }
        return v.isFinite ? .value(v) : .infinite
    }

    static func notFinite(_ path: String, line: Int, column: String, field: Int, token: Substring) -> DataError {
        DataError(file: path, line: line, "column '\(column)' (field \(field)): '\(token)' is not a finite number")
    }

    // MARK: - Phenotype

    /// Reads one phenotype column of a PLINK/GCTA phenotype file (spec section 6.2).
    ///
    /// - Parameters:
    ///   - path: the file, `FID IID v1 [v2 ...]`, optional header (see the type's summary).
    ///   - column: `nil` for the first value column; otherwise a header name, or a 1-based
    ///     number among the value columns (`"2"` is the column after the first value column).
    ///     A name is tried before a number, so a header column named `2` is found by name.
    /// - Returns: the usable value of each IID, the 1-based line of each IID in `values`, the
    ///   column's name, and warnings counting rows dropped as missing and as non-numeric (each
    ///   with its first line). Rows whose value is dropped appear in neither dictionary.
    /// - Throws: `DataError` when the file cannot be read, is empty or has no usable value, a
    ///   line has fewer than 3 fields or lacks the selected column, an IID appears twice (both
    ///   lines named), or `column` names no column (the available names are listed).
    public static func readPhenotype(_ path: String, column: String?)
        throws -> (values: [String: Double], line: [String: Int], name: String, warnings: [String]) {
        try readPhenotype(try PlinkFileset.lines(of: path), path: path, column: column)
    }

    /// `readPhenotype` on text in memory (`path` names it in errors).
    public static func readPhenotype(bytes: [UInt8], path: String, column: String?)
        throws -> (values: [String: Double], line: [String: Int], name: String, warnings: [String]) {
        try readPhenotype(try PlinkFileset.lines(of: bytes, path: path), path: path, column: column)
    }

    static func readPhenotype(_ lines: [Substring], path: String, column: String?)
        throws -> (values: [String: Double], line: [String: Int], name: String, warnings: [String]) {
        let file = try scan(lines, path: path, unnamedPrefix: "pheno")
        let index = try columnIndex(column, among: file.names, path: path)
        let name = file.names[index]
        var values: [String: Double] = [:], lines: [String: Int] = [:]
        var missing = Drops(), nonNumeric = Drops()
        for row in file.rows {
            guard index < row.fields.count else {
                throw DataError(file: path, line: row.line,
                                "has \(row.fields.count + 2) fields, but column '\(name)' is field \(index + 3)")
            }
            switch cell(row.fields[index]) {
            case .value(let v):
                values[row.iid] = v
                lines[row.iid] = row.line
            case .missing: missing.note(line: row.line, token: row.fields[index])
            case .nonNumeric: nonNumeric.note(line: row.line, token: row.fields[index])
            case .infinite: throw notFinite(path, line: row.line, column: name, field: index + 3, token: row.fields[index])
            }
        }
        var warnings: [String] = []
        if let w = missing.warning(path: path, what: "a missing value of '\(name)'") { warnings.append(w) }
        if let w = nonNumeric.warning(path: path, what: "a non-numeric value of '\(name)'") { warnings.append(w) }
        guard !values.isEmpty else {
            throw DataError(file: path, "no usable value in column '\(name)' (\(file.rows.count) data lines: "
                                + "\(missing.count) missing, \(nonNumeric.count) non-numeric)")
        }
        return (values, lines, name, warnings)
    }

    /// The 0-based value-column index that `column` selects.
    static func columnIndex(_ column: String?, among names: [String], path: String) throws -> Int {
        guard let column else { return 0 }
        if let i = names.firstIndex(of: column) { return i }
        if let k = Int(column), k >= 1, k <= names.count { return k - 1 }
        throw DataError(file: path, "no phenotype column '\(column)'; the value columns are "
                            + names.enumerated().map { "\($0.offset + 1) = \($0.element)" }.joined(separator: ", "))
    }

    // MARK: - Covariates

    /// Reads a quantitative covariate file (spec section 6.3): every value column is a
    /// covariate; categorical covariates must be dummy-coded by the user.
    ///
    /// Every data line must have as many fields as the first data line (and the header, when
    /// there is one). A row with any missing or non-numeric covariate is dropped and counted
    /// in `warnings`.
    ///
    /// - Returns: covariate names (header, else `covar1, covar2, ...`), the values of each
    ///   complete row by IID, the 1-based line of each IID in `rows`, and warnings.
    /// - Throws: `DataError` when the file cannot be read or is empty, a line has fewer than 3
    ///   fields, a line's field count differs from the first data line's (both counts named),
    ///   or an IID appears twice (both lines named).
    public static func readCovariates(_ path: String)
        throws -> (names: [String], rows: [String: [Double]], line: [String: Int], warnings: [String]) {
        let table = try readTable(path, unnamedPrefix: "covar")
        var rows: [String: [Double]] = [:], lines: [String: Int] = [:]
        var incomplete = 0, firstIncomplete = Int.max
        for (iid, values) in table.rows {
            if values.allSatisfy(\.isFinite) {
                rows[iid] = values
                lines[iid] = table.lineOfIID[iid]
            } else {
                incomplete += 1
                firstIncomplete = min(firstIncomplete, table.lineOfIID[iid] ?? Int.max)
            }
        }
        var warnings = table.warnings
        if incomplete > 0 {
            warnings.append("\(path): dropped \(incomplete) \(incomplete == 1 ? "row" : "rows") with a missing or "
                                + "non-numeric covariate (first at line \(firstIncomplete))")
        }
        return (table.columnNames, rows, lines, warnings)
    }

    /// Reads a value file whole, as `readCovariates` does before dropping incomplete rows.
    ///
    /// - Parameters:
    ///   - path: the file, `FID IID v1 [v2 ...]`, optional header.
    ///   - unnamedPrefix: names of the columns when there is no header: `PREFIX1, PREFIX2, ...`.
    /// - Returns: every data row, with `NaN` for each missing or non-numeric value; warnings
    ///   count them per column (missing and non-numeric separately, each with its first line).
    /// - Throws: `DataError` as `readCovariates` describes; a header line whose field count
    ///   differs from the data lines' is also an error.
    public static func readTable(_ path: String, unnamedPrefix: String = "value") throws -> ValueTable {
        try readTable(try PlinkFileset.lines(of: path), path: path, unnamedPrefix: unnamedPrefix)
    }

    /// `readTable` on text in memory (`path` names it in errors).
    public static func readTable(bytes: [UInt8], path: String, unnamedPrefix: String = "value") throws -> ValueTable {
        try readTable(try PlinkFileset.lines(of: bytes, path: path), path: path, unnamedPrefix: unnamedPrefix)
    }

    static func readTable(_ lines: [Substring], path: String, unnamedPrefix: String) throws -> ValueTable {
        let file = try scan(lines, path: path, unnamedPrefix: unnamedPrefix)
        let width = file.names.count
        if let header = file.headerLine, let first = file.rows.first, first.fields.count != width {
            throw DataError(file: path, line: first.line,
                            "has \(first.fields.count + 2) fields but the header (line \(header)) has \(width + 2)")
        }
        var rows: [String: [Double]] = [:], lines: [String: Int] = [:]
        var missing = [Drops](repeating: Drops(), count: width), nonNumeric = missing
        for row in file.rows {
            guard row.fields.count == width else {
                throw DataError(file: path, line: row.line,
                                "has \(row.fields.count + 2) fields but the first data line (line \(file.rows[0].line)) "
                                    + "has \(width + 2); every line needs FID, IID and \(width) values")
            }
            var values = [Double](repeating: .nan, count: width)
            for (j, token) in row.fields.enumerated() {
                switch cell(token) {
                case .value(let v): values[j] = v
                case .missing: missing[j].note(line: row.line, token: token)
                case .nonNumeric: nonNumeric[j].note(line: row.line, token: token)
                case .infinite: throw notFinite(path, line: row.line, column: file.names[j], field: j + 3, token: token)
                }
            }
            rows[row.iid] = values
            lines[row.iid] = row.line
        }
        var warnings: [String] = []
        for j in 0..<width {
            if let w = missing[j].warning(path: path, what: "a missing value of '\(file.names[j])'", verb: "found") {
                warnings.append(w)
            }
            if let w = nonNumeric[j].warning(path: path, what: "a non-numeric value of '\(file.names[j])'", verb: "found") {
                warnings.append(w)
            }
        }
        return ValueTable(path: path, columnNames: file.names, rows: rows, lineOfIID: lines, warnings: warnings)
    }

    // MARK: - Keep list

    /// Reads a keep list (spec section 6.4): one sample per line; with two or more fields the
    /// IID is field 2, otherwise field 1. Empty lines and a leading `FID IID`/`#FID IID`/`#IID`
    /// header are skipped.
    ///
    /// GenoBench diverges from GPU_REML here on purpose: a missing keep file is an error, not
    /// silently ignored (spec sections 6.4 and 9), since ignoring it analyses samples the user
    /// meant to exclude.
    ///
    /// - Throws: `DataError` when the file is missing or unreadable.
    public static func readKeep(_ path: String) throws -> Set<String> {
        try readKeep(try PlinkFileset.lines(of: path))
    }

    /// `readKeep` on text in memory (`path` names it in errors).
    public static func readKeep(bytes: [UInt8], path: String) throws -> Set<String> {
        try readKeep(try PlinkFileset.lines(of: bytes, path: path))
    }

    static func readKeep(_ lines: [Substring]) throws -> Set<String> {
        var keep: Set<String> = []
        var first = true
        for line in lines {
            let f = fields(line)
            if f.isEmpty { continue }
            defer { first = false }
            if first && (isHeader(f, valueFieldsFrom: 2) || (f.count == 1 && isIIDLike(f[0]) && f[0].hasPrefix("#"))) {
                continue
            }
            keep.insert(String(f.count >= 2 ? f[1] : f[0]))
        }
        return keep
    }

    // MARK: - Writer

    /// Writes a value file `FID IID v1 v2 ...`, space-separated, one row per line, preceded by
    /// `FID IID name1 name2 ...` when `header` is given.
    ///
    /// Values are written with Swift's `Double.description` (the shortest text that reads back
    /// to the same `Double`), so `readTable` returns exactly the values written; `NaN` is written
    /// as `NA`, which every reader here treats as missing.
    ///
    /// - Precondition: with a header, every row has `header.count` values.
    /// - Throws: `DataError` when the file cannot be written.
    public static func writeValues(_ path: String, header: [String]?,
                                   rows: [(fid: String, iid: String, values: [Double])]) throws {
        var text = ""
        if let header { text += (["FID", "IID"] + header).joined(separator: " ") + "\n" }
        for row in rows {
            precondition(header == nil || row.values.count == header!.count,
                         "row \(row.iid) has \(row.values.count) values, the header \(header!.count) names")
            text += ([row.fid, row.iid] + row.values.map { $0.isNaN ? "NA" : $0.description }).joined(separator: " ")
            text += "\n"
        }
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw DataError(file: path, "cannot write: \(error.localizedDescription)")
        }
    }

    // MARK: - Scanning

    /// One data line: its 1-based number, IID and value fields (fields 3...).
    struct Row {
        var line: Int
        var iid: String
        var fields: [Substring]
    }

    /// A value file split into header names and data rows, with the checks every reader shares:
    /// readable, not empty, at least 3 fields per line, IIDs unique.
    struct ScannedFile {
        var names: [String]
        var headerLine: Int?
        var rows: [Row]
    }

    static func scan(_ path: String, unnamedPrefix: String) throws -> ScannedFile {
        try scan(try PlinkFileset.lines(of: path), path: path, unnamedPrefix: unnamedPrefix)
    }

    static func scan(_ lines: [Substring], path: String, unnamedPrefix: String) throws -> ScannedFile {
        var names: [String]? = nil
        var headerLine: Int? = nil
        var rows: [Row] = []
        var lineOfIID: [String: Int] = [:]
        for (i, text) in lines.enumerated() {
            let f = fields(text)
            if f.isEmpty { continue }
            guard f.count >= 3 else {
                throw DataError(file: path, line: i + 1,
                                "expected FID, IID and at least one value, found \(f.count) field\(f.count == 1 ? "" : "s")")
            }
            if rows.isEmpty && headerLine == nil && isHeader(f, valueFieldsFrom: 2) {
                names = f.dropFirst(2).map(String.init)
                headerLine = i + 1
                continue
            }
            let iid = String(f[1])
            if let previous = lineOfIID[iid] {
                throw DataError(file: path, line: i + 1, "IID '\(iid)' appears twice in \(path) (lines \(previous) and \(i + 1))")
            }
            lineOfIID[iid] = i + 1
            rows.append(Row(line: i + 1, iid: iid, fields: Array(f.dropFirst(2))))
        }
        guard let first = rows.first else {
            throw DataError(file: path, headerLine == nil ? "no data lines (empty file)" : "no data lines after the header")
        }
        let resolved = names ?? (1...first.fields.count).map { "\(unnamedPrefix)\($0)" }
        if Set(resolved).count != resolved.count {
            throw DataError(file: path, line: headerLine, "the header repeats a column name: " + resolved.joined(separator: " "))
        }
        return ScannedFile(names: resolved, headerLine: headerLine, rows: rows)
    }

    /// Whether a line is a header: FID- and IID-like first fields and no value field that is a
    /// number or a missing token.
    static func isHeader(_ f: [Substring], valueFieldsFrom start: Int) -> Bool {
        guard f.count >= 2, isFIDLike(f[0]), isIIDLike(f[1]) else { return false }
        return f.dropFirst(start).allSatisfy { cell($0) == .nonNumeric && Double($0) == nil }
    }

    static func isFIDLike(_ s: Substring) -> Bool {
        ["fid", "famid", "family_id"].contains(s.drop(while: { $0 == "#" }).lowercased())
    }

    static func isIIDLike(_ s: Substring) -> Bool {
        ["iid", "id", "individual_id"].contains(s.drop(while: { $0 == "#" }).lowercased())
    }

    /// Whitespace-separated fields.
    static func fields(_ line: Substring) -> [Substring] {
        line.split(whereSeparator: \.isWhitespace)
    }

    /// A count of dropped values with the first line and token, for a warning.
    struct Drops {
        var count = 0
        var firstLine = 0
        var firstToken: Substring = ""

        mutating func note(line: Int, token: Substring) {
            if count == 0 { (firstLine, firstToken) = (line, token) }
            count += 1
        }

        func warning(path: String, what: String, verb: String = "dropped") -> String? {
            guard count > 0 else { return nil }
            return "\(path): \(verb) \(count) \(count == 1 ? "row" : "rows") with \(what) "
                + "(first at line \(firstLine): '\(firstToken)')"
        }
    }
}
