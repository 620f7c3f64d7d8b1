import ArgumentParser
import Foundation
import GenoBenchCatalog
import GenoBenchHarness
import GenoBenchStore

/// An invalid `genobench slurm` request (a usage error, exit 64).
struct SlurmError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

struct SlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm", abstract: "Write a Slurm job-array script that runs a suite in N shards, a merge job and a submit script.",
        discussion: """
            Writes OUT (the array job: task I runs `genobench run SUITE --shard I/N --batch B --resume` into its own store \
            DB-base.shard-I.sqlite), OUT-base.merge.sh (one task: `genobench merge` of the N shard stores --into DB) and \
            OUT-base.submit.sh, which submits the array and then the merge with --dependency=afterok on it. Paths are made \
            absolute, so the scripts run from any directory. Resubmitting continues: each shard resumes its unfinished \
            invocation (same batch), and merging again adds only what is new.
            """)

    @Argument(help: "Suite file (TOML).") var suite: String
    @Option(help: "Number of shards (array tasks).") var shards: Int
    @Option(help: "The job-array script to write.") var out: String
    @Option(help: "The merged store the merge job writes.") var db = "reports/genobench.sqlite"
    @Option(help: "Slurm partition (#SBATCH --partition).") var partition: String?
    @Option(help: "Time limit per task, [D-]HH:MM:SS (#SBATCH --time).") var time: String?
    @Option(name: .customLong("cpus-per-task"), help: "CPUs per task (#SBATCH --cpus-per-task); also genobench's --threads.") var cpusPerTask: Int?
    @Option(help: "Memory per task, e.g. 4G or 4000M (#SBATCH --mem).") var mem: String?
    @Option(help: "The genobench executable the jobs run (default: this one).") var binary: String?
    @Option(help: "Batch label shared by the shards (default: the suite name and the time the script was written).") var batch: String?

    mutating func validate() throws {
        guard shards >= 1 else { throw ValidationError("--shards must be at least 1, got \(shards)") }
        if let time, time.range(of: #"^([0-9]+-)?[0-9]{1,3}(:[0-9]{2}){0,2}$"#, options: .regularExpression) == nil {
            throw ValidationError("--time wants [D-]HH:MM:SS (Slurm's format, e.g. 01:30:00 or 2-00:00:00), got '\(time)'")
        }
        if let cpusPerTask, cpusPerTask < 1 { throw ValidationError("--cpus-per-task must be at least 1, got \(cpusPerTask)") }
        if let mem, mem.range(of: #"^[0-9]+[KMGT]?$"#, options: .regularExpression) == nil {
            throw ValidationError("--mem wants a size in megabytes or with a K/M/G/T suffix (e.g. 4G), got '\(mem)'")
        }
        if let partition, partition.isEmpty || partition.contains(where: \.isWhitespace) {
            throw ValidationError("--partition must be one word, got '\(partition)'")
        }
        if let batch, batch.isEmpty || batch.contains(where: { $0.isWhitespace || $0 == "/" }) {
            throw ValidationError("--batch must be one word without '/', got '\(batch)'")
        }
        guard out.hasSuffix(".sh") else { throw ValidationError("--out must name a .sh file (the merge and submit scripts are named after it), got '\(out)'") }
    }

    func run() throws {
        try Failure.guarded {
            let registry = Catalog.registry
            let loaded = try Suite.load(path: suite, registry: registry)
            let plan = try RunPlan(suite: loaded, registry: registry)
            if shards > plan.unitCount {
                note("genobench: warning: \(shards) shards for \(plan.unitCount) problems: \(shards - plan.unitCount) shards will have nothing to run")
            }
            let binaryPath = Self.absolute(binary ?? Self.ownExecutable())
            guard FileManager.default.isExecutableFile(atPath: binaryPath) else {
                throw SlurmError("--binary \(binaryPath) is not an executable file")
            }
            let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "")
            let batchLabel = batch ?? "\(loaded.name.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })-\(stamp)"
            let scripts = SlurmScripts(
                suite: Self.absolute(suite), suiteName: loaded.name, shards: shards, db: Self.absolute(db), binary: binaryPath,
                batch: batchLabel, workingDirectory: FileManager.default.currentDirectoryPath, arrayScript: Self.absolute(out),
                partition: partition, time: time, cpusPerTask: cpusPerTask, mem: mem)
            let dir = (scripts.arrayScript as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for (path, text) in [(scripts.arrayScript, scripts.array), (scripts.mergeScript, scripts.merge), (scripts.submitScript, scripts.submit)] {
                do {
                    try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
                } catch { throw StoreError("cannot write \(path): \(error.localizedDescription)") }
            }
            print("wrote \(scripts.arrayScript) (array of \(shards) shards of \(plan.unitCount) problems, batch \(batchLabel)), \(scripts.mergeScript) (merge into \(scripts.db))")
            print("submit with: bash \(SlurmScripts.quote(scripts.submitScript))")
        }
    }

    static func absolute(_ path: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }

    static func ownExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// The three scripts `genobench slurm` writes (pure text from the settings, so it is testable).
struct SlurmScripts {
    var suite: String
    var suiteName: String
    var shards: Int
    var db: String
    var binary: String
    var batch: String
    var workingDirectory: String
    var arrayScript: String
    var partition: String?
    var time: String?
    var cpusPerTask: Int?
    var mem: String?

    var base: String { arrayScript.hasSuffix(".sh") ? String(arrayScript.dropLast(3)) : arrayScript }
    var mergeScript: String { base + ".merge.sh" }
    var submitScript: String { base + ".submit.sh" }
    var dbBase: String { db.hasSuffix(".sqlite") ? String(db.dropLast(7)) : db }
    /// Shard I's store; `$ID` in the array script.
    func shardStore(_ id: String) -> String { "\(dbBase).shard-\(id).sqlite" }

    static func quote(_ s: String) -> String {
        s.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+=:,@%".contains($0) }) ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private func common(_ name: String, log: String) -> [String] {
        var lines = ["#SBATCH --job-name=\(name)", "#SBATCH --chdir=\(Self.quote(workingDirectory))", "#SBATCH --output=\(Self.quote(log))"]
        if let partition { lines.append("#SBATCH --partition=\(partition)") }
        if let time { lines.append("#SBATCH --time=\(time)") }
        if let mem { lines.append("#SBATCH --mem=\(mem)") }
        return lines
    }

    private var jobName: String { "genobench-" + suiteName.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } }

    var array: String {
        var lines = ["#!/bin/bash", "# genobench slurm: suite \(suiteName), \(shards) shards, batch \(batch)"]
        lines += common(jobName, log: "\(base).%A_%a.log")
        lines.append("#SBATCH --array=1-\(shards)")
        if let cpusPerTask { lines.append("#SBATCH --cpus-per-task=\(cpusPerTask)") }
        lines += [
            "set -euo pipefail",
            "ID=${SLURM_ARRAY_TASK_ID:?run this script with sbatch (it is a job array: task I runs shard I of \(shards))}",
            "# Exit 130: stopped by SIGTERM/SIGINT (time limit, scancel) after the run in flight; resubmitting resumes.",
            "exec \(Self.quote(binary)) run \(Self.quote(suite)) --shard \"$ID/\(shards)\" --batch \(Self.quote(batch)) --resume --quiet \\",
            "    --db \"\(shardStore("$ID"))\"\(cpusPerTask.map { " --threads \($0)" } ?? "")",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    var merge: String {
        var lines = ["#!/bin/bash", "# genobench slurm: merges the \(shards) shard stores of suite \(suiteName) (batch \(batch))"]
        lines += common(jobName + "-merge", log: "\(base).merge.%j.log")
        lines += ["#SBATCH --cpus-per-task=1", "set -euo pipefail", "exec \(Self.quote(binary)) merge \\"]
        for i in 1...shards { lines.append("    \(Self.quote(shardStore(String(i)))) \\") }
        lines.append("    --into \(Self.quote(db))")
        return lines.joined(separator: "\n") + "\n"
    }

    var submit: String {
        """
        #!/bin/bash
        # Submits the \(shards)-shard array of suite \(suiteName), then the merge once every task has succeeded.
        set -euo pipefail
        array=$(sbatch --parsable \(Self.quote(arrayScript)))
        array=${array%%;*}
        merge=$(sbatch --parsable --dependency=afterok:"$array" \(Self.quote(mergeScript)))
        merge=${merge%%;*}
        echo "array job $array (\(shards) shards), merge job $merge -> \(db)"

        """
    }
}
