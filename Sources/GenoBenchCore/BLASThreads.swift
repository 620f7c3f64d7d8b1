import CBLAS

/// The number of threads OpenBLAS uses for one BLAS call.
///
/// GenoBench sets it once per process from `--blas-threads` (or `GENOBENCH_BLAS_THREADS`); the
/// default is `defaultCount` = 2, chosen from `genobench blas-threads` on the 2-core machines
/// GenoBench is developed on (README, "Threads"): idle, 2 threads ran dgemm/sgemm at n = 2000
/// 1.9x faster than 1 (84 vs 45 GFLOP/s double); with the other core busy, 2 threads were as
/// fast as 1 (46 vs 45), not slower. Backends that spread their own work over both cores with
/// Dispatch must not call BLAS inside those parallel loops, or the two would oversubscribe.
public enum BLASThreads {
    /// The default BLAS thread count.
    public static let defaultCount = 2

    /// Sets the OpenBLAS thread count for subsequent calls.
    public static func set(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The thread count OpenBLAS reports.
    public static var current: Int { Int(openblas_get_num_threads()) }

    /// OpenBLAS's build configuration string (for the machine record).
    public static var configuration: String {
        guard let c = openblas_get_config() else { return "unknown" }
        return String(cString: c)
    }
}
