import ArgumentParser
import GenoBenchCore
import GenoBenchCatalog

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List every family and backend id.")

    @Flag(help: "Also list each family's parameters and tolerances.") var verbose = false

    func run() throws {
        for f in Catalog.registry.families {
            print("\(f.id)\t\(f.summary)")
            for b in f.backends { print("  \(b.id)\t(\(b.precision.rawValue), version \(b.version))") }
            if verbose {
                print("  parameters:")
                for p in f.parameters { print("    \(p.name) = \(p.defaultValue.json)\t\(p.help)\(p.rangeText.map { " " + $0 } ?? "")") }
                print("  tolerances (f32, f64):")
                for t in f.tolerances { print("    \(t.name) = \(t.f32Tolerance), \(t.f64Tolerance)\t\(t.help)") }
            }
        }
    }
}
