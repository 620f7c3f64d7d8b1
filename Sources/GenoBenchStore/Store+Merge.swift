import Foundation
import GRDB
import GenoBenchCore

/// A store that `genobench merge` refuses, or a conflict between stores (names the file).
public struct MergeError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// What one merge added.
public struct MergeSummary: Sendable, Equatable {
    public var inputs = 0
    public var invocationsAdded = 0
    public var shardsAdded = 0
    public var problemsAdded = 0
    public var runsAdded = 0
    public var runsAlreadyPresent = 0
}

extension Store {
    /// Migrations this build knows; a store with any other was written by a newer GenoBench.
    static let knownMigrations: Set<String> = ["v1", "v2", "v3"]

    /// Unites the stores `inputs` into `output` (created if missing) in one transaction.
    ///
    /// Rows are matched by natural keys, so merging the same store twice adds nothing: machines
    /// by fingerprint, problems by (family, params, seed, data hash), invocations by `uid`, runs
    /// by (invocation, problem, backend, repeat). The shard invocations of one sharded run —
    /// the same suite hash, shard count N and batch — unite into one invocation (uid
    /// `merged-…`, `shard_count` N, `shard_index` NULL) that reports read as one run of the
    /// suite; each shard is listed in `invocation_parts` with its own machine, and its runs keep
    /// their part and machine. The united invocation is finished once all N shards are, each
    /// finished. Inputs are checked first (`PRAGMA integrity_check`, foreign keys, GenoBench
    /// tables, known migrations); one that fails is refused by name and nothing is written.
    public static func merge(_ inputs: [String], into output: String) throws -> MergeSummary {
        guard !inputs.isEmpty else { throw MergeError("merge needs at least one input store") }
        let outputPath = canonicalPath(output)
        for input in inputs where canonicalPath(input) == outputPath {
            throw MergeError("\(input) is also the --into store: merge into a new or different store")
        }
        let scratch = NSTemporaryDirectory() + "genobench-merge-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let sources = try inputs.enumerated().map { n, input in try SourceStore(path: input, scratch: "\(scratch)/\(n).sqlite") }
        let target = try Store(path: output)
        return try withRetry {
            try target.pool.write { db in
                var merger = Merger(db: db, output: output)
                merger.summary.inputs = inputs.count
                for source in sources { try merger.add(source) }
                try merger.settleUnitedInvocations()
                return merger.summary
            }
        }
    }

    static func canonicalPath(_ p: String) -> String {
        URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path
    }
}

/// An input store, checked and read whole (through a migrated scratch copy, so older schemas
/// read as the current one; the input itself is opened read-only and never changed).
struct SourceStore {
    let path: String
    var machines: [Row] = []
    var invocations: [Row] = []
    var parts: [Row] = []
    var problems: [Row] = []
    var runs: [Row] = []
    var metrics: [Int64: [Row]] = [:]
    var estimates: [Int64: [Row]] = [:]
    var references: [Row] = []

    init(path: String, scratch: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { throw MergeError("\(path): no such file") }
        func refuse(_ why: String) -> MergeError { MergeError("\(path): \(why); refusing to merge it") }
        var config = Configuration()
        config.readonly = true
        let source: DatabaseQueue
        do { source = try DatabaseQueue(path: path, configuration: config) } catch {
            throw refuse("cannot be opened as SQLite (\(Self.reason(error)))")
        }
        do {
            let check = try source.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
            guard check == ["ok"] else { throw refuse("is corrupt: PRAGMA integrity_check reports \(check.prefix(3).joined(separator: "; "))") }
            let tables = Set(try source.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") })
            let needed = ["grdb_migrations", "machines", "invocations", "problems", "runs", "metrics", "estimates"]
            guard needed.allSatisfy(tables.contains) else {
                throw refuse("is not a GenoBench store (expected the tables \(needed.joined(separator: ", ")); it has \(tables.sorted().joined(separator: ", ")))")
            }
            let applied = try source.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
            let unknown = applied.filter { !Store.knownMigrations.contains($0) }
            guard unknown.isEmpty else { throw refuse("was written by a newer GenoBench (unknown schema migrations \(unknown.joined(separator: ", ")))") }
            guard applied.contains("v1") else { throw refuse("is not a GenoBench store (schema migration v1 missing)") }
            let brokenKeys = try source.read { try Row.fetchAll($0, sql: "PRAGMA foreign_key_check") }
            guard brokenKeys.isEmpty else { throw refuse("is corrupt: \(brokenKeys.count) rows break foreign keys (PRAGMA foreign_key_check)") }
            let copy = try DatabaseQueue(path: scratch)
            try source.backup(to: copy)
            try Schema.migrator.migrate(copy)
            try copy.read { db in
                machines = try Row.fetchAll(db, sql: "SELECT * FROM machines ORDER BY id")
                invocations = try Row.fetchAll(db, sql: "SELECT * FROM invocations ORDER BY id")
                parts = try Row.fetchAll(db, sql: "SELECT * FROM invocation_parts ORDER BY id")
                problems = try Row.fetchAll(db, sql: "SELECT * FROM problems ORDER BY id")
                runs = try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY id")
                for m in try Row.fetchAll(db, sql: "SELECT * FROM metrics ORDER BY id") { metrics[m["run_id"], default: []].append(m) }
                for e in try Row.fetchAll(db, sql: "SELECT * FROM estimates ORDER BY id") { estimates[e["run_id"], default: []].append(e) }
                references = try Row.fetchAll(db, sql: "SELECT * FROM reference_runs ORDER BY id")
            }
        } catch let e as MergeError { throw e } catch {
            throw refuse("cannot be read (\(Self.reason(error)))")
        }
    }

    static func reason(_ error: Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "\(e.resultCode)" }
        return "\(error)"
    }
}

/// Copies sources into the target inside one open transaction.
struct Merger {
    let db: Database
    let output: String
    var summary = MergeSummary()
    private var united: Set<Int64> = []

    init(db: Database, output: String) {
        self.db = db
        self.output = output
    }

    mutating func add(_ source: SourceStore) throws {
        var machineIDs: [Int64: Int64] = [:]
        for m in source.machines {
            let fingerprint: String = m["fingerprint"]
            if let id = try Int64.fetchOne(db, sql: "SELECT id FROM machines WHERE fingerprint = ?", arguments: [fingerprint]) {
                machineIDs[m["id"]] = id
                continue
            }
            try db.execute(sql: """
                INSERT INTO machines (fingerprint, hostname, cpu_model, cores, memory_bytes, os, blas, blas_threads)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [fingerprint, m["hostname"], m["cpu_model"], m["cores"], m["memory_bytes"], m["os"], m["blas"], m["blas_threads"]])
            machineIDs[m["id"]] = db.lastInsertedRowID
        }
        var problemIDs: [Int64: Int64] = [:]
        for p in source.problems {
            let key: StatementArguments = [p["family"], p["params_json"], p["seed"], p["data_hash"]]
            try db.execute(sql: "INSERT OR IGNORE INTO problems (family, params_json, seed, data_hash) VALUES (?, ?, ?, ?)", arguments: key)
            if db.changesCount > 0 { summary.problemsAdded += 1 }
            problemIDs[p["id"]] = try Int64.fetchOne(db, sql: """
                SELECT id FROM problems WHERE family = ? AND params_json = ? AND seed = ? AND data_hash = ?
                """, arguments: key)!
        }
        let partsByInvocation = Dictionary(grouping: source.parts) { $0["invocation_id"] as Int64 }
        let runsByInvocation = Dictionary(grouping: source.runs) { $0["invocation_id"] as Int64 }
        for inv in source.invocations {
            let sourceID: Int64 = inv["id"]
            // Every invocation has a uid since v3; a row written without one is named by its content.
            let uid: String = (inv["uid"] as String?)
                ?? "v2-\(inv["suite_hash"] as String)-\(inv["machine_id"] as Int64)-\(inv["started_at"] as String)-\(sourceID)"
            let machine = machineIDs[inv["machine_id"]]!
            let targetID: Int64
            if let shardCount = inv["shard_count"] as Int? {
                // A shard, or shards already united by an earlier merge: unite with the other
                // shards of the same suite, shard count and batch.
                let batch: String? = inv["batch"]
                let suiteHash: String = inv["suite_hash"]
                let unitedUID = "merged-" + ContentHash.of("\(suiteHash)|\(shardCount)|\(batch ?? "")")
                targetID = try unitedInvocation(uid: unitedUID, like: inv, machine: machine)
                united.insert(targetID)
                let incoming: [Part]
                if let listed = partsByInvocation[sourceID], !listed.isEmpty {
                    incoming = listed.map { Part(row: $0, machine: machineIDs[$0["machine_id"]]!) }
                } else {
                    incoming = [Part(uid: uid, shardIndex: inv["shard_index"], shardCount: shardCount, machine: machine,
                                     startedAt: inv["started_at"], finishedAt: inv["finished_at"], commandLine: inv["command_line"])]
                }
                let label = "shard of suite '\(inv["suite_name"] as String)' (\(shardCount) shards, batch \(batch.map { "'\($0)'" } ?? "none"))"
                for part in incoming { try addPart(part, to: targetID, label: label, source: source.path) }
                for run in runsByInvocation[sourceID] ?? [] {
                    let part = (run["part_uid"] as String?) ?? uid
                    let runMachine = (run["machine_id"] as Int64?).flatMap { machineIDs[$0] } ?? machine
                    try copyRun(run, of: source, into: targetID, problem: problemIDs[run["problem_id"]]!, part: part, machine: runMachine)
                }
            } else {
                if let id = try Int64.fetchOne(db, sql: "SELECT id FROM invocations WHERE uid = ?", arguments: [uid]) {
                    targetID = id
                } else {
                    try insertInvocation(like: inv, uid: uid, machine: machine, finishedAt: inv["finished_at"], commandLine: inv["command_line"],
                                         shardIndex: nil, shardCount: nil)
                    targetID = db.lastInsertedRowID
                }
                for run in runsByInvocation[sourceID] ?? [] {
                    let runMachine = (run["machine_id"] as Int64?).flatMap { machineIDs[$0] }
                    try copyRun(run, of: source, into: targetID, problem: problemIDs[run["problem_id"]]!, part: run["part_uid"], machine: runMachine)
                }
            }
            for ref in source.references where (ref["invocation_id"] as Int64) == sourceID {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO reference_runs (invocation_id, problem_id, status, error, wall_s, cpu_s, peak_rss_bytes, recorded_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [targetID, problemIDs[ref["problem_id"]]!, ref["status"], ref["error"], ref["wall_s"], ref["cpu_s"],
                                     ref["peak_rss_bytes"], ref["recorded_at"]])
            }
        }
    }

    /// Started at the first shard's start; finished when every shard 1…N is present and finished.
    func settleUnitedInvocations() throws {
        for id in united.sorted() {
            try db.execute(sql: """
                UPDATE invocations SET
                    started_at = (SELECT MIN(started_at) FROM invocation_parts WHERE invocation_id = :id),
                    finished_at = CASE
                        WHEN (SELECT COUNT(DISTINCT shard_index) FROM invocation_parts
                              WHERE invocation_id = :id AND finished_at IS NOT NULL) = shard_count
                        THEN (SELECT MAX(finished_at) FROM invocation_parts WHERE invocation_id = :id) END
                WHERE id = :id
                """, arguments: ["id": id])
        }
    }

    struct Part {
        var uid: String
        var shardIndex: Int?
        var shardCount: Int?
        var machine: Int64
        var startedAt: String
        var finishedAt: String?
        var commandLine: String

        init(uid: String, shardIndex: Int?, shardCount: Int?, machine: Int64, startedAt: String, finishedAt: String?, commandLine: String) {
            self.uid = uid; self.shardIndex = shardIndex; self.shardCount = shardCount; self.machine = machine
            self.startedAt = startedAt; self.finishedAt = finishedAt; self.commandLine = commandLine
        }

        init(row: Row, machine: Int64) {
            self.init(uid: row["uid"], shardIndex: row["shard_index"], shardCount: row["shard_count"], machine: machine,
                      startedAt: row["started_at"], finishedAt: row["finished_at"], commandLine: row["command_line"])
        }
    }

    private mutating func unitedInvocation(uid: String, like inv: Row, machine: Int64) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM invocations WHERE uid = ?", arguments: [uid]) { return id }
        try insertInvocation(like: inv, uid: uid, machine: machine, finishedAt: nil,
                             commandLine: "genobench merge (shards of \(inv["suite_name"] as String))",
                             shardIndex: nil, shardCount: inv["shard_count"])
        return db.lastInsertedRowID
    }

    private mutating func insertInvocation(like inv: Row, uid: String, machine: Int64, finishedAt: String?, commandLine: String,
                                           shardIndex: Int?, shardCount: Int?) throws {
        try db.execute(sql: """
            INSERT INTO invocations (started_at, finished_at, git_commit, tool_version, suite_name, suite_hash, command_line, tag, threads,
                                     machine_id, uid, shard_index, shard_count, batch)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [inv["started_at"], finishedAt, inv["git_commit"], inv["tool_version"], inv["suite_name"], inv["suite_hash"],
                             commandLine, inv["tag"], inv["threads"], machine, uid, shardIndex, shardCount, inv["batch"]])
        summary.invocationsAdded += 1
    }

    private mutating func addPart(_ part: Part, to invocation: Int64, label: String, source: String) throws {
        if let row = try Row.fetchOne(db, sql: "SELECT invocation_id, finished_at FROM invocation_parts WHERE uid = ?", arguments: [part.uid]) {
            guard (row["invocation_id"] as Int64) == invocation else {
                throw MergeError("\(source): \(label) \(part.uid) is already in \(output) under another invocation")
            }
            if (row["finished_at"] as String?) == nil, let finished = part.finishedAt {
                try db.execute(sql: "UPDATE invocation_parts SET finished_at = ? WHERE uid = ?", arguments: [finished, part.uid])
            }
            return
        }
        if let other = try String.fetchOne(db, sql: "SELECT uid FROM invocation_parts WHERE invocation_id = ? AND shard_index IS ?",
                                           arguments: [invocation, part.shardIndex]) {
            throw MergeError("""
                \(source): \(label): shard \(part.shardIndex.map(String.init) ?? "?")/\(part.shardCount.map(String.init) ?? "?") is already in \
                \(output) from a different run (invocation uid \(other), this one \(part.uid)); give each sharded run its own --batch, \
                or merge them into different stores
                """)
        }
        try db.execute(sql: """
            INSERT INTO invocation_parts (invocation_id, uid, shard_index, shard_count, machine_id, started_at, finished_at, command_line)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [invocation, part.uid, part.shardIndex, part.shardCount, part.machine, part.startedAt, part.finishedAt, part.commandLine])
        summary.shardsAdded += 1
    }

    private mutating func copyRun(_ run: Row, of source: SourceStore, into invocation: Int64, problem: Int64, part: String?, machine: Int64?) throws {
        let backend: String = run["backend"]
        let repeatIndex: Int = run["repeat"]
        if let existing = try Row.fetchOne(db, sql: """
            SELECT part_uid FROM runs WHERE invocation_id = ? AND problem_id = ? AND backend = ? AND repeat = ?
            """, arguments: [invocation, problem, backend, repeatIndex]) {
            let existingPart: String? = existing["part_uid"]
            guard existingPart == part else {
                throw MergeError("""
                    \(source.path): run \(backend) repeat \(repeatIndex) of problem \(problem) is in \(output) already, from shard \
                    \(existingPart ?? "-") rather than \(part ?? "-"): the shards overlap (were they run with different suites or shard counts?)
                    """)
            }
            summary.runsAlreadyPresent += 1
            return
        }
        try db.execute(sql: """
            INSERT INTO runs (invocation_id, problem_id, backend, backend_version, precision, repeat, status, error, wall_s, cpu_s,
                              peak_rss_bytes, rss_before_bytes, threads, diagnostics_json, recorded_at, part_uid, machine_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [invocation, problem, backend, run["backend_version"], run["precision"], repeatIndex, run["status"], run["error"],
                             run["wall_s"], run["cpu_s"], run["peak_rss_bytes"], run["rss_before_bytes"], run["threads"],
                             run["diagnostics_json"], run["recorded_at"], part, machine])
        let runID = db.lastInsertedRowID
        let sourceRun: Int64 = run["id"]
        for m in source.metrics[sourceRun] ?? [] {
            try db.execute(sql: "INSERT INTO metrics (run_id, name, value, tolerance, passed) VALUES (?, ?, ?, ?, ?)",
                           arguments: [runID, m["name"], m["value"], m["tolerance"], m["passed"]])
        }
        for e in source.estimates[sourceRun] ?? [] {
            try db.execute(sql: "INSERT INTO estimates (run_id, name, value) VALUES (?, ?, ?)", arguments: [runID, e["name"], e["value"]])
        }
        summary.runsAdded += 1
    }
}

extension Store {
    /// One line per stored run with what must not depend on how the work was split or
    /// interrupted: the problem (family, params, seed, data hash), backend, repeat, status,
    /// error, estimates and metrics (values to 17 digits) — not timings, invocations or ids.
    /// Sorted, so two stores hold the same results exactly when their lines are equal.
    public func resultLines() throws -> [String] {
        try pool.read { db in
            var extras: [Int64: [String]] = [:]
            for e in try Row.fetchAll(db, sql: "SELECT run_id, name, value FROM estimates ORDER BY run_id, name, id") {
                extras[e["run_id"], default: []].append("e:\(e["name"] as String)=\(Self.number(e["value"]))")
            }
            for m in try Row.fetchAll(db, sql: "SELECT run_id, name, value, tolerance, passed FROM metrics ORDER BY run_id, name, id") {
                extras[m["run_id"], default: []].append(
                    "m:\(m["name"] as String)=\(Self.number(m["value"]))/\(Self.number(m["tolerance"]))/\(m["passed"] as Bool)")
            }
            return try Row.fetchAll(db, sql: """
                SELECT r.id, p.family, p.params_json, p.seed, p.data_hash, r.backend, r.repeat, r.status, r.error
                FROM runs r JOIN problems p ON p.id = r.problem_id
                """).map { r in
                let head = [r["family"] as String, r["params_json"], "seed=\(r["seed"] as Int64)", r["data_hash"], r["backend"],
                            "repeat=\(r["repeat"] as Int)", r["status"], (r["error"] as String?) ?? "-"]
                return (head + (extras[r["id"]] ?? []).sorted()).joined(separator: " | ")
            }.sorted()
        }
    }

    static func number(_ v: Double?) -> String { v.map { String(format: "%.17g", $0) } ?? "null" }
}
