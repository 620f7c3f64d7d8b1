import _CGenoBenchSupport

/// SIGINT and SIGTERM as a request to stop after the run in flight (`genobench run`).
///
/// The first signal sets a flag that `Runner.shouldStop` polls between runs and prints
/// `message`; a second one exits at once with `immediateStatus` (safe: each run is one
/// transaction, so the store only ever loses the run in flight).
public enum StopSignals {
    public static func install(message: String, immediateStatus: Int32 = 130) {
        gb_install_stop_handlers(message, immediateStatus)
    }

    /// The signal number that asked for a stop, or nil.
    public static var requested: Int32? {
        let s = gb_stop_requested()
        return s == 0 ? nil : s
    }
}
