import ArgumentParser
import GenoBenchCore

@main
struct GenoBench: ParsableCommand {
    static let version = "0.1.0"
    static let configuration = CommandConfiguration(
        commandName: "genobench",
        abstract: "Run statistical-genetics algorithms through interchangeable backends, check them against GSL references, and record timing, memory and accuracy in SQLite.",
        version: version,
        subcommands: [ListCommand.self, RunCommand.self, SimulateCommand.self, LDCommand.self, REMLCommand.self, DiDCommand.self, LDSCCommand.self, LDSCMergeCommand.self, GSSCommand.self, PEGCommand.self, SignalCommand.self, ReportCommand.self, ValidateCommand.self, MergeCommand.self, DiffCommand.self, SlurmCommand.self, BLASThreadsCommand.self])

    /// Puts OpenBLAS on the kernels the CPU supports when it did not recognise the processor
    /// (`BLASKernels`: one re-execution, before anything else happens), then parses and runs.
    static func main() {
        BLASKernels.reexecIfUnrecognised(environment: ProcessInfo.processInfo.environment)
        main(attachingNegativeNumbers(Array(CommandLine.arguments.dropFirst())))
    }

    /// `--option -5` as `--option=-5`: the argument parser reads a value that starts with a dash
    /// as another option, so a negative number after an option was reported as a missing value
    /// instead of getting the option's own range check ("must be at least 1, got -5"). Only a
    /// long option without `=` followed by a token that is a number (`-5`, `-0.5`, `-1e-3`,
    /// `-inf`) is joined; everything else goes to the parser as it was.
    static func attachingNegativeNumbers(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "--" { return out + arguments[i...] }  // after the terminator, every token is positional
            if a.hasPrefix("--"), a.count > 2, !a.contains("="), i + 1 < arguments.count,
               case let next = arguments[i + 1], next.hasPrefix("-"), next.count > 1, Double(next) != nil {
                out.append(a + "=" + next)
                i += 2
                continue
            }
            out.append(a)
            i += 1
        }
        return out
    }
}

/// Options every computing command shares.
struct ThreadOptions: ParsableArguments {
    @Option(name: .long, help: "Threads for GenoBench's own parallel loops (default: GENOBENCH_THREADS or the core count).")
    var threads: Int?

    @Option(name: .long, help: "Threads per BLAS call (default: GENOBENCH_BLAS_THREADS or \(BLASThreads.defaultCount); see the README's measurement).")
    var blasThreads: Int?

    mutating func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1, got \(t)") }
        if let t = blasThreads, t < 1 { throw ValidationError("--blas-threads must be at least 1, got \(t)") }
    }

    /// Applies the BLAS setting and returns the thread count for our own loops.
    func apply() -> Int {
        let env = ProcessInfo.processInfo.environment
        BLASThreads.set(blasThreads ?? env["GENOBENCH_BLAS_THREADS"].flatMap(Int.init) ?? BLASThreads.defaultCount)
        return threads ?? env["GENOBENCH_THREADS"].flatMap(Int.init) ?? ProcessInfo.processInfo.activeProcessorCount
    }
}

import Foundation
