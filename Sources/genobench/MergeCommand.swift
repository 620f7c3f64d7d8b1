import ArgumentParser
import Foundation
import GenoBenchStore

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Unite stores (e.g. one per shard) into one, by natural keys, in one transaction.",
        discussion: """
            Machines are matched by fingerprint, problems by (family, params, seed, data hash), invocations by their uid and \
            runs by (invocation, problem, backend, repeat): merging the same store twice adds nothing. The shards of one \
            sharded run (same suite, shard count and --batch) become one invocation, so reports read them as one run of the \
            suite. An input that is not a GenoBench store, or fails PRAGMA integrity_check, is refused by name (exit 65) and \
            nothing is written.
            """)

    @Argument(help: "Input stores.") var inputs: [String]
    @Option(help: "The store to merge into (created if missing; may already hold runs).") var into: String
    @Flag(help: "No summary line.") var quiet = false

    mutating func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one input store: genobench merge A.sqlite B.sqlite --into OUT.sqlite") }
    }

    func run() throws {
        try Failure.guarded {
            let s = try Store.merge(inputs, into: into)
            if !quiet {
                print("merged \(s.inputs) stores into \(into): \(s.runsAdded) runs added, \(s.runsAlreadyPresent) already present, \(s.problemsAdded) problems and \(s.invocationsAdded) invocations added, \(s.shardsAdded) shards united")
            }
        }
    }
}

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "Compare the results of two stores (not timings): exit 0 when they hold the same runs.",
        discussion: """
            A run's result is its problem (family, params, seed, data hash), backend, repeat, status, error, estimates and \
            metrics. Exit 0 when both stores hold the same multiset of results, 1 otherwise (the first differences are listed).
            """)

    @Argument(help: "First store.") var a: String
    @Argument(help: "Second store.") var b: String

    func run() throws {
        try Failure.guarded {
            let left = try Store.existing(path: a).resultLines()
            let right = try Store.existing(path: b).resultLines()
            if left == right {
                print("same results: \(left.count) runs")
                return
            }
            let onlyLeft = Self.difference(left, right), onlyRight = Self.difference(right, left)
            print("results differ: \(a) has \(left.count) runs, \(b) has \(right.count); \(onlyLeft.count) only in \(a), \(onlyRight.count) only in \(b)")
            for line in onlyLeft.prefix(10) { print("< \(line)") }
            for line in onlyRight.prefix(10) { print("> \(line)") }
            throw ExitCode(1)
        }
    }

    /// Lines of `x` not matched by a line of `y` (as multisets; both sorted).
    static func difference(_ x: [String], _ y: [String]) -> [String] {
        var counts: [String: Int] = [:]
        for line in y { counts[line, default: 0] += 1 }
        return x.filter { line in
            if let c = counts[line], c > 0 { counts[line] = c - 1; return false }
            return true
        }
    }
}
