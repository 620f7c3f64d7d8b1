import ArgumentParser
import GenoBenchCore
import GenoBenchCatalog

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List every family and backend id.")

    @Flag(help: "Also list each family's parameters and tolerances.") var verbose = false

    /// The parameter's allowed range, as " [min, max]", " [≥ min]" or "" when unbounded.
    static func range(_ p: ParameterSpec) -> String {
        func shown(_ b: Double) -> String { b == b.rounded() && abs(b) < 1e15 ? String(Int(b)) : "\(b)" }
        switch (p.minimum, p.maximum) {
        case let (lo?, hi?): return " [\(shown(lo)), \(shown(hi))]"
        case let (lo?, nil): return " [≥ \(shown(lo))]"
        case let (nil, hi?): return " [≤ \(shown(hi))]"
        case (nil, nil): return ""
        }
    }

    func run() throws {
        for f in Catalog.registry.families {
            print("\(f.id)\t\(f.summary)")
            for b in f.backends { print("  \(b.id)\t(\(b.precision.rawValue), version \(b.version))") }
            if verbose {
                print("  parameters:")
                for p in f.parameters { print("    \(p.name) = \(p.defaultValue.json)\t\(p.help)\(Self.range(p))") }
                print("  tolerances (f32, f64):")
                for t in f.tolerances { print("    \(t.name) = \(t.f32Tolerance), \(t.f64Tolerance)\t\(t.help)") }
            }
        }
    }
}
