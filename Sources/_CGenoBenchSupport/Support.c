#include "GenoBenchSupport.h"
#include <sys/resource.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void gb_malloc_trim(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

double gb_process_cpu_seconds(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0.0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6
         + (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

int64_t gb_process_max_rss_bytes(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
#if defined(__APPLE__)
    return (int64_t)ru.ru_maxrss;
#else
    return (int64_t)ru.ru_maxrss * 1024;
#endif
}

const char *gb_cpu_blas_core(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
    return NULL;
}

#if defined(__linux__)
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

/// 1 when a thread other than `self` is in state R, 0 when none is, -1 when unreadable.
static int gb_other_thread_running(long self) {
    DIR *dir = opendir("/proc/self/task");
    if (!dir) return -1;
    int running = 0;
    struct dirent *e;
    char path[64], buf[512];
    while (!running && (e = readdir(dir)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        if (strtol(e->d_name, NULL, 10) == self) continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;  // the thread ended meanwhile
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0) continue;
        buf[n] = 0;
        char *close_paren = strrchr(buf, ')');  // the name may hold spaces and parentheses
        if (close_paren && close_paren[1] == ' ' && close_paren[2] == 'R') running = 1;
    }
    closedir(dir);
    return running;
}

double gb_wait_for_quiet_threads(double max_seconds) {
    long self = (long)syscall(SYS_gettid);
    struct timespec start, now, step = {0, 1000000};
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        int r = gb_other_thread_running(self);
        clock_gettime(CLOCK_MONOTONIC, &now);
        double waited = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) * 1e-9;
        if (r < 0) return -1;
        if (r == 0 || waited >= max_seconds) return waited;
        nanosleep(&step, NULL);
    }
}
#else
double gb_wait_for_quiet_threads(double max_seconds) { (void)max_seconds; return -1; }
#endif
