import Foundation
import GenoBenchCore
import GenoBenchData

/// Lines of one buffer parsed into numbers and key byte ranges, before coding.
struct ParsedLines {
    var lineNumbers: [Int]
    /// Per row, four (start, length) pairs into the buffer: participant, visit, arm, cell type.
    var keys: [Int32]
    /// Key strings of rows split by the quoting parser (their bytes differ from the buffer's).
    var quotedKeys: [Int: [String]]
    /// Row-major rows × featureCount.
    var values: [Double]
    var covariates: [Double]
    let featureCount: Int
    let covariateCount: Int

    var count: Int { lineNumbers.count }

    /// Every row as a block with no coding (participant 0, baseline).
    func uncodedBlock() -> CellBlock {
        var b = CellBlock(featureCount: featureCount, covariateCount: covariateCount)
        b.participant = [Int32](repeating: 0, count: count)
        b.visit = [UInt8](repeating: 0, count: count)
        b.celltype = b.participant
        b.values = values
        b.covariates = covariates
        return b
    }
}

/// Parses lines into values: fields by the delimiter (or RFC 4180 quoting when a line holds
/// a quote), numbers by `NumberParser`, then log1p-CPM and gene-set scoring per cell.
struct LineParser: Sendable {
    let kinds: [UInt8]  // 0 ignore, 1–4 key (participant, visit, arm, cell type), 5 value, 6 covariate
    let slots: [Int32]
    let names: [String]
    let delimiter: UInt8
    let path: String
    let valueCount: Int
    let featureCount: Int
    let covariateCount: Int
    let featureSlot: [Int]
    let scale: Double?
    let scorer: GeneSetScorer?
    let allValues: Bool
    let zeroLibraryCount = SharedCount()
    /// Values go straight to the output (no log1p-CPM, no gene sets, features = value slots).
    let direct: Bool

    init(columns: CellColumns, delimiter: UInt8, path: String, preprocessing: CellPreprocessing, allValues: Bool, covariates: Int) {
        var k: [UInt8] = [], s: [Int32] = []
        for role in columns.roles {
            switch role {
            case .ignore: k.append(0); s.append(0)
            case .participant: k.append(1); s.append(0)
            case .visit: k.append(2); s.append(1)
            case .arm: k.append(3); s.append(2)
            case .celltype: k.append(4); s.append(3)
            case .value(let j): k.append(5); s.append(Int32(j))
            case .covariate(let j): k.append(6); s.append(Int32(j))
            }
        }
        kinds = k; slots = s; names = columns.header
        self.delimiter = delimiter
        self.path = path
        valueCount = columns.valueColumns.count
        scale = preprocessing.log1pCPMScale
        scorer = allValues ? nil : preprocessing.geneSets
        self.allValues = allValues
        featureSlot = columns.featureSlot
        featureCount = allValues ? columns.valueColumns.count : (scorer?.sets.count ?? columns.featureSlot.count)
        covariateCount = covariates
        direct = scale == nil && scorer == nil && (allValues || featureSlot == Array(0..<valueCount))
    }

    struct Failure: Error { var line: Int; var error: DataError }

    func parse(_ lines: [DelimitedLines.Line], buffer: UnsafeMutablePointer<UInt8>, context: RunContext) throws -> ParsedLines {
        let n = lines.count, f = featureCount, k = covariateCount
        // Direct rows write every value slot (a row has every column, or the parse fails), so
        // their values need no NaN fill, which on one thread cost ~5 % of a large file's parse.
        let values = direct ? [Double](unsafeUninitializedCapacity: n * f) { _, count in count = n * f }
                            : [Double](repeating: .nan, count: n * f)
        var out = ParsedLines(lineNumbers: lines.map(\.number), keys: [Int32](repeating: -1, count: n * 8), quotedKeys: [:],
                              values: values, covariates: [Double](repeating: .nan, count: n * k),
                              featureCount: f, covariateCount: k)
        // Several runs per thread, taken dynamically: a thread that loses its core to another
        // process does not hold the whole buffer back.
        let parts = n < 256 ? 1 : min(n / 64, context.threads * 4)
        let results: [(Failure?, [Int: [String]])] = out.keys.withUnsafeMutableBufferPointer { keys in
            out.values.withUnsafeMutableBufferPointer { values in
                out.covariates.withUnsafeMutableBufferPointer { covs in
                    let shared = Buffers(bytes: buffer, keys: keys, values: values, covariates: covs)
                    return context.parallelMap(parts) { part in
                        parseRun(lines, (part * n / parts)..<((part + 1) * n / parts), shared)
                    }
                }
            }
        }
        if let first = results.compactMap(\.0).min(by: { $0.line < $1.line }) { throw first.error }
        for (_, q) in results { out.quotedKeys.merge(q) { a, _ in a } }
        return out
    }

    struct Buffers: @unchecked Sendable {
        let bytes: UnsafeMutablePointer<UInt8>
        let keys: UnsafeMutableBufferPointer<Int32>
        let values: UnsafeMutableBufferPointer<Double>
        let covariates: UnsafeMutableBufferPointer<Double>
    }

    private func parseRun(_ lines: [DelimitedLines.Line], _ range: Range<Int>, _ b: Buffers) -> (Failure?, [Int: [String]]) {
        var raw = [Double](repeating: .nan, count: valueCount)
        var quoted: [Int: [String]] = [:]
        for r in range {
            let line = lines[r]
            let p = UnsafePointer(b.bytes + line.start)
            do {
                if FieldSplitter.hasQuote(p, line.length) {
                    let fields = try FieldSplitter.quotedFields(p, line.length, delimiter: delimiter, path: path, line: line.number)
                    try checkCount(fields.count, line.number)
                    var key = ["", "", "", ""]
                    for (c, field) in fields.enumerated() {
                        if (1...4).contains(kinds[c]) { key[Int(slots[c])] = field.trimmingCharacters(in: .whitespaces); continue }
                        guard kinds[c] >= 5 else { continue }
                        var bytes = Array(field.utf8)
                        try store(c, NumberParser.parse(&bytes, bytes.count), &bytes, bytes.count, line.number, r, &raw, b)
                    }
                    quoted[r] = key
                } else {
                    var start = 0, c = 0
                    while true {
                        let rest = line.length - start
                        let kind: UInt8 = c < kinds.count ? kinds[c] : 0
                        let len: Int
                        if kind >= 5 {
                            let (parsed, n) = NumberParser.field(p + start, limit: rest, delimiter: delimiter)
                            len = n
                            try store(c, parsed, p + start, len, line.number, r, &raw, b)
                        } else {
                            let hit = memchr(p + start, Int32(delimiter), rest)
                            len = hit.map { UnsafeRawPointer($0) - UnsafeRawPointer(p + start) } ?? rest
                            if kind >= 1 {
                                b.keys[r * 8 + Int(slots[c]) * 2] = Int32(line.start + start)
                                b.keys[r * 8 + Int(slots[c]) * 2 + 1] = Int32(len)
                            }
                        }
                        c += 1
                        if len == rest { break }
                        start += len + 1
                    }
                    try checkCount(c, line.number)
                }
                try finishRow(r, line.number, &raw, b)
            } catch let e as DataError {
                return (Failure(line: line.number, error: e), quoted)
            } catch {
                return (Failure(line: line.number, error: DataError(file: path, line: line.number, "\(error)")), quoted)
            }
        }
        return (nil, quoted)
    }

    private func checkCount(_ c: Int, _ line: Int) throws {
        guard c == kinds.count else {
            throw DataError(file: path, line: line, "has \(c) field\(c == 1 ? "" : "s"), the header has \(kinds.count) (a ragged row; delimiter '\(delimiter == 9 ? "\\t" : String(UnicodeScalar(delimiter)))')")
        }
    }

    @inline(__always)
    private func store(_ c: Int, _ parsed: NumberParser.Parsed, _ p: UnsafePointer<UInt8>, _ len: Int, _ line: Int, _ r: Int,
                       _ raw: inout [Double], _ b: Buffers) throws {
        let v: Double
        switch parsed {
        case .value(let x): v = x
        case .missing: v = .nan
        case .invalid:
            let text = String(decoding: UnsafeBufferPointer(start: p, count: min(len, 40)), as: UTF8.self)
            throw DataError(file: path, line: line, "column '\(names[c])' (field \(c + 1)): '\(text)' is not a number (expected a finite number, or NA, NaN or empty for a missing value)")
        }
        if kinds[c] == 5 {
            if direct { b.values[r * featureCount + Int(slots[c])] = v } else { raw[Int(slots[c])] = v }
        } else { b.covariates[r * covariateCount + Int(slots[c])] = v }
    }

    /// Turns the row's parsed values into its features: as they are, log1p-CPM, gene-set scores.
    private func finishRow(_ r: Int, _ line: Int, _ raw: inout [Double], _ b: Buffers) throws {
        if direct { return }
        if let scale {
            var library = 0.0
            for (j, x) in raw.enumerated() {
                guard x.isFinite && x >= 0 else {
                    let name = names[kinds.indices.first { kinds[$0] == 5 && slots[$0] == Int32(j) }!]
                    throw DataError(file: path, line: line, "column '\(name)': count \(x) is \(x.isNaN ? "missing" : "negative"); log1p-CPM needs non-negative counts")
                }
                library += x
            }
            if library > 0 {
                let factor = scale / library
                for j in raw.indices { raw[j] = Double.log(onePlus: raw[j] * factor) }
            } else { zeroLibraryCount.add(1) }
        }
        let out = b.values.baseAddress! + r * featureCount
        if let scorer {
            raw.withUnsafeBufferPointer { scorer.score($0.baseAddress!, into: out) }
        } else if allValues {
            for j in 0..<valueCount { out[j] = raw[j] }
        } else {
            for (f, s) in featureSlot.enumerated() { out[f] = raw[s] }
        }
    }
}

/// A counter several parsing threads add to.
final class SharedCount: @unchecked Sendable {
    private var count = 0
    private let lock = NSLock()
    func add(_ n: Int) { lock.lock(); count += n; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
