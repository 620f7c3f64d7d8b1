import GRDB

/// The store's schema, as append-only migrations written in raw SQL (never edit a shipped one;
/// add a new one). The tables and columns are a public contract, documented in the README.
enum Schema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE machines (
                    id INTEGER PRIMARY KEY,
                    fingerprint TEXT NOT NULL UNIQUE,
                    hostname TEXT NOT NULL,
                    cpu_model TEXT NOT NULL,
                    cores INTEGER NOT NULL,
                    memory_bytes INTEGER NOT NULL,
                    os TEXT NOT NULL,
                    blas TEXT NOT NULL,
                    blas_threads INTEGER NOT NULL
                );
                CREATE TABLE invocations (
                    id INTEGER PRIMARY KEY,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    git_commit TEXT NOT NULL,
                    tool_version TEXT NOT NULL,
                    suite_name TEXT NOT NULL,
                    suite_hash TEXT NOT NULL,
                    command_line TEXT NOT NULL,
                    tag TEXT,
                    threads INTEGER NOT NULL,
                    machine_id INTEGER NOT NULL REFERENCES machines(id)
                );
                CREATE INDEX invocations_suite ON invocations(suite_hash, machine_id);
                CREATE TABLE problems (
                    id INTEGER PRIMARY KEY,
                    family TEXT NOT NULL,
                    params_json TEXT NOT NULL,
                    seed INTEGER NOT NULL,
                    data_hash TEXT NOT NULL,
                    UNIQUE (family, params_json, seed, data_hash)
                );
                CREATE TABLE runs (
                    id INTEGER PRIMARY KEY,
                    invocation_id INTEGER NOT NULL REFERENCES invocations(id),
                    problem_id INTEGER NOT NULL REFERENCES problems(id),
                    backend TEXT NOT NULL,
                    backend_version TEXT NOT NULL,
                    precision TEXT NOT NULL CHECK (precision IN ('f32', 'f64')),
                    repeat INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'out_of_tolerance')),
                    error TEXT,
                    wall_s REAL,
                    cpu_s REAL,
                    peak_rss_bytes INTEGER,
                    rss_before_bytes INTEGER,
                    threads INTEGER NOT NULL,
                    diagnostics_json TEXT NOT NULL,
                    recorded_at TEXT NOT NULL,
                    UNIQUE (invocation_id, problem_id, backend, repeat)
                );
                CREATE TABLE metrics (
                    id INTEGER PRIMARY KEY,
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    value REAL,
                    tolerance REAL,
                    passed INTEGER NOT NULL
                );
                CREATE INDEX metrics_run ON metrics(run_id);
                CREATE TABLE estimates (
                    id INTEGER PRIMARY KEY,
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    value REAL
                );
                CREATE INDEX estimates_run ON estimates(run_id);
                """)
        }
        // v2: the GSL reference's own cost per problem (for speed-ups over the reference), and
        // `timeout` as a run status (a run stopped at its time limit). SQLite cannot alter a
        // CHECK constraint, so `runs` is rebuilt with the same columns and rows.
        m.registerMigration("v2") { db in
            try db.execute(sql: """
                CREATE TABLE reference_runs (
                    id INTEGER PRIMARY KEY,
                    invocation_id INTEGER NOT NULL REFERENCES invocations(id),
                    problem_id INTEGER NOT NULL REFERENCES problems(id),
                    status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
                    error TEXT,
                    wall_s REAL,
                    cpu_s REAL,
                    peak_rss_bytes INTEGER,
                    recorded_at TEXT NOT NULL,
                    UNIQUE (invocation_id, problem_id)
                );
                CREATE TABLE runs_v2 (
                    id INTEGER PRIMARY KEY,
                    invocation_id INTEGER NOT NULL REFERENCES invocations(id),
                    problem_id INTEGER NOT NULL REFERENCES problems(id),
                    backend TEXT NOT NULL,
                    backend_version TEXT NOT NULL,
                    precision TEXT NOT NULL CHECK (precision IN ('f32', 'f64')),
                    repeat INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'out_of_tolerance', 'timeout')),
                    error TEXT,
                    wall_s REAL,
                    cpu_s REAL,
                    peak_rss_bytes INTEGER,
                    rss_before_bytes INTEGER,
                    threads INTEGER NOT NULL,
                    diagnostics_json TEXT NOT NULL,
                    recorded_at TEXT NOT NULL,
                    UNIQUE (invocation_id, problem_id, backend, repeat)
                );
                INSERT INTO runs_v2 SELECT * FROM runs;
                DROP TABLE runs;
                ALTER TABLE runs_v2 RENAME TO runs;
                CREATE INDEX runs_problem ON runs(problem_id, backend);
                """)
        }
        // v3: scale-out. Every invocation gets a stable `uid` (random for new ones; derived from
        // the row for older ones, so merging the same old store twice gives the same uid), the
        // shard it ran (`shard_index` of `shard_count`, NULL when not sharded) and its `batch`
        // label (shards of one batch unite on merge). `invocation_parts` lists the shard
        // invocations a merged invocation was united from (with their own machine), and a run of
        // a united invocation names its part (`part_uid`) and machine (`machine_id`); both are
        // NULL for a run recorded directly (its invocation's uid and machine).
        m.registerMigration("v3") { db in
            try db.execute(sql: """
                ALTER TABLE invocations ADD COLUMN uid TEXT;
                ALTER TABLE invocations ADD COLUMN shard_index INTEGER;
                ALTER TABLE invocations ADD COLUMN shard_count INTEGER;
                ALTER TABLE invocations ADD COLUMN batch TEXT;
                UPDATE invocations SET uid = 'v2-' || suite_hash || '-' || machine_id || '-' || started_at || '-' || id;
                CREATE UNIQUE INDEX invocations_uid ON invocations(uid);
                CREATE TABLE invocation_parts (
                    id INTEGER PRIMARY KEY,
                    invocation_id INTEGER NOT NULL REFERENCES invocations(id),
                    uid TEXT NOT NULL UNIQUE,
                    shard_index INTEGER,
                    shard_count INTEGER,
                    machine_id INTEGER NOT NULL REFERENCES machines(id),
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    command_line TEXT NOT NULL
                );
                CREATE INDEX invocation_parts_invocation ON invocation_parts(invocation_id);
                ALTER TABLE runs ADD COLUMN part_uid TEXT;
                ALTER TABLE runs ADD COLUMN machine_id INTEGER REFERENCES machines(id);
                """)
        }
        return m
    }
}
