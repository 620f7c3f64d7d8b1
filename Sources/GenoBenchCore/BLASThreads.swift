import CBLAS

/// The number of threads OpenBLAS uses for one BLAS call.
///
/// GenoBench sets it once per process from `--threads` (or `GENOBENCH_THREADS`); the default
/// is `defaultCount`. On the 2-core machines GenoBench is developed on, dgemm at n = 2000 ran
/// at about the same speed with 1 and 2 BLAS threads when idle and slower with 2 under load,
/// while our own kernels (Dispatch over tiles) already use both cores; see the README's
/// "Threads" section for the measurement (`genobench threads-check`).
public enum BLASThreads {
    /// The default BLAS thread count.
    public static let defaultCount = 1

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
