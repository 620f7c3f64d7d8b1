import Foundation
import GenoBenchCore
import TOMLKit

/// One validation case directory: `case.toml` with the family, the analysis options and the
/// FNV-1a checksums of the input files, next to the inputs and the golden reference.
public struct ValidationCase: Sendable {
    public var directory: String
    public var family: String
    public var description: String
    public var options: [String: String]
    /// File name → 16 hex digits (`ContentHash` of the file's bytes).
    public var checksums: [String: String]
    /// Tolerance overrides for this case (as in suites), both precisions.
    public var tolerances: [String: Double]

    public static let fileName = "case.toml"

    public static func load(directory: String) throws -> ValidationCase {
        let path = (directory as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw SuiteError(file: path, "cannot read the case file (missing, unreadable or not UTF-8)")
        }
        if let unsafe = TOMLScreen.firstUnsafeConstruct(text) { throw SuiteError(file: path, line: unsafe.line, unsafe.message) }
        let t: TOMLTable
        do { t = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw SuiteError(file: path, line: e.source.begin.line, "malformed TOML: \(e.description)")
        } catch { throw SuiteError(file: path, "malformed TOML: \(error)") }
        for key in t.keys where !["family", "description", "options", "checksums", "tolerances"].contains(key) {
            throw SuiteError(file: path, "unknown key '\(key)' (expected family, description, [options], [checksums], [tolerances])")
        }
        guard let family = t["family"]?.string else { throw SuiteError(file: path, "'family' must be a string") }
        func texts(_ key: String) throws -> [String: String] {
            guard let sub = t[key] else { return [:] }
            guard let table = sub.table else { throw SuiteError(file: path, "[\(key)] must be a table") }
            var out: [String: String] = [:]
            for (k, v) in table {
                if let s = v.string { out[k] = s } else if let i = v.int { out[k] = String(i) } else if let d = v.double { out[k] = "\(d)" } else {
                    throw SuiteError(file: path, "[\(key)] \(k): expected a string or a number")
                }
            }
            return out
        }
        var tolerances: [String: Double] = [:]
        for (k, v) in try texts("tolerances") {
            guard let d = Double(v) else { throw SuiteError(file: path, "[tolerances] \(k): expected a number") }
            tolerances[k] = d
        }
        return ValidationCase(directory: directory, family: family, description: t["description"]?.string ?? "",
                              options: try texts("options"), checksums: try texts("checksums"), tolerances: tolerances)
    }

    /// The checksum of a file's bytes.
    public static func checksum(path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw SuiteError(file: path, "cannot read the input file") }
        var h = ContentHash()
        h.combine(bytes: data)
        return h.hex
    }

    /// Files whose checksum differs from `case.toml` (an edited or corrupted input).
    public func checksumMismatches() throws -> [String] {
        try checksums.keys.sorted().filter { name in
            try Self.checksum(path: (directory as NSString).appendingPathComponent(name)) != checksums[name]
        }
    }
}

/// One backend on one case: its metrics against the golden reference.
public struct CaseResult: Sendable {
    public var backend: BackendInfo
    public var metrics: [Metric]
    public var error: String?
    public var wallSeconds: Double
    public var passed: Bool { error == nil && metrics.allSatisfy(\.passed) }
}

extension FamilyEntry {
    /// Registers a family whose cases can be validated from files (see `GoldenCases`).
    public init<F: GoldenCases>(_ family: F, backends: [any Backend<F>]) {
        self.init(family, backends: backends, golden: true)
        validator = { c, write, context in
            let problem = try family.loadCase(directory: c.directory, options: c.options)
            let golden = (c.directory as NSString).appendingPathComponent(family.goldenFileName)
            if write {
                let text = family.goldenText(try family.reference(for: problem), problem: problem)
                do { try Data(text.utf8).write(to: URL(fileURLWithPath: golden), options: .atomic) } catch {
                    throw SuiteError(file: golden, "cannot write the golden reference: \(error.localizedDescription)")
                }
            }
            guard let data = FileManager.default.contents(atPath: golden), let text = String(data: data, encoding: .utf8) else {
                throw SuiteError(file: golden, "missing golden reference (write it with `genobench validate --write`)")
            }
            let reference = try family.readGolden(text, problem: problem, file: golden)
            return backends.map { b in
                let info = BackendInfo(id: b.id, family: family.id, version: b.version, precision: b.precision)
                let t0 = DispatchTime.now().uptimeNanoseconds
                do {
                    let solved = try b.solve(problem, context: context)
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                    let tolerances = Tolerances.resolve(c.tolerances, specs: family.tolerances, precision: b.precision)
                    return CaseResult(backend: info, metrics: family.compare(solved.solution, with: reference, tolerances: tolerances),
                                      error: nil, wallSeconds: seconds)
                } catch {
                    return CaseResult(backend: info, metrics: [], error: "\(error)", wallSeconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                }
            }
        }
    }

    /// Whether `genobench validate` can run this family's cases.
    public var validatesFromFiles: Bool { validator != nil }

    /// Runs every backend on a case against its golden reference (written first with `write`).
    public func validate(_ c: ValidationCase, write: Bool, context: RunContext) throws -> [CaseResult] {
        for k in c.tolerances.keys where !tolerances.contains(where: { $0.name == k }) {
            throw SuiteError(file: (c.directory as NSString).appendingPathComponent(ValidationCase.fileName),
                             "[tolerances] \(k): not a tolerance of \(id) (known: \(tolerances.map(\.name).joined(separator: ", ")))")
        }
        guard let validator else { throw RegistryError.unknownFamily(c.family + " (no file-based validation)", known: []) }
        return try validator(c, write, context)
    }
}
