/// The names behind a coded trial: participants (first-seen order) with their arm, the two
/// visit labels, cell types, features and covariates.
public struct TrialLayout: Sendable, Equatable {
    public var participants: [String] = []
    /// arm_bin per participant (true = treated).
    public var treated: [Bool] = []
    /// Baseline then follow-up (`--visits V1,V2`).
    public var visits: [String]
    /// Cell-type labels in first-seen order; empty when no cell-type column is used.
    public var celltypes: [String] = []
    public var features: [String]
    public var covariates: [String]

    public init(visits: [String], features: [String], covariates: [String] = []) {
        self.visits = visits
        self.features = features
        self.covariates = covariates
    }
}

/// A run of coded cells in input order: the unit in which cells are streamed.
///
/// Feature and covariate values are row-major (`values[row * featureCount + f]`); NaN is missing.
public struct CellBlock: Sendable {
    public var participant: [Int32] = []
    /// 0 = baseline, 1 = follow-up.
    public var visit: [UInt8] = []
    /// Index into `TrialLayout.celltypes`, 0 when no cell-type column is used.
    public var celltype: [Int32] = []
    public var values: [Double] = []
    public var covariates: [Double] = []
    public let featureCount: Int
    public let covariateCount: Int

    public var count: Int { participant.count }

    public init(featureCount: Int, covariateCount: Int) {
        self.featureCount = featureCount
        self.covariateCount = covariateCount
    }

    public mutating func removeAll() {
        participant.removeAll(keepingCapacity: true)
        visit.removeAll(keepingCapacity: true)
        celltype.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        covariates.removeAll(keepingCapacity: true)
    }
}

/// Every analysed cell in memory (what the cell backends regress on): per-cell codes plus one
/// array per feature and per covariate, in input order.
public struct CellTable: Sendable {
    public var layout: TrialLayout
    public var participant: [Int32] = []
    public var visit: [UInt8] = []
    public var celltype: [Int32] = []
    /// `values[f][cell]`.
    public var values: [[Double]]
    /// `covariates[j][cell]`.
    public var covariates: [[Double]]

    public var cellCount: Int { participant.count }

    public init(layout: TrialLayout) {
        self.layout = layout
        values = layout.features.map { _ in [] }
        covariates = layout.covariates.map { _ in [] }
    }

    /// Appends a block's cells (its layout must be this table's).
    public mutating func append(_ block: CellBlock) {
        participant += block.participant
        visit += block.visit
        celltype += block.celltype
        Self.appendColumns(&values, block.values, rows: block.count)
        Self.appendColumns(&covariates, block.covariates, rows: block.count)
    }

    /// Appends the columns of a row-major rows × columns.count matrix to `columns`.
    private static func appendColumns(_ columns: inout [[Double]], _ rowMajor: [Double], rows n: Int) {
        let width = columns.count
        guard width > 0 && n > 0 else { return }
        rowMajor.withUnsafeBufferPointer { src in
            for j in 0..<width {
                let old = columns[j].count
                columns[j].append(contentsOf: repeatElement(0, count: n))
                columns[j].withUnsafeMutableBufferPointer { dst in
                    for r in 0..<n { dst[old + r] = src[r * width + j] }
                }
            }
        }
    }

    /// Cells `range` as one block (for feeding the streaming aggregator from memory).
    public func block(_ range: Range<Int>) -> CellBlock {
        var b = CellBlock(featureCount: values.count, covariateCount: covariates.count)
        b.participant = Array(participant[range])
        b.visit = Array(visit[range])
        b.celltype = Array(celltype[range])
        b.values.reserveCapacity(range.count * values.count)
        b.covariates.reserveCapacity(range.count * covariates.count)
        for r in range {
            for j in values.indices { b.values.append(values[j][r]) }
            for j in covariates.indices { b.covariates.append(covariates[j][r]) }
        }
        return b
    }

    /// Participants with at least one cell at each visit (spec §2 step 6), and how many lack one.
    public func pairedParticipants() -> (paired: [Bool], unpaired: Int) {
        var seen = [UInt8](repeating: 0, count: layout.participants.count)
        for c in 0..<cellCount { seen[Int(participant[c])] |= visit[c] == 0 ? 1 : 2 }
        let paired = seen.map { $0 == 3 }
        return (paired, seen.filter { $0 != 0 && $0 != 3 }.count)
    }
}
