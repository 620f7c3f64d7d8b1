import Foundation
import XCTest
import _GenoBenchTestSupport

/// Every entry of reference-data/hostile/manifest.tsv (written by scripts/hostile-corpus.sh)
/// through the real `genobench`: the documented exit status (never 0, never a signal), an error
/// on standard error that names the file, the line or record and what was expected, and no
/// output left behind in the run's output directory.
final class HostileInputTests: XCTestCase {
    struct Entry {
        var name: String
        var exit: Int32
        var file: String
        var location: String
        var expected: String
        var arguments: [String]
    }

    static var corpus: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("reference-data/hostile").path
    }

    static func entries() throws -> [Entry] {
        let text = try String(contentsOfFile: corpus + "/manifest.tsv", encoding: .utf8)
        return try text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 6, let exit = Int32(f[1]) else { throw NSError(domain: "manifest line: \(line)", code: 1) }
            return Entry(name: f[0], exit: exit, file: f[2], location: f[3], expected: f[4],
                         arguments: f[5].split(separator: " ").map(String.init))
        }
    }

    func testTheManifestCoversEveryReader() throws {
        let entries = try Self.entries()
        XCTAssertGreaterThanOrEqual(entries.count, 100)
        let commands = Set(entries.map { $0.arguments.first ?? "" })
        for command in ["ld", "reml", "did", "peg", "signal", "ldsc", "ldsc-merge", "run", "simulate"] {
            XCTAssert(commands.contains(command), "no corpus entry runs genobench \(command)")
        }
        for kind in ["utf8", "empty", "ragged", "dup", "inf", "huge", "non-numeric", "truncated", "magic"] {
            XCTAssert(entries.contains { $0.name.contains(kind) }, "no corpus entry of kind '\(kind)'")
        }
        XCTAssertEqual(Set(entries.map(\.name)).count, entries.count, "entry names are unique")
    }

    func testEveryCorpusEntryFailsClearlyAndLeavesNoOutput() throws {
        var failures = 0
        for entry in try Self.entries() {
            let out = TemporaryDirectory()
            let args = entry.arguments.map { $0.replacingOccurrences(of: "@OUT@", with: out.path) }
            let r = try runGenoBench(args, currentDirectory: Self.corpus)
            func check(_ ok: Bool, _ what: String) {
                if !ok { failures += 1 }
                XCTAssert(ok, "\(entry.name): \(what)\n  genobench \(args.joined(separator: " "))\n  exit \(r.status)\(r.signalled ? " (signal)" : "")\n  stderr: \(r.stderr)")
            }
            check(!r.signalled && !r.stderr.contains("Fatal error"), "crashed")
            check(r.status == entry.exit, "exit status \(r.status), expected \(entry.exit)")
            check(r.stderr.contains("error"), "no error message")
            for fragment in [entry.file, entry.location, entry.expected] where fragment != "-" {
                check(r.stderr.contains(fragment), "stderr lacks '\(fragment)'")
            }
            // Nothing that could pass for a result: only a log that records the failure may stay.
            let left = ((try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []).filter { name in
                guard name.hasSuffix(".log"), let log = try? String(contentsOfFile: out.file(name), encoding: .utf8) else { return true }
                return !log.contains("\nerror: ")
            }
            check(left.isEmpty, "left output behind: \(left.sorted())")
        }
        XCTAssertEqual(failures, 0)
    }
}
