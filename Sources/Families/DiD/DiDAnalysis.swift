import GenoBenchCore

/// `genobench did` on a user's file: read (streaming for pseudobulk), score, fit, FDR.
public struct DiDAnalysis: Sendable {
    public var request: CellTableRequest
    public var options: DiDOptions
    /// `cell-f32`, `cell-f64`, `pseudobulk-f32` or `pseudobulk-f64`.
    public var backend: String

    public init(request: CellTableRequest, options: DiDOptions, backend: String) {
        self.request = request
        self.options = options
        self.backend = backend
    }

    public struct Result: Sendable {
        public var solution: DiDSolution
        public var read: CellReadSummary
        public var warnings: [String]
        public var diagnostics: Diagnostics
    }

    public func run(context: RunContext) throws -> Result {
        let isCell = backend.hasPrefix("cell-")
        guard isCell == (options.aggregate == .cell) else {
            throw DiDError.invalidOption(isCell ? "--backend \(backend) fits cells: use --aggregate cell (or leave it out)"
                                                : "--aggregate \(options.aggregate.rawValue) needs a cell backend (cell-f32, cell-f64), not \(backend)")
        }
        let reader = try CellTableReader(request)
        var warnings: [String] = []
        if var scorer = request.preprocessing.geneSets {
            warnings += scorer.resolve(geneColumns: reader.valueColumns)
            if scorer.method == .zmean {
                let stats = try reader.geneStatistics(context: context)
                scorer.setStatistics(mean: stats.mean, sd: stats.sd)
            }
            reader.install(scorer)
        }
        let solved: Solved<DiDSolution>
        if isCell {
            let problem = DiDProblem(cells: try reader.readTable(context: context), options: options)
            solved = backend == "cell-f32" ? try CellDiD<Float>().solve(problem, context: context)
                                           : try CellDiD<Double>().solve(problem, context: context)
        } else {
            let sums = try reader.readSums(context: context, byCelltype: options.aggregate == .participantVisitCelltype,
                                           countPositive: options.function == .pctPos)
            let table = PseudobulkTable(sums, layout: reader.summary.layout, function: options.function)
            solved = backend == "pseudobulk-f32"
                ? try PseudobulkDiD<Float>.fit(table, features: reader.features, options: options, context: context)
                : try PseudobulkDiD<Double>.fit(table, features: reader.features, options: options, context: context)
            var d = solved.diagnostics
            d.set("groups", sums.groupCount)
            d.set("sum_bytes", sums.bytes)
            return Result(solution: solved.solution, read: reader.summary, warnings: warnings, diagnostics: d)
        }
        return Result(solution: solved.solution, read: reader.summary, warnings: warnings, diagnostics: solved.diagnostics)
    }
}
