import Foundation
import GRDB
import GenoBenchCore
import GenoBenchHarness

/// The SQLite store: WAL mode, append-only migrations, one transaction per run.
///
/// A crash (or kill) loses at most the run in flight; `--resume` reuses the latest unfinished
/// invocation of the same suite on the same machine and skips runs already stored.
public final class Store: RunSink {
    let pool: DatabasePool
    public let path: String
    public private(set) var invocationID: Int64?
    /// This machine, when it is not the resumed invocation's (stored with each run).
    private var runMachineID: Int64?

    /// Opens (creating if needed) the store at `path` and migrates it.
    ///
    /// Several processes may open (and create) the same store at the same moment: SQLite's
    /// locks order their writes (WAL, busy timeout), and an open that loses a race — a
    /// migration another process applied between our check and our transaction (then ours
    /// fails on "table … already exists", "duplicate column name", or the migrations table's
    /// unique key), or a lock held past the timeout — is retried from the start.
    ///
    /// A file that is another program's SQLite database is refused before the pool opens it
    /// (opening a pool switches the file to WAL mode); `readingNewer` lets a store written by a
    /// newer GenoBench (migrations this version does not know) be opened for reading.
    public init(path: String, readingNewer: Bool = false) throws {
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        do {
            if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0 {
                // A plain connection reads the schema without changing the file.
                var probeConfig = Configuration()
                probeConfig.busyMode = .timeout(Self.busyTimeoutSeconds)
                let probe = try DatabaseQueue(path: path, configuration: probeConfig)
                defer { try? probe.close() }
                try probe.read { try Self.refuseForeignDatabase($0, allowingNewer: readingNewer) }
            }
            pool = try Self.withRetry(attempts: 60) {
                var config = Configuration()
                config.foreignKeysEnabled = true
                config.busyMode = .timeout(Self.busyTimeoutSeconds)
                let pool = try DatabasePool(path: path, configuration: config)
                try Self.migrate(pool)
                return pool
            }
        } catch {
            throw StoreError("cannot open the store \(path): \(error)")
        }
    }

    /// Applies the migrations this store lacks. A migration that fails after another process
    /// applied migrations meanwhile (the set of applied ones grew) lost a race, whatever SQLite
    /// said about it: that failure is `ConcurrentMigration`, which `withRetry` retries.
    static func migrate(_ pool: DatabasePool) throws {
        let applied = { try pool.read { try Schema.migrator.appliedIdentifiers($0) } }
        let before = try applied()
        do {
            try Schema.migrator.migrate(pool)
        } catch {
            if try applied() != before { throw ConcurrentMigration(underlying: error) }
            throw error
        }
    }

    /// Refuses an SQLite database that is not a GenoBench store before anything is written to
    /// it: one with tables but no migrations table (another program's database, which would
    /// otherwise get the store's tables added), or, unless `allowingNewer`, with migrations this
    /// version does not know (another GRDB program's, or a newer GenoBench's, which this version
    /// must not write to). An empty file or database is a new store.
    /// (GRDB creates its migrations table before the first migration's tables, so a store being
    /// created by another process at this moment never looks foreign.)
    static func refuseForeignDatabase(_ db: Database, allowingNewer: Bool) throws {
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        guard !tables.isEmpty else { return }
        guard tables.contains("grdb_migrations") else {
            throw StoreError("an SQLite database but not a GenoBench store (its tables: \(tables.prefix(8).joined(separator: ", "))\(tables.count > 8 ? ", …" : "")); nothing was written to it: give --db a new file or an existing store")
        }
        if allowingNewer { return }
        let known = Set(Schema.migrator.migrations)
        let unknown = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier").filter { !known.contains($0) }
        if !unknown.isEmpty {
            throw StoreError("has migrations this GenoBench does not know (\(unknown.prefix(4).joined(separator: ", "))): another program's database or a store of a newer GenoBench; nothing was written to it")
        }
    }

    /// A migration that collided with the same migration applied by another process.
    struct ConcurrentMigration: Error, CustomStringConvertible {
        let underlying: Error
        var description: String { "another process migrated the store at the same time (\(underlying))" }
    }

    /// How long a write waits for another process's lock before failing (then retried).
    static let busyTimeoutSeconds: TimeInterval = 30

    /// Runs `body`, retrying after a short random pause while it fails in a way another
    /// process causes and that goes away (a lock held too long, a concurrent migration).
    static func withRetry<T>(attempts: Int = 8, _ body: () throws -> T) throws -> T {
        var attempt = 1
        while true {
            do { return try body() } catch where attempt < attempts && isTransient(error) {
                attempt += 1
                usleep(UInt32.random(in: 5_000...50_000) * UInt32(min(attempt, 10)))
            }
        }
    }

    static func isTransient(_ error: Error) -> Bool {
        if error is ConcurrentMigration { return true }
        guard let e = error as? DatabaseError else { return false }
        switch e.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return true
        default: return false
        }
    }

    /// The machine record (inserted once per fingerprint).
    public func machineID(_ m: MachineInfo) throws -> Int64 {
        try Self.withRetry { try pool.write { db in
            if let id = try Int64.fetchOne(db, sql: "SELECT id FROM machines WHERE fingerprint = ?", arguments: [m.fingerprint]) {
                return id
            }
            try db.execute(sql: """
                INSERT INTO machines (fingerprint, hostname, cpu_model, cores, memory_bytes, os, blas, blas_threads)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [m.fingerprint, m.hostname, m.cpuModel, m.cores, m.memoryBytes, m.os, m.blas, m.blasThreads])
            return db.lastInsertedRowID
        } }
    }

    /// Starts an invocation, or with `resume` reuses an earlier one and returns true.
    ///
    /// Without a batch, `resume` reuses the latest unfinished invocation of the same suite on the
    /// same machine (a finished one is not resumed: a new invocation starts). With a batch (the
    /// shards of a sharded run, `--shard I/N --batch B`), the batch names the work: `resume`
    /// reuses the latest invocation of the same suite, shard and batch on any machine, finished
    /// or not — a requeued Slurm task on another node continues its shard, and a finished shard
    /// run again records nothing. Runs recorded from another machine than the invocation's
    /// store that machine in `runs.machine_id`.
    @discardableResult
    public func beginInvocation(_ i: InvocationInfo, machine: MachineInfo, resume: Bool) throws -> Bool {
        let machine = try machineID(machine)
        return try Self.withRetry {
            try pool.write { db in
                if resume {
                    let found: Row?
                    if let batch = i.batch {
                        found = try Row.fetchOne(db, sql: """
                            SELECT id, machine_id FROM invocations WHERE suite_hash = ? AND shard_index IS ? AND shard_count IS ? AND batch = ?
                            ORDER BY id DESC LIMIT 1
                            """, arguments: [i.suiteHash, i.shard?.index, i.shard?.count, batch])
                    } else {
                        found = try Row.fetchOne(db, sql: """
                            SELECT id, machine_id FROM invocations WHERE suite_hash = ? AND machine_id = ? AND finished_at IS NULL
                            AND shard_index IS ? AND shard_count IS ? AND batch IS NULL
                            ORDER BY id DESC LIMIT 1
                            """, arguments: [i.suiteHash, machine, i.shard?.index, i.shard?.count])
                    }
                    if let found {
                        invocationID = found["id"]
                        runMachineID = (found["machine_id"] as Int64) == machine ? nil : machine
                        return true
                    }
                }
                try db.execute(sql: """
                    INSERT INTO invocations (started_at, git_commit, tool_version, suite_name, suite_hash, command_line, tag, threads,
                                             machine_id, uid, shard_index, shard_count, batch)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [Self.now(), i.gitCommit, i.toolVersion, i.suiteName, i.suiteHash, i.commandLine, i.tag, i.threads,
                                     machine, UUID().uuidString.lowercased(), i.shard?.index, i.shard?.count, i.batch])
                invocationID = db.lastInsertedRowID
                runMachineID = nil
                return false
            }
        }
    }

    /// The stable id of the current invocation (`invocations.uid`).
    public func invocationUID() throws -> String? {
        guard let id = invocationID else { return nil }
        return try pool.read { db in try String.fetchOne(db, sql: "SELECT uid FROM invocations WHERE id = ?", arguments: [id]) }
    }

    public func finishInvocation() throws {
        guard let id = invocationID else { return }
        try Self.withRetry {
            try pool.write { db in
                try db.execute(sql: "UPDATE invocations SET finished_at = COALESCE(finished_at, ?) WHERE id = ?", arguments: [Self.now(), id])
            }
        }
    }

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }

    // MARK: RunSink

    public func isRecorded(problem: PlannedProblem, backend: String, repeatIndex: Int) throws -> Bool {
        guard let inv = invocationID else { return false }
        return try pool.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM runs r JOIN problems p ON p.id = r.problem_id
                WHERE r.invocation_id = ? AND p.family = ? AND p.params_json = ? AND p.seed = ? AND r.backend = ? AND r.repeat = ?)
                """, arguments: [inv, problem.family.id, problem.parameters.json, Int64(problem.seed), backend, repeatIndex]) ?? false
        }
    }

    /// Stores one run, its metrics and estimates in one transaction. A run already stored under
    /// the same key (another process resuming the same invocation got there first) is left as
    /// it is: runs are never stored twice.
    public func record(_ run: RunRecord) throws {
        guard let inv = invocationID else { throw StoreError("no invocation started") }
        try Self.withRetry { try pool.write { db in
            let problemID = try self.problemID(db, run.problem, dataHash: run.dataHash)
            let m = run.measurement
            // Every measured run (timeouts and the watchdog's records included) says how its
            // peak was measured, beside the peak itself.
            var diagnostics = run.diagnostics
            if let m { diagnostics.set("peak_rss_method", m.peakMethod) }
            try db.execute(sql: """
                INSERT INTO runs (invocation_id, problem_id, backend, backend_version, precision, repeat, status, error,
                                  wall_s, cpu_s, peak_rss_bytes, rss_before_bytes, threads, diagnostics_json, recorded_at, machine_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (invocation_id, problem_id, backend, repeat) DO NOTHING
                """, arguments: [inv, problemID, run.backend.id, run.backend.version, run.backend.precision.rawValue, run.repeatIndex,
                                 run.status.rawValue, run.error, m?.wallSeconds, m?.cpuSeconds, m?.peakResidentBytes,
                                 m?.residentBeforeBytes, run.threads, diagnostics.json, Self.now(), runMachineID])
            guard db.changesCount > 0 else { return }
            let runID = db.lastInsertedRowID
            for metric in run.metrics {
                try db.execute(sql: "INSERT INTO metrics (run_id, name, value, tolerance, passed) VALUES (?, ?, ?, ?, ?)",
                               arguments: [runID, metric.name, metric.value.isNaN ? nil : metric.value, metric.tolerance, metric.passed])
            }
            for e in run.estimates {
                try db.execute(sql: "INSERT INTO estimates (run_id, name, value) VALUES (?, ?, ?)",
                               arguments: [runID, e.name, e.value.isNaN ? nil : e.value])
            }
        } }
    }

    public func recordReference(_ reference: ReferenceRecord) throws {
        guard let inv = invocationID else { throw StoreError("no invocation started") }
        try Self.withRetry { try pool.write { db in
            let problemID = try self.problemID(db, reference.problem, dataHash: reference.dataHash)
            let m = reference.measurement
            try db.execute(sql: """
                INSERT OR IGNORE INTO reference_runs (invocation_id, problem_id, status, error, wall_s, cpu_s, peak_rss_bytes, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [inv, problemID, reference.error == nil ? "ok" : "failed", reference.error, m?.wallSeconds, m?.cpuSeconds,
                                 m?.peakResidentBytes, Self.now()])
        } }
    }

    private func problemID(_ db: Database, _ problem: PlannedProblem, dataHash: String) throws -> Int64 {
        let args: StatementArguments = [problem.family.id, problem.parameters.json, Int64(problem.seed), dataHash]
        try db.execute(sql: "INSERT OR IGNORE INTO problems (family, params_json, seed, data_hash) VALUES (?, ?, ?, ?)", arguments: args)
        let id = try Int64.fetchOne(db, sql: "SELECT id FROM problems WHERE family = ? AND params_json = ? AND seed = ? AND data_hash = ?",
                                    arguments: args)!
        return id
    }

    // MARK: Queries

    /// The summary rows of an invocation (default: the current one), one per problem and backend.
    public func summary(invocation: Int64? = nil) throws -> [SummaryRow] {
        guard let inv = invocation ?? invocationID else { return [] }
        return try pool.read { db in
            let runs = try Row.fetchAll(db, sql: """
                SELECT r.id, r.backend, r.status, r.wall_s, r.peak_rss_bytes, p.family, p.params_json, p.seed, p.id AS pid
                FROM runs r JOIN problems p ON p.id = r.problem_id WHERE r.invocation_id = ? ORDER BY p.id, r.backend, r.repeat
                """, arguments: [inv])
            let metrics = try Row.fetchAll(db, sql: """
                SELECT m.run_id, m.name, m.value, m.tolerance, m.passed FROM metrics m JOIN runs r ON r.id = m.run_id
                WHERE r.invocation_id = ?
                """, arguments: [inv])
            var metricsByRun: [Int64: [Row]] = [:]
            for m in metrics { metricsByRun[m["run_id"], default: []].append(m) }
            var order: [String] = []
            var groups: [String: [Row]] = [:]
            for r in runs {
                let key = "\(r["pid"] as Int64)|\(r["backend"] as String)"
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(r)
            }
            // Label problems by the parameters that vary within the invocation (all of them are
            // in the store's params_json).
            var valuesByKey: [String: Set<String>] = [:]
            for r in runs {
                for pair in Self.compactParams(r["params_json"]) { valuesByKey[pair.0, default: []].insert(pair.1) }
            }
            let varying = Set(valuesByKey.filter { $0.value.count > 1 }.keys)
            return order.map { key in
                let rs = groups[key]!
                let first = rs[0]
                let shown = Self.compactParams(first["params_json"]).filter { varying.contains($0.0) }.map { "\($0.0)=\($0.1)" }
                let problem = ([first["family"] as String] + shown + ["seed=\(first["seed"] as Int64)"]).joined(separator: " ")
                // A timeout's wall is the time limit, not the cost of an answer: left out of the medians.
                let measured = rs.filter { ($0["status"] as String) != "timeout" }
                let walls = measured.compactMap { $0["wall_s"] as Double? }
                let peaks = measured.compactMap { $0["peak_rss_bytes"] as Int64? }
                var worst = "-"
                var worstRatio = -Double.infinity
                for r in rs {
                    for m in metricsByRun[r["id"]] ?? [] {
                        guard let tol = m["tolerance"] as Double? else { continue }
                        let value = (m["value"] as Double?) ?? .nan
                        let passed: Bool = m["passed"]
                        let ratio = !passed ? .infinity : (tol > 0 ? value / tol : (value > 0 ? .infinity : 0))
                        if ratio > worstRatio || worst == "-" {
                            worstRatio = ratio
                            worst = "\(m["name"] as String)=\(String(format: "%.3g", value))"
                        }
                    }
                }
                let statuses = Set(rs.map { $0["status"] as String })
                let verdict = statuses.contains("failed") ? "FAILED"
                    : statuses.contains("timeout") ? "TIMEOUT"
                    : (statuses.contains("out_of_tolerance") ? "OUT OF TOLERANCE" : "pass")
                return SummaryRow(problem: problem, backend: first["backend"], runs: rs.count,
                                  medianWallSeconds: SummaryTable.median(walls), maxPeakResidentBytes: peaks.max(),
                                  worstMetric: worst, verdict: verdict)
            }
        }
    }

    /// `{"a":1,"b":2}` as [("a", "1"), ("b", "2")] (canonical params JSON has no nesting).
    public static func compactParams(_ json: String) -> [(String, String)] {
        json.trimmingCharacters(in: CharacterSet(charactersIn: "{}")).split(separator: ",").compactMap { item in
            let parts = item.replacingOccurrences(of: "\"", with: "").split(separator: ":", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }
    }

    /// Runs a read-only SQL query (for tests and tools); values as text.
    public func query(_ sql: String) throws -> [[String: String]] {
        try pool.read { db in
            try Row.fetchAll(db, sql: sql).map { row in
                var d: [String: String] = [:]
                for (k, v) in row {
                    switch v.storage {
                    case .null: d[k] = "NULL"
                    case .int64(let i): d[k] = String(i)
                    case .double(let x): d[k] = "\(x)"
                    case .string(let s): d[k] = s
                    case .blob(let b): d[k] = "<\(b.count) bytes>"
                    }
                }
                return d
            }
        }
    }
}

/// Infrastructure failure of the store (stops the run).
public struct StoreError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// The `invocations` row of a run.
public struct InvocationInfo: Sendable {
    public var gitCommit: String
    public var toolVersion: String
    public var suiteName: String
    public var suiteHash: String
    public var commandLine: String
    public var tag: String?
    public var threads: Int
    /// The shard of the plan this invocation runs (`--shard I/N`), nil for the whole plan.
    public var shard: Shard?
    /// A label shared by the shards of one sharded run (`--batch`); shards of one suite with
    /// the same count and batch unite into one invocation on `genobench merge`.
    public var batch: String?

    public init(gitCommit: String, toolVersion: String, suiteName: String, suiteHash: String, commandLine: String, tag: String?, threads: Int,
                shard: Shard? = nil, batch: String? = nil) {
        self.gitCommit = gitCommit; self.toolVersion = toolVersion; self.suiteName = suiteName; self.suiteHash = suiteHash
        self.commandLine = commandLine; self.tag = tag; self.threads = threads; self.shard = shard; self.batch = batch
    }
}

/// The `machines` row: what the numbers were measured on.
public struct MachineInfo: Sendable {
    public var hostname: String
    public var cpuModel: String
    public var cores: Int
    public var memoryBytes: Int64
    public var os: String
    public var blas: String
    public var blasThreads: Int

    public var fingerprint: String {
        ContentHash.of([hostname, cpuModel, String(cores), String(memoryBytes), os, blas, String(blasThreads)].joined(separator: "|"))
    }

    /// This machine, read from the OS.
    public static func current() -> MachineInfo {
        let info = ProcessInfo.processInfo
        var cpu = "unknown"
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let value = line.split(separator: ":", maxSplits: 1).last {
            cpu = value.trimmingCharacters(in: .whitespaces)
        }
        return MachineInfo(hostname: info.hostName, cpuModel: cpu, cores: info.activeProcessorCount,
                           memoryBytes: Int64(info.physicalMemory), os: info.operatingSystemVersionString,
                           blas: BLASThreads.configuration, blasThreads: BLASThreads.current)
    }
}
