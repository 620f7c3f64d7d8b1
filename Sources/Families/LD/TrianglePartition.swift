/// Tomahawk-style triangular tiling of the variant-pair triangle (spec ld.md §6).
///
/// Variants are split into `blockCount` consecutive blocks; block ranges form an f x f grid
/// and the c = f(f + 1)/2 grid cells on or above the diagonal are the subproblems, numbered
/// row-major over the upper triangle (k = 0 is (0, 0), then (0, 1) … (0, f − 1), (1, 1) …).
/// Range i is [i·chunk, (i + 1)·chunk) with chunk = ⌊blockCount / f⌋, except that the last range
/// runs to `blockCount`, so every block, and therefore every pair, belongs to exactly one tile.
/// (Tomahawk starts its last range at blockCount − chunk and drops the blocks in between when
/// blockCount is not a multiple of f, §6.2.)
public struct TrianglePartition: Sendable, Equatable {
    public let blockCount: Int
    public let subproblems: Int
    /// f, the grid side.
    public let side: Int

    /// One subproblem: a pair of block ranges (equal for a diagonal tile).
    public struct Tile: Sendable, Equatable {
        public let index: Int
        public let row: Int
        public let column: Int
        public let blocksA: Range<Int>
        public let blocksB: Range<Int>
        public var isDiagonal: Bool { row == column }
    }

    /// The grid side f with f(f + 1)/2 == c, or nil when c is not triangular.
    public static func side(forSubproblems c: Int) -> Int? {
        guard c >= 1 else { return nil }
        var f = Int(((8.0 * Double(c) + 1).squareRoot() - 1) / 2)
        while f * (f + 1) / 2 < c { f += 1 }
        while f > 0 && f * (f + 1) / 2 > c { f -= 1 }
        return f * (f + 1) / 2 == c ? f : nil
    }

    public init(blockCount: Int, subproblems: Int) throws {
        guard let f = Self.side(forSubproblems: subproblems) else {
            var lower = 1, f = 1
            while (f + 1) * (f + 2) / 2 < subproblems { f += 1 }
            lower = f * (f + 1) / 2
            let upper = (f + 1) * (f + 2) / 2
            throw LDError.invalidOption(
                "--subproblems \(subproblems) is not triangular: it must be f(f+1)/2 (1, 3, 6, 10, 15, 21, 28, 36, 45, …); nearest are \(lower) and \(upper)")
        }
        guard subproblems <= blockCount else {
            throw LDError.invalidOption(
                "--subproblems \(subproblems) needs at least \(subproblems) blocks, but the variants make \(blockCount) (lower --block-size or use fewer subproblems)")
        }
        self.blockCount = blockCount
        self.subproblems = subproblems
        self.side = f
    }

    /// Blocks of grid range i.
    public func range(_ i: Int) -> Range<Int> {
        let chunk = blockCount / side
        return (i * chunk)..<(i == side - 1 ? blockCount : (i + 1) * chunk)
    }

    /// The grid range that holds block b.
    public func rangeIndex(ofBlock b: Int) -> Int {
        let chunk = blockCount / side
        return Swift.min(b / chunk, side - 1)
    }

    /// S(i) = i·f − i(i − 1)/2: the index of the first tile of grid row i.
    func rowStart(_ i: Int) -> Int { i * side - i * (i - 1) / 2 }

    /// Tile k (0-based).
    public func tile(_ k: Int) -> Tile {
        precondition(k >= 0 && k < subproblems, "tile index \(k) outside 0..<\(subproblems)")
        var i = 0
        while i + 1 < side && rowStart(i + 1) <= k { i += 1 }
        let j = i + (k - rowStart(i))
        return Tile(index: k, row: i, column: j, blocksA: range(i), blocksB: range(j))
    }

    /// The tile (0-based) that holds the pair of blocks (b1, b2), b1 <= b2.
    public func tileIndex(blockA b1: Int, blockB b2: Int) -> Int {
        let i = rangeIndex(ofBlock: Swift.min(b1, b2)), j = rangeIndex(ofBlock: Swift.max(b1, b2))
        return rowStart(i) + (j - i)
    }
}
