// Popcount kernels for the tiled LD backend (spec ld.md section 3).
// Two variants of each kernel: one compiled for POPCNT, chosen at run time when the CPU has
// it, and a portable one. Both are exact integer counts, so they agree bit for bit.
#include "GenoBenchSupport.h"

#define GB_CROSS9_BODY(POP)                                                        \
    uint64_t c[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};                                   \
    for (size_t w = 0; w < words; w++) {                                          \
        uint64_t a0 = ma[w], a1 = la[w], a2 = ha[w];                               \
        uint64_t b0 = mb[w], b1 = lb[w], b2 = hb[w];                               \
        c[0] += (uint64_t)POP(a0 & b0); c[1] += (uint64_t)POP(a0 & b1);            \
        c[2] += (uint64_t)POP(a0 & b2); c[3] += (uint64_t)POP(a1 & b0);            \
        c[4] += (uint64_t)POP(a1 & b1); c[5] += (uint64_t)POP(a1 & b2);            \
        c[6] += (uint64_t)POP(a2 & b0); c[7] += (uint64_t)POP(a2 & b1);            \
        c[8] += (uint64_t)POP(a2 & b2);                                            \
    }                                                                              \
    for (int k = 0; k < 9; k++) out[k] = c[k];

#define GB_CROSS4_RUN_BODY(POP)                                                    \
    for (size_t k = 0; k < count; k++) {                                           \
        const uint64_t *lb = b_planes + 3 * words * k + words;                      \
        const uint64_t *hb = lb + words;                                           \
        uint64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;                                   \
        for (size_t w = 0; w < words; w++) {                                      \
            uint64_t a1 = la[w], a2 = ha[w], b1 = lb[w], b2 = hb[w];               \
            c0 += (uint64_t)POP(a1 & b1);                                          \
            c1 += (uint64_t)POP(a1 & b2);                                          \
            c2 += (uint64_t)POP(a2 & b1);                                          \
            c3 += (uint64_t)POP(a2 & b2);                                          \
        }                                                                          \
        out[4 * k] = c0; out[4 * k + 1] = c1; out[4 * k + 2] = c2; out[4 * k + 3] = c3; \
    }

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define GB_HAVE_DISPATCH 1
__attribute__((target("popcnt")))
static void cross4_run_popcnt(const uint64_t *la, const uint64_t *ha, const uint64_t *b_planes,
                              size_t count, size_t words, uint64_t *out) {
    GB_CROSS4_RUN_BODY(__builtin_popcountll)
}
__attribute__((target("popcnt")))
static void cross9_popcnt(const uint64_t *ma, const uint64_t *la, const uint64_t *ha,
                          const uint64_t *mb, const uint64_t *lb, const uint64_t *hb,
                          size_t words, uint64_t out[9]) {
    GB_CROSS9_BODY(__builtin_popcountll)
}
#endif

static void cross9_portable(const uint64_t *ma, const uint64_t *la, const uint64_t *ha,
                            const uint64_t *mb, const uint64_t *lb, const uint64_t *hb,
                            size_t words, uint64_t out[9]) {
    GB_CROSS9_BODY(__builtin_popcountll)
}

static void cross4_run_portable(const uint64_t *la, const uint64_t *ha, const uint64_t *b_planes,
                                size_t count, size_t words, uint64_t *out) {
    GB_CROSS4_RUN_BODY(__builtin_popcountll)
}

static int use_popcnt(void) {
#ifdef GB_HAVE_DISPATCH
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("popcnt") ? 1 : 0;
    }
    return cached;
#else
    return 0;
#endif
}

int gb_ld_kernel_uses_popcnt(void) { return use_popcnt(); }

void gb_ld_cross9(const uint64_t *ma, const uint64_t *la, const uint64_t *ha,
                  const uint64_t *mb, const uint64_t *lb, const uint64_t *hb,
                  size_t words, uint64_t out[9]) {
#ifdef GB_HAVE_DISPATCH
    if (use_popcnt()) { cross9_popcnt(ma, la, ha, mb, lb, hb, words, out); return; }
#endif
    cross9_portable(ma, la, ha, mb, lb, hb, words, out);
}

void gb_ld_cross4_run(const uint64_t *la, const uint64_t *ha, const uint64_t *b_planes,
                      size_t count, size_t words, uint64_t *out) {
#ifdef GB_HAVE_DISPATCH
    if (use_popcnt()) { cross4_run_popcnt(la, ha, b_planes, count, words, out); return; }
#endif
    cross4_run_portable(la, ha, b_planes, count, words, out);
}
