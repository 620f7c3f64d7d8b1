/// Whether smaller or larger values of a metric are better (as package-benchmark declares).
public enum Polarity: String, Sendable, Codable {
    case smallerIsBetter = "smaller"
    case largerIsBetter = "larger"
}

/// An accuracy metric a family reports and its default tolerance for each precision.
public struct ToleranceSpec: Sendable {
    public let name: String
    public let f32Tolerance: Double
    public let f64Tolerance: Double
    public let polarity: Polarity
    public let help: String

    public init(_ name: String, f32: Double, f64: Double, polarity: Polarity = .smallerIsBetter, help: String) {
        self.name = name
        self.f32Tolerance = f32
        self.f64Tolerance = f64
        self.polarity = polarity
        self.help = help
    }

    public func defaultTolerance(for precision: Precision) -> Double {
        precision == .f32 ? f32Tolerance : f64Tolerance
    }
}

/// Tolerances in force for one run: family defaults for the backend's precision with a
/// suite's overrides (an override applies to both precisions).
public struct Tolerances: Sendable, Equatable {
    public var values: [String: Double]
    public init(_ values: [String: Double] = [:]) { self.values = values }

    /// Checks that every override names a metric of the family.
    public static func validate(_ overrides: [String: Double], specs: [ToleranceSpec], family: String) throws {
        for k in overrides.keys where !specs.contains(where: { $0.name == k }) {
            throw ParameterError("unknown tolerance '\(k)' for family '\(family)' (known: \(specs.map(\.name).joined(separator: ", ")))")
        }
    }

    public static func resolve(_ overrides: [String: Double], specs: [ToleranceSpec], precision: Precision) -> Tolerances {
        var v: [String: Double] = [:]
        for s in specs { v[s.name] = overrides[s.name] ?? s.defaultTolerance(for: precision) }
        return Tolerances(v)
    }

    public subscript(name: String) -> Double? { values[name] }
}

/// One accuracy number of a run against the reference, with its verdict.
public struct Metric: Sendable, Equatable {
    public var name: String
    public var value: Double
    public var tolerance: Double?
    public var passed: Bool

    public init(name: String, value: Double, tolerance: Double?, polarity: Polarity = .smallerIsBetter) {
        self.name = name
        self.value = value
        self.tolerance = tolerance
        if let t = tolerance {
            // NaN never passes: an undefined error is a failure, not a pass.
            passed = polarity == .smallerIsBetter ? (value <= t) : (value >= t)
        } else {
            passed = true
        }
    }
}

/// A named number a solution produced, stored per run.
public struct Estimate: Sendable, Equatable {
    public var name: String
    public var value: Double
    public init(_ name: String, _ value: Double) { self.name = name; self.value = value }
}

/// A backend's own diagnostics (tiles, kernels, iterations) in insertion order.
public struct Diagnostics: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case int(Int), double(Double), string(String)
        var json: String {
            switch self {
            case .int(let v): String(v)
            case .double(let v): JSONText.number(v)
            case .string(let s): JSONText.quote(s)
            }
        }
    }
    public private(set) var entries: [(String, Value)] = []

    public init() {}
    public mutating func set(_ key: String, _ value: Int) { put(key, .int(value)) }
    public mutating func set(_ key: String, _ value: Double) { put(key, .double(value)) }
    public mutating func set(_ key: String, _ value: String) { put(key, .string(value)) }

    private mutating func put(_ key: String, _ value: Value) {
        if let i = entries.firstIndex(where: { $0.0 == key }) { entries[i].1 = value } else { entries.append((key, value)) }
    }

    public subscript(key: String) -> Value? { entries.first(where: { $0.0 == key })?.1 }

    public var json: String { "{" + entries.map { "\(JSONText.quote($0.0)):\($0.1.json)" }.joined(separator: ",") + "}" }

    public static func == (a: Diagnostics, b: Diagnostics) -> Bool { a.json == b.json }
}
