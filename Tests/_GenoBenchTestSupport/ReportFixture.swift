import Foundation
import GRDB
@testable import GenoBenchStore

/// A store with fixed numbers (no clock, no machine reading), so reports are byte-stable:
/// two invocations of a toy "fam" family on one machine (a baseline and a current one, where
/// backend slow-f64 got 30 % slower and fast-f32 lost accuracy), and a third invocation on
/// another machine.
public enum ReportFixture {
    public static func make(_ dir: TemporaryDirectory) throws -> String {
        let path = dir.file("fixture.sqlite")
        let store = try Store(path: path)
        try store.pool.write { db in
            try db.execute(sql: """
                INSERT INTO machines VALUES (1, 'fp-a', 'hosta', 'Test CPU', 2, 8589934592, 'Linux', 'OpenBLAS', 2);
                INSERT INTO machines VALUES (2, 'fp-b', 'hostb', 'Other CPU', 8, 8589934592, 'Linux', 'OpenBLAS', 2);
                INSERT INTO invocations (id, started_at, finished_at, git_commit, tool_version, suite_name, suite_hash, command_line, tag, threads, machine_id) VALUES (1, '2026-01-01T00:00:00Z', '2026-01-01T00:10:00Z', 'aaaa1111bbbb', '0.1.0', 'toy', 'h1', 'genobench run toy.toml', 'baseline', 2, 1);
                INSERT INTO invocations (id, started_at, finished_at, git_commit, tool_version, suite_name, suite_hash, command_line, tag, threads, machine_id) VALUES (2, '2026-01-02T00:00:00Z', '2026-01-02T00:10:00Z', 'cccc2222dddd', '0.1.0', 'toy', 'h1', 'genobench run toy.toml', 'current', 2, 1);
                INSERT INTO invocations (id, started_at, finished_at, git_commit, tool_version, suite_name, suite_hash, command_line, tag, threads, machine_id) VALUES (3, '2026-01-03T00:00:00Z', '2026-01-03T00:10:00Z', 'eeee3333ffff', '0.1.0', 'toy', 'h1', 'genobench run toy.toml', 'elsewhere', 2, 2);
                """)
            var runID: Int64 = 0
            for (pid, n) in [(1, 1000), (2, 2000), (3, 4000)] {
                try db.execute(sql: "INSERT INTO problems VALUES (?, 'fam', ?, 1, ?)", arguments: [pid, "{\"k\":3,\"n\":\(n)}", "hash\(pid)"])
            }
            // wall = c·n² (slow) or c·n (fast), with a fixed spread over 5 repeats.
            let spread = [1.00, 1.02, 0.98, 1.01, 0.99]
            for inv in [1, 2, 3] {
                for (pid, n) in [(1, 1000.0), (2, 2000.0), (3, 4000.0)] {
                    try db.execute(sql: "INSERT INTO reference_runs (invocation_id, problem_id, status, wall_s, cpu_s, peak_rss_bytes, recorded_at) VALUES (?, ?, 'ok', ?, ?, 1048576, 't')",
                                   arguments: [inv, pid, 4e-9 * n * n * n, 4e-9 * n * n * n])
                    for (backend, precision, cost, peak, error) in [
                        ("slow-f64", "f64", 1e-7 * n * n * (inv == 2 ? 1.3 : 1), 100.0 + n / 100, 1e-13),
                        ("fast-f32", "f32", 1e-5 * n, 50.0 + n / 1000, inv == 2 ? 5e-5 : 1e-7),
                    ] {
                        for (r, s) in spread.enumerated() {
                            runID += 1
                            let passed = error <= 1e-5
                            try db.execute(sql: """
                                INSERT INTO runs (id, invocation_id, problem_id, backend, backend_version, precision, repeat, status, error, wall_s, cpu_s, peak_rss_bytes, rss_before_bytes, threads, diagnostics_json, recorded_at)
                                VALUES (?, ?, ?, ?, '1', ?, ?, ?, NULL, ?, ?, ?, 1000, 2, '{}', 't')
                                """, arguments: [runID, inv, pid, backend, precision, r, passed ? "ok" : "out_of_tolerance",
                                                 cost * s, cost * s, Int64(peak * 1_048_576)])
                            try db.execute(sql: "INSERT INTO metrics (run_id, name, value, tolerance, passed) VALUES (?, 'max_abs_err', ?, 1e-5, ?)",
                                           arguments: [runID, error * s, passed])
                            try db.execute(sql: "INSERT INTO metrics (run_id, name, value, tolerance, passed) VALUES (?, 'iterations', 7, NULL, 1)",
                                           arguments: [runID])
                        }
                    }
                }
            }
        }
        return path
    }
}
