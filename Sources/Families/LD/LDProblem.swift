import GenoBenchCore
import GenoBenchData

/// Analysis options of the LD family (named as the `genobench ld` options are).
public struct LDOptions: Sendable, Equatable {
    /// Rows are written when dosage r² ≥ `r2Min` (PLINK's `--ld-window-r2`, default 0.2);
    /// 0 writes every pair, undefined ones included.
    public var r2Min: Double = 0.2
    /// Only pairs on the same chromosome with |pos_a − pos_b| ≤ 1000·`windowKb` (inclusive);
    /// nil for every pair, across chromosomes too.
    public var windowKb: Double? = nil
    /// Variants per tiling block (Tomahawk's block of 500).
    public var blockSize: Int = 500
    /// Triangular number of subproblems c, and the 1-based part J to compute.
    public var subproblems: Int = 1
    public var part: Int = 1

    public init() {}

    public init(r2Min: Double = 0.2, windowKb: Double? = nil, blockSize: Int = 500, subproblems: Int = 1, part: Int = 1) {
        self.r2Min = r2Min
        self.windowKb = windowKb
        self.blockSize = blockSize
        self.subproblems = subproblems
        self.part = part
    }
}

/// One LD problem: genotypes, their variants, and which pairs to compute.
public struct LDProblem: Sendable {
    public let variants: [Variant]
    public let sampleCount: Int
    public let genotypes: any GenotypeSource
    public let options: LDOptions
    public let partition: TrianglePartition
    /// The subproblem this problem computes (0-based).
    public let tile: TrianglePartition.Tile

    /// The tiling of `variantCount` variants that `options` ask for, checked: `--block-size` at
    /// least 1, some variants, `--subproblems` triangular and within the block count, `--part`
    /// in 1...`--subproblems`. Needs only the count, so a suite can be checked before any data
    /// are simulated (`LDFamily.checkParameters`).
    public static func tiling(variantCount n: Int, options: LDOptions) throws -> TrianglePartition {
        guard options.blockSize >= 1 else { throw LDError.invalidOption("--block-size must be at least 1, got \(options.blockSize)") }
        guard n > 0 else { throw LDError.invalidInput("the fileset has no variants") }
        let blocks = n / options.blockSize + (n % options.blockSize == 0 ? 0 : 1)  // no overflow for a huge --block-size
        let partition = try TrianglePartition(blockCount: blocks, subproblems: options.subproblems)
        guard (1...options.subproblems).contains(options.part) else {
            throw LDError.invalidOption("--part \(options.part) is outside 1...\(options.subproblems) (the number of --subproblems)")
        }
        return partition
    }

    /// Validates options against the data before any work starts.
    public init(fileset: PlinkFileset, options: LDOptions) throws {
        guard options.r2Min.isFinite, options.r2Min >= 0, options.r2Min <= 1 else {
            throw LDError.invalidOption("--r2-min must be in [0, 1], got \(options.r2Min)")
        }
        if let w = options.windowKb, !(w.isFinite && w >= 0) {
            throw LDError.invalidOption("--window-kb must be a finite non-negative number (leave it out for no window), got \(w)")
        }
        let partition = try Self.tiling(variantCount: fileset.variants.count, options: options)
        self.variants = fileset.variants
        self.sampleCount = fileset.samples.count
        self.genotypes = fileset.genotypes
        self.options = options
        self.partition = partition
        self.tile = partition.tile(options.part - 1)
    }

    public var variantCount: Int { variants.count }

    /// Variants of block b.
    public func variantRange(ofBlock b: Int) -> Range<Int> {
        (b * options.blockSize)..<Swift.min(variants.count, (b + 1) * options.blockSize)
    }

    /// Variants of a range of blocks.
    public func variantRange(ofBlocks blocks: Range<Int>) -> Range<Int> {
        (blocks.lowerBound * options.blockSize)..<Swift.min(variants.count, blocks.upperBound * options.blockSize)
    }

    public func block(ofVariant v: Int) -> Int { v / options.blockSize }

    /// Whether the window (if any) admits the pair.
    @inlinable
    public func inWindow(_ a: Int, _ b: Int) -> Bool {
        guard let w = options.windowKb else { return true }
        let va = variants[a], vb = variants[b]
        return va.chromosome == vb.chromosome && Double(abs(va.position - vb.position)) <= w * 1000
    }

    /// Whether the pair (a < b) belongs to this problem's tile and window.
    public func selects(_ a: Int, _ b: Int) -> Bool {
        partition.tileIndex(blockA: block(ofVariant: a), blockB: block(ofVariant: b)) == tile.index && inWindow(a, b)
    }

    /// Whether a pair with this table is written (the `--r2-min` rule, decided from exact counts).
    @inlinable
    public func emits(_ table: GenotypeTable) -> Bool { emits(r2ForFilter: table.moments.r2ForFilter) }

    /// The `--r2-min` rule on an r² from `GenotypeTable.Moments.r2ForFilter`: 0 writes every
    /// pair (undefined ones too), otherwise r² ≥ r2Min (NaN never passes).
    @inlinable
    public func emits(r2ForFilter r2: Double) -> Bool { options.r2Min <= 0 || r2 >= options.r2Min }

    /// The pairs of the tile, as (a, b) ranges of block pairs, in canonical order.
    public var blockPairs: [(Int, Int)] {
        var out: [(Int, Int)] = []
        for b1 in tile.blocksA {
            for b2 in tile.blocksB where !tile.isDiagonal || b2 >= b1 { out.append((b1, b2)) }
        }
        return out
    }
}

/// One written pair: indices (a < b, .bim order), the exact genotype table and the statistics
/// computed in the backend's precision (held as Double; exact for Float values).
public struct LDRow: Sendable, Equatable {
    public var indexA: Int32
    public var indexB: Int32
    public var table: GenotypeTable
    public var sampleCount: Int32
    public var r: Double
    public var r2: Double
    public var d: Double
    public var dPrime: Double
    public var r2Haplotype: Double
    public var flags: PairFlags

    @inlinable
    public init<T: Scalar>(_ a: Int, _ b: Int, table: GenotypeTable, statistics s: PairStatistics<T>) {
        indexA = Int32(a); indexB = Int32(b)
        self.table = table
        sampleCount = Int32(s.sampleCount)
        r = Double(s.r); r2 = Double(s.r2); d = Double(s.d); dPrime = Double(s.dPrime)
        r2Haplotype = Double(s.r2Haplotype); flags = s.flags
    }

    public init(indexA: Int, indexB: Int, table: GenotypeTable, sampleCount: Int, r: Double, r2: Double,
                d: Double, dPrime: Double, r2Haplotype: Double, flags: PairFlags) {
        self.indexA = Int32(indexA); self.indexB = Int32(indexB); self.table = table
        self.sampleCount = Int32(sampleCount); self.r = r; self.r2 = r2; self.d = d; self.dPrime = dPrime
        self.r2Haplotype = r2Haplotype; self.flags = flags
    }

    public static func == (x: LDRow, y: LDRow) -> Bool {
        func same(_ a: Double, _ b: Double) -> Bool { a == b || (a.isNaN && b.isNaN) }
        return x.indexA == y.indexA && x.indexB == y.indexB && x.table == y.table && x.sampleCount == y.sampleCount
            && same(x.r, y.r) && same(x.r2, y.r2) && same(x.d, y.d) && same(x.dPrime, y.dPrime)
            && same(x.r2Haplotype, y.r2Haplotype) && x.flags == y.flags
    }
}

/// A backend's (or the reference's) answer: rows sorted by (a, b).
public struct LDSolution: Sendable {
    public var precision: Precision
    public var rows: [LDRow]
    /// Pairs examined (in the tile and window), written or not.
    public var pairsCompared: Int

    public init(precision: Precision, rows: [LDRow], pairsCompared: Int) {
        self.precision = precision
        self.rows = rows
        self.pairsCompared = pairsCompared
    }
}
