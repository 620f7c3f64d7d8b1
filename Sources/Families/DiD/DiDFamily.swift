import Foundation
import GenoBenchCore
import GenoBenchData

/// Single-cell trial difference-in-differences (spec did.md): cell-level OLS vs pseudobulk WLS,
/// participant fixed effects, cluster-robust SEs by participant, BH FDR over features.
public struct DiDFamily: Family {
    public init() {}
    public var id: String { "did" }
    public var summary: String { "single-cell trial difference-in-differences: β, cluster SE, p, BH FDR per feature, cells vs pseudobulk" }

    public var parameters: [ParameterSpec] {
        [
            ParameterSpec("participants", default: .int(20), help: "participants to simulate (half treated)", minimum: 2),
            ParameterSpec("cells-per-sample", default: .int(20), help: "mean cells per participant x visit", minimum: 1),
            ParameterSpec("features", default: .int(20), help: "features to simulate", minimum: 1),
            ParameterSpec("effect", default: .double(0.5), help: "planted visit x arm effect (raw units)"),
            ParameterSpec("effect-features", default: .int(-1), help: "features carrying the effect (-1: features / 5)"),
            ParameterSpec("treated-fraction", default: .double(0.5), help: "share of participants treated", minimum: 0, maximum: 1),
            ParameterSpec("unpaired", default: .int(0), help: "participants without a follow-up visit (dropped and counted)", minimum: 0),
            ParameterSpec("missing-rate", default: .double(0), help: "probability a cell's feature value is missing", minimum: 0, maximum: 1),
            ParameterSpec("celltypes", default: .int(3), help: "cell-type labels drawn per cell (0: no cell-type column)", minimum: 0, maximum: 8),
            ParameterSpec("covariates", default: .int(0), help: "0, 1 (per-cell qc) or 2 (qc and a time-invariant age)", minimum: 0, maximum: 2),
            ParameterSpec("aggregate", default: .string("participant_visit"), help: "pseudobulk grouping: participant_visit or participant_visit_celltype"),
            ParameterSpec("agg", default: .string("mean"), help: "pseudobulk group value: mean or pct_pos"),
            ParameterSpec("standardize", default: .bool(true), help: "z-score the outcome over the rows"),
            ParameterSpec("k-counting", default: .string("fe-in-k"), help: "K of the small-sample factor: fe-in-k (statsmodels) or fe-absorbed"),
            ParameterSpec("p-dist", default: .string("normal"), help: "cluster p-values: normal (sctrial) or t-clusters (t with G - 1 df)"),
            ParameterSpec("reference-max-cells", default: .int(5000), help: "skip the cell-level GSL reference above this many cells", minimum: 0),
            ParameterSpec("cells", default: .string(""), help: "a cell table to analyse instead of simulating (TSV/CSV, gzip accepted; path relative to the working directory; the simulation parameters are then unused, FILE.truth.tsv if present gives the planted effects)"),
            ParameterSpec("participant-col", default: .string("participant"), help: "with cells: the participant column"),
            ParameterSpec("visit-col", default: .string("visit"), help: "with cells: the visit column"),
            ParameterSpec("arm-col", default: .string("arm"), help: "with cells: the arm column"),
            ParameterSpec("celltype-col", default: .string("celltype"), help: "with cells: the cell-type column"),
            ParameterSpec("treated", default: .string("Treated"), help: "with cells: the treated arm's label"),
            ParameterSpec("visits", default: .string("V1,V2"), help: "with cells: baseline and follow-up visit labels"),
        ]
    }

    public var tolerances: [ToleranceSpec] {
        // Spec did.md §16: Double β/SE/z relative 1e-10, p relative 1e-8; Float β/SE relative
        // 2e-4, z absolute 1e-3, p relative 1e-3. β's error is relative to max(|β_ref|, SE_ref)
        // (a null feature's β ~ 0 is known only to its SE's scale); p's and FDR's to
        // max(p_ref, 1e-12) (below 1e-12 the check is absolute, as the spec says).
        [
            ToleranceSpec("status_differing", f32: 0, f64: 0, help: "features whose status differs from the reference"),
            ToleranceSpec("beta_rel_err_max", f32: 2e-4, f64: 1e-10, help: "max |Δβ_DiD| / max(|β_ref|, SE_ref)"),
            ToleranceSpec("se_rel_err_max", f32: 2e-4, f64: 1e-10, help: "max |ΔSE_DiD| / SE_ref"),
            ToleranceSpec("z_abs_err_max", f32: 1e-3, f64: 1e-9, help: "max |Δz_DiD|"),
            ToleranceSpec("p_rel_err_max", f32: 1e-3, f64: 1e-8, help: "max |Δp_DiD| / max(p_ref, 1e-12)"),
            ToleranceSpec("fdr_rel_err_max", f32: 1e-3, f64: 1e-8, help: "max |ΔFDR_DiD| / max(FDR_ref, 1e-12)"),
            ToleranceSpec("beta_time_rel_err_max", f32: 2e-4, f64: 1e-10, help: "max |Δβ_time| / max(|β_ref|, SE_ref)"),
        ]
    }

    public func simulator(_ p: ProblemParameters, seed: UInt64) throws -> DiDSimulator {
        var s = DiDSimulator(participants: try p.int("participants"), cellsPerSample: try p.int("cells-per-sample"),
                             features: try p.int("features"), seed: seed)
        s.effect = try p.double("effect")
        let e = try p.int("effect-features")
        s.effectFeatures = e < 0 ? nil : e
        s.treatedFraction = try p.double("treated-fraction")
        s.unpaired = try p.int("unpaired")
        s.missingRate = try p.double("missing-rate")
        s.celltypes = try p.int("celltypes")
        s.covariates = try p.int("covariates")
        return s
    }

    public func options(_ p: ProblemParameters) throws -> DiDOptions {
        var o = DiDOptions()
        o.aggregate = try DiDOptions.parse(try p.string("aggregate"), option: "aggregate", as: AggregateMode.self)
        o.function = try DiDOptions.parse(try p.string("agg"), option: "agg", as: AggregateFunction.self)
        guard case .bool(let standardize)? = p["standardize"] else { throw ParameterError("parameter 'standardize' must be true or false") }
        o.standardize = standardize
        o.kCounting = try DiDOptions.parse(try p.string("k-counting"), option: "k-counting", as: FixedEffectCounting.self)
        o.pDistribution = try DiDOptions.parse(try p.string("p-dist"), option: "p-dist", as: PValueDistribution.self)
        if o.aggregate == .cell { throw DiDError.invalidOption("aggregate: cell is what the cell backends do; choose participant_visit or participant_visit_celltype for the pseudobulk ones") }
        let celltypes = try p.int("celltypes")
        if o.aggregate == .participantVisitCelltype && celltypes == 0 {
            throw DiDError.invalidOption("aggregate participant_visit_celltype needs celltypes >= 1")
        }
        return o
    }

    /// A `cells` table must be a readable file (it is read only when the problem is built).
    public func checkParameters(_ p: ProblemParameters) throws {
        let cells = try p.string("cells")
        guard !cells.isEmpty else { return }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: cells, isDirectory: &isDirectory), !isDirectory.boolValue,
              FileManager.default.isReadableFile(atPath: cells) else {
            throw DiDError.invalidOption("cells: \(cells) is not a readable file")
        }
    }

    public func makeProblem(_ p: ProblemParameters, seed: UInt64) throws -> DiDProblem {
        let cells = try p.string("cells")
        if !cells.isEmpty { return try fileProblem(cells, p) }
        let sim = try simulator(p, seed: seed)
        var problem = DiDProblem(cells: try sim.simulate(), options: try options(p), truth: sim.truth)
        problem.referenceMaxCells = try p.int("reference-max-cells")
        return problem
    }

    /// A problem from a cell table as `genobench did` reads it (through the validation-case
    /// loader, so both read a table alike), with the planted effects of `FILE.truth.tsv`
    /// (`genobench simulate did` writes it) when that file exists.
    func fileProblem(_ path: String, _ p: ProblemParameters) throws -> DiDProblem {
        var o = ["cells": path, "participant": try p.string("participant-col"), "visit": try p.string("visit-col"),
                 "arm": try p.string("arm-col"), "celltype-col": try p.string("celltype-col"), "treated": try p.string("treated"),
                 "visits": try p.string("visits"), "aggregate": try p.string("aggregate"), "agg": try p.string("agg"),
                 "k-counting": try p.string("k-counting"), "p-dist": try p.string("p-dist")]
        guard case .bool(let standardize)? = p["standardize"] else { throw ParameterError("parameter 'standardize' must be true or false") }
        o["standardize"] = standardize ? "true" : "false"
        var problem = try loadCase(directory: "", options: o)
        problem.referenceMaxCells = try p.int("reference-max-cells")
        let truthPath = path + ".truth.tsv"
        if FileManager.default.fileExists(atPath: truthPath) { problem.truth = try Self.readTruth(truthPath, features: problem.layout.features) }
        return problem
    }

    /// `feature<TAB>effect` lines after a header, one per feature of the table.
    static func readTruth(_ path: String, features: [String]) throws -> [Double] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var effect: [String: Double] = [:]
        for (i, line) in text.splitLines().enumerated().dropFirst() where !line.isEmpty {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2, let value = Double(fields[1]) else {
                throw DataError(file: path, line: i + 1, "expected 'feature<TAB>effect', got '\(line.prefix(60))'")
            }
            effect[String(fields[0])] = value
        }
        return try features.map { f in
            guard let v = effect[f] else { throw DataError(file: path, "has no effect for feature '\(f)' of the cell table") }
            return v
        }
    }

    public func dataHash(of problem: DiDProblem) -> String {
        var h = ContentHash()
        let c = problem.cells
        h.combine(c.cellCount)
        for name in c.layout.participants + c.layout.features + c.layout.covariates { h.combine(name) }
        for t in c.layout.treated { h.combine(t ? 1 : 0) }
        for i in 0..<c.cellCount { h.combine(Int(c.participant[i]) << 8 | Int(c.visit[i]) | Int(c.celltype[i]) << 40) }
        for column in c.values + c.covariates { for v in column { h.combine(Int(Int64(bitPattern: v.bitPattern))) } }
        return h.hex
    }

    public func reference(for problem: DiDProblem) throws -> DiDReferenceFit {
        DiDReferenceFit(pseudobulk: DiDReference.pseudobulk(problem), cell: DiDReference.cell(problem), truth: problem.truth)
    }

    public func compare(_ solution: DiDSolution, with reference: DiDReferenceFit, tolerances t: Tolerances) -> [Metric] {
        DiDComparison(solution, reference).metrics(t)
    }

    public func estimates(of solution: DiDSolution) -> [Estimate] {
        let fitted = solution.fits.filter { $0.status.isFitted }
        return [
            Estimate("features", Double(solution.fits.count)),
            Estimate("fitted", Double(fitted.count)),
            Estimate("fdr_below_0.05", Double(solution.fdr.filter { $0 < 0.05 }.count)),
            Estimate("min_p", solution.fits.map(\.pDiD).filter { !$0.isNaN }.min() ?? .nan),
            Estimate("design_rows", Double(solution.designRows)),
            Estimate("unpaired_participants", Double(solution.unpairedParticipants)),
        ]
    }
}
