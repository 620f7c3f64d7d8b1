import Foundation
import GenoBenchCore
import GenoBenchData

/// The per-spot output of `genobench ldsc` (tab-separated, gzip when the path ends in .gz):
///
///     # genobench ldsc: spots START:END of TOTAL; <settings>
///     spot  beta  se  z  p  neg_log10_p  status
///
/// one row per analysed spot in spot order, singular spots included with `nan` numbers.
/// beta and se are printed in the backend's precision (shortest text that reads back to the
/// same Float or Double); z, p and neg_log10_p as Double; p is one-sided and unclipped,
/// neg_log10_p = −log10(max(p, 1e-300)). The first line lets `ldsc-merge` check that shards
/// come from one analysis and cover 0:TOTAL exactly.
public enum SpotTable {
    public static let columns = "spot\tbeta\tse\tz\tp\tneg_log10_p\tstatus"

    public static func headerLine(range: Range<Int>, total: Int, settings: String) -> String {
        "# genobench ldsc: spots \(range.lowerBound):\(range.upperBound) of \(total); \(settings)"
    }

    static func number(_ x: Double, _ p: Precision) -> String {
        if x.isNaN { return "nan" }
        return p == .f32 ? "\(Float(x))" : "\(x)"
    }

    public static func rows(_ s: LDSCSolution) -> [String] {
        zip(s.spotNames, s.estimates).map { name, e in
            [name, number(e.beta, s.precision), number(e.se, s.precision), number(e.z, .f64), number(e.p, .f64),
             number(e.negLog10P, .f64), e.status.rawValue].joined(separator: "\t")
        }
    }

    public static func write(_ s: LDSCSolution, total: Int, settings: String, to path: String) throws {
        let w = try TextFileWriter(path: path)
        try w.write(headerLine(range: s.spots, total: total, settings: settings) + "\n" + columns + "\n")
        for r in rows(s) { try w.write(r + "\n") }
        try w.close()
    }

    /// One shard as read back.
    struct Shard {
        var path: String
        var range: Range<Int>
        var total: Int
        var settings: String
        var rows: [String]
    }

    static func readShard(_ path: String) throws -> Shard { try readShard(try TextLines.open(path)) }

    /// Reads and checks a shard from any line source; returns its number of rows (fuzzing).
    public static func checkShard(_ source: TextLines) throws -> Int { try readShard(source).rows.count }

    static func readShard(_ source: TextLines) throws -> Shard {
        let path = source.path
        let lines = try source.readAll()
        guard let first = lines.first, first.hasPrefix("# genobench ldsc: spots "),
              let semi = first.firstIndex(of: ";") else {
            throw DataError(file: path, line: 1, "is not a genobench ldsc output: expected '# genobench ldsc: spots START:END of TOTAL; ...'")
        }
        let head = first[first.index(first.startIndex, offsetBy: "# genobench ldsc: spots ".count)..<semi]
        let parts = head.split(separator: " ")
        let range = parts.first?.split(separator: ":").compactMap { Int($0) } ?? []
        guard parts.count == 3, parts[1] == "of", range.count == 2, range[0] < range[1], let total = Int(parts[2]) else {
            throw DataError(file: path, line: 1, "cannot read the spot range in '\(first)'")
        }
        guard lines.count >= 2, lines[1] == columns else { throw DataError(file: path, line: 2, "expected the column line '\(columns)'") }
        let rows = lines.dropFirst(2).filter { !$0.isEmpty }
        // Every row as `write` makes it: a merged file must not pass garbage on as results.
        let names = columns.split(separator: "\t")
        for (i, row) in lines.enumerated().dropFirst(2) where !row.isEmpty {
            let f = row.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count == names.count else {
                throw DataError(file: path, line: i + 1, "has \(f.count) tab-separated fields, expected \(names.count) (\(columns.replacingOccurrences(of: "\t", with: " ")))")
            }
            for j in 1..<names.count - 1 where Double(f[j]) == nil {
                throw DataError(file: path, line: i + 1, "\(names[j]) is '\(f[j])', expected a number or nan")
            }
            guard !f[0].isEmpty, !f[names.count - 1].isEmpty else {
                throw DataError(file: path, line: i + 1, "expected a spot name and a status")
            }
        }
        guard rows.count == range[1] - range[0] else {
            throw DataError(file: path, "covers spots \(range[0]):\(range[1]) but has \(rows.count) rows, expected \(range[1] - range[0])")
        }
        return Shard(path: path, range: range[0]..<range[1], total: total,
                     settings: String(first[first.index(after: semi)...]).trimmingCharacters(in: .whitespaces), rows: Array(rows))
    }

    /// Joins shard outputs into the single-run output (spec §5.5, which gsMap lacks): shards
    /// sorted by START must come from the same analysis (same settings line and TOTAL), tile
    /// 0:TOTAL with no gap or overlap, and name every spot once. The merged file is byte for
    /// byte what one run over all spots writes.
    public static func merge(_ paths: [String], to out: String) throws -> Int {
        guard !paths.isEmpty else { throw LDSCError.invalidOption("ldsc-merge needs at least one shard file") }
        let shards = try paths.map(readShard).sorted { $0.range.lowerBound < $1.range.lowerBound }
        let first = shards[0]
        for s in shards.dropFirst() {
            guard s.total == first.total, s.settings == first.settings else {
                throw LDSCError.invalidInput("\(s.path) is from a different analysis than \(first.path): '\(s.settings)' of \(s.total) spots vs '\(first.settings)' of \(first.total)")
            }
        }
        var expected = 0
        for s in shards {
            if s.range.lowerBound > expected { throw LDSCError.invalidInput("spots \(expected):\(s.range.lowerBound) are missing: no shard covers them (next shard \(s.path) starts at \(s.range.lowerBound))") }
            if s.range.lowerBound < expected { throw LDSCError.invalidInput("\(s.path) (spots \(s.range.lowerBound):\(s.range.upperBound)) overlaps the shard before it, which ends at \(expected)") }
            expected = s.range.upperBound
        }
        guard expected == first.total else { throw LDSCError.invalidInput("spots \(expected):\(first.total) are missing: the shards end at \(expected) of \(first.total)") }
        var names = Set<Substring>()
        for s in shards {
            for r in s.rows {
                let name = r.prefix { $0 != "\t" }
                guard names.insert(name).inserted else { throw LDSCError.invalidInput("spot \(name) appears twice (again in \(s.path))") }
            }
        }
        let w = try TextFileWriter(path: out)
        try w.write(headerLine(range: 0..<first.total, total: first.total, settings: first.settings) + "\n" + columns + "\n")
        for s in shards { for r in s.rows { try w.write(r + "\n") } }
        try w.close()
        return first.total
    }
}
