import Foundation
import GenoBenchData

/// A whitespace-separated text table with a header line, read through `TextLines` (gzip or
/// plain), one record at a time. Blank lines are skipped; every record must have as many
/// fields as the header. Errors name the file and the 1-based line.
struct WhitespaceTable {
    let path: String
    let header: [String]
    private let lines: TextLines.Iterator

    init(path: String) throws {
        try self.init(lines: try TextLines.open(path))
    }

    /// A table over lines from any source (a file, or bytes in memory).
    init(lines source: TextLines) throws {
        path = source.path
        lines = source.makeIterator()
        var first: String?
        while let l = try lines.nextLine() {
            if !l.allSatisfy(\.isWhitespace) { first = l; break }
        }
        guard let first else { throw DataError(file: path, "is empty: expected a header line") }
        header = Self.fields(first)
    }

    static func fields(_ line: String) -> [String] { line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) }

    var lineNumber: Int { lines.lineNumber }

    /// The 0-based index of a column by name (case-insensitive), or nil.
    func column(_ names: String...) -> Int? {
        header.firstIndex { h in names.contains { $0.caseInsensitiveCompare(h) == .orderedSame } }
    }

    /// A required column, or an error listing the header.
    func require(_ name: String, purpose: String) throws -> Int {
        guard let i = column(name) else {
            throw DataError(file: path, line: 1, "no \(name) column (header: \(header.joined(separator: " "))); expected \(purpose)")
        }
        return i
    }

    /// The next record's fields, nil at the end.
    mutating func next() throws -> [Substring]? {
        while let l = try lines.nextLine() {
            let f = l.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if f.isEmpty { continue }
            guard f.count == header.count else {
                throw DataError(file: path, line: lineNumber, "has \(f.count) fields, the header has \(header.count)")
            }
            return f
        }
        return nil
    }

    /// A finite number in field `i` of the current record, or an error naming the column.
    func number(_ f: [Substring], _ i: Int) throws -> Double {
        guard let v = Double(f[i]), v.isFinite else {
            throw DataError(file: path, line: lineNumber, "\(header[i]) is '\(f[i])', expected a finite number")
        }
        return v
    }

    /// The regular files of a directory, in natural order (chr2 before chr10), or the path itself.
    static func files(_ path: String, suffixes: [String]) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw DataError(file: path, "cannot read: no such file or directory") }
        guard isDirectory.boolValue else { return [path] }
        let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { n in suffixes.contains { n.hasSuffix($0) } }
        guard !names.isEmpty else { throw DataError(file: path, "directory holds no file ending in \(suffixes.joined(separator: ", "))") }
        return names.sorted { $0.compare($1, options: .numeric) == .orderedAscending }.map { path + "/" + $0 }
    }
}
