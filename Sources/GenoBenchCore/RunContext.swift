import Foundation

/// What a backend may use while solving: thread count, memory budget, cancellation.
///
/// Carried explicitly instead of read from globals so a harness can run backends with
/// different settings side by side.
public struct RunContext: Sendable {
    /// Threads for the backend's own parallel loops (Dispatch); BLAS threads are set once
    /// per process by `BLASThreads`.
    public var threads: Int
    /// Soft memory budget in bytes, if any (backends may choose block sizes from it).
    public var memoryBudgetBytes: Int?
    /// Polled by long loops; true asks the backend to stop early.
    public var isCancelled: @Sendable () -> Bool

    public init(threads: Int = 2, memoryBudgetBytes: Int? = nil, isCancelled: @escaping @Sendable () -> Bool = { false }) {
        self.threads = max(1, threads)
        self.memoryBudgetBytes = memoryBudgetBytes
        self.isCancelled = isCancelled
    }

    /// Runs `body(i)` for i in 0..<count on up to `threads` threads (dynamic scheduling:
    /// each worker takes the next index from a shared cursor) and returns the results in index
    /// order, so the answer never depends on the thread count.
    public func parallelMap<R: Sendable>(_ count: Int, _ body: @Sendable (Int) -> R) -> [R] {
        if threads <= 1 || count <= 1 { return (0..<count).map(body) }
        let slots = ResultSlots<R>(count: count)
        _ = parallelWorkers(items: count) { _, next in
            while let i = next() { slots.store(body(i), at: i) }
        }
        return slots.values()
    }

    /// Runs `work(worker, next)` once on each of up to `threads` workers (never more than
    /// `items`, at least one); `next()` hands out 0..<items in order, each index to exactly one
    /// worker, then nil. For loops whose workers keep scratch across the items they take: an
    /// item goes to whichever worker is free, so a thread slowed by something else takes fewer
    /// of them. The results (one per worker) come back in worker order; what a worker computes
    /// for an item must not depend on which worker takes it.
    public func parallelWorkers<R: Sendable>(items: Int, _ work: @Sendable (_ worker: Int, _ next: () -> Int?) -> R) -> [R] {
        let cursor = AtomicCounter()
        let take: @Sendable () -> Int? = { let i = cursor.increment(); return i < items ? i : nil }
        let workers = max(1, min(threads, items))
        if workers == 1 { return [work(0, take)] }
        let slots = ResultSlots<R>(count: workers)
        DispatchQueue.concurrentPerform(iterations: workers) { w in slots.store(work(w, take), at: w) }
        return slots.values()
    }
}

/// Write-once result slots filled from several threads (each index by exactly one worker).
final class ResultSlots<R: Sendable>: @unchecked Sendable {
    private var slots: [R?]
    private let lock = NSLock()
    init(count: Int) { slots = [R?](repeating: nil, count: count) }
    func store(_ value: R, at i: Int) {
        lock.lock(); defer { lock.unlock() }
        slots[i] = value
    }
    func values() -> [R] { slots.map { $0! } }
}

/// A lock-protected counter for work distribution.
final class AtomicCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    /// Returns the current value and adds one.
    func increment() -> Int {
        lock.lock(); defer { lock.unlock() }
        let v = value
        value += 1
        return v
    }
}
