import GenoBenchCore

/// Pseudobulk DiD (spec did.md §3–4) in precision `T`: the cells are passed once into
/// participant × visit [× cell type] sums (`GroupSums`, accumulated in Double: the input stage,
/// identical for both precisions), then each feature's weighted regression on the group values
/// (weights = non-missing cell counts) runs in `T` by within-participant demeaning, features
/// spread over the context's threads.
public struct PseudobulkDiD<T: Scalar>: Backend {
    public typealias FamilyType = DiDFamily
    public init() {}
    public var id: String { "pseudobulk-\(T.precisionSuffix)" }
    public var version: String { "1" }
    public var precision: Precision { T.precision }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func solve(_ problem: DiDProblem, context: RunContext) throws -> Solved<DiDSolution> {
        guard problem.options.aggregate != .cell else {
            throw DiDError.invalidOption("--aggregate cell needs a cell backend (cell-f32, cell-f64), not \(id)")
        }
        var sums = GroupSums(featureCount: problem.layout.features.count, covariateCount: problem.layout.covariates.count,
                             byCelltype: problem.options.aggregate == .participantVisitCelltype,
                             countPositive: problem.options.function == .pctPos)
        try context.checkCancellation("\(id) aggregation")
        sums.add(problem.cells, context: context)
        try context.checkCancellation("\(id) aggregation")
        let table = PseudobulkTable(sums, layout: problem.layout, function: problem.options.function)
        var solved = try Self.fit(table, features: problem.layout.features, options: problem.options, context: context)
        solved.diagnostics.set("groups", sums.groupCount)
        solved.diagnostics.set("sum_bytes", sums.bytes)
        return solved
    }

    /// Fits every feature of a pseudobulk table (the CLI calls this after streaming a file).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func fit(_ table: PseudobulkTable, features: [String], options: DiDOptions, context: RunContext) throws -> Solved<DiDSolution> {
        let rows = DesignRows<T>(unit: table.unit, visit: table.visit.map { T($0) }, treated: table.treated.map { $0 ? 1 : 0 },
                                 covariates: table.covariate.map { $0.map { T($0) } })
        let fits = try context.cancellableMap(features.count, location: "pseudobulk features") { f in
            WithinEstimator.fit(y: table.value[f].map { T($0) }, weights: table.weight[f].map { T($0) }, rows: rows, options: options)
        }
        var d = Diagnostics()
        d.set("rows", table.rowCount)
        d.set("units", table.treated.count)
        d.set("unpaired_participants", table.unpairedParticipants)
        d.set("threads", context.threads)
        let solution = DiDSolution(mode: .pseudobulk, features: features, fits: fits,
                                   unpairedParticipants: table.unpairedParticipants, designRows: table.rowCount)
        return Solved(solution, diagnostics: d)
    }
}
