import GenoBenchCore

/// The per-SNP inputs of the regression (spec §4.1), already filtered (χ² < χ²_max) and
/// intersected, in the SNP order of the LD weight matrix.
public struct RegressionSNPs: Sendable, Equatable {
    public var ids: [String]
    /// χ²_j = Z_j².
    public var chiSquared: [Double]
    /// GWAS sample size N_j.
    public var sampleSizes: [Double]
    /// u_j, the regression-weight LD score ("w_ld").
    public var weightLDScores: [Double]
    /// Baseline LD score columns ℓ_jk (each of length M): `base`, `all_gene`, then extras.
    public var baseline: [[Double]]
    public var baselineNames: [String]

    public init(ids: [String], chiSquared: [Double], sampleSizes: [Double], weightLDScores: [Double], baseline: [[Double]], baselineNames: [String]) {
        self.ids = ids
        self.chiSquared = chiSquared
        self.sampleSizes = sampleSizes
        self.weightLDScores = weightLDScores
        self.baseline = baseline
        self.baselineNames = baselineNames
    }

    public var count: Int { chiSquared.count }

    /// Checks lengths and finiteness (a programming error elsewhere, a data error here).
    public func validate() throws {
        let m = count
        guard ids.count == m, sampleSizes.count == m, weightLDScores.count == m, baseline.allSatisfy({ $0.count == m }),
              baselineNames.count == baseline.count else {
            throw LDSCError.invalidInput("regression SNP arrays have different lengths")
        }
        guard m > 0 else { throw LDSCError.invalidInput("no SNP is left for the regression") }
        if let j = sampleSizes.firstIndex(where: { !($0 > 0) || !$0.isFinite }) {
            throw LDSCError.invalidInput("SNP \(ids[j]): sample size N = \(sampleSizes[j]), expected a positive number")
        }
    }
}

/// Spatial annotation: the SNP–gene weight matrix W and the gene specificity scores, from which
/// ℓ_j(s) = Σ_g W_jg · GSS_gs (spec §3) is formed one batch of spots at a time.
public struct SpatialAnnotation: Sendable, Equatable {
    public var weights: SparseSNPGeneMatrix
    public var geneNames: [String]
    /// GSS, spot-major: spot s's gene values are `gss[s * genes ..< (s + 1) * genes]`.
    public var gss: [Double]
    public var spotNames: [String]

    public init(weights: SparseSNPGeneMatrix, geneNames: [String], gss: [Double], spotNames: [String]) {
        precondition(weights.columnCount == geneNames.count && gss.count == spotNames.count * geneNames.count)
        self.weights = weights
        self.geneNames = geneNames
        self.gss = gss
        self.spotNames = spotNames
    }

    public var geneCount: Int { geneNames.count }
    public var spotCount: Int { spotNames.count }

    /// The spatial LD score ℓ(s) of one spot over all rows of W (Double; for the reference and tests).
    public func spatialLDScore(spot s: Int) -> [Double] {
        gss.withUnsafeBufferPointer { p in
            weights.times(UnsafeBufferPointer(rebasing: p[(s * geneCount)..<((s + 1) * geneCount)]))
        }
    }
}

/// One spatial LDSC analysis: SNP data, spatial annotation and settings, plus (for simulated
/// problems) the generating per-spot coefficients.
public struct LDSCProblem: Sendable {
    public var snps: RegressionSNPs
    public var annotation: SpatialAnnotation
    public var options: LDSCOptions
    /// Generating coefficient per spot (NaN where none is defined), simulated problems only.
    public var truth: [Double]?
    /// Spots (absolute indices) the GSL reference computes; nil = every analysed spot.
    public var referenceSpots: [Int]?

    public init(snps: RegressionSNPs, annotation: SpatialAnnotation, options: LDSCOptions = LDSCOptions()) throws {
        try snps.validate()
        guard annotation.weights.rowCount == snps.count else {
            throw LDSCError.invalidInput("the LD weight matrix has \(annotation.weights.rowCount) SNP rows, the regression \(snps.count)")
        }
        guard annotation.spotCount > 0 else { throw LDSCError.invalidInput("the GSS has no spot") }
        try options.validate(spotCount: annotation.spotCount)
        self.snps = snps
        self.annotation = annotation
        self.options = options
        let used = options.blockDefinition == .truncate ? options.blockCount * (snps.count / options.blockCount) : snps.count
        guard used >= options.blockCount else {
            throw LDSCError.invalidInput("\(snps.count) regression SNPs are fewer than --n-blocks \(options.blockCount): every jackknife block needs a SNP")
        }
    }

    /// The analysed spots (absolute indices).
    public var spots: Range<Int> { options.spotRange ?? 0..<annotation.spotCount }
}
