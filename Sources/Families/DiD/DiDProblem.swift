import GenoBenchCore

/// One DiD analysis: the analysed cells in memory, the model options, and (for simulated
/// problems) the planted interaction effect of each feature in raw units.
public struct DiDProblem: Sendable {
    public var cells: CellTable
    public var options: DiDOptions
    /// Planted β_DiD per feature (raw units), if known.
    public var truth: [Double]?
    /// The GSL reference of the cell model builds an N x (G + 2) dummy design per feature; above
    /// this many cells it is skipped (the pseudobulk reference is always computed).
    public var referenceMaxCells = 5000

    public var layout: TrialLayout { cells.layout }

    public init(cells: CellTable, options: DiDOptions, truth: [Double]? = nil) {
        self.cells = cells
        self.options = options
        self.truth = truth
    }
}

/// Which estimator produced a solution.
public enum DiDMode: String, Sendable, Codable {
    case cell, pseudobulk
}

/// A backend's answer: one fit per feature in input order, BH FDR over them, and counts.
public struct DiDSolution: Sendable {
    public var mode: DiDMode
    public var features: [String]
    public var fits: [FeatureFit]
    /// Benjamini–Hochberg over the features with a finite p_DiD.
    public var fdr: [Double]
    /// Participants dropped for lacking one of the two visits.
    public var unpairedParticipants: Int
    /// Rows of the shared design (cells, or pseudobulk groups) before per-feature drops.
    public var designRows: Int

    public init(mode: DiDMode, features: [String], fits: [FeatureFit], unpairedParticipants: Int, designRows: Int) {
        self.mode = mode
        self.features = features
        self.fits = fits
        self.fdr = FalseDiscoveryRate.benjaminiHochberg(fits.map(\.pDiD))
        self.unpairedParticipants = unpairedParticipants
        self.designRows = designRows
    }

    /// How many features ended with each status, in `DiDStatus` order (zero counts left out).
    public var statusCounts: [(DiDStatus, Int)] {
        DiDStatus.allCases.compactMap { s in
            let n = fits.filter { $0.status == s }.count
            return n > 0 ? (s, n) : nil
        }
    }
}
