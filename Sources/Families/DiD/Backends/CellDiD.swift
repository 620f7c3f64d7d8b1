import GenoBenchCore

/// Cell-level DiD (spec did.md §3 `aggregate="cell"`, §4) in precision `T`: OLS on every cell
/// of the paired participants with participant fixed effects by within-participant demeaning,
/// cluster-robust SEs by participant; O(cells · features), never an N x G design. Covariates
/// are per-cell values. Features spread over the context's threads.
public struct CellDiD<T: Scalar>: Backend {
    public typealias FamilyType = DiDFamily
    public init() {}
    public var id: String { "cell-\(T.precisionSuffix)" }
    public var version: String { "1" }
    public var precision: Precision { T.precision }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func solve(_ problem: DiDProblem, context: RunContext) throws -> Solved<DiDSolution> {
        let cells = problem.cells
        let (paired, unpaired) = cells.pairedParticipants()
        var compact = [Int32](repeating: -1, count: paired.count)
        var treated: [T] = []
        for (i, ok) in paired.enumerated() where ok {
            compact[i] = Int32(treated.count)
            treated.append(cells.layout.treated[i] ? 1 : 0)
        }
        let kept = (0..<cells.cellCount).filter { compact[Int(cells.participant[$0])] >= 0 }
        let rows = DesignRows<T>(unit: kept.map { compact[Int(cells.participant[$0])] }, visit: kept.map { T(cells.visit[$0]) },
                                 treated: treated, covariates: cells.covariates.map { c in kept.map { T(c[$0]) } })
        let options = problem.options
        let fits = try context.cancellableMap(cells.values.count, location: "\(id) features") { f in
            let column = cells.values[f]
            return WithinEstimator.fit(y: kept.map { T(column[$0]) }, weights: nil, rows: rows, options: options)
        }
        var d = Diagnostics()
        d.set("rows", kept.count)
        d.set("units", treated.count)
        d.set("unpaired_participants", unpaired)
        d.set("threads", context.threads)
        return Solved(DiDSolution(mode: .cell, features: cells.layout.features, fits: fits, unpairedParticipants: unpaired,
                                  designRows: kept.count), diagnostics: d)
    }
}
