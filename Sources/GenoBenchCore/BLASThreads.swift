import CBLAS

/// The number of threads OpenBLAS uses for one BLAS call.
///
/// GenoBench sets it once per process from `--blas-threads` (or `GENOBENCH_BLAS_THREADS`); the
/// default is `defaultCount` = 2, chosen from `genobench blas-threads` on the 2-core machines
/// GenoBench is developed on (README, "Threads"): idle, 2 threads ran dgemm/sgemm at n = 2000
/// 1.9x faster than 1 (84 vs 45 GFLOP/s double); with the other core busy, 2 threads were as
/// fast as 1 (46 vs 45), not slower. Backends that spread their own work over both cores with
/// Dispatch must not call BLAS inside those parallel loops, or the two would oversubscribe,
/// unless the loop runs inside `singleThreaded`.
public enum BLASThreads {
    /// The default BLAS thread count.
    public static let defaultCount = 2

    /// Sets the OpenBLAS thread count for subsequent calls.
    public static func set(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// Runs `body` with every BLAS call single-threaded (restoring the count after), for a
    /// backend that calls BLAS inside its own parallel loop: each worker's call then runs on
    /// that worker, and the BLAS threads do not compete with the workers for the cores.
    /// OpenBLAS's pthread build is safe for concurrent single-threaded calls. The count is
    /// process-wide: only one run is ever in flight per process, so nothing else sees it.
    /// Inside another `singleThreaded` (e.g. on a worker of such a loop) it changes nothing.
    public static func singleThreaded<R>(_ body: () throws -> R) rethrows -> R {
        let previous = current
        if previous == 1 { return try body() }
        set(1)
        defer { set(previous) }
        return try body()
    }

    /// The thread count OpenBLAS reports.
    public static var current: Int { Int(openblas_get_num_threads()) }

    /// OpenBLAS's build configuration string (for the machine record).
    public static var configuration: String {
        guard let c = openblas_get_config() else { return "unknown" }
        return String(cString: c)
    }
}
