import Foundation
import GenoBenchCore
import TOMLKit

/// A suite file: which families, backends, parameter grids, seeds, repeats and tolerances.
///
/// ```toml
/// name = "quick"
/// repeats = 3
/// warmup = 1
/// timeout = 60               # optional: seconds per run (`--timeout` overrides)
/// memory_budget = "512M"     # optional: per-run memory budget (`--memory-budget` overrides)
/// heap = "cold"              # optional: "cold" (default) or "warm" (Measurement.swift, HeapMode)
/// [[problems]]
/// family = "ld"
/// backends = ["naive-f64", "tiled-f64"]   # or "all"
/// seeds = [1, 2]
/// [problems.params]          # each key a list (or one value); the plan is the cross product
/// samples = [500, 1000]
/// [problems.tolerances]      # optional overrides of the family's defaults
/// r2_max_abs = 1e-6
/// ```
public struct Suite: Sendable {
    public var name: String
    public var repeats: Int
    public var warmup: Int
    /// Seconds per run (`timeout = ...`), if set.
    public var timeoutSeconds: Double?
    /// Per-run memory budget (`memory_budget = "512M"` or bytes), if set.
    public var memoryBudgetBytes: Int?
    /// Whether freed heap is returned to the kernel before each measured call (`heap = ...`).
    public var heap: HeapMode = .cold
    public var problems: [SuiteProblem]
    /// Content hash of the suite text.
    public var hash: String
    public var path: String

    public struct SuiteProblem: Sendable {
        public var family: String
        /// Backend ids, or nil for every backend of the family ("all").
        public var backends: [String]?
        public var seeds: [UInt64]
        public var params: [(String, [ParameterValue])]
        public var tolerances: [String: Double]
    }

    /// Reads and checks a suite file against the registry.
    public static func load(path: String, registry: Registry) throws -> Suite {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SuiteError(file: path, "cannot read the suite file (missing or unreadable)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw SuiteError(file: path, "not UTF-8 text") }
        return try parse(text, path: path, registry: registry)
    }

    public static func parse(_ text: String, path: String, registry: Registry) throws -> Suite {
        // toml++ aborts on some malformed headers instead of reporting them (TOMLScreen).
        if let unsafe = TOMLScreen.firstUnsafeConstruct(text) { throw SuiteError(file: path, line: unsafe.line, unsafe.message) }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw SuiteError(file: path, line: e.source.begin.line, "malformed TOML: \(e.description)")
        } catch {
            throw SuiteError(file: path, "malformed TOML: \(error)")
        }
        func fail(_ m: String) -> SuiteError { SuiteError(file: path, m) }
        for key in table.keys where !["name", "repeats", "warmup", "timeout", "memory_budget", "heap", "problems"].contains(key) {
            throw fail("unknown top-level key '\(key)' (expected name, repeats, warmup, timeout, memory_budget, heap, [[problems]])")
        }
        guard let name = table["name"]?.string, !name.isEmpty else { throw fail("'name' must be a non-empty string") }
        let repeats = try optionalInt(table, "repeats", default: 3, min: 1, path: path)
        let warmup = try optionalInt(table, "warmup", default: 1, min: 0, path: path)
        var timeout: Double?
        if let v = table["timeout"] {
            guard let t = v.double ?? v.int.map(Double.init), t > 0, t.isFinite else { throw fail("'timeout' must be a positive number of seconds") }
            timeout = t
        }
        var budget: Int?
        if let v = table["memory_budget"] {
            guard let b = v.string.flatMap(ByteSize.parse) ?? v.int.flatMap({ $0 > 0 ? $0 : nil }) else {
                throw fail("'memory_budget' must be a size such as \"512M\", \"2G\" or a positive number of bytes")
            }
            budget = b
        }
        var heap = HeapMode.cold
        if let v = table["heap"] {
            guard let mode = v.string.flatMap(HeapMode.init(rawValue:)) else {
                throw fail("'heap' must be \"cold\" (return freed heap to the kernel before each measured call) or \"warm\" (keep it), got \(v.string.map { "\"\($0)\"" } ?? "a non-string")")
            }
            heap = mode
        }
        guard let list = table["problems"]?.array, !list.isEmpty else {
            throw fail("needs at least one [[problems]] table")
        }
        var problems: [SuiteProblem] = []
        for (i, item) in list.enumerated() {
            let at = "problems[\(i + 1)]"
            guard let p = item.table else { throw fail("\(at) must be a table") }
            for key in p.keys where !["family", "backends", "seeds", "params", "tolerances"].contains(key) {
                throw fail("\(at): unknown key '\(key)' (expected family, backends, seeds, params, tolerances)")
            }
            guard let familyID = p["family"]?.string else { throw fail("\(at).family must be a string") }
            let family: FamilyEntry
            do { family = try registry.family(familyID) } catch { throw fail("\(at): \(error)") }
            var backends: [String]?
            if let s = p["backends"]?.string {
                guard s == "all" else { throw fail("\(at).backends must be \"all\" or a list of backend ids, got \"\(s)\"") }
            } else if let arr = p["backends"]?.array {
                backends = try arr.map { v in
                    guard let id = v.string else { throw fail("\(at).backends must hold strings") }
                    do { _ = try registry.backend(id, family: familyID) } catch { throw fail("\(at): \(error)") }
                    return id
                }
                if backends!.isEmpty { throw fail("\(at).backends is empty") }
            } else if p["backends"] != nil {
                throw fail("\(at).backends must be \"all\" or a list of backend ids")
            }
            var seeds: [UInt64] = [1]
            if let v = p["seeds"] {
                let values: [TOMLValueConvertible] = v.array.map(Array.init) ?? [v]
                seeds = try values.map { x in
                    guard let s = x.int, s >= 0 else { throw fail("\(at).seeds must be non-negative integers") }
                    return UInt64(s)
                }
                if seeds.isEmpty { throw fail("\(at).seeds is empty") }
                if let repeated = seeds.enumerated().first(where: { seeds[..<$0.offset].contains($0.element) }) {
                    throw fail("\(at).seeds lists \(repeated.element) twice: each seed is one problem")
                }
            }
            var params: [(String, [ParameterValue])] = []
            if let v = p["params"] {
                guard let pt = v.table else { throw fail("\(at).params must be a table") }
                for key in pt.keys.sorted() {
                    guard let spec = family.parameters.first(where: { $0.name == key }) else {
                        throw fail("\(at).params: unknown parameter '\(key)' for family '\(familyID)' (known: \(family.parameters.map(\.name).joined(separator: ", ")))")
                    }
                    let raw = pt[key]!
                    let items: [TOMLValueConvertible] = raw.array.map(Array.init) ?? [raw]
                    if items.isEmpty { throw fail("\(at).params.\(key) is an empty list") }
                    let values = try items.map { x -> ParameterValue in
                        let value: ParameterValue
                        if let n = x.int { value = .int(n) } else if let d = x.double { value = .double(d) }
                        else if let s = x.string { value = .string(s) } else if let b = x.bool { value = .bool(b) }
                        else { throw fail("\(at).params.\(key): unsupported value") }
                        do { return try ProblemParameters.resolve([key: value], specs: [spec], family: familyID)[key]! } catch {
                            throw fail("\(at).params: \(error)")
                        }
                    }
                    params.append((key, values))
                }
            }
            var tolerances: [String: Double] = [:]
            if let v = p["tolerances"] {
                guard let tt = v.table else { throw fail("\(at).tolerances must be a table") }
                for key in tt.keys {
                    guard let x = tt[key]?.double ?? tt[key]?.int.map(Double.init) else {
                        throw fail("\(at).tolerances.\(key) must be a number")
                    }
                    tolerances[key] = x
                }
                do { try Tolerances.validate(tolerances, specs: family.tolerances, family: familyID) } catch {
                    throw fail("\(at).tolerances: \(error)")
                }
            }
            problems.append(SuiteProblem(family: familyID, backends: backends, seeds: seeds, params: params, tolerances: tolerances))
        }
        return Suite(name: name, repeats: repeats, warmup: warmup, timeoutSeconds: timeout, memoryBudgetBytes: budget, heap: heap, problems: problems,
                     hash: ContentHash.of(text), path: path)
    }

    static func optionalInt(_ t: TOMLTable, _ key: String, default d: Int, min: Int, path: String) throws -> Int {
        guard let v = t[key] else { return d }
        guard let n = v.int, n >= min else { throw SuiteError(file: path, "'\(key)' must be an integer >= \(min)") }
        return n
    }
}

/// A problem with a suite file, naming the file and (where known) the line.
public struct SuiteError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let line: Int?
    public let message: String

    public init(file: String, line: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line.map { "\(file) line \($0): \(message)" } ?? "\(file): \(message)" }
}
