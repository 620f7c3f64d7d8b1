#if canImport(Glibc)
import Glibc
#endif

/// Decimal text to Double, correctly rounded, for the numeric columns of cell tables.
///
/// Fast path (Clinger 1990): a decimal with at most 19 significant digits whose integer
/// mantissa m ≤ 2⁵³ and power of ten |e| ≤ 22 is `m · 10^e` or `m / 10^−e`, one correctly
/// rounded operation on exact operands; anything else goes to `strtod`. So every value is the
/// nearest Double to its text, like pandas' and numpy's round-trip parsers.
enum NumberParser {
    /// Result of parsing one field.
    enum Parsed: Equatable {
        case value(Double)
        /// Empty, `NA`, `NaN`, `nan`, `N/A`, `.`, `na`, `null`: a missing value.
        case missing
        /// Not a number, or not finite.
        case invalid
    }

    /// 10^e for 0 ≤ e ≤ 22, all exact in Double (a switch: no global array to guard).
    @inline(__always)
    static func power(_ e: Int) -> Double {
        switch e {
        case 0: 1e0; case 1: 1e1; case 2: 1e2; case 3: 1e3; case 4: 1e4; case 5: 1e5; case 6: 1e6; case 7: 1e7
        case 8: 1e8; case 9: 1e9; case 10: 1e10; case 11: 1e11; case 12: 1e12; case 13: 1e13; case 14: 1e14
        case 15: 1e15; case 16: 1e16; case 17: 1e17; case 18: 1e18; case 19: 1e19; case 20: 1e20; case 21: 1e21
        default: 1e22
        }
    }

    /// Parses the field starting at `p` and ending at the next `delimiter` or at `limit`
    /// bytes; returns the value and the field's length. A plain decimal is parsed in one pass
    /// that also finds the delimiter; anything else (spaces, tokens, long mantissas) is
    /// delimited by `memchr` and handed to `parse`.
    /// Leading decimal digits of the 8 bytes `w` (little-endian: byte 0 first), 0...8. Carries
    /// and borrows only travel from a non-digit byte to later ones, so the first non-digit is exact.
    @inline(__always)
    static func digitRun(_ w: UInt64) -> Int {
        let high = w & 0xF0F0_F0F0_F0F0_F0F0
        let shifted = (w &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0
        let nonDigit = (high ^ 0x3030_3030_3030_3030) | (shifted ^ 0x3030_3030_3030_3030)
        return nonDigit == 0 ? 8 : nonDigit.trailingZeroBitCount >> 3
    }

    /// The value of the first `n` (1...8) digit bytes of `w` (Lemire's eight-digit SWAR, with
    /// the digits shifted to the low-order end and zeros in front).
    @inline(__always)
    static func digitsValue(_ w: UInt64, count n: Int) -> UInt64 {
        var v = (w & 0x0F0F_0F0F_0F0F_0F0F) << UInt64(8 * (8 - n))
        v = (v &* 10) &+ (v >> 8)
        v = (((v & 0x0000_00FF_0000_00FF) &* (100 &+ (1_000_000 << 32)))
             &+ (((v >> 16) & 0x0000_00FF_0000_00FF) &* (1 &+ (10_000 << 32)))) >> 32
        return v & 0xFFFF_FFFF
    }

    /// Bit 7 set in every byte of `w` that is not an ASCII digit, exactly (no carry crosses a
    /// byte: `(b & 0x7F) + 0x76` stays below 0x100).
    @inline(__always)
    static func nonDigitFlags(_ w: UInt64) -> UInt64 {
        let t = w ^ 0x3030_3030_3030_3030
        return (((t & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7676_7676_7676_7676) | t) & 0x8080_8080_8080_8080
    }

    /// `field` for a number whose digits and point fit in one 8-byte word after the sign,
    /// `[-]d…d[.d…d]` followed by the delimiter or the end of the line inside that word (the
    /// `%.4f` columns of most tables): the point and the end come from one mask, the point is
    /// squeezed out and all digits are valued by one `digitsValue`. Needs 8 readable bytes past
    /// the sign; nil: use `wordField`.
    @inline(__always)
    static func shortField(_ p: UnsafePointer<UInt8>, limit: Int, delimiter: UInt8) -> (Parsed, Int)? {
        #if _endian(little)
        guard limit > 0 else { return nil }
        let negative = p[0] == UInt8(ascii: "-")
        let i = negative ? 1 : 0
        let w = UnsafeRawPointer(p).loadUnaligned(fromByteOffset: i, as: UInt64.self)
        let flags = nonDigitFlags(w)
        guard flags != 0 else { return nil }
        let first = flags.trailingZeroBitCount >> 3
        let value: Double, end: Int
        if (w >> UInt64(8 * first)) & 0xFF == UInt64(UInt8(ascii: ".")) {
            let rest = flags & (flags &- 1)
            guard rest != 0 else { return nil }
            let stop = rest.trailingZeroBitCount >> 3, digits = stop - 1
            guard digits > 0 else { return nil }
            // Bytes below the point as they are, the ones above it moved down over it.
            let below: UInt64 = first == 0 ? 0 : ~0 >> UInt64(64 - 8 * first)
            let squeezed = (w & below) | ((w >> 8) & ~below)
            value = Double(digitsValue(squeezed, count: digits)) / power(stop - first - 1)
            end = i + stop
        } else {
            guard first > 0 else { return nil }
            value = Double(digitsValue(w, count: first))
            end = i + first
        }
        guard end <= limit, end == limit || p[end] == delimiter else { return nil }
        return (.value(negative ? -value : value), end)
        #else
        return nil
        #endif
    }

    /// `field` for the common shape `[-]d…d[.d…d]` with at most 7 digits on each side, 8 bytes
    /// at a time. Needs 16 readable bytes past the field (the line buffer is padded); nil: use
    /// the byte loop.
    @inline(__always)
    static func wordField(_ p: UnsafePointer<UInt8>, limit: Int, delimiter: UInt8) -> (Parsed, Int)? {
        #if _endian(little)
        let raw = UnsafeRawPointer(p)
        let negative = limit > 0 && p[0] == UInt8(ascii: "-")
        let i = negative ? 1 : 0
        let w1 = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        let n1 = digitRun(w1)
        guard n1 < 8 else { return nil }
        var mantissa: UInt64 = n1 > 0 ? digitsValue(w1, count: n1) : 0
        var end = i + n1
        var n2 = 0
        if end < limit && p[end] == UInt8(ascii: ".") {
            let w2 = raw.loadUnaligned(fromByteOffset: end + 1, as: UInt64.self)
            n2 = digitRun(w2)
            guard n2 < 8 else { return nil }
            if n2 > 0 { mantissa = mantissa &* UInt64(power(n2)) &+ digitsValue(w2, count: n2) }
            end += 1 + n2
        }
        guard n1 + n2 > 0, end <= limit, end == limit || p[end] == delimiter else { return nil }
        let v = Double(mantissa) / power(n2)
        return (.value(negative ? -v : v), end)
        #else
        return nil
        #endif
    }

    @inline(__always)
    static func field(_ p: UnsafePointer<UInt8>, limit: Int, delimiter: UInt8) -> (Parsed, Int) {
        if let quick = shortField(p, limit: limit, delimiter: delimiter) { return quick }
        if let quick = wordField(p, limit: limit, delimiter: delimiter) { return quick }
        var i = 0
        var negative = false
        if i < limit && p[i] == UInt8(ascii: "-") { negative = true; i = 1 }
        var mantissa: UInt64 = 0
        let integerStart = i
        while i < limit, p[i] &- 48 < 10 { mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48); i += 1 }
        var digitCount = i - integerStart
        var exponent = 0
        if i < limit && p[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < limit, p[i] &- 48 < 10 { mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48); i += 1 }
            exponent = fractionStart - i
            digitCount -= exponent
        }
        // At most 18 digits cannot overflow 64 bits; ≤ 2⁵³ and ≤ 22 decimals keep Clinger's fast path exact.
        if digitCount > 0 && digitCount <= 18 && (i == limit || p[i] == delimiter) && exponent >= -22 && mantissa <= (1 << 53) {
            let v = Double(mantissa) / power(-exponent)
            return (.value(negative ? -v : v), i)
        }
        let rest = limit
        let len: Int
        if let hit = memchr(p, Int32(delimiter), rest) { len = UnsafeRawPointer(hit) - UnsafeRawPointer(p) } else { len = rest }
        return (parse(p, len), len)
    }

    static func isMissingToken(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        switch n {
        case 0: return true
        case 1: return p[0] == UInt8(ascii: ".")
        case 2: return (p[0] | 0x20) == UInt8(ascii: "n") && (p[1] | 0x20) == UInt8(ascii: "a")
        case 3:
            if p[1] == UInt8(ascii: "/") { return (p[0] | 0x20) == UInt8(ascii: "n") && (p[2] | 0x20) == UInt8(ascii: "a") }
            return (p[0] | 0x20) == UInt8(ascii: "n") && (p[1] | 0x20) == UInt8(ascii: "a") && (p[2] | 0x20) == UInt8(ascii: "n")
        case 4:
            return (p[0] | 0x20) == UInt8(ascii: "n") && (p[1] | 0x20) == UInt8(ascii: "u") && (p[2] | 0x20) == UInt8(ascii: "l")
                && (p[3] | 0x20) == UInt8(ascii: "l")
        default: return false
        }
    }

    /// Parses bytes `p[0..<n]` (no delimiter inside). Surrounding spaces are ignored.
    @inline(__always)
    static func parse(_ start: UnsafePointer<UInt8>, _ count: Int) -> Parsed {
        var p = start, n = count
        while n > 0 && p[0] == 0x20 { p += 1; n -= 1 }
        while n > 0 && p[n - 1] == 0x20 { n -= 1 }
        var i = 0
        var negative = false
        if n > 0 && (p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+")) { negative = p[0] == UInt8(ascii: "-"); i = 1 }
        var mantissa: UInt64 = 0
        var digits = 0, exponent = 0
        var sawDigit = false
        while i < n, p[i] &- 48 < 10 {
            sawDigit = true
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48); if mantissa > 0 { digits += 1 } } else { exponent += 1 }
            i += 1
        }
        if i < n && p[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, p[i] &- 48 < 10 {
                sawDigit = true
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48); exponent -= 1; if mantissa > 0 { digits += 1 } }
                i += 1
            }
        }
        if !sawDigit { return isMissingToken(p, n) ? .missing : slow(p, n) }
        if i < n && (p[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var eNegative = false
            if i < n && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) { eNegative = p[i] == UInt8(ascii: "-"); i += 1 }
            var e = 0, eDigits = 0
            while i < n, p[i] &- 48 < 10 { if e < 100_000 { e = e * 10 + Int(p[i] &- 48) }; eDigits += 1; i += 1 }
            if eDigits == 0 { return .invalid }
            exponent += eNegative ? -e : e
        }
        if i != n { return slow(p, n) }
        if digits >= 19 || mantissa > (1 << 53) || exponent > 22 || exponent < -22 { return slow(p, n) }
        var v = Double(mantissa)
        v = exponent >= 0 ? v * power(exponent) : v / power(-exponent)
        return .value(negative ? -v : v)
    }

    /// `strtod` on a NUL-terminated copy; the whole field must be consumed and finite.
    static func slow(_ p: UnsafePointer<UInt8>, _ n: Int) -> Parsed {
        if isMissingToken(p, n) { return .missing }
        guard n > 0 && n < 400 else { return .invalid }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf in
            for j in 0..<n { buf[j] = CChar(bitPattern: p[j]) }
            buf[n] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(buf.baseAddress!, &end)
            guard let end, end - buf.baseAddress! == n, v.isFinite else { return .invalid }
            return .value(v)
        }
    }
}
