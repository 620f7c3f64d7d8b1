import GenoBenchData

#if canImport(Glibc)
import Glibc
#endif

/// Complete lines of a delimited text file, handed out a buffer at a time.
///
/// The buffer holds whole lines only (a partial last line is carried into the next fill), so
/// a chunk of lines can be parsed by several threads at once. `\r\n` endings and a missing final
/// newline are accepted; blank lines are skipped (but counted in line numbers).
final class DelimitedLines {
    let source: ByteSource
    private(set) var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var filled = 0
    private var consumed = 0
    private var atEnd = false
    /// 1-based number of the next line handed out.
    private(set) var nextLineNumber = 1

    /// A line inside `buffer`: bytes `start..<start + length` without the line ending.
    struct Line {
        var start: Int
        var length: Int
        var number: Int
    }

    init(source: ByteSource, bufferBytes: Int = 8 << 20) {
        self.source = source
        capacity = bufferBytes
        buffer = .allocate(capacity: capacity + Self.padding)
        buffer.initialize(repeating: 0, count: capacity + Self.padding)
    }

    /// Bytes past the end that may be read (never used) by word-at-a-time parsing.
    static let padding = 32

    deinit { buffer.deallocate() }

    /// The next run of complete lines (empty at the end of the input). The lines stay valid
    /// until the next call.
    func next(maxLines: Int = .max) throws -> [Line] {
        // Move the unconsumed tail to the front, then fill the rest.
        if consumed > 0 {
            let tail = filled - consumed
            if tail > 0 { memmove(buffer, buffer + consumed, tail) }
            filled = tail
            consumed = 0
        }
        while !atEnd && filled < capacity {
            let n = try source.read(into: buffer + filled, count: capacity - filled)
            if n == 0 { atEnd = true } else { filled += n }
            if filled == capacity { break }
        }
        var lines: [Line] = []
        var pos = 0
        while pos < filled && lines.count < maxLines {
            let rest = filled - pos
            guard let hit = memchr(buffer + pos, 0x0a, rest) else {
                if atEnd {
                    appendLine(&lines, pos, rest)
                    pos = filled
                    break
                }
                if pos == 0 {
                    // One line longer than the buffer: grow and try again.
                    grow()
                    return try next(maxLines: maxLines)
                }
                break
            }
            let end = UnsafeMutableRawPointer(hit).assumingMemoryBound(to: UInt8.self) - buffer
            appendLine(&lines, pos, end - pos)
            pos = end + 1
        }
        consumed = pos
        return lines
    }

    private func appendLine(_ lines: inout [Line], _ start: Int, _ length: Int) {
        var n = length
        if n > 0 && buffer[start + n - 1] == 0x0d { n -= 1 }
        let number = nextLineNumber
        nextLineNumber += 1
        if n > 0 { lines.append(Line(start: start, length: n, number: number)) }
    }

    private func grow() {
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2 + Self.padding)
        bigger.initialize(repeating: 0, count: capacity * 2 + Self.padding)
        bigger.update(from: buffer, count: filled)
        buffer.deallocate()
        buffer = bigger
        capacity *= 2
    }
}

/// Splitting one line into fields.
enum FieldSplitter {
    /// Fields of a line with RFC 4180 quoting (`"a,b"`, `""` for a quote), for headers and
    /// lines that contain a quote character. A quote left open at the end of the line (fields
    /// spanning lines are not supported) and a field that is not UTF-8 are errors naming the line.
    static func quotedFields(_ p: UnsafePointer<UInt8>, _ n: Int, delimiter: UInt8, path: String, line: Int) throws -> [String] {
        func text(_ bytes: [UInt8]) throws -> String {
            guard let s = String(validating: bytes, as: UTF8.self) else {
                throw DataError(file: path, line: line, "field \(fields.count + 1) is not UTF-8 text")
            }
            return s
        }
        var fields: [String] = []
        var current: [UInt8] = []
        var i = 0, inQuotes = false
        while i < n {
            let c = p[i]
            if inQuotes {
                if c == 0x22 {
                    if i + 1 < n && p[i + 1] == 0x22 { current.append(0x22); i += 1 } else { inQuotes = false }
                } else { current.append(c) }
            } else if c == 0x22 && current.isEmpty {
                inQuotes = true
            } else if c == delimiter {
                fields.append(try text(current))
                current.removeAll(keepingCapacity: true)
            } else { current.append(c) }
            i += 1
        }
        if inQuotes {
            throw DataError(file: path, line: line, "field \(fields.count + 1) opens a quote that is not closed before the end of the line (fields spanning lines are not supported)")
        }
        fields.append(try text(current))
        return fields
    }

    /// Whether the line holds a quote character (then `quotedFields` must split it).
    static func hasQuote(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool { memchr(p, 0x22, n) != nil }
}
