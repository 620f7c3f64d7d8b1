// LD kernel benchmarks: every variant pair of one simulated problem, solved by each LD backend
// (naive byte loop vs Tomahawk-style tiled popcount kernels, Float vs Double statistics) on
// one thread. The problem is built once, outside the measured closures.
//
// package-benchmark's built-in `throughput` metric is benchmark iterations per second rounded to
// an integer (a naive solve takes ~2 s, so it would read 1 or 0), and `scalingFactor` only
// takes powers of ten, so one iteration (= one full solve of 499,500 pairs) cannot be reported
// as pairs that way. Pairs per second is therefore recorded as a custom metric, `pairs/s`, from
// the solution's own `pairsCompared` and the solve's elapsed time; `benchmark.measurement`
// only accepts `.custom` metrics.

import Benchmark
import GenoBenchCore
import GenoBenchData
import GenoBenchLD

/// Problem shape: 1000 samples × 1000 variants, no window → 1000·999/2 = 499,500 pairs.
private enum Shape {
    static let samples = 1_000
    static let variants = 1_000
    static let seed: UInt64 = 1
    static let options = LDOptions(r2Min: 0.2, windowKb: nil, blockSize: 250, subproblems: 1, part: 1)
}

private let pairsPerSecond = BenchmarkMetric.custom("pairs/s", polarity: .prefersLarger, useScalingFactor: false)

/// Built lazily on first use (Swift globals are lazy and thread-safe); first touched by a
/// benchmark's `setup`, which runs before its warmup and measured iterations.
private let problem: LDProblem = {
    do {
        let fileset = try GenotypeSimulator(samples: Shape.samples, variants: Shape.variants, seed: Shape.seed).simulate()
        return try LDProblem(fileset: fileset, options: Shape.options)
    } catch {
        fatalError("could not build the LD benchmark problem: \(error)")
    }
}()

private func register(_ name: String, solve: @escaping @Sendable (LDProblem, RunContext) throws -> Solved<LDSolution>) {
    let context = RunContext(threads: 1)
    Benchmark(
        name,
        configuration: .init(
            metrics: [.wallClock, pairsPerSecond, .peakMemoryResident, .mallocCountTotal],
            timeUnits: .milliseconds,
            units: [pairsPerSecond: .kilo],  // one unit for all four rows: naive is ~0.3 M/s
            warmupIterations: 1,
            maxDuration: .seconds(8),
            maxIterations: 40,
            // Generous: `benchmark baseline check` / `thresholds check` flag only a >25% p50 regression.
            thresholds: [
                .wallClock: .init(relative: BenchmarkThresholds.Relative.relaxed),
                pairsPerSecond: .init(relative: BenchmarkThresholds.Relative.relaxed),
            ]
        )
    ) { benchmark, problem in
        let clock = ContinuousClock()
        for _ in benchmark.scaledIterations {
            let start = clock.now
            let solved = try solve(problem, context)
            let elapsed = start.duration(to: clock.now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            if seconds > 0 {
                benchmark.measurement(pairsPerSecond, Int((Double(solved.solution.pairsCompared) / seconds).rounded()))
            }
            blackHole(solved.solution.rows.count)
        }
    } setup: {
        problem  // built (once per process) before warmup and measurement start
    }
}

let benchmarks: @Sendable () -> Void = {
    register("LD naive Float") { try NaiveLD<Float>().solve($0, context: $1) }
    register("LD naive Double") { try NaiveLD<Double>().solve($0, context: $1) }
    register("LD tiled Float") { try TiledLD<Float>().solve($0, context: $1) }
    register("LD tiled Double") { try TiledLD<Double>().solve($0, context: $1) }
}
