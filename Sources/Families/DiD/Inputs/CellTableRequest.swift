import GenoBenchData

/// What to read from a cell table: the design columns, the labels, the features, the
/// covariates and the cell-type filter, as `genobench did` spells them.
public struct CellTableRequest: Sendable {
    public var path: String
    public var participantColumn: String
    public var visitColumn: String
    public var armColumn: String
    /// The arm label coded 1.
    public var treatedLabel: String
    /// The control arm's label. nil: every other label is control, and more than one other
    /// label is an error (spec §11: a third arm is rejected unless the user maps arms).
    public var controlLabel: String?
    /// Baseline then follow-up; cells at other visits are dropped and counted.
    public var visits: [String]
    /// Feature columns in output order; nil: every column that is not a design or covariate
    /// column, has a name, and holds a number on the first data line.
    public var features: [String]?
    public var covariates: [String] = []
    public var celltypeColumn: String?
    /// Keep only cells of this type (needs `celltypeColumn`).
    public var celltype: String?
    /// Code cell types (for `participant_visit_celltype`).
    public var byCelltype = false
    /// log1p-CPM and gene-set scoring applied per cell (spec §10).
    public var preprocessing = CellPreprocessing()
    /// The table's bytes, read instead of `path` (which then only names it and gives the
    /// delimiter); never gzip. For parsers fed without a file (fuzzing).
    public var contents: [UInt8]?

    public init(path: String, participantColumn: String, visitColumn: String, armColumn: String, treatedLabel: String, visits: [String]) {
        self.path = path
        self.participantColumn = participantColumn
        self.visitColumn = visitColumn
        self.armColumn = armColumn
        self.treatedLabel = treatedLabel
        self.visits = visits
    }

    /// Field delimiter from the file name (`.tsv`, `.txt`, `.tab` → tab; `.csv` → comma; a
    /// `.gz` suffix is looked through).
    public static func delimiter(for path: String) throws -> UInt8 {
        var name = path.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        if name.hasSuffix(".csv") { return UInt8(ascii: ",") }
        if name.hasSuffix(".tsv") || name.hasSuffix(".txt") || name.hasSuffix(".tab") { return UInt8(ascii: "\t") }
        throw DiDError.invalidOption("\(path): cannot tell the delimiter from the name; use .tsv, .txt or .csv (optionally .gz)")
    }
}

/// Per-cell transformations between the file's numeric columns and the analysed features.
public struct CellPreprocessing: Sendable {
    /// log1p(count / library · scale) over the gene columns, library = the cell's total over
    /// every gene column (sctrial `add_log1p_cpm_layer`); nil: values used as they are.
    public var log1pCPMScale: Double?
    /// Gene-set scores as the features (sctrial `score_gene_sets`); nil: the columns are the features.
    public var geneSets: GeneSetScorer?

    public init(log1pCPMScale: Double? = nil, geneSets: GeneSetScorer? = nil) {
        self.log1pCPMScale = log1pCPMScale
        self.geneSets = geneSets
    }

    public var isIdentity: Bool { log1pCPMScale == nil && geneSets == nil }
}

/// What reading the table did, for the run summary.
public struct CellReadSummary: Sendable {
    public var layout: TrialLayout
    /// Data lines in the file.
    public var lines = 0
    /// Cells passed to the sink.
    public var kept = 0
    public var droppedVisit = 0
    public var droppedCelltype = 0
    public var droppedArm = 0
    /// Numeric columns used as genes (log1p-CPM library, gene sets).
    public var geneColumns: [String] = []
    /// Columns left out of the default features because their first value is not a number.
    public var nonNumericColumns: [String] = []
    /// Cells whose library size is 0 (log1p-CPM leaves them at 0).
    public var zeroLibraryCells = 0
}
