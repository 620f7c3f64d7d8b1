import CBLAS
import _CGenoBenchSupport
#if canImport(Glibc)
import Glibc
#endif

/// Which OpenBLAS kernels the process runs, and the one correction GenoBench makes to them.
///
/// Debian's OpenBLAS (DYNAMIC_ARCH) picks its kernels once, when the library loads, from the
/// CPU's family and model numbers. A processor newer than the library, or one a hypervisor
/// reports under a generic name, is not in its table, and it falls back to "Prescott" (SSE3)
/// kernels even on an AVX-512 machine. Measured on such a host (Xeon family 6 model 207,
/// "Intel(R) Xeon(R) Processor", OpenBLAS 0.3.21), one thread: dgemm 15 GFLOP/s with
/// Prescott kernels, 46–53 with SkylakeX; sgemm 29 against 83 (README, "BLAS kernels").
///
/// The choice can only be changed before the library loads, through `OPENBLAS_CORETYPE`, so
/// `genobench` re-executes itself once with it set when OpenBLAS chose a kernel family without
/// AVX2 while the CPU's features support one (`reexecIfUnrecognised`). A user's own
/// `OPENBLAS_CORETYPE` always wins, and `GENOBENCH_KEEP_BLAS_CORE=1` keeps OpenBLAS's choice.
/// The kernel family in use is part of the machine record (`BLASThreads.configuration`
/// names it), so runs under different kernels are told apart.
public enum BLASKernels {
    /// The kernel family OpenBLAS is using ("Prescott", "Haswell", "SkylakeX", ...).
    public static var coreName: String {
        guard let c = openblas_get_corename() else { return "unknown" }
        return String(cString: c)
    }

    /// Kernel families whose GEMMs with M·N·K ≤ 10⁶ run OpenBLAS's small-matrix kernels
    /// (0.3.16 and later), which read A and B in place instead of packing them: the AVX-512
    /// families, not Haswell, Zen or the SSE ones. Measured (0.3.21, one thread, Zen 5 host):
    /// dgemm NN 32 x 50 x 445 at 125 GFLOP/s with Cooperlake or SkylakeX kernels against 77
    /// for the packed TN 64 x 50 x 445; with Haswell or Zen kernels 45 and 49.
    public static let smallMatrixFamilies: Set<String> = ["SkylakeX", "Cooperlake", "SapphireRapids"]

    /// Whether the kernels in use have the small-matrix GEMM path (`smallMatrixFamilies`).
    public static let hasSmallMatrixGEMM: Bool = smallMatrixFamilies.contains(coreName)

    /// The kernel family the CPU's instruction set supports best (nil: none better than
    /// OpenBLAS's generic kernels, or not x86).
    public static var cpuCore: String? {
        guard let c = gb_cpu_blas_core() else { return nil }
        return String(cString: c)
    }

    /// OpenBLAS kernel families without AVX2 kernels: what the library falls back to for a CPU
    /// it does not recognise, and what no AVX2 machine should run.
    public static let withoutAVX2: Set<String> = [
        "Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Sandybridge", "Atom", "Katmai", "Coppermine",
        "Northwood", "Banias", "Opteron", "Opteron(SSE3)", "Barcelona", "Bobcat", "Bulldozer", "Piledriver",
        "Steamroller", "Nano", "Unknown",
    ]

    /// The `OPENBLAS_CORETYPE` to force, or nil to keep OpenBLAS's choice: only when OpenBLAS
    /// chose a family without AVX2 (`chosen`) and the CPU supports one (`supported`), and
    /// neither the user's environment nor an earlier re-execution has decided already.
    public static func replacement(chosen: String, supported: String?, environment: [String: String]) -> String? {
        if environment["OPENBLAS_CORETYPE"] != nil { return nil }
        if let keep = environment["GENOBENCH_KEEP_BLAS_CORE"], !keep.isEmpty, keep != "0" { return nil }
        guard let supported, withoutAVX2.contains(chosen) else { return nil }
        return supported
    }

    /// Re-executes the running program (same arguments, same process) with `OPENBLAS_CORETYPE`
    /// set when `replacement` says so; returns only when nothing is to change or the exec
    /// failed (the program then goes on with OpenBLAS's own choice). Call first thing in
    /// `main`, before any output, thread or file. `GENOBENCH_BLAS_CORE_DETECTED` tells the new
    /// image what OpenBLAS had chosen.
    public static func reexecIfUnrecognised(environment: [String: String]) {
        #if os(Linux)
        let chosen = coreName
        guard let core = replacement(chosen: chosen, supported: cpuCore, environment: environment) else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv("GENOBENCH_BLAS_CORE_DETECTED", chosen, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only on failure: carry on with the detected kernels, and say nothing changed.
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv("GENOBENCH_BLAS_CORE_DETECTED")
        #endif
    }
}
