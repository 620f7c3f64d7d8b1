import Foundation
import _CGenoBenchSupport

/// Wall time, CPU time and peak resident memory of one measured call.
public struct Measurement: Sendable, Equatable {
    public var wallSeconds: Double
    /// User + system CPU of the whole process (every thread) during the call.
    public var cpuSeconds: Double
    /// The process's peak resident set during the call (bytes).
    public var peakResidentBytes: Int64
    /// Resident set just before the call (bytes): the data and reference already held.
    public var residentBeforeBytes: Int64
    /// How the peak was measured: "vmhwm-reset" (per call) or "maxrss" (per process so far).
    public var peakMethod: String
}

/// What the heap holds when a measured call starts (a suite's `heap` key).
public enum HeapMode: String, Sendable, CaseIterable {
    /// Freed heap is returned to the kernel before each call (the default): every call faults
    /// in its own working memory, and its peak counts all of it.
    case cold
    /// Freed heap is kept: a call reuses what earlier calls freed (timing in the steady state).
    case warm

    /// Ends the peak method of a warm measurement ("vmhwm-reset-warm-heap"); reports read it back.
    public static let warmPeakMethodSuffix = "-warm-heap"
}

/// Measures one call. On Linux the kernel's high-water mark is reset before the call
/// (`echo 5 > /proc/self/clear_refs` resets VmHWM to the current RSS) after returning freed heap
/// to the kernel (`malloc_trim(0)`), and VmHWM is read after it: the peak of that call, not of
/// the process. Elsewhere the process's `ru_maxrss` is used and marked as such.
///
/// `HeapMode.warm` (a suite's `heap = "warm"`) skips the `malloc_trim`: the call then reuses
/// pages earlier calls freed instead of faulting in fresh ones (the steady state of a program
/// that solves one problem after another). Its peak is still the process's resident peak during
/// the call, but memory it reused was resident before it, so `peak - before` no longer counts it.
///
/// Before the clock starts, every measurement waits (at most `settleLimit`) until no other
/// thread of the process is running (`settle`): OpenBLAS's idle threads spin in sched_yield
/// for about 2^28 cycles (~0.1 s) after each multi-threaded call, so whatever ran just before
/// (the GSL reference, the previous backend, the previous repeat) would otherwise take a core
/// from the timed call on a 2-core machine and make its time depend on the order of runs.
public enum Measure {
    /// The longest `settle` waits (a thread that never stops running is not waited out).
    public static let settleLimit = 0.25

    /// Waits until the process's other threads are idle; returns the seconds waited.
    @discardableResult
    public static func settle() -> Double { max(0, gb_wait_for_quiet_threads(settleLimit)) }

    public static func call<R>(heap: HeapMode = .cold, _ body: () throws -> R) rethrows -> (R, Measurement) {
        let probe = Probe(heap: heap)
        let result = try body()
        return (result, probe.finish())
    }

    /// Like `call`, but a throwing body is measured too (the time until it threw): what a run
    /// stopped at its time limit records.
    public static func attempt<R>(heap: HeapMode = .cold, _ body: () throws -> R) -> (Result<R, Error>, Measurement) {
        let probe = Probe(heap: heap)
        let result = Result { try body() }
        return (result, probe.finish())
    }

    /// The start of a measurement, finished later (possibly from another thread: the watchdog
    /// measures a run that never returned).
    public struct Probe: Sendable {
        let reset: Bool
        let heap: HeapMode
        let before: Int64
        let cpu0: Double
        let t0: UInt64

        public init(heap: HeapMode = .cold) {
            Measure.settle()
            if heap == .cold { gb_malloc_trim() }
            self.heap = heap
            reset = Measure.resetPeak()
            before = Measure.statusBytes("VmRSS:") ?? 0
            cpu0 = gb_process_cpu_seconds()
            t0 = DispatchTime.now().uptimeNanoseconds
        }

        public func finish() -> Measurement {
            let t1 = DispatchTime.now().uptimeNanoseconds
            let cpu1 = gb_process_cpu_seconds()
            let peak = reset ? (Measure.statusBytes("VmHWM:") ?? gb_process_max_rss_bytes()) : gb_process_max_rss_bytes()
            return Measurement(wallSeconds: Double(t1 - t0) / 1e9, cpuSeconds: max(0, cpu1 - cpu0), peakResidentBytes: peak,
                               residentBeforeBytes: before, peakMethod: (reset ? "vmhwm-reset" : "maxrss") + (heap == .warm ? HeapMode.warmPeakMethodSuffix : ""))
        }
    }

    /// Resets the kernel's peak-RSS mark of this process; false where that is not possible.
    static func resetPeak() -> Bool {
        guard let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? h.close() }
        do { try h.write(contentsOf: Data("5".utf8)) } catch { return false }
        return true
    }

    /// A `kB` line of /proc/self/status in bytes.
    static func statusBytes(_ key: String) -> Int64? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if parts.count >= 2, let kb = Int64(parts[1]) { return kb * 1024 }
        }
        return nil
    }

    /// The current resident set (bytes), if known.
    public static var residentBytes: Int64? { statusBytes("VmRSS:") }
}
