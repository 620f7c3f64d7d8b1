/// A scan of TOML text for the inputs that TOMLKit's bundled toml++ (3.x) does not report as
/// errors but aborts on, each reaching a `TOML_ASSERT_ASSUME` (an `assert`, SIGABRT, in builds
/// without NDEBUG, undefined behaviour with it); all found by Fuzz/FuzzSuite:
/// - a table header whose first character after `[` or `[[` (and blanks) is neither a bare-key
///   character, a quote nor `]` (`[{a]]`, `[ `+newline): `parser::parse_key()`;
/// - a `}` where an array expects a value (`a = [}]`): `parser::parse_value()`;
/// - a 10-character value shaped like a date (`-` at offsets 4 and 7) followed by a space and a
///   digit that does not start a time `HH:MM` (`0000-00-00 2]`): the date-time scanner in
///   `parser::parse_value()`;
/// - a non-ASCII whitespace character (U+00A0, U+2028, ...) outside strings and comments,
///   which toml++ treats as a value terminator in the same place. TOML allows only space and
///   tab there, so rejecting it rejects nothing valid.
///
/// The scan follows strings (basic, literal, multi-line), comments and the nesting of arrays
/// and inline tables, so a `[` that opens an array value on a later line is not a header.
/// Everything else is left to the TOML parser.
enum TOMLScreen {
    /// The 1-based line and a message for the first table header toml++ would abort on, or nil.
    static func firstUnsafeConstruct(_ text: String) -> (line: Int, message: String)? {
        let s = Array(text.unicodeScalars)
        // toml++'s reader drops a leading byte-order mark.
        var i = s.first == "\u{FEFF}" ? 1 : 0
        var line = 1
        var open: [Unicode.Scalar] = []  // the arrays and inline tables the scan is inside
        var atLineStart = true
        func isBareKey(_ c: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-"
        }
        func at(_ k: Int) -> Unicode.Scalar? { k < s.count ? s[k] : nil }
        func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
        while i < s.count {
            let c = s[i]
            switch c {
            case "\n":
                line += 1
                atLineStart = true
                i += 1
                continue
            case " ", "\t", "\r":
                i += 1
                continue
            case "#":
                while i < s.count && s[i] != "\n" { i += 1 }
                continue
            case "\"", "'":
                // Strings: skip to the closing delimiter (triple for multi-line), counting lines.
                let triple = at(i + 1) == c && at(i + 2) == c
                i += triple ? 3 : 1
                while i < s.count {
                    if s[i] == "\n" {
                        line += 1
                        if !triple { break }
                    }
                    if c == "\"" && s[i] == "\\" {
                        if at(i + 1) == "\n" { line += 1 }  // a line-ending backslash in a multi-line string
                        i += 2
                        continue
                    }
                    if s[i] == c && (!triple || (at(i + 1) == c && at(i + 2) == c)) {
                        i += triple ? 3 : 1
                        // A multi-line string may end with up to two more quotes.
                        while triple && at(i) == c { i += 1 }
                        break
                    }
                    i += 1
                }
                atLineStart = false
                continue
            case "[" where open.isEmpty && atLineStart:
                var k = i + 1
                let arrayOfTables = at(k) == "["
                if arrayOfTables { k += 1 }
                while at(k) == " " || at(k) == "\t" { k += 1 }
                // `[ [` is reported by toml++ itself; `[[ [` and `[[[` are not.
                if let next = at(k), !(isBareKey(next) || next == "\"" || next == "'" || next == "]" || (next == "[" && !arrayOfTables)) {
                    let shown = next == "\n" ? "the end of the line" : next == "\r" ? "a carriage return" : "'\(next)'"
                    return (line, "malformed TOML: a table header needs a key after '[', found \(shown)")
                }
                i = k
                atLineStart = false
                continue
            case "[", "{":
                open.append(c)
            case "]":
                if open.last == "[" { open.removeLast() }
            case "}":
                if open.last == "[" { return (line, "malformed TOML: '}' inside an array, expected a value, ',' or ']'") }
                if open.last == "{" { open.removeLast() }
            default:
                if isDigit(c) || c == "+" || c == "-", i == 0 || " \t=[,{\n".unicodeScalars.contains(s[i - 1]) {
                    // A value token: a date followed by a space must be followed by a time.
                    var token: [Unicode.Scalar] = []
                    var j = i
                    while let d = at(j), !" \t\r\n]},#".unicodeScalars.contains(d) {
                        if d != "_" { token.append(d) }
                        j += 1
                    }
                    if token.count == 10 && token[4] == "-" && token[7] == "-" && at(j) == " ", let d = at(j + 1), isDigit(d) {
                        let time = (1...5).map { at(j + $0) }
                        let isTime = time.enumerated().allSatisfy { k, t in
                            guard let t else { return false }
                            return k == 2 ? t == ":" : isDigit(t)
                        }
                        if !isTime {
                            return (line, "malformed TOML: '\(String(String.UnicodeScalarView(token)))' followed by a space and a digit, expected a date-time YYYY-MM-DD HH:MM:SS")
                        }
                    }
                }
                if c.value >= 0x80 && (c.properties.isWhitespace || c.value == 0xFEFF || c.value == 0x180E || c.value == 0x200B || c.value == 0x2060) {
                    let hex = String(c.value, radix: 16, uppercase: true)
                    return (line, "malformed TOML: the non-ASCII whitespace U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex) outside a string (only space and tab separate values)")
                }
            }
            atLineStart = false
            i += 1
        }
        return nil
    }
}
