import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An output file that appears under its name only when complete: it is written as a hidden
/// temporary file next to the target (`.NAME.partial-PID`, same directory, so the final
/// `rename(2)` is atomic) and renamed by `commit()`. A run that fails, or is killed, before the
/// commit leaves no file that looks like a finished output (an existing file of that name is
/// left as it was); `abandon()` or deinit removes the temporary file.
public final class AtomicOutput {
    /// The final name.
    public let path: String
    /// Where the bytes go until `commit()`.
    public let temporaryPath: String
    private var done = false

    public init(path: String) {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let name = "." + url.lastPathComponent + ".partial-\(getpid())"
        temporaryPath = url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Renames the temporary file to `path`.
    public func commit() throws {
        guard !done else { return }
        done = true
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw DataError(file: path, "cannot write: renaming the finished temporary file failed (\(reason))")
        }
    }

    /// Removes the temporary file (a failed run).
    public func abandon() {
        guard !done else { return }
        done = true
        unlink(temporaryPath)
    }

    deinit { abandon() }

    /// Runs `body` on the temporary path and commits when it returns; removes the temporary
    /// file when it throws.
    public static func write(_ path: String, _ body: (String) throws -> Void) throws {
        let output = AtomicOutput(path: path)
        do { try body(output.temporaryPath) } catch {
            output.abandon()
            throw error
        }
        try output.commit()
    }
}
