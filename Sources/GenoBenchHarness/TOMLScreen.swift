/// A scan of TOML text for the inputs that TOMLKit's bundled toml++ (3.x) does not report as
/// errors but aborts on: a table header whose first character after `[` or `[[` (and blanks)
/// is neither a bare-key character, a quote nor `]` (`[{a]]`, `[ `+newline) reaches a
/// `TOML_ASSERT_ASSUME` in `parser::parse_key()`, an `assert` (SIGABRT) in builds without
/// NDEBUG and undefined behaviour with it. Found by Fuzz/FuzzSuite.
///
/// The scan follows strings (basic, literal, multi-line), comments and the nesting of arrays
/// and inline tables, so a `[` that opens an array value on a later line is not a header.
/// Everything else is left to the TOML parser.
enum TOMLScreen {
    /// The 1-based line and a message for the first table header toml++ would abort on, or nil.
    static func firstUnsafeHeader(_ text: String) -> (line: Int, message: String)? {
        let s = Array(text.unicodeScalars)
        var i = 0, line = 1, depth = 0
        var atLineStart = true
        func isBareKey(_ c: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-"
        }
        func at(_ k: Int) -> Unicode.Scalar? { k < s.count ? s[k] : nil }
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
                    if c == "\"" && s[i] == "\\" { i += 2; continue }
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
            case "[" where depth == 0 && atLineStart:
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
                depth += 1
            case "]", "}":
                depth = max(0, depth - 1)
            default:
                break
            }
            atLineStart = false
            i += 1
        }
        return nil
    }
}
