import GenoBenchCatalog
import GenoBenchCore
import GenoBenchDiD

/// The options of `genobench did`, checked together before any cell is read.
struct DiDRunPlan {
    let analysis: DiDAnalysis
    let backendID: String
    let precision: Precision

    init(_ c: DiDCommand) throws {
        var options = DiDOptions()
        if let a = c.aggregate { options.aggregate = try DiDOptions.parse(a, option: "--aggregate", as: AggregateMode.self) }
        let id = c.backend ?? (options.aggregate == .cell ? "cell-f64" : "pseudobulk-f64")
        let info = try Catalog.registry.backend(id, family: "did")
        if c.aggregate == nil && id.hasPrefix("cell-") { options.aggregate = .cell }
        options.function = try DiDOptions.parse(c.agg, option: "--agg", as: AggregateFunction.self)
        switch c.standardize.lowercased() {
        case "true", "1", "yes": options.standardize = true
        case "false", "0", "no": options.standardize = false
        default: throw DiDError.invalidOption("--standardize must be true or false, got '\(c.standardize)'")
        }
        options.kCounting = try DiDOptions.parse(c.kCounting, option: "--k-counting", as: FixedEffectCounting.self)
        options.pDistribution = try DiDOptions.parse(c.pDist, option: "--p-dist", as: PValueDistribution.self)
        let visits = c.list(c.visits) ?? []
        guard visits.count == 2, visits[0] != visits[1] else {
            throw DiDError.invalidOption("--visits needs two different labels, baseline first (e.g. V1,V2), got '\(c.visits)'")
        }
        if options.function != .mean && options.aggregate == .cell {
            throw DiDError.invalidOption("--agg \(options.function.rawValue) summarises groups: it needs a pseudobulk aggregate, not cell")
        }
        var request = CellTableRequest(path: c.cells, participantColumn: c.participant, visitColumn: c.visit, armColumn: c.arm,
                                       treatedLabel: c.treated, visits: visits)
        _ = try CellTableRequest.delimiter(for: c.cells)
        if let control = c.control, control == c.treated { throw DiDError.invalidOption("--control and --treated name the same label '\(control)'") }
        request.controlLabel = c.control
        request.features = c.list(c.features)
        request.covariates = c.list(c.covariates) ?? []
        request.celltypeColumn = c.celltypeCol
        request.celltype = c.celltype
        request.byCelltype = options.aggregate == .participantVisitCelltype
        if request.features?.isEmpty == true { throw DiDError.invalidOption("--features is empty") }
        if c.log1pCPM {
            guard c.cpmScale.isFinite && c.cpmScale > 0 else { throw DiDError.invalidOption("--cpm-scale must be finite and > 0, got \(c.cpmScale)") }
            request.preprocessing.log1pCPMScale = c.cpmScale
        }
        if let gmt = c.geneSets {
            if request.features != nil { throw DiDError.invalidOption("--features cannot be combined with --gene-sets: the gene sets are the features") }
            let method = try DiDOptions.parse(c.scoreMethod, option: "--score-method", as: GeneSetMethod.self)
            guard c.minGenes >= 1 else { throw DiDError.invalidOption("--min-genes must be at least 1, got \(c.minGenes)") }
            request.preprocessing.geneSets = GeneSetScorer(sets: try GeneSetScorer.readGMT(gmt), method: method, minGenes: c.minGenes)
        }
        analysis = DiDAnalysis(request: request, options: options, backend: id)
        backendID = id
        precision = info.precision
    }

    func execute(context: RunContext) throws -> DiDAnalysis.Result { try analysis.run(context: context) }
}
