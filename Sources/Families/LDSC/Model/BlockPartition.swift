/// Contiguous jackknife blocks over the regression SNPs in SNP order (spec §4.4).
public struct BlockPartition: Sendable, Equatable {
    /// B + 1 boundaries; block b is `boundaries[b] ..< boundaries[b + 1]`.
    public let boundaries: [Int]
    /// SNPs used by the fit (M, or B·⌊M/B⌋ for `truncate`).
    public var usedCount: Int { boundaries.last! }
    public var blockCount: Int { boundaries.count - 1 }

    /// `floor`: `⌊b·M/B⌋` for b = 0…B, every SNP used (gsMap 1.73's `LstsqJackknifeFast`; exact
    /// integer arithmetic, so no linspace rounding). `truncate`: M' = B·⌊M/B⌋ SNPs, blocks of
    /// M'/B. Requires M ≥ B (M' ≥ B for truncate), so no block is empty.
    public init(snpCount m: Int, blocks b: Int, definition: BlockDefinition) {
        precondition(b >= 1 && m >= b, "need at least one SNP per block")
        switch definition {
        case .floor: boundaries = (0...b).map { $0 * m / b }
        case .truncate:
            let size = m / b
            boundaries = (0...b).map { $0 * size }
        }
    }

    public func block(_ i: Int) -> Range<Int> { boundaries[i]..<boundaries[i + 1] }
}
