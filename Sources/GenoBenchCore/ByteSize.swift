import Foundation

/// Memory sizes as users write them: `536870912`, `512K`, `512M`, `2G`, `1.5G`, `1T` (binary
/// units: K = 1024 bytes, M = 1024², G = 1024³, T = 1024⁴; an optional trailing `B` or `iB`,
/// any case: `512MiB`, `2gb`). Used by `--memory-budget`.
public enum ByteSize {
    /// The size in bytes, or nil if `text` is not a positive size in that form.
    public static func parse(_ text: String) -> Int? {
        var s = text.trimmingCharacters(in: .whitespaces).uppercased()
        if s.hasSuffix("IB") { s.removeLast(2) } else if s.hasSuffix("B") { s.removeLast() }
        var scale = 1.0
        if let last = s.last, let power = ["K": 1, "M": 2, "G": 3, "T": 4][String(last)] {
            scale = Foundation.pow(1024, Double(power))
            s.removeLast()
        }
        guard !s.isEmpty, s.allSatisfy({ $0.isNumber || $0 == "." }), let value = Double(s), value > 0 else { return nil }
        let bytes = value * scale
        guard bytes >= 1, bytes < 9e18 else { return nil }
        return Int(bytes.rounded(.down))
    }

    /// `bytes` in the largest binary unit that keeps at least 1 (`"512.0 MiB"`, `"2.00 GiB"`).
    public static func format(_ bytes: Int) -> String {
        let b = Double(bytes)
        let kib = 1024.0, mib = kib * kib, gib = mib * kib
        if b >= gib { return String(format: "%.2f GiB", b / gib) }
        if b >= mib { return String(format: "%.1f MiB", b / mib) }
        if b >= kib { return String(format: "%.1f KiB", b / kib) }
        return "\(bytes) bytes"
    }
}
