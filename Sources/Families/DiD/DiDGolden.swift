import Foundation
import GenoBenchCore
import GenoBenchData

/// DiD validation cases: a cell table (as `genobench did` reads it) and the GSL reference of
/// both models, one row per (model, feature) in full Double precision.
extension DiDFamily: GoldenCases {
    public var goldenFileName: String { "reference.did.tsv" }

    static let caseOptions = ["cells", "participant", "visit", "arm", "treated", "control", "visits", "features", "covariates",
                              "celltype-col", "celltype", "aggregate", "agg", "standardize", "k-counting", "p-dist"]

    /// Options as `genobench did`'s (paths relative to the case directory); `aggregate` is the
    /// pseudobulk grouping (the cell backends always fit cells).
    public func loadCase(directory: String, options o: [String: String]) throws -> DiDProblem {
        try CaseOptionError.check(o, known: Self.caseOptions, family: id)
        func list(_ key: String) -> [String]? {
            o[key].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        }
        let cells = (directory as NSString).appendingPathComponent(try CaseOptionError.required(o, "cells"))
        let visits = list("visits") ?? []
        guard visits.count == 2, visits[0] != visits[1] else { throw CaseOptionError("case option visits needs two different labels, baseline first") }
        var options = DiDOptions()
        if let a = o["aggregate"] { options.aggregate = try DiDOptions.parse(a, option: "aggregate", as: AggregateMode.self) }
        if options.aggregate == .cell { throw CaseOptionError("case option aggregate: the cell backends always fit cells; choose a pseudobulk grouping") }
        if let a = o["agg"] { options.function = try DiDOptions.parse(a, option: "agg", as: AggregateFunction.self) }
        options.standardize = try CaseOptionError.bool(o, "standardize", default: options.standardize)
        if let k = o["k-counting"] { options.kCounting = try DiDOptions.parse(k, option: "k-counting", as: FixedEffectCounting.self) }
        if let p = o["p-dist"] { options.pDistribution = try DiDOptions.parse(p, option: "p-dist", as: PValueDistribution.self) }
        var request = CellTableRequest(path: cells, participantColumn: o["participant"] ?? "participant_id", visitColumn: o["visit"] ?? "visit",
                                       armColumn: o["arm"] ?? "arm", treatedLabel: o["treated"] ?? "Treated", visits: visits)
        request.controlLabel = o["control"]
        request.features = list("features")
        request.covariates = list("covariates") ?? []
        request.celltypeColumn = o["celltype-col"] ?? "celltype"
        request.celltype = o["celltype"]
        request.byCelltype = options.aggregate == .participantVisitCelltype
        let table = try CellTableReader(request).readTable(context: RunContext(threads: 1))
        var problem = DiDProblem(cells: table, options: options)
        problem.referenceMaxCells = Int.max
        return problem
    }

    static let goldenColumns = ["model", "feature", "status", "beta_DiD", "se_DiD", "z_DiD", "p_DiD", "beta_time", "se_time", "p_time",
                                "n_units", "n_cells", "n_rows", "unpaired", "design_rows"]

    public func goldenText(_ reference: DiDReferenceFit, problem: DiDProblem) -> String {
        var lines = [Self.goldenColumns.joined(separator: "\t")]
        for solution in [reference.pseudobulk] + (reference.cell.map { [$0] } ?? []) {
            for (name, f) in zip(solution.features, solution.fits) {
                let numbers = [f.betaDiD, f.seDiD, f.zDiD, f.pDiD, f.betaTime, f.seTime, f.pTime].map { "\($0)" }
                lines.append(([solution.mode.rawValue, name, f.status.rawValue] + numbers
                              + [f.units, f.cells, f.rows, solution.unpairedParticipants, solution.designRows].map { "\($0)" })
                    .joined(separator: "\t"))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public func readGolden(_ text: String, problem: DiDProblem, file: String) throws -> DiDReferenceFit {
        let lines = text.splitLines().map(String.init).filter { !$0.isEmpty }
        guard lines.first == Self.goldenColumns.joined(separator: "\t") else {
            throw DataError(file: file, line: 1, "expected the header \(Self.goldenColumns.joined(separator: " "))")
        }
        var fits: [DiDMode: [(String, FeatureFit)]] = [:]
        var counts: [DiDMode: (Int, Int)] = [:]
        for (n, line) in lines.enumerated().dropFirst() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == Self.goldenColumns.count else {
                throw DataError(file: file, line: n + 1, "expected \(Self.goldenColumns.count) tab-separated fields, found \(f.count)")
            }
            guard let mode = DiDMode(rawValue: f[0]) else { throw DataError(file: file, line: n + 1, "model '\(f[0])' is not cell or pseudobulk") }
            guard let status = DiDStatus(rawValue: f[2]) else { throw DataError(file: file, line: n + 1, "unknown status '\(f[2])'") }
            let numbers = try f[3...9].map { s -> Double in
                guard let v = Double(s) else { throw DataError(file: file, line: n + 1, "'\(s)' is not a number") }
                return v
            }
            let ints = try f[10...14].map { s -> Int in
                guard let v = Int(s) else { throw DataError(file: file, line: n + 1, "'\(s)' is not an integer") }
                return v
            }
            var fit = FeatureFit()
            fit.status = status
            (fit.betaDiD, fit.seDiD, fit.zDiD, fit.pDiD) = (numbers[0], numbers[1], numbers[2], numbers[3])
            (fit.betaTime, fit.seTime, fit.pTime) = (numbers[4], numbers[5], numbers[6])
            (fit.units, fit.cells, fit.rows) = (ints[0], ints[1], ints[2])
            fits[mode, default: []].append((f[1], fit))
            counts[mode] = (ints[3], ints[4])
        }
        func solution(_ mode: DiDMode) throws -> DiDSolution? {
            guard let rows = fits[mode] else { return nil }
            guard rows.map(\.0) == problem.layout.features else {
                throw DataError(file: file, "the \(mode.rawValue) rows name the features \(rows.map(\.0)), the inputs \(problem.layout.features)")
            }
            return DiDSolution(mode: mode, features: rows.map(\.0), fits: rows.map(\.1), unpairedParticipants: counts[mode]!.0,
                               designRows: counts[mode]!.1)
        }
        guard let pseudobulk = try solution(.pseudobulk) else { throw DataError(file: file, "no pseudobulk rows") }
        return DiDReferenceFit(pseudobulk: pseudobulk, cell: try solution(.cell), truth: nil)
    }
}
