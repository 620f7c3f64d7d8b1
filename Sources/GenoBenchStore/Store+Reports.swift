import Foundation
import GenoBenchHarness
import GRDB

/// One `invocations` row with its machine, as reports read it.
public struct StoredInvocation: Sendable, Equatable {
    public var id: Int64
    public var startedAt: String
    public var finishedAt: String?
    public var gitCommit: String
    public var toolVersion: String
    public var suiteName: String
    public var tag: String?
    public var threads: Int
    public var machineFingerprint: String
    /// "cpu model, N cores, hostname".
    public var machineDescription: String
}

/// One accuracy metric of a stored run.
public struct StoredMetric: Sendable, Equatable {
    public var name: String
    public var value: Double?
    public var tolerance: Double?
    public var passed: Bool
}

/// One counted run with its problem and metrics.
public struct StoredRun: Sendable, Equatable {
    public var id: Int64
    public var invocationID: Int64
    public var problemID: Int64
    public var family: String
    /// The problem's parameters, canonical JSON (keys sorted) and as key → value text.
    public var paramsJSON: String
    public var params: [String: String]
    public var seed: Int64
    public var dataHash: String
    public var backend: String
    public var backendVersion: String
    public var precision: String
    public var repeatIndex: Int
    public var status: String
    public var error: String?
    public var wallSeconds: Double?
    public var cpuSeconds: Double?
    public var peakResidentBytes: Int64?
    public var metrics: [StoredMetric]
    /// How the peak was measured (`peak_rss_method` of the run's diagnostics), e.g.
    /// "vmhwm-reset", or "vmhwm-reset-warm-heap" for a suite with `heap = "warm"`.
    public var peakMethod: String? = nil

    /// Whether the run was measured with a warm heap (`heap = "warm"`); nil where no method is stored.
    public var measuredWarm: Bool? { peakMethod.map { $0.hasSuffix(HeapMode.warmPeakMethodSuffix) } }
}

/// The GSL reference's cost for one problem in one invocation.
public struct StoredReference: Sendable, Equatable {
    public var invocationID: Int64
    public var problemID: Int64
    public var status: String
    public var wallSeconds: Double?
    public var peakResidentBytes: Int64?
}

/// A reference to an invocation that the store does not hold (a bad request, not a store failure).
public struct InvocationLookupError: Error, CustomStringConvertible {
    public let description: String
}

extension Store {
    /// Opens an existing store for reading: a missing file is an error, not a new store.
    public static func existing(path: String) throws -> Store {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError("no store at \(path) (run a suite first: genobench run SUITE --db \(path))")
        }
        return try Store(path: path, readingNewer: true)
    }

    /// Every invocation, oldest first.
    public func invocations() throws -> [StoredInvocation] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT i.*, m.fingerprint, m.cpu_model, m.cores, m.hostname FROM invocations i
                JOIN machines m ON m.id = i.machine_id ORDER BY i.id
                """).map { r in
                StoredInvocation(id: r["id"], startedAt: r["started_at"], finishedAt: r["finished_at"], gitCommit: r["git_commit"],
                                 toolVersion: r["tool_version"], suiteName: r["suite_name"], tag: r["tag"], threads: r["threads"],
                                 machineFingerprint: r["fingerprint"],
                                 machineDescription: "\(r["cpu_model"] as String), \(r["cores"] as Int) cores, \(r["hostname"] as String)")
            }
        }
    }

    /// The invocation a reference names: an invocation id (`12` or `#12`), else the latest
    /// invocation with that tag, else the latest whose git commit starts with it (at least 4
    /// characters). `latest` names the newest invocation.
    public func resolveInvocation(_ reference: String) throws -> StoredInvocation {
        let all = try invocations()
        guard !all.isEmpty else { throw InvocationLookupError(description: "the store \(path) holds no invocations") }
        if reference == "latest" { return all.last! }
        let digits = reference.hasPrefix("#") ? String(reference.dropFirst()) : reference
        if let id = Int64(digits), let hit = all.first(where: { $0.id == id }) { return hit }
        if let hit = all.last(where: { $0.tag == reference }) { return hit }
        if reference.count >= 4, let hit = all.last(where: { $0.gitCommit.hasPrefix(reference) }) { return hit }
        let tags = Set(all.compactMap(\.tag)).sorted()
        throw InvocationLookupError(description: "no invocation matches '\(reference)' in \(path): give an invocation id (1…\(all.last!.id)), a tag"
                         + (tags.isEmpty ? "" : " (\(tags.joined(separator: ", ")))") + " or a git commit prefix")
    }

    /// Every run of these invocations (all invocations when nil) with its metrics, ordered by
    /// invocation, problem, backend and repeat.
    public func runs(invocations ids: [Int64]? = nil) throws -> [StoredRun] {
        try pool.read { db in
            let filter = ids.map { "WHERE r.invocation_id IN (\($0.map(String.init).joined(separator: ",")))" } ?? ""
            let rows = try Row.fetchAll(db, sql: """
                SELECT r.*, p.family, p.params_json, p.seed, p.data_hash, CASE WHEN json_valid(r.diagnostics_json) THEN json_extract(r.diagnostics_json, '$.peak_rss_method') END AS peak_method
                FROM runs r JOIN problems p ON p.id = r.problem_id
                \(filter) ORDER BY r.invocation_id, r.problem_id, r.backend, r.repeat
                """)
            var metrics: [Int64: [StoredMetric]] = [:]
            for m in try Row.fetchAll(db, sql: """
                SELECT m.* FROM metrics m JOIN runs r ON r.id = m.run_id \(filter) ORDER BY m.run_id, m.id
                """) {
                metrics[m["run_id"], default: []].append(StoredMetric(name: m["name"], value: m["value"], tolerance: m["tolerance"],
                                                                       passed: m["passed"]))
            }
            return rows.map { r in
                let json: String = r["params_json"]
                return StoredRun(id: r["id"], invocationID: r["invocation_id"], problemID: r["problem_id"], family: r["family"],
                                 paramsJSON: json, params: Dictionary(uniqueKeysWithValues: Self.compactParams(json)),
                                 seed: r["seed"], dataHash: r["data_hash"], backend: r["backend"], backendVersion: r["backend_version"],
                                 precision: r["precision"], repeatIndex: r["repeat"], status: r["status"], error: r["error"],
                                 wallSeconds: r["wall_s"], cpuSeconds: r["cpu_s"], peakResidentBytes: r["peak_rss_bytes"],
                                 metrics: metrics[r["id"]] ?? [], peakMethod: r["peak_method"])
            }
        }
    }

    /// The reference costs of these invocations (all when nil).
    public func references(invocations ids: [Int64]? = nil) throws -> [StoredReference] {
        try pool.read { db in
            let filter = ids.map { "WHERE invocation_id IN (\($0.map(String.init).joined(separator: ",")))" } ?? ""
            return try Row.fetchAll(db, sql: "SELECT * FROM reference_runs \(filter) ORDER BY invocation_id, problem_id").map { r in
                StoredReference(invocationID: r["invocation_id"], problemID: r["problem_id"], status: r["status"],
                                wallSeconds: r["wall_s"], peakResidentBytes: r["peak_rss_bytes"])
            }
        }
    }
}
