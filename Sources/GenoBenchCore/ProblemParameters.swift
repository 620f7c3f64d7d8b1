/// One value of a problem parameter, as a suite (TOML) or a command line gives it.
public enum ParameterValue: Sendable, Equatable, Hashable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)

    public var description: String {
        switch self {
        case .int(let v): String(v)
        case .double(let v): "\(v)"
        case .string(let v): v
        case .bool(let v): String(v)
        }
    }

    /// JSON text of the value.
    public var json: String {
        switch self {
        case .int(let v): String(v)
        case .double(let v): v.isFinite ? "\(v)" : "null"
        case .string(let v): JSONText.quote(v)
        case .bool(let v): v ? "true" : "false"
        }
    }
}

/// What a family says about one of its parameters: the name (as its simulate and analysis
/// options are spelled, without dashes), the default, a one-line meaning and, for a number, the
/// range it must lie in (inclusive; checked when a suite is loaded, before anything runs).
public struct ParameterSpec: Sendable {
    public let name: String
    public let defaultValue: ParameterValue
    public let help: String
    public let minimum: Double?
    public let maximum: Double?

    public init(_ name: String, default defaultValue: ParameterValue, help: String, minimum: Double? = nil, maximum: Double? = nil) {
        self.name = name
        self.defaultValue = defaultValue
        self.help = help
        self.minimum = minimum
        self.maximum = maximum
    }

    /// Throws unless a numeric `value` lies within `minimum`…`maximum` (and is finite when bounded).
    public func checkRange(_ value: ParameterValue) throws {
        let x: Double
        switch value {
        case .int(let i): x = Double(i)
        case .double(let d): x = d
        default: return
        }
        let shown = Self.shown
        if let lo = minimum, !(x >= lo) {
            throw ParameterError("parameter '\(name)' must be at least \(shown(lo))\(maximum.map { " and at most \(shown($0))" } ?? ""), got \(value.json)")
        }
        if let hi = maximum, !(x <= hi) {
            throw ParameterError("parameter '\(name)' must be at most \(shown(hi))\(minimum.map { " and at least \(shown($0))" } ?? ""), got \(value.json)")
        }
    }

    /// The allowed range as `[min, max]`, `[≥ min]` or `[≤ max]`; nil when unbounded.
    public var rangeText: String? {
        switch (minimum, maximum) {
        case let (lo?, hi?): "[\(Self.shown(lo)), \(Self.shown(hi))]"
        case let (lo?, nil): "[≥ \(Self.shown(lo))]"
        case let (nil, hi?): "[≤ \(Self.shown(hi))]"
        case (nil, nil): nil
        }
    }

    /// A bound as written in messages: an integer without a decimal point.
    static func shown(_ b: Double) -> String { b == b.rounded() && abs(b) < 1e15 ? String(Int(b)) : "\(b)" }
}

/// Errors in a problem's parameters, named by key.
public struct ParameterError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The parameters of one problem instance: the family's defaults overlaid with the values a
/// suite or command line gave. Keys are kept sorted so the JSON form is canonical.
public struct ProblemParameters: Sendable, Equatable, Hashable {
    public private(set) var values: [String: ParameterValue]

    public init(_ values: [String: ParameterValue] = [:]) { self.values = values }

    /// Overlays `given` on the family defaults; an unknown key is an error naming the keys the
    /// family knows.
    public static func resolve(_ given: [String: ParameterValue], specs: [ParameterSpec], family: String) throws -> ProblemParameters {
        var v: [String: ParameterValue] = [:]
        for s in specs { v[s.name] = s.defaultValue }
        for (k, value) in given {
            guard let spec = specs.first(where: { $0.name == k }) else {
                let known = specs.map(\.name).joined(separator: ", ")
                throw ParameterError("unknown parameter '\(k)' for family '\(family)' (known: \(known))")
            }
            let coerced = try coerce(value, like: spec.defaultValue, key: k)
            try spec.checkRange(coerced)
            v[k] = coerced
        }
        return ProblemParameters(v)
    }

    static func coerce(_ value: ParameterValue, like template: ParameterValue, key: String) throws -> ParameterValue {
        switch (template, value) {
        case (.int, .int), (.double, .double), (.string, .string), (.bool, .bool): return value
        case (.double, .int(let i)): return .double(Double(i))
        case (.int, .double(let d)) where d == d.rounded() && abs(d) < 9e15: return .int(Int(d))
        default:
            throw ParameterError("parameter '\(key)' must be \(kindName(template)), got \(value.json)")
        }
    }

    static func kindName(_ v: ParameterValue) -> String {
        switch v {
        case .int: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .bool: "true or false"
        }
    }

    public subscript(key: String) -> ParameterValue? { values[key] }

    public func int(_ key: String) throws -> Int {
        guard case .int(let v)? = values[key] else { throw ParameterError("parameter '\(key)' is missing or not an integer") }
        return v
    }

    public func double(_ key: String) throws -> Double {
        switch values[key] {
        case .double(let v)?: return v
        case .int(let v)?: return Double(v)
        default: throw ParameterError("parameter '\(key)' is missing or not a number")
        }
    }

    public func string(_ key: String) throws -> String {
        guard case .string(let v)? = values[key] else { throw ParameterError("parameter '\(key)' is missing or not a string") }
        return v
    }

    /// Canonical JSON: keys sorted, no spaces.
    public var json: String {
        "{" + values.keys.sorted().map { "\(JSONText.quote($0)):\(values[$0]!.json)" }.joined(separator: ",") + "}"
    }

    /// `key=value` pairs in key order, for progress lines and tables.
    public var label: String {
        values.keys.sorted().map { "\($0)=\(values[$0]!)" }.joined(separator: " ")
    }
}

/// Minimal JSON text helpers (the store's JSON columns and `--json` output).
public enum JSONText {
    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// A number that round-trips, or null for NaN and infinities.
    public static func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
}
