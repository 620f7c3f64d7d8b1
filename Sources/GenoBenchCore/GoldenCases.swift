/// A family whose problems can be read from files and whose GSL reference can be written to a
/// golden file and read back: what `genobench validate` runs over `reference-data/`.
///
/// A case is a directory holding the inputs (as the family's own command reads them), a
/// `case.toml` naming the family and its analysis options, and the golden reference file. The
/// golden file is written once by the GSL reference (`genobench validate --write`) and
/// committed; `validate` then runs every backend on the inputs and compares each with the
/// golden reference by the family's own `compare` and tolerances.
public protocol GoldenCases: Family {
    /// The golden reference's file name inside a case directory.
    var goldenFileName: String { get }
    /// Builds the problem from the inputs in `directory`, with the case's options (names as the
    /// family's command-line options, values as text). Unknown options are errors.
    func loadCase(directory: String, options: [String: String]) throws -> Problem
    /// The reference as golden-file text (full precision, deterministic).
    func goldenText(_ reference: Reference, problem: Problem) -> String
    /// Reads golden-file text back; `file` names the file in errors.
    func readGolden(_ text: String, problem: Problem, file: String) throws -> Reference
}

/// A case option that is missing, unknown or malformed.
public struct CaseOptionError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }

    /// Rejects options not in `known`.
    public static func check(_ options: [String: String], known: [String], family: String) throws {
        for k in options.keys.sorted() where !known.contains(k) {
            throw CaseOptionError("unknown \(family) case option '\(k)' (known: \(known.joined(separator: ", ")))")
        }
    }

    public static func double(_ options: [String: String], _ key: String, default d: Double) throws -> Double {
        guard let s = options[key] else { return d }
        guard let v = Double(s) else { throw CaseOptionError("case option \(key) = '\(s)' is not a number") }
        return v
    }

    public static func int(_ options: [String: String], _ key: String, default d: Int) throws -> Int {
        guard let s = options[key] else { return d }
        guard let v = Int(s) else { throw CaseOptionError("case option \(key) = '\(s)' is not an integer") }
        return v
    }

    /// "true" or "false" (any case); `d` when the option is absent.
    public static func bool(_ options: [String: String], _ key: String, default d: Bool) throws -> Bool {
        guard let s = options[key] else { return d }
        guard let v = Bool(s.lowercased()) else { throw CaseOptionError("case option \(key) = '\(s)' must be true or false") }
        return v
    }

    public static func required(_ options: [String: String], _ key: String) throws -> String {
        guard let s = options[key] else { throw CaseOptionError("case option \(key) is required") }
        return s
    }
}
