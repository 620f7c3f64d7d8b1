import GenoBenchCore
import GenoBenchData

/// The genotypes of one variance component as read from its fileset: what the GSL reference
/// decodes on its own.
public struct ComponentInput: Sendable {
    public var name: String
    public var source: any GenotypeSource
    /// Source variant indices, ascending.
    public var variants: [Int]

    public init(name: String, source: any GenotypeSource, variants: [Int]) {
        self.name = name
        self.source = source
        self.variants = variants
    }
}

/// One REML analysis: the analysed samples' phenotype and fixed effects, the standardised
/// components, the stochastic settings, and (for simulated problems) the true values.
public struct REMLProblem: Sendable {
    public let data: REMLData
    public let inputs: [ComponentInput]
    /// Rows of the sources' sample order that are analysed (ascending).
    public let samples: [Int]
    public let components: [StandardizedComponent]
    public var stochastic: StochasticSettings
    /// The stochastic backend's optimiser: GPU_REML's compat rules and defaults (spec §3.10),
    /// 50 outer iterations, 3 line-search trials.
    public var stochasticOptimizer = AIREMLSettings.compat
    /// Simulated truth: total h² then per-component h², if known.
    public var truth: [Double]?
    /// Problems with more analysed samples skip the O(n³) GSL reference.
    public var referenceMaxSamples = 5000

    public var componentNames: [String] { components.map(\.name) }
    public var sampleCount: Int { data.sampleCount }

    /// Standardises every component over `samples` and checks that the model is estimable.
    public init(data: REMLData, inputs: [ComponentInput], samples: [Int], stochastic: StochasticSettings = StochasticSettings()) throws {
        guard !inputs.isEmpty else { throw REMLError.invalidOption("at least one genetic component is needed") }
        guard data.sampleCount == samples.count else { throw REMLError.invalidOption("phenotype has \(data.sampleCount) samples, genotypes \(samples.count)") }
        guard data.fixedCount < data.sampleCount else {
            throw REMLError.unusableDesign("\(data.fixedCount) fixed effects for \(data.sampleCount) samples: need p < n")
        }
        self.data = data
        self.inputs = inputs
        self.samples = samples
        self.stochastic = stochastic
        components = try inputs.map { try StandardizedComponent(name: $0.name, source: $0.source, variants: $0.variants, samples: samples) }
        if components.allSatisfy({ $0.effectiveCount == 0 }) {
            let m = components.map(\.snpCount).reduce(0, +)
            throw REMLError.unusableDesign("all \(m) SNPs are monomorphic or missing over the \(samples.count) analysed samples: no genetic component can be estimated")
        }
    }
}

/// A backend's answer: the estimates plus which route produced them.
public struct REMLSolution: Sendable {
    public var estimates: REMLEstimates
    /// `band` (one GRM, one orthogonal reduction to band form), `dense` (Cholesky per evaluation) or `stochastic`.
    public var method: String
    public var isStochastic: Bool { method == "stochastic" }
}

/// The GSL reference fit, or why there is none (too many samples for O(n³)).
public struct REMLReferenceFit: Sendable {
    public var estimates: REMLEstimates?
    public var skipped: String?
    /// The simulated truth (total h² first), for an informational error metric.
    public var truth: [Double]?
}
