import CZlib
import Foundation

/// Lines of a text file that may be gzip-compressed, read in 1 MiB chunks through the system
/// zlib (`gzopen`/`gzread`).
///
/// zlib reads a file without the gzip magic unchanged and decodes concatenated gzip members in
/// sequence, so `.gz`, bgzip and plain files all go through this one reader, with no child
/// process and no dependence on a `gzip` binary on `PATH`. A corrupt or truncated stream is a
/// `DataError` naming the file and the line reached, never a silently short input.
/// Lines end at `\n`; a trailing `\r` is dropped (files written on Windows); a line that is
/// not UTF-8 is a `DataError` naming it.
public struct TextLines: Sequence {
    public let path: String
    /// Text held in memory instead of the file (`path` then only names it in errors; no gzip).
    public let contents: [UInt8]?

    public init(path: String) { self.path = path; contents = nil }

    /// Lines of bytes in memory, named `name` in errors (parsers fed without a file: fuzzing).
    public init(name: String, contents: [UInt8]) { path = name; self.contents = contents }

    /// Opens the file now, so a missing file is reported before any work starts.
    public static func open(_ path: String) throws -> TextLines {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError(file: path, "cannot read: no such file")
        }
        guard !isDirectory.boolValue else { throw DataError(file: path, "cannot read: is a directory, expected a file") }
        guard FileManager.default.isReadableFile(atPath: path) else { throw DataError(file: path, "cannot read: permission denied") }
        return TextLines(path: path)
    }

    public func makeIterator() -> Iterator { Iterator(path: path, contents: contents) }

    /// Every line, or the first read error.
    public func readAll() throws -> [String] {
        let it = makeIterator()
        var out: [String] = []
        while let line = try it.nextLine() { out.append(line) }
        return out
    }

    public final class Iterator: IteratorProtocol {
        let path: String
        private var file: gzFile?
        private var buffer = [UInt8](repeating: 0, count: 1 << 20)
        private var start = 0, end = 0
        private var eof = false
        private var pending: [UInt8] = []
        private var memory: [UInt8]?
        private var memoryOffset = 0
        /// 1-based number of the line last returned.
        public private(set) var lineNumber = 0
        /// The error that ended iteration early, if any (the `Sequence` form cannot throw).
        public private(set) var error: DataError?

        init(path: String, contents: [UInt8]? = nil) {
            self.path = path
            if let contents {
                memory = contents
                buffer = [UInt8](repeating: 0, count: 1 << 12)
                return
            }
            file = gzopen(path, "rb")
            if file == nil { error = DataError(file: path, "cannot open for reading"); eof = true }
            else { gzbuffer(file, 1 << 17) }
        }

        deinit { if let file { gzclose(file) } }

        public func next() -> String? { try? nextLine() }

        /// The next line without its terminator, nil at the end of the file.
        public func nextLine() throws -> String? {
            if let error { throw error }
            while true {
                if let nl = buffer[start..<end].firstIndex(of: 10) {
                    var bytes = pending
                    bytes.append(contentsOf: buffer[start..<nl])
                    pending.removeAll(keepingCapacity: true)
                    start = nl + 1
                    return try finish(bytes)
                }
                pending.append(contentsOf: buffer[start..<end])
                start = 0; end = 0
                if eof {
                    if pending.isEmpty { return nil }
                    let bytes = pending
                    pending = []
                    return try finish(bytes)
                }
                if let memory {
                    let n = Swift.min(buffer.count, memory.count - memoryOffset)
                    buffer.replaceSubrange(0..<n, with: memory[memoryOffset..<memoryOffset + n])
                    memoryOffset += n
                    if n == 0 { eof = true }
                    end = n
                    continue
                }
                let n = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
                if n < 0 {
                    var code: Int32 = 0
                    let message = gzerror(file, &code).map { String(cString: $0) } ?? "unknown zlib error"
                    let e = DataError(file: path, line: lineNumber + 1, "cannot decompress: \(message) (corrupt or truncated gzip file)")
                    error = e
                    throw e
                }
                if n == 0 {
                    eof = true
                    // zlib reports a gzip stream cut short as a clean end of file with Z_BUF_ERROR set.
                    var code: Int32 = 0
                    _ = gzerror(file, &code)
                    if code == Z_BUF_ERROR {
                        let e = DataError(file: path, line: lineNumber + 1, "truncated gzip file: the compressed stream ends early")
                        error = e
                        throw e
                    }
                }
                end = Int(n)
            }
        }

        /// The line as text; bytes that are not UTF-8 are an error naming the line (never
        /// replaced silently, which would turn an ID into another one).
        private func finish(_ bytes: [UInt8]) throws -> String {
            lineNumber += 1
            var b = bytes[...]
            if b.last == 13 { b = b.dropLast() }
            guard let text = String(validating: b, as: UTF8.self) else {
                let e = DataError(file: path, line: lineNumber, "not UTF-8 text")
                error = e
                throw e
            }
            return text
        }
    }
}

/// Writes text to a file, gzip-compressed when the path ends in `.gz` (zlib level 6), plain
/// otherwise. Text is buffered; `close()` flushes, reports a failed write and only then gives
/// the file its name (`AtomicOutput`): a writer dropped without `close()` (a failed run) leaves
/// no partial file behind.
public final class TextFileWriter {
    public let path: String
    private let output: AtomicOutput
    private var gz: gzFile?
    private var handle: FileHandle?
    private var buffer: [UInt8] = []

    public init(path: String) throws {
        self.path = path
        output = AtomicOutput(path: path)
        let target = output.temporaryPath
        if path.hasSuffix(".gz") {
            gz = gzopen(target, "wb6")
            if gz == nil { throw DataError(file: path, "cannot open for writing") }
        } else {
            guard FileManager.default.createFile(atPath: target, contents: nil), let h = FileHandle(forWritingAtPath: target) else {
                throw DataError(file: path, "cannot open for writing")
            }
            handle = h
        }
        buffer.reserveCapacity(1 << 20)
    }

    public func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        if buffer.isEmpty { return }
        if let gz {
            let n = buffer.withUnsafeBytes { gzwrite(gz, $0.baseAddress, UInt32($0.count)) }
            guard n == Int32(buffer.count) else { throw DataError(file: path, "write failed (disk full?)") }
        } else if let handle {
            do { try handle.write(contentsOf: buffer) } catch { throw DataError(file: path, "write failed: \(error)") }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    public func close() throws {
        try flush()
        if let gz {
            self.gz = nil
            guard gzclose(gz) == Z_OK else { throw DataError(file: path, "write failed while closing the gzip stream") }
        }
        if let handle {
            self.handle = nil
            do { try handle.close() } catch { throw DataError(file: path, "close failed: \(error)") }
        }
        try output.commit()
    }

    deinit {
        if let gz { gzclose(gz) }
        if let handle { try? handle.close() }
    }
}
