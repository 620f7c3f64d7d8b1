/// A 64-bit FNV-1a content hash, printed as 16 hex digits.
///
/// Used to identify problem data and suites in the store (equal inputs give equal hashes on
/// every machine); it is not a cryptographic digest.
public struct ContentHash: Sendable {
    @usableFromInline var state: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    @inlinable
    public mutating func combine<C: Collection>(bytes: C) where C.Element == UInt8 {
        for b in bytes {
            state ^= UInt64(b)
            state &*= 0x0000_0100_0000_01B3
        }
    }

    public mutating func combine(_ string: String) { combine(bytes: Array(string.utf8)); combine(bytes: [0]) }

    public mutating func combine(_ value: Int) {
        withUnsafeBytes(of: Int64(value).littleEndian) { combine(bytes: Array($0)) }
    }

    public var hex: String {
        let s = String(state, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    public static func of(_ string: String) -> String {
        var h = ContentHash()
        h.combine(string)
        return h.hex
    }
}
