import GenoBenchCore

/// The P permutations of a PEG problem, drawn once and stored with it, so that every backend
/// and the GSL reference see the same draws (spec peg.md §6).
///
/// Draw p is a permutation π_p of 0..<k stored as `indices[p * k + i] = π_p(i)`: under draw p
/// instrument i keeps its own β, s and z but receives the perturbation row of instrument π_p(i),
/// so the permuted design is `x^π_ij = z_i · Π[π_p(i), j]`, one permutation for all focal genes.
/// Draws are independent (with replacement across draws) and the identity is not excluded.
public struct PermutationStream: Sendable, Equatable {
    /// P: number of draws.
    public let count: Int
    /// k: length of each permutation.
    public let length: Int
    /// Row-major P x k: `indices[p * length + i] = π_p(i)`.
    public let indices: [Int32]

    /// P draws by Fisher–Yates from `RandomSource(seed:)`, in order: draw p consumes k − 1
    /// bounded integers (Lemire's multiply-shift with rejection, so every draw is exactly
    /// uniform and the stream is the same on every platform). k < 2³².
    ///
    /// Cost O(P·k) time and 4·P·k bytes.
    public init(seed: UInt64, count: Int, length: Int) {
        precondition(count >= 0 && length >= 0, "permutation stream shape must be non-negative")
        var rng = RandomSource(seed: seed)
        var out = [Int32](repeating: 0, count: count * length)
        out.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for p in 0..<count {
                let perm = base + p * length
                for i in 0..<length { perm[i] = Int32(i) }
                var i = length - 1
                while i > 0 {
                    let j = Int(Self.bounded(UInt64(i + 1), &rng))
                    let v = perm[i]
                    perm[i] = perm[j]
                    perm[j] = v
                    i -= 1
                }
            }
        }
        self.count = count
        self.length = length
        self.indices = out
    }

    /// Explicit draws (tests: a hand-written or exhaustive stream). Each must be a permutation
    /// of 0..<k.
    public init(draws: [[Int]]) throws {
        let k = draws.first?.count ?? 0
        var out: [Int32] = []
        out.reserveCapacity(draws.count * k)
        for (p, d) in draws.enumerated() {
            guard d.count == k, Set(d) == Set(0..<k) else {
                throw PEGError.invalidInput("permutation draw \(p + 1) is not a permutation of 0..<\(k)")
            }
            out += d.map { Int32($0) }
        }
        count = draws.count
        length = k
        indices = out
    }

    /// All k! permutations of 0..<k in lexicographic order (k ≤ 8), for exhaustive tests.
    public static func exhaustive(length k: Int) -> PermutationStream {
        precondition((0...8).contains(k), "exhaustive streams are for k <= 8")
        var all: [[Int]] = []
        func extend(_ prefix: [Int], _ rest: [Int]) {
            if rest.isEmpty { all.append(prefix); return }
            for (n, r) in rest.enumerated() {
                var remaining = rest
                remaining.remove(at: n)
                extend(prefix + [r], remaining)
            }
        }
        extend([], Array(0..<k))
        return try! PermutationStream(draws: all)
    }

    /// π_p as a slice of `indices`.
    @inlinable
    public func draw(_ p: Int) -> ArraySlice<Int32> { indices[(p * length)..<((p + 1) * length)] }

    /// A uniform integer in 0..<bound, bound ≤ 2³², from the top 32 bits of one draw: Lemire's
    /// multiply-shift with rejection (Lemire 2019, "Fast random integer generation in an
    /// interval", 32-bit form), exactly uniform.
    static func bounded(_ bound: UInt64, _ rng: inout RandomSource) -> UInt64 {
        precondition(bound >= 1 && bound <= 1 << 32, "bound outside 1...2^32")
        var m = (rng.next() >> 32) &* bound
        if m & 0xFFFF_FFFF < bound {
            let threshold = ((1 << 32) - bound) % bound
            while m & 0xFFFF_FFFF < threshold { m = (rng.next() >> 32) &* bound }
        }
        return m >> 32
    }
}
