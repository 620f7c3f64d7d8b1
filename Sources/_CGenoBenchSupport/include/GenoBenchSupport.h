// Small C helpers behind GenoBench's Swift modules: process accounting that Swift's Glibc
// module does not expose, and the popcount kernels of the tiled LD backend (compiled for the
// POPCNT instruction with a run-time CPU check, which Swift code cannot request per function).
#ifndef GENOBENCH_SUPPORT_H
#define GENOBENCH_SUPPORT_H
#include <stddef.h>
#include <stdint.h>

/// Returns freed heap memory to the kernel (glibc malloc_trim(0)); a no-op elsewhere.
void gb_malloc_trim(void);

/// User + system CPU seconds of the whole process (all threads) so far.
double gb_process_cpu_seconds(void);

/// Peak resident set size of the process in bytes as the kernel reports it (ru_maxrss).
int64_t gb_process_max_rss_bytes(void);

/// Cumulative 3x3 cross counts of two variants with missing calls.
/// Planes per variant: m (observed), l (>= 1 counted allele), h (2 counted alleles); missing
/// samples and padding have every bit clear. out[3*i + j] = |A_i & B_j| with the planes ordered
/// (m, l, h), so out[0] is the number of samples observed at both variants.
void gb_ld_cross9(const uint64_t *ma, const uint64_t *la, const uint64_t *ha,
                  const uint64_t *mb, const uint64_t *lb, const uint64_t *hb,
                  size_t words, uint64_t out[9]);

/// Cross counts of one fully observed variant against `count` consecutive fully observed
/// variants. Each variant has bit planes of `words` 64-bit words: `l` has a bit for every sample
/// carrying at least one counted allele, `h` for every sample carrying two. The partners are
/// laid out as planes (m, l, h): variant k's l plane starts at b_planes + 3*words*k + words.
/// out[4k..4k+3] = { |la&lb|, |la&hb|, |ha&lb|, |ha&hb| } (popcounts) for partner k.
void gb_ld_cross4_run(const uint64_t *la, const uint64_t *ha, const uint64_t *b_planes,
                      size_t count, size_t words, uint64_t *out);

/// 1 when the POPCNT instruction path is in use, 0 for the portable fallback.
int gb_ld_kernel_uses_popcnt(void);

/// Installs SIGINT and SIGTERM handlers for a clean stop: the first signal sets the flag read
/// by gb_stop_requested() and writes `message` (copied; may be NULL) to standard error; a
/// second signal exits at once with `immediate_status` (_exit: the store is transactional).
void gb_install_stop_handlers(const char *message, int immediate_status);

/// The signal that asked for a stop (SIGINT, SIGTERM), or 0.
int gb_stop_requested(void);

/// The best OpenBLAS kernel family the running CPU's instruction set (as the CPU and the OS
/// enable it) supports: "SkylakeX" with AVX-512 F/CD/BW/DQ/VL, "Haswell" with AVX2 and FMA,
/// NULL otherwise (and on non-x86 machines). Decided from the features, not the model number.
const char *gb_cpu_blas_core(void);

/// Waits, in 1 ms steps and for at most `max_seconds`, until no thread of the process other
/// than the caller is running or runnable (state R in /proc/self/task/<tid>/stat): e.g. until
/// OpenBLAS's idle threads, which spin in sched_yield for about 2^28 cycles after each
/// multi-threaded call, have gone to sleep. Returns the seconds waited, or -1 when the thread
/// states cannot be read (no /proc).
double gb_wait_for_quiet_threads(double max_seconds);

#endif
