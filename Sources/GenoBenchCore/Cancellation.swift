import Foundation

/// Thrown by a backend that saw `RunContext.isCancelled` become true (the run reached its time
/// limit) and stopped early. The harness records such a run as `timeout`, not `failed`.
public struct RunCancelled: Error, CustomStringConvertible, Equatable {
    /// Where the backend noticed (e.g. "tiled-f64 block pairs"), for the stored error.
    public var location: String

    public init(_ location: String = "") { self.location = location }

    public var description: String {
        location.isEmpty ? "stopped at the time limit" : "stopped at the time limit (in \(location))"
    }
}

/// A point in time after which a run is cancelled (monotonic clock, so a wall-clock change
/// does not move it). Checking it costs one `clock_gettime` through the vDSO (~20 ns), cheap
/// enough to poll per tile, block, iteration, feature or batch.
public struct Deadline: Sendable {
    public let uptimeNanoseconds: UInt64

    /// `seconds` from now (non-positive or non-finite: already passed / never).
    public init(secondsFromNow seconds: Double) {
        let now = DispatchTime.now().uptimeNanoseconds
        if !seconds.isFinite || seconds > 1e9 {
            uptimeNanoseconds = .max
        } else {
            uptimeNanoseconds = now &+ UInt64(max(0, seconds) * 1e9)
        }
    }

    public var hasPassed: Bool { DispatchTime.now().uptimeNanoseconds >= uptimeNanoseconds }

    /// A cancellation check for `RunContext.isCancelled`.
    public var check: @Sendable () -> Bool {
        let limit = uptimeNanoseconds
        return { DispatchTime.now().uptimeNanoseconds >= limit }
    }
}

extension RunContext {
    /// Throws `RunCancelled` when the run has been cancelled; call it in long loops.
    @inlinable
    public func checkCancellation(_ location: @autoclosure () -> String = "") throws {
        if isCancelled() { throw RunCancelled(location()) }
    }

    /// `parallelMap` that stops handing out indices once `isCancelled` turns true and then
    /// throws `RunCancelled`: the cancellation check is made once per index (per tile, feature,
    /// batch), the results are in index order as for `parallelMap`.
    public func cancellableMap<R: Sendable>(_ count: Int, location: String = "", _ body: @Sendable (Int) -> R) throws -> [R] {
        let cancelled = isCancelled
        let stopped = CancelFlag()
        let out: [R?] = parallelMap(count) { i -> R? in
            if stopped.isSet { return nil }
            if cancelled() { stopped.set(); return nil }
            return body(i)
        }
        if stopped.isSet { throw RunCancelled(location) }
        return out.map { $0! }
    }
}

/// A flag set once from any thread.
final class CancelFlag: @unchecked Sendable {
    private var value = false
    private let lock = NSLock()
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
