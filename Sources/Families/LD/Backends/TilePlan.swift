import GenoBenchCore

/// How the tiled backend walks its tile within a memory budget.
///
/// Without a budget the whole tile is packed at once (the ranges R_i and R_j of spec ld.md
/// §6.4). With one, each range is cut into chunks of `chunkBlocks` blocks and the tile is
/// computed chunk pair by chunk pair, holding the bit planes of two chunks at a time (one when
/// both are the same chunk of a diagonal tile). Every block pair is still computed by the same
/// kernel on the same bits, so rows are identical to the unbudgeted run, bit for bit; only the
/// number of times a block is packed grows (a chunk of the B range is re-packed once per
/// chunk of the A range).
///
/// Working-set model, per variant held: three bit planes of ⌈N/64⌉ words plus 49 bytes of
/// per-variant totals, and while a chunk is packed its raw `.bed` records twice (the read
/// buffer and its copy); per worker thread one 4 x block-size word run. Rows written are the
/// output and are not part of the budget (with `--r2-min 0` they are V(V−1)/2 rows).
struct TilePlan: Sendable, Equatable {
    /// Blocks per chunk (the whole range when unbudgeted or when the range fits).
    var chunkBlocks: Int
    /// Chunks of the A range and of the B range.
    var chunksA: Int
    var chunksB: Int
    /// The model's bytes for the largest chunk pair (what the plan keeps under the budget).
    var workingSetBytes: Int
    /// The smallest budget that can work: one block from each range.
    var minimumBytes: Int

    /// Bytes of bit planes and totals per variant, for `samples` samples.
    static func planeBytesPerVariant(samples: Int) -> Int { 24 * ((samples + 63) / 64) + 49 }

    /// Bytes of the transient raw records while packing one variant.
    static func recordBytesPerVariant(samples: Int) -> Int { 2 * ((samples + 3) / 4) }

    /// Fixed overhead: thread stacks touched, Dispatch, allocator slack.
    static let overheadBytes = 1 << 20

    static func model(samples: Int, blockSize: Int, threads: Int, blocksHeld: Int, blocksPacking: Int) -> Int {
        let perBlock = blockSize * planeBytesPerVariant(samples: samples)
        let packing = blockSize * recordBytesPerVariant(samples: samples)
        let scratch = max(1, threads) * (32 * blockSize + 4096)
        return blocksHeld * perBlock + blocksPacking * packing + scratch + overheadBytes
    }

    /// Plans `problem`'s tile for `budget` bytes (nil: no budget, the whole tile at once).
    /// Throws `LDError.invalidOption` naming the minimum when even one block per range does not fit.
    init(problem: LDProblem, threads: Int, budget: Int?) throws {
        let tile = problem.tile
        let blocksA = tile.blocksA.count, blocksB = tile.blocksB.count
        let n = problem.sampleCount, bs = min(problem.options.blockSize, max(1, problem.variantCount))
        let widest = max(blocksA, blocksB)
        func cost(_ c: Int) -> Int {
            // A chunk of A and a chunk of B held (one when the diagonal tile fits in one chunk),
            // the B chunk packed while A is held.
            let single = tile.isDiagonal && c >= blocksA
            let held = single ? min(c, blocksA) : min(c, blocksA) + min(c, blocksB)
            return Self.model(samples: n, blockSize: bs, threads: threads, blocksHeld: held, blocksPacking: min(c, widest))
        }
        minimumBytes = tile.isDiagonal && blocksA == 1 ? cost(1) : Self.model(samples: n, blockSize: bs, threads: threads, blocksHeld: 2, blocksPacking: 1)
        var c = widest
        if let budget {
            guard budget >= minimumBytes else {
                throw LDError.invalidOption("--memory-budget \(ByteSize.format(budget)) is below the \(ByteSize.format(minimumBytes)) the tiled backend needs (the bit planes of two blocks of \(bs) variants x \(n) samples, plus per-thread scratch); raise it, or lower --block-size")
            }
            while c > 1 && cost(c) > budget {
                c = c > 8 ? c * 3 / 4 : c - 1
            }
        }
        chunkBlocks = max(1, c)
        chunksA = (blocksA + chunkBlocks - 1) / chunkBlocks
        chunksB = (blocksB + chunkBlocks - 1) / chunkBlocks
        workingSetBytes = cost(chunkBlocks)
    }

    /// Block ranges of chunk `k` of `blocks`.
    func chunk(_ k: Int, of blocks: Range<Int>) -> Range<Int> {
        let lo = blocks.lowerBound + k * chunkBlocks
        return lo..<min(blocks.upperBound, lo + chunkBlocks)
    }

    /// (A chunk, B chunk) pairs to compute, row-major; a diagonal tile only the upper triangle.
    func chunkPairs(diagonal: Bool) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        for i in 0..<chunksA { for j in (diagonal ? i : 0)..<chunksB { out.append((i, j)) } }
        return out
    }
}
