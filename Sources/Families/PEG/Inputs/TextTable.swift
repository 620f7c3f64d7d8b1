import CZlib
import Foundation
import GenoBenchCore
import GenoBenchData

/// A tab-separated table with a header line, read from a file (plain or gzip, by zlib's
/// `gzread`, which passes uncompressed files through) or from text in memory. Fields are kept
/// as text; the family's readers interpret them and name `source` and the 1-based line in
/// every error.
public struct TextTable: Sendable {
    /// The file name used in messages.
    public let source: String
    public let header: [String]
    /// Data rows (header excluded), each with exactly `header.count` fields.
    public let rows: [[Substring]]
    /// The 1-based file line of each row.
    public let lines: [Int]

    /// Parses tab-separated text: blank lines are skipped, `\r` before a newline is dropped,
    /// and a row with a different field count from the header is an error naming its line.
    public init(text: String, source: String) throws {
        self.source = source
        var header: [String]? = nil
        var rows: [[Substring]] = [], lines: [Int] = []
        var lineNumber = 0
        for raw in text.splitLines() {
            lineNumber += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard let h = header else {
                header = fields.map { String($0).trimmingCharacters(in: .whitespaces) }
                continue
            }
            guard fields.count == h.count else {
                throw DataError(file: source, line: lineNumber, "has \(fields.count) tab-separated fields, the header has \(h.count)")
            }
            rows.append(fields)
            lines.append(lineNumber)
        }
        guard let h = header else { throw DataError(file: source, "is empty: expected a header line") }
        self.header = h
        self.rows = rows
        self.lines = lines
    }

    /// Reads `path` (gzip or plain).
    public static func read(_ path: String) throws -> TextTable {
        try TextTable(text: try TextFile.read(path), source: path)
    }

    /// The index of each named column, or an error listing what the header has.
    public func columnIndices(_ names: [String], option: String) throws -> [Int] {
        try names.map { name in
            guard let i = header.firstIndex(of: name) else {
                throw DataError(file: source, line: 1, "no column '\(name)' (\(option) names \(names.joined(separator: " ")); the header has \(header.joined(separator: " ")))")
            }
            return i
        }
    }
}

/// Whole-file text I/O with gzip support.
public enum TextFile {
    /// The file's text; `.gz` or not, decided by zlib from the content.
    public static func read(_ path: String) throws -> String {
        guard FileManager.default.isReadableFile(atPath: path), let gz = gzopen(path, "rb") else {
            throw DataError(file: path, "cannot read (missing or unreadable)")
        }
        defer { gzclose(gz) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { gzread(gz, $0.baseAddress, UInt32($0.count)) }
            if n < 0 { throw DataError(file: path, "cannot read: not a readable gzip or text file") }
            if n == 0 { break }
            bytes += buffer[0..<Int(n)]
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            _ = try PlinkFileset.lines(of: bytes, path: path)  // throws, naming the first line that is not UTF-8
            throw DataError(file: path, "not UTF-8 text")
        }
        return text
    }

    /// Writes `text` to `path`, gzip-compressed when `compress`.
    public static func write(_ text: String, to path: String, compress: Bool = false) throws {
        if !compress {
            do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
                throw DataError(file: path, "cannot write: \(error.localizedDescription)")
            }
            return
        }
        // Written under a temporary name, renamed when complete (`AtomicOutput`).
        try AtomicOutput.write(path) { temporary in
            guard let gz = gzopen(temporary, "wb") else { throw DataError(file: path, "cannot open for writing") }
            let bytes = Array(text.utf8)
            let written = bytes.withUnsafeBytes { gzwrite(gz, $0.baseAddress, UInt32($0.count)) }
            let closed = gzclose(gz)
            guard written == Int32(bytes.count) || bytes.isEmpty, closed == Z_OK else { throw DataError(file: path, "cannot write the gzip stream") }
        }
    }
}

/// How mrpeg's pandas reader sees a field: the missing-value tokens of `pandas.read_csv`
/// (its default `na_values`), infinities, numbers.
enum FieldValue {
    static let missingTokens: Set<Substring> = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
                                                "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]

    static func isMissing(_ field: Substring) -> Bool { missingTokens.contains(trimmed(field)) }

    /// The field without surrounding spaces (fast path: most fields have none).
    @inline(__always)
    static func trimmed(_ field: Substring) -> Substring {
        var s = field
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }

    /// A number (infinities included), or nil when the text is not one (hexadecimal floats,
    /// which Swift would accept, are not numbers in a table).
    static func number(_ field: Substring) -> Double? {
        let s = trimmed(field)
        if s.isEmpty || s.utf8.contains(where: { $0 == UInt8(ascii: "x") || $0 == UInt8(ascii: "X") }) { return nil }
        return Double(s)
    }

    /// An integer chromosome code 1...22, or nil (X, Y, MT, chr1, 23, ...).
    static func autosome(_ field: Substring) -> Int? {
        let s = trimmed(field)
        if let i = Int(s), (1...22).contains(i) { return i }
        if let d = Double(s), d == d.rounded(), (1...22).contains(d) { return Int(d) }
        return nil
    }
}
