import GenoBenchCore

/// Genotype block width and PCG column batch of the stochastic backend, chosen from a memory
/// budget (`RunContext.memoryBudgetBytes`).
///
/// Working-set model in elements of `T` (s bytes each), n samples, p fixed effects, r probes,
/// g components, S SLQ probes, preconditioner rank k (sketch width w = min(n, k + oversampling)),
/// c = p + 1 + r right-hand sides, q the PCG column batch, b the SNP block width:
///
/// - the larger of two phases. Building the preconditioner (once, before the first evaluation):
///   X, y, probes, K_g·probes (and its temporary), [X | y | probes], the SLQ probes,
///   n·(p + 1 + r + 2g·r + c + S), plus Ω, its sketch, Q, K_g·Q and U, n·w·(3 + g) + n·k.
///   Evaluating: what the fit holds, n·(p + 1 + r + g·r + 2c + (g + 1) + S + k) (the above, the
///   warm starts and the basis U), plus n·(6·(1 + r) + 5·(p + 1)) for the projections and
///   n·(8·min(q, c) + 2c) for block PCG (iterate, residual, search direction, preconditioned
///   residual, H·direction and temporaries; full-width solution and residual when batched);
/// - one decoded genotype block n·b plus b·max(q, w) for ZᵀV.
///
/// Every array is counted live until the end of its scope (as in a debug build); optimised
/// builds free some earlier, so the measured peak is below the model (README, Resource limits).
///
/// The block shrinks first (down to 256 SNPs, where `?gemm` is still efficient), then the PCG
/// batch (each halving costs one more genotype sweep per PCG iteration), then the block down to
/// 16 SNPs. Below the model at (q = 1, b = 16) the fit cannot run: an error names that minimum.
/// The estimates do not depend on b beyond rounding; with q < c each batch of columns stops at
/// its own convergence test, so estimates agree with the unbatched fit to within the PCG
/// tolerance (same seed, same probes).
public struct StochasticMemoryPlan: Sendable, Equatable {
    /// SNPs per decoded block.
    public var blockWidth: Int
    /// Right-hand-side columns per block PCG solve.
    public var batchColumns: Int
    /// Columns [X | y | probes] (what an unbatched solve takes at once).
    public var rightHandSides: Int
    /// The model's bytes at this plan and the smallest budget that works.
    public var workingSetBytes: Int
    public var minimumBytes: Int

    static let overheadBytes = 2 << 20
    static let defaultBlockBytes = 32 << 20

    public init<T: Scalar>(_: T.Type, problem: REMLProblem, settings: StochasticSettings, threads: Int, budget: Int?) throws {
        let n = problem.sampleCount, p = problem.data.fixedCount, g = problem.components.count
        let r = settings.probes, s = MemoryLayout<T>.stride
        let snps = problem.components.map(\.effectiveCount).reduce(0, +)
        let maxSNPs = max(16, problem.components.map(\.snpCount).max() ?? 16)
        let rank = min(settings.preconditionerRank ?? min(500, n, snps), n)
        let width = rank > 0 ? min(n, rank + settings.oversampling) : 0
        let c = p + 1 + r
        rightHandSides = c
        func model(_ q: Int, _ b: Int) -> Int {
            let heldAtBuild = n * (p + 1 + r + 2 * g * r + c + settings.slqSamples)
            let build = n * width * (3 + g) + n * rank
            let held = n * (p + 1 + r + g * r + 2 * c + (g + 1) + settings.slqSamples + rank)
            let qe = min(q, c)
            let evaluate = n * (6 * (1 + r) + 5 * (p + 1)) + n * (8 * qe + (qe < c ? 2 * c : 0))
            let block = n * b + b * max(qe, width, g + 1)
            return s * (max(heldAtBuild + build, held + evaluate) + block) + Self.overheadBytes
        }
        let unbudgetedWidth = max(16, min(maxSNPs, Self.defaultBlockBytes / max(1, n * s)))
        minimumBytes = model(1, 16)
        var q = c, b = unbudgetedWidth
        if let budget {
            guard budget >= minimumBytes else {
                throw REMLError.invalidOption("--memory-budget \(ByteSize.format(budget)) is below the \(ByteSize.format(minimumBytes)) the stochastic backend needs for \(n) samples, \(r) probes and preconditioner rank \(rank) (O(n·(probes + rank)) in \(T.precision.rawValue)); raise it, or lower --probes or --precond-rank")
            }
            let floor = min(256, b)
            while b > floor && model(q, b) > budget { b = max(floor, b * 3 / 4) }
            while q > 1 && model(q, b) > budget { q = max(1, q / 2) }
            while b > 16 && model(q, b) > budget { b = max(16, b * 3 / 4) }
        }
        blockWidth = b
        batchColumns = q
        workingSetBytes = model(q, b)
    }

    /// Bytes of one decoded block for `KernelOperator` (its width is bytes / (n·s)).
    public func blockBytes<T: Scalar>(_: T.Type, samples: Int) -> Int { blockWidth * max(1, samples) * MemoryLayout<T>.stride }
}
