import CZlib
import Foundation

/// Lines of a text file that may be gzip-compressed, read in 1 MiB chunks through the system
/// zlib (`gzopen`/`gzread`).
///
/// zlib reads a file without the gzip magic unchanged and decodes concatenated gzip members in
/// sequence, so `.gz`, bgzip and plain files all go through this one reader, with no child
/// process and no dependence on a `gzip` binary on `PATH`. A corrupt or truncated stream is a
/// `DataError` naming the file and the line reached, never a silently short input.
/// Lines end at `\n`; a trailing `\r` is dropped (files written on Windows).
public struct TextLines: Sequence {
    public let path: String

    public init(path: String) { self.path = path }

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

    public func makeIterator() -> Iterator { Iterator(path: path) }

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
        /// 1-based number of the line last returned.
        public private(set) var lineNumber = 0
        /// The error that ended iteration early, if any (the `Sequence` form cannot throw).
        public private(set) var error: DataError?

        init(path: String) {
            self.path = path
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
                    return finish(bytes)
                }
                pending.append(contentsOf: buffer[start..<end])
                start = 0; end = 0
                if eof {
                    if pending.isEmpty { return nil }
                    let bytes = pending
                    pending = []
                    return finish(bytes)
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

        private func finish(_ bytes: [UInt8]) -> String {
            lineNumber += 1
            var b = bytes[...]
            if b.last == 13 { b = b.dropLast() }
            return String(decoding: b, as: UTF8.self)
        }
    }
}

/// Writes text to a file, gzip-compressed when the path ends in `.gz` (zlib level 6), plain
/// otherwise. Text is buffered; `close()` flushes and reports a failed write.
public final class TextFileWriter {
    public let path: String
    private var gz: gzFile?
    private var handle: FileHandle?
    private var buffer: [UInt8] = []

    public init(path: String) throws {
        self.path = path
        if path.hasSuffix(".gz") {
            gz = gzopen(path, "wb6")
            if gz == nil { throw DataError(file: path, "cannot open for writing") }
        } else {
            guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
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
    }

    deinit {
        if let gz { gzclose(gz) }
        if let handle { try? handle.close() }
    }
}
