import Foundation
import GenoBenchData

#if canImport(Glibc)
import Glibc
#endif

/// The bytes of an input file, plain or gzip-compressed, read in large chunks.
///
/// Gzip input (recognised by its magic bytes 1f 8b, whatever the name) is decompressed by a
/// `gzip -dc` child process whose output is read through a pipe. Why a process and not zlib:
/// gzip is an Essential package of Debian (always installed, nothing to add to the build or the
/// Makefile), Foundation on Linux has no public inflate API, and the child decompresses on the
/// second core while this process parses. A corrupt or truncated archive makes gzip exit
/// non-zero; `finish()` turns that into a `DataError` naming the file and gzip's message.
final class ByteSource {
    let path: String
    let isGzip: Bool
    private var fd: Int32 = -1
    private var process: Process?
    private var errorPipe: Pipe?
    private var memory: [UInt8]?
    private var memoryOffset = 0

    /// Bytes in memory, named `path` in errors (never decompressed).
    init(path: String, contents: [UInt8]) {
        self.path = path
        isGzip = false
        memory = contents
    }

    /// The request's file, or its in-memory contents.
    convenience init(_ request: CellTableRequest) throws {
        if let contents = request.contents { self.init(path: request.path, contents: contents) } else { try self.init(path: request.path) }
    }

    init(path: String) throws {
        self.path = path
        let probe = open(path, O_RDONLY)
        guard probe >= 0 else {
            throw DataError(file: path, "cannot read: \(String(cString: strerror(errno)))")
        }
        var magic = [UInt8](repeating: 0, count: 2)
        let got = Glibc.read(probe, &magic, 2)
        isGzip = got == 2 && magic == [0x1f, 0x8b]
        if !isGzip {
            lseek(probe, 0, SEEK_SET)
            fd = probe
            return
        }
        close(probe)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-dc", "--", path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch {
            throw DataError(file: path, "is gzip-compressed but `gzip -dc` could not be started: \(error.localizedDescription)")
        }
        process = p
        errorPipe = err
        fd = out.fileHandleForReading.fileDescriptor
        // Keep the pipe's reading end alive while we read from its descriptor.
        pipeKeeper = out
    }

    private var pipeKeeper: Pipe?

    /// Reads up to `count` bytes into `buffer`; 0 at the end of the input.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        if let memory {
            let n = Swift.min(count, memory.count - memoryOffset)
            if n <= 0 { return 0 }
            memory.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress! + memoryOffset, byteCount: n) }
            memoryOffset += n
            return n
        }
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw DataError(file: path, "read failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Closes the input; for gzip, waits for the child and reports its failure.
    func finish() throws {
        if let p = process {
            // Drain what is left so the child can exit, then check how it ended.
            var scratch = [UInt8](repeating: 0, count: 1 << 16)
            while (try? read(into: &scratch, count: scratch.count)) ?? 0 > 0 {}
            p.waitUntilExit()
            let message = String(decoding: errorPipe?.fileHandleForReading.readDataToEndOfFile() ?? Data(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            process = nil
            pipeKeeper = nil
            if p.terminationStatus != 0 {
                throw DataError(file: path, "gzip could not decompress it (exit \(p.terminationStatus)): \(message.isEmpty ? "no message" : message)")
            }
        } else if fd >= 0 {
            close(fd)
        }
        fd = -1
    }

    deinit {
        if let p = process, p.isRunning { p.terminate() }
        if process == nil && fd >= 0 { close(fd) }
    }
}
