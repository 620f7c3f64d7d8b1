import ArgumentParser
import Foundation
import GenoBenchCatalog
import GenoBenchCore
import GenoBenchHarness
import GenoBenchReports

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Run every backend on the reference-data cases and check them against the golden GSL references.",
        discussion: "A case is a directory of reference-data/ with a case.toml (family, options, input checksums), its inputs and the golden reference. Exit status: 0 when every backend is within its tolerances on every case, 1 otherwise, 64/65 for a bad request or case.")

    @Option(help: "Directory of cases.") var dir = "reference-data"
    @Option(help: "Only this family.") var family: String?
    @Flag(help: "Recompute and write each case's golden reference with the GSL reference first.") var write = false
    @Option(help: "Output format: markdown, csv or json.") var format = "markdown"
    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        try Failure.guarded {
            guard let fmt = ReportFormat(rawValue: format) else {
                throw ReportError("--format must be one of \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")), got '\(format)'")
            }
            let registry = Catalog.registry
            if let family { _ = try registry.family(family) }
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            let cases = try entries.sorted().map { (dir as NSString).appendingPathComponent($0) }
                .filter { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent(ValidationCase.fileName)) }
                .map { try ValidationCase.load(directory: $0) }
                .filter { family == nil || $0.family == family }
            guard !cases.isEmpty else { throw ReportError("no validation cases under \(dir)" + (family.map { " for family \($0)" } ?? "")) }
            let context = RunContext(threads: threadOptions.apply())
            var table = ReportTable(title: "Backends against the golden references", columns: ["case", "family", "backend", "verdict", "worst metric", "value / tolerance", "wall s"])
            var failures = 0
            for c in cases {
                let name = (c.directory as NSString).lastPathComponent
                let entry = try registry.family(c.family)
                guard entry.validatesFromFiles else { throw ReportError("\(name): family \(c.family) cannot be validated from files") }
                if write { try Self.rewriteChecksums(c) }
                let bad = try ValidationCase.load(directory: c.directory).checksumMismatches()
                if !bad.isEmpty {
                    failures += 1
                    table.rows.append([.text(name), .text(c.family), "–", "FAILED", .text("input checksum differs: \(bad.joined(separator: ", "))"), "–", "–"])
                    continue
                }
                for r in try entry.validate(c, write: write, context: context) {
                    if !r.passed { failures += 1 }
                    var worst: (Metric, Double)?
                    for m in r.metrics {
                        guard let t = m.tolerance else { continue }
                        let ratio = !m.passed ? (t > 0 && m.value.isFinite ? max(m.value / t, 1) : .infinity) : (t > 0 ? m.value / t : 0)
                        if worst == nil || ratio > worst!.1 { worst = (m, ratio) }
                    }
                    table.rows.append([.text(name), .text(c.family), .text(r.backend.id), .text(r.passed ? "pass" : "FAILED"),
                                       .text(r.error ?? worst.map { "\($0.0.name) = \(Format.significant($0.0.value, 3)) (tolerance \(Format.significant($0.0.tolerance!, 2)))" } ?? "–"),
                                       worst.map { Format.general($0.1) } ?? "–", Format.seconds(r.wallSeconds)])
                }
            }
            var doc = ReportDocument(report: "validate", title: "Validation against reference-data")
            doc.facts = [("cases", .integer(cases.count)), ("failures", .integer(failures)), ("verdict", .text(failures == 0 ? "pass" : "fail"))]
            doc.tables = [table]
            print(fmt.render(doc), terminator: "")
            if failures > 0 { throw ExitCode(1) }
        }
    }

    /// Replaces the trailing `[checksums]` table of case.toml with the checksums of every input
    /// file (every regular file but case.toml and golden references).
    static func rewriteChecksums(_ c: ValidationCase) throws {
        let path = (c.directory as NSString).appendingPathComponent(ValidationCase.fileName)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let head = text.components(separatedBy: "\n[checksums]").first!.trimmingCharacters(in: .newlines)
        let files = try FileManager.default.contentsOfDirectory(atPath: c.directory).sorted().filter { f in
            var isDir: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: (c.directory as NSString).appendingPathComponent(f), isDirectory: &isDir)
            return exists && !isDir.boolValue && f != ValidationCase.fileName && !f.hasPrefix("reference.")
        }
        var out = head + "\n\n[checksums]  # FNV-1a 64 of each input's bytes, written by `genobench validate --write`\n"
        for f in files { out += "\"\(f)\" = \"\(try ValidationCase.checksum(path: (c.directory as NSString).appendingPathComponent(f)))\"\n" }
        try out.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
