import GenoBenchCore
import GenoBenchData

/// Seeded REML data: block-LD genotypes (`GenotypeSimulator`), `components` contiguous SNP
/// blocks each explaining h²/components of the phenotype variance, two quantitative
/// covariates with fixed effects, and Gaussian noise:
///
///     y = 10 + 0.3·c1 − 0.2·c2 + Σ_g Z_g β_g + e
///
/// where Z_g holds the standardised genotypes of spec reml.md §2.1, β_g ~ N(0, 1) is rescaled so
/// the genetic values of component g have sample variance h²_g, and e has sample variance
/// 1 − h². So the simulated h² is exact in the sample, not only in expectation.
public struct REMLSimulator: Sendable {
    public var samples: Int
    public var variants: Int
    public var h2: Double
    public var components = 1
    public var missingRate = 0.0
    public var ldRho = 0.5
    public var seed: UInt64

    public init(samples: Int, variants: Int, h2: Double, seed: UInt64) {
        self.samples = samples
        self.variants = variants
        self.h2 = h2
        self.seed = seed
    }

    public struct Output: Sendable {
        public var fileset: PlinkFileset
        public var phenotype: [Double]
        /// Covariates per sample: [c1, c2].
        public var covariates: [[Double]]
        /// Total h² then per-component h².
        public var truth: [Double]
        public var blocks: [ComponentSpec]
    }

    public func validate() throws {
        func fail(_ m: String) -> REMLError { .invalidOption(m) }
        guard samples >= 10 else { throw fail("--samples must be at least 10, got \(samples)") }
        guard (0..<1).contains(h2) else { throw fail("--h2 must be in [0, 1), got \(h2)") }
        guard components >= 1, components <= variants else { throw fail("--components must be in 1...\(variants), got \(components)") }
    }

    public func simulate() throws -> Output {
        try validate()
        var g = GenotypeSimulator(samples: samples, variants: variants, seed: seed)
        g.ldRho = ldRho
        g.missingRate = missingRate
        let fileset = try g.simulate()
        let base = variants / components
        let sizes = (0..<components).map { $0 == components - 1 ? variants - base * (components - 1) : base }
        let blocks = try ComponentSpec.contiguousBlocks(sizes, variantCount: variants)
        var rng = RandomSource.derived(seed: seed, stream: 0x5EED)
        let all = Array(0..<samples)
        var genetic = [[Double]]()
        for block in blocks {
            let c = try StandardizedComponent(name: block.name, source: fileset.genotypes, variants: block.variantIndices, samples: all)
            var value = [Double](repeating: 0, count: samples)
            var column = [Double](repeating: 0, count: samples)
            for j in 0..<c.snpCount {
                let beta = rng.nextNormal()
                column.withUnsafeMutableBufferPointer { c.decode(j..<(j + 1), into: $0.baseAddress!) }
                for i in 0..<samples { value[i] += beta * column[i] }
            }
            genetic.append(Self.rescaled(value, variance: h2 / Double(components)))
        }
        let noise = Self.rescaled((0..<samples).map { _ in rng.nextNormal() }, variance: 1 - h2)
        let covariates = (0..<samples).map { _ in [rng.nextNormal(), rng.nextNormal()] }
        var y = [Double](repeating: 10, count: samples)
        for i in 0..<samples {
            var total: Double = 0.3 * covariates[i][0] - 0.2 * covariates[i][1] + noise[i]
            for values in genetic { total += values[i] }
            y[i] += total
        }
        return Output(fileset: fileset, phenotype: y, covariates: covariates,
                      truth: [h2] + [Double](repeating: h2 / Double(components), count: components), blocks: blocks)
    }

    /// `x` centred and scaled to sample variance `variance` (zeros stay zeros).
    static func rescaled(_ x: [Double], variance: Double) -> [Double] {
        let n = Double(x.count)
        let mean = x.reduce(0, +) / n
        let v = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        guard v > 0 else { return x.map { _ in 0 } }
        let s = (variance / v).squareRoot()
        return x.map { ($0 - mean) * s }
    }
}
