import Foundation
import GenoBenchData

/// One genetic variance component: a named set of variants whose GRM it uses (spec section 4).
///
/// Indices are zero-based positions in the source `.bim` order (unchanged by sample
/// filtering), ascending and unique. An empty component is allowed (its GRM has atom 0 and its
/// θ starts and stays at 0).
public struct ComponentSpec: Sendable, Equatable {
    public var name: String
    public var variantIndices: [Int]

    public init(name: String, variantIndices: [Int]) {
        self.name = name
        self.variantIndices = variantIndices
    }

    /// The default name of the component at 1-based position `number`: `component_001`, ...
    static func defaultName(_ number: Int) -> String { "component_" + threeDigits(number) }

    static func threeDigits(_ number: Int) -> String {
        let s = String(number)
        return s.count >= 3 ? s : String(repeating: "0", count: 3 - s.count) + s
    }

    /// Reads a JSON component spec (`--component-spec file.json`, spec section 4.2).
    ///
    /// Accepted shapes: `{"components": [C, ...]}` (other top-level keys ignored) or a bare
    /// list `[C, ...]`, where each `C` is an object with
    /// - `variant_indices` (required): a list of non-negative integers (`3` or `3.0`, not
    ///   `"3"`, `true` or `3.5`), zero-based in `.bim` order;
    /// - `name` (optional, a non-empty string): default `component_NNN`, NNN the 1-based
    ///   position with 3 digits;
    /// - `annotation`, `provenance` (optional, an object or `null`): checked for shape and
    ///   ignored. Other keys are ignored.
    ///
    /// Components must be disjoint and their names unique; the union may leave variants out
    /// (they are simply unused). The NPZ form of the spec is not supported.
    ///
    /// - Parameter variantCount: m, the number of variants in the `.bim`; indices lie in `0..<m`.
    /// - Returns: the components in file order, each with its indices sorted ascending.
    /// - Throws: `DataError` naming the file and the component (number and name): unreadable or
    ///   non-JSON file, wrong shape, no components, missing `variant_indices`, a non-integer or
    ///   out-of-range index (the range is given), an index repeated within a component, an index
    ///   in two components (both named), two components with the same name.
    public static func read(_ path: String, variantCount: Int) throws -> [ComponentSpec] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(file: path, "cannot read (missing or unreadable)")
        }
        return try parse(data, path: path, variantCount: variantCount)
    }

    /// Parses a JSON component spec held in memory (`path` names it in errors), as `read`.
    public static func parse(_ data: Data, path: String, variantCount: Int) throws -> [ComponentSpec] {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            throw DataError(file: path, "not valid JSON: \(error.localizedDescription)")
        }
        let list: [Any]
        if let object = root as? [String: Any] {
            guard let components = object["components"] else {
                throw DataError(file: path, "expected a list of components or an object with key 'components'; "
                                    + "the object has keys " + object.keys.sorted().joined(separator: ", "))
            }
            guard let l = components as? [Any] else {
                throw DataError(file: path, "'components' must be a list of objects")
            }
            list = l
        } else if let l = root as? [Any] {
            list = l
        } else {
            throw DataError(file: path, "expected a list of components or an object with key 'components'")
        }
        guard !list.isEmpty else { throw DataError(file: path, "lists no components") }

        var specs: [ComponentSpec] = []
        var numberOfName: [String: Int] = [:]
        var ownerOfIndex = [Int](repeating: -1, count: max(variantCount, 0))
        for (k, element) in list.enumerated() {
            let number = k + 1
            guard let object = element as? [String: Any] else {
                throw DataError(file: path, "component \(number) is not an object (expected {\"variant_indices\": [...]})")
            }
            let name: String
            switch object["name"] {
            case nil, is NSNull: name = defaultName(number)
            case let s as String where !s.isEmpty: name = s
            default: throw DataError(file: path, "component \(number): 'name' must be a non-empty string")
            }
            let label = "component \(number) ('\(name)')"
            for key in ["annotation", "provenance"] {
                if let value = object[key], !(value is NSNull), !(value is [String: Any]) {
                    throw DataError(file: path, "\(label): '\(key)' must be an object or null")
                }
            }
            guard let rawIndices = object["variant_indices"] else {
                throw DataError(file: path, "\(label) has no 'variant_indices'")
            }
            guard let rawList = rawIndices as? [Any] else {
                throw DataError(file: path, "\(label): 'variant_indices' must be a list of integers")
            }
            if let previous = numberOfName[name] {
                throw DataError(file: path, "components \(previous) and \(number) are both named '\(name)'")
            }
            numberOfName[name] = number

            var indices: [Int] = []
            indices.reserveCapacity(rawList.count)
            for (position, raw) in rawList.enumerated() {
                guard let value = integerValue(raw) else {
                    throw DataError(file: path, "\(label): variant_indices[\(position)] = \(describe(raw)) is not an integer")
                }
                guard value >= 0, value < Double(variantCount) else {
                    let range = variantCount > 0 ? "0...\(variantCount - 1)" : "empty"
                    throw DataError(file: path, "\(label): variant index \(describe(raw)) is out of range \(range) "
                                        + "(\(variantCount) variants, zero-based)")
                }
                let index = Int(value)
                let owner = ownerOfIndex[index]
                if owner == k {
                    throw DataError(file: path, "\(label): variant index \(index) appears twice")
                }
                if owner >= 0 {
                    throw DataError(file: path, "variant index \(index) is in component \(owner + 1) "
                                        + "('\(specs[owner].name)') and \(label); components must be disjoint")
                }
                ownerOfIndex[index] = k
                indices.append(index)
            }
            specs.append(ComponentSpec(name: name, variantIndices: indices.sorted()))
        }
        return specs
    }

    /// An integral JSON number as a `Double`, or `nil` (strings, booleans, fractions, null).
    static func integerValue(_ raw: Any) -> Double? {
        guard let number = raw as? NSNumber, !(raw is String) else { return nil }
        // JSONSerialization returns booleans as NSNumber with type code "c"; reject them.
        if String(cString: number.objCType) == "c" { return nil }
        let d = number.doubleValue
        return d.isFinite && d == d.rounded() ? d : nil
    }

    static func describe(_ raw: Any) -> String {
        switch raw {
        case is NSNull: "null"
        case let s as String: "\"\(s)\""
        case let n as NSNumber where String(cString: n.objCType) == "c": n.boolValue ? "true" : "false"
        default: "\(raw)"
        }
    }

    /// Contiguous blocks of variants (`--vc-block-sizes a,b,c`, spec section 4.1): block k holds
    /// the next `sizes[k]` variants in `.bim` order. Names are `block_001`, `block_002`, ...
    ///
    /// - Throws: `REMLError.invalidOption` naming the sizes when there are none, one is not
    ///   positive, or they do not sum to `variantCount` (the sum and the count are given).
    public static func contiguousBlocks(_ sizes: [Int], variantCount: Int) throws -> [ComponentSpec] {
        let listed = sizes.map(String.init).joined(separator: ",")
        guard !sizes.isEmpty else { throw REMLError.invalidOption("--vc-block-sizes: no block sizes given") }
        if let bad = sizes.first(where: { $0 <= 0 }) {
            throw REMLError.invalidOption("--vc-block-sizes \(listed): every size must be positive, found \(bad)")
        }
        var sum = 0
        for s in sizes {
            let (total, overflow) = sum.addingReportingOverflow(s)
            guard !overflow else { throw REMLError.invalidOption("--vc-block-sizes \(listed): the sum overflows") }
            sum = total
        }
        guard sum == variantCount else {
            throw REMLError.invalidOption("--vc-block-sizes \(listed): the sizes sum to \(sum), "
                                              + "but there are \(variantCount) variants")
        }
        var start = 0
        return sizes.enumerated().map { k, size in
            defer { start += size }
            return ComponentSpec(name: "block_" + threeDigits(k + 1), variantIndices: Array(start..<(start + size)))
        }
    }
}
