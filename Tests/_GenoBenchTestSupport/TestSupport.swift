import Foundation
import XCTest

/// Asserts |actual − expected| ≤ absolute + relative·|expected| and reports the error seen.
public func assertClose(_ actual: Double, _ expected: Double, relative: Double = 0, absolute: Double = 0,
                        _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    if actual.isNaN && expected.isNaN { return }
    let error = abs(actual - expected)
    let bound = absolute + relative * abs(expected)
    XCTAssert(error <= bound, "\(message()) actual \(actual), expected \(expected): error \(error) > \(bound)", file: file, line: line)
}

/// A fresh temporary directory removed when the test that made it finishes.
///
/// Removal is tied to the test, not to the object: XCTest keeps every test case instance (and
/// so a `var dir: TemporaryDirectory!` set in `setUp`) alive until the process exits, so a
/// removal in `deinit` alone left one directory per such test in `/tmp` on every run.
public final class TemporaryDirectory {
    public let path: String

    public init() {
        path = NSTemporaryDirectory() + "genobench-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        TemporaryDirectoryJanitor.shared.track(path)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Removes the directories made during a test when it finishes (after `tearDown`), and any left
/// when the whole run finishes.
final class TemporaryDirectoryJanitor: NSObject, XCTestObservation, @unchecked Sendable {
    static let shared: TemporaryDirectoryJanitor = {
        let janitor = TemporaryDirectoryJanitor()
        XCTestObservationCenter.shared.addTestObserver(janitor)
        return janitor
    }()

    private let lock = NSLock()
    private var paths: [String] = []

    func track(_ path: String) { lock.withLock { paths.append(path) } }

    private func removeAll() {
        let done = lock.withLock { () -> [String] in
            defer { paths.removeAll() }
            return paths
        }
        for path in done { try? FileManager.default.removeItem(atPath: path) }
    }

    func testCaseDidFinish(_ testCase: XCTestCase) { removeAll() }
    func testBundleDidFinish(_ testBundle: Bundle) { removeAll() }
}

/// The directory holding the built products (the `genobench` executable) during `swift test`.
public var productsDirectory: URL {
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        return bundle.bundleURL.deletingLastPathComponent()
    }
    return Bundle.main.bundleURL
}

/// Result of running the `genobench` executable.
public struct ToolResult {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// Whether the process was killed by a signal (a crash: `status` is then the signal number).
    public var signalled = false
}

/// Runs the built `genobench` with arguments (no shell), in this process's environment with
/// `environment` added (a nil value removes the variable).
public func runGenoBench(_ arguments: [String], currentDirectory: String? = nil, environment: [String: String?] = [:]) throws -> ToolResult {
    let p = Process()
    p.executableURL = productsDirectory.appendingPathComponent("genobench")
    p.arguments = arguments
    if !environment.isEmpty {
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        p.environment = env
    }
    if let currentDirectory { p.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return ToolResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self),
                      signalled: p.terminationReason == .uncaughtSignal)
}
