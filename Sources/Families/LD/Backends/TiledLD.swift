import GenoBenchCore
import GenoBenchData
import _CGenoBenchSupport

/// The tiled LD backend: Tomahawk-style triangular tiling (spec ld.md §6) over bit-packed
/// genotypes with popcount kernels (§3).
///
/// Only the blocks of the requested subproblem are read and packed, so memory follows the
/// variants the tile loads, not the file. Block pairs of the tile are spread over threads by a
/// shared cursor; rows are put in canonical (a, b) order at the end, so output is identical for
/// any thread count. Counts are exact and equal the naive byte loop's.
public struct TiledLD<T: Scalar>: Backend {
    public typealias FamilyType = LDFamily
    public let version = "1"
    public init() {}
    public var id: String { "tiled-\(T.precisionSuffix)" }
    public var precision: Precision { T.precision }

    public func solve(_ problem: LDProblem, context: RunContext) throws -> Solved<LDSolution> {
        let tile = problem.tile
        let plan = try TilePlan(problem: problem, threads: context.threads, budget: context.memoryBudgetBytes)
        var results: [([LDRow], Int)] = []
        var planeBytes = 0, variantsLoaded = 0, blockPairCount = 0
        // Chunk pairs in row-major order; the A chunk's planes are kept while the B chunks of
        // its row are packed one at a time (the old B planes are released first).
        var planesA: BitPlanes?
        var heldA = -1
        for (i, j) in plan.chunkPairs(diagonal: tile.isDiagonal) {
            try context.checkCancellation("\(id) chunk pairs")
            let chunkA = plan.chunk(i, of: tile.blocksA), chunkB = plan.chunk(j, of: tile.blocksB)
            if heldA != i {
                planesA = nil
                planesA = try BitPlanes(source: problem.genotypes, variants: problem.variantRange(ofBlocks: chunkA))
                heldA = i
                variantsLoaded += planesA!.count
            }
            let same = tile.isDiagonal && i == j
            var planesB: BitPlanes? = same ? planesA : nil
            if !same {
                planesB = try BitPlanes(source: problem.genotypes, variants: problem.variantRange(ofBlocks: chunkB))
                variantsLoaded += planesB!.count
            }
            planeBytes = max(planeBytes, planesA!.byteCount + (same ? 0 : planesB!.byteCount))
            let pairs: [(Int, Int)] = chunkA.flatMap { b1 in chunkB.filter { !tile.isDiagonal || $0 >= b1 }.map { (b1, $0) } }
            blockPairCount += pairs.count
            let pa = planesA!, pb = planesB!
            results += try context.cancellableMap(pairs.count, location: "\(id) block pairs") { k in
                let (b1, b2) = pairs[k]
                return Self.solveBlockPair(problem, b1, b2, pa, pb)
            }
            planesB = nil
        }
        planesA = nil
        var rows = results.flatMap(\.0)
        rows.sort { ($0.indexA, $0.indexB) < ($1.indexA, $1.indexB) }
        let compared = results.reduce(0) { $0 + $1.1 }
        var diagnostics = Diagnostics()
        diagnostics.set("subproblems", problem.partition.subproblems)
        diagnostics.set("part", tile.index + 1)
        diagnostics.set("grid_side", problem.partition.side)
        diagnostics.set("tile", tile.isDiagonal ? "diagonal" : "square")
        diagnostics.set("blocks", problem.partition.blockCount)
        diagnostics.set("block_pairs", blockPairCount)
        diagnostics.set("pairs_compared", compared)
        diagnostics.set("variants_loaded", variantsLoaded)
        diagnostics.set("plane_bytes", planeBytes)
        diagnostics.set("kernel", gb_ld_kernel_uses_popcnt() != 0 ? "popcnt" : "portable")
        if let budget = context.memoryBudgetBytes {
            diagnostics.set("memory_budget_bytes", budget)
            diagnostics.set("planned_chunk_blocks", plan.chunkBlocks)
            diagnostics.set("planned_chunk_pairs", plan.chunkPairs(diagonal: tile.isDiagonal).count)
            diagnostics.set("planned_working_set_bytes", plan.workingSetBytes)
            diagnostics.set("minimum_budget_bytes", plan.minimumBytes)
        }
        return Solved(LDSolution(precision: T.precision, rows: rows, pairsCompared: compared), diagnostics: diagnostics)
    }

    /// One block pair. For a variant without missing calls the kernel counts it against the
    /// whole run of partners in one call; the `--r2-min` decision is made from the exact integer
    /// moments (the same formula as `GenotypeTable.Moments.r2ForFilter`) and the table and
    /// statistics are formed only for pairs that are written.
    static func solveBlockPair(_ problem: LDProblem, _ b1: Int, _ b2: Int, _ pa: BitPlanes, _ pb: BitPlanes) -> ([LDRow], Int) {
        var rows: [LDRow] = []
        var compared = 0
        let w = pa.words
        let n = Int64(problem.sampleCount)
        let filtering = problem.options.r2Min > 0  // else every pair is written: skip the moments
        let windowed = problem.options.windowKb != nil
        let rangeB = problem.variantRange(ofBlock: b2)
        var run = [UInt64](repeating: 0, count: 4 * rangeB.count)
        var out9: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0)
        pa.planes.withUnsafeBufferPointer { aBuf in
            pb.planes.withUnsafeBufferPointer { bBuf in
                for a in problem.variantRange(ofBlock: b1) {
                    let ia = a - pa.firstVariant
                    let ma = aBuf.baseAddress! + 3 * w * ia
                    let lowB = b1 == b2 ? a + 1 : rangeB.lowerBound
                    guard lowB < rangeB.upperBound else { continue }
                    let completeA = !pa.hasMissing[ia]
                    if completeA {
                        run.withUnsafeMutableBufferPointer { o in
                            gb_ld_cross4_run(ma + w, ma + 2 * w, bBuf.baseAddress! + 3 * w * (lowB - pb.firstVariant),
                                             rangeB.upperBound - lowB, w, o.baseAddress!)
                        }
                    }
                    for b in lowB..<rangeB.upperBound {
                        if windowed && !problem.inWindow(a, b) { continue }
                        compared += 1
                        let ib = b - pb.firstVariant
                        let table: GenotypeTable
                        if completeA && !pb.hasMissing[ib] {
                            let k = 4 * (b - lowB)
                            if filtering {
                                let sxy = Int64(run[k] + run[k + 1] + run[k + 2] + run[k + 3])
                                let cov = n * sxy - pa.sum[ia] * pb.sum[ib]
                                let r2 = GenotypeTable.Moments.r2ForFilter(covariance: cov, varianceA: pa.variance[ia], varianceB: pb.variance[ib])
                                if !problem.emits(r2ForFilter: r2) { continue }
                            }
                            table = GenotypeTable(cumulative: (
                                pa.observed[ia], pb.popL[ib], pb.popH[ib],
                                pa.popL[ia], run[k], run[k + 1],
                                pa.popH[ia], run[k + 2], run[k + 3]))
                        } else {
                            let mb = bBuf.baseAddress! + 3 * w * ib
                            withUnsafeMutableBytes(of: &out9) { o in
                                gb_ld_cross9(ma, ma + w, ma + 2 * w, mb, mb + w, mb + 2 * w, w,
                                             o.baseAddress!.assumingMemoryBound(to: UInt64.self))
                            }
                            table = GenotypeTable(cumulative: out9)
                            if !problem.emits(table) { continue }
                        }
                        rows.append(LDRow(a, b, table: table, statistics: PairStatistics<T>(table: table)))
                    }
                }
            }
        }
        return (rows, compared)
    }
}
