import Foundation

/// A last resort for runs that do not poll their cancellation: a backend inside one long BLAS
/// or LAPACK call cannot stop cooperatively. Armed before a call with a deadline; if the call
/// has not returned by then, `action` runs on the watchdog's own thread (it records the run as
/// `timeout` and, in the CLI, exits the process). One dedicated thread, so a Dispatch pool kept
/// busy by the stuck run cannot delay it.
final class Watchdog: @unchecked Sendable {
    private let condition = NSCondition()
    private var deadline: UInt64?
    private var action: (@Sendable () -> Void)?
    private var fired = false
    private var running = false
    private var stopped = false

    init() {
        let t = Thread { [self] in loop() }
        t.name = "genobench-watchdog"
        t.start()
    }

    /// Runs `action` if `disarm()` is not called within `seconds`.
    func arm(after seconds: Double, _ action: @escaping @Sendable () -> Void) {
        condition.lock()
        deadline = DispatchTime.now().uptimeNanoseconds &+ UInt64(max(0, seconds) * 1e9)
        self.action = action
        fired = false
        condition.broadcast()
        condition.unlock()
    }

    /// Cancels the pending action; true if it already fired (then this waits until it is done,
    /// so the caller never touches the store at the same time as the action).
    @discardableResult
    func disarm() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        deadline = nil
        action = nil
        while running { condition.wait() }
        let f = fired
        fired = false
        return f
    }

    /// Ends the watchdog thread.
    func stop() {
        condition.lock()
        stopped = true
        deadline = nil
        condition.broadcast()
        condition.unlock()
    }

    private func loop() {
        condition.lock()
        while !stopped {
            guard let d = deadline else { condition.wait(); continue }
            let now = DispatchTime.now().uptimeNanoseconds
            if now < d {
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(d - now) / 1e9))
                continue
            }
            let act = action
            deadline = nil
            action = nil
            fired = true
            running = true
            condition.unlock()
            act?()
            condition.lock()
            running = false
            condition.broadcast()
        }
        condition.unlock()
    }
}
