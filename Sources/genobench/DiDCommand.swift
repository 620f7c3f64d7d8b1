import ArgumentParser
import Foundation
import GenoBenchCatalog
import GenoBenchCore
import GenoBenchDiD
import GenoBenchHarness

struct DiDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "did", abstract: "Single-cell trial difference-in-differences on a cell table with one backend.",
        discussion: """
        Model (spec did.md §4): outcome ~ visit + visit:arm + C(participant) [+ covariates], cluster-robust CR1 SEs by \
        participant with statsmodels' small-sample factor, normal p, BH FDR over features. Cells come as a delimited \
        table (TSV or CSV by extension, gzip accepted), one row per cell. pseudobulk-* backends stream the file once into \
        participant x visit sums (memory independent of the number of cells) and fit a weighted regression; cell-* \
        backends hold the cells and fit OLS on them. Participants without both visits are dropped and counted. Writes \
        one row per feature in input order: feature beta_DiD se_DiD p_DiD FDR_DiD beta_time p_time n_units n_cells \
        resid_sd status.
        """)

    @Option(help: "Cell table: .tsv/.txt (tab) or .csv (comma), optionally .gz.") var cells: String
    @Option(help: "Participant column (cluster and fixed effect).") var participant = "participant_id"
    @Option(help: "Visit column.") var visit = "visit"
    @Option(help: "Arm column.") var arm = "arm"
    @Option(help: "Arm label coded as treated.") var treated = "Treated"
    @Option(help: "Control arm label (required when the arm column has more than two labels; cells of other arms are dropped).") var control: String?
    @Option(help: "Baseline and follow-up visit labels, e.g. V1,V2.") var visits: String
    @Option(help: "Feature columns, comma-separated (default: every other numeric column).") var features: String?
    @Option(help: "Numeric covariate columns, comma-separated.") var covariates: String?
    @Option(help: "participant_visit (default for pseudobulk), participant_visit_celltype, or cell (the cell backends).") var aggregate: String?
    @Option(help: "Pseudobulk group value: mean or pct_pos (% of cells > 0).") var agg = "mean"
    @Option(help: "Keep only cells of this type.") var celltype: String?
    @Option(name: .customLong("celltype-col"), help: "Cell-type column (for --celltype and participant_visit_celltype).") var celltypeCol = "celltype"
    @Option(help: "z-score the outcome over the rows: true or false.") var standardize = "true"
    @Option(name: .customLong("k-counting"), help: "K of the small-sample factor: fe-in-k (sctrial/statsmodels) or fe-absorbed.") var kCounting = "fe-in-k"
    @Option(name: .customLong("p-dist"), help: "Cluster p-values: normal (sctrial) or t-clusters (t with G − 1 df).") var pDist = "normal"
    @Option(name: .customLong("gene-sets"), help: "GMT file: score each set per cell and analyse the scores.") var geneSets: String?
    @Option(name: .customLong("score-method"), help: "Gene-set score: zmean (genes z-scored over all cells) or mean.") var scoreMethod = "zmean"
    @Option(name: .customLong("min-genes"), help: "Gene sets with fewer genes in the table score NaN.") var minGenes = 3
    @Flag(name: .customLong("log1p-cpm"), help: "Treat the numeric columns as counts: log1p(count / library x scale) per cell first.") var log1pCPM = false
    @Option(name: .customLong("cpm-scale"), help: "Scale of --log1p-cpm.") var cpmScale = 1e6
    @Option(help: "Backend id (see `genobench list`; default pseudobulk-f64, or cell-f64 with --aggregate cell).") var backend: String?
    @Option(help: "Output table (.csv: comma-separated, otherwise tab).") var out: String
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup(title: "Time limit") var timeOptions: TimeoutOptions

    func list(_ s: String?) -> [String]? {
        s.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    func run() throws {
        try Failure.guarded {
            let plan = try DiDRunPlan(self)
            let threads = threadOptions.apply()
            let (result, m) = try timeOptions.solve(threads: threads, command: "did") { context in try Measure.call { try plan.execute(context: context) } }
            try DiDTableWriter.write(result.solution, precision: plan.precision, to: out)
            let r = result.read
            note("did: \(plan.backendID) on \(cells): \(r.lines) cells read, \(r.kept) kept (\(r.droppedVisit) at other visits, \(r.droppedCelltype) other cell types, \(r.droppedArm) other arms); \(r.layout.participants.count) participants, \(result.solution.unpairedParticipants) dropped without both visits (n_dropped_unpaired)")
            if !r.nonNumericColumns.isEmpty { note("did: non-numeric columns left out of the features: \(r.nonNumericColumns.joined(separator: ", "))") }
            if r.zeroLibraryCells > 0 { note("did: warning: \(r.zeroLibraryCells) cells have library size 0: their log1p-CPM values stay 0") }
            for w in result.warnings { note("did: warning: \(w)") }
            let dropped = result.solution.fits.flatMap(\.droppedCovariates)
            for (j, name) in r.layout.covariates.enumerated() where dropped.contains(j) {
                note("did: covariate '\(name)' is constant within every participant (collinear with the participant fixed effects): dropped in \(dropped.filter { $0 == j }.count) of \(result.solution.fits.count) features")
            }
            let statuses = result.solution.statusCounts.map { "\($0.0.rawValue) \($0.1)" }.joined(separator: ", ")
            note("did: \(result.solution.fits.count) features (\(statuses)); \(result.solution.fdr.filter { $0 < 0.05 }.count) with FDR < 0.05; wrote \(out)")
            if result.solution.fits.contains(where: { $0.status == .fewClusters }) {
                note("did: warning: fewer than 10 participants: cluster-robust SEs are unreliable (status few_clusters)")
            }
            note(String(format: "did: wall %.3f s, cpu %.3f s, peak RSS %.1f MiB", m.wallSeconds, m.cpuSeconds, Double(m.peakResidentBytes) / 1_048_576))
            note("did: diagnostics \(result.diagnostics.json)")
        }
    }
}

struct SimulateDiD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "did", abstract: "Simulate a single-cell trial cell table with known visit x arm effects.",
        discussion: "Writes FILE (.tsv/.csv, optionally .gz) with columns cell participant visit arm celltype [qc age] f1..fF and FILE.truth.tsv (feature, planted effect).")

    @Option(help: "Participants (the first half treated).") var participants: Int
    @Option(name: .customLong("cells-per-sample"), help: "Mean cells per participant x visit.") var cellsPerSample: Int
    @Option(help: "Features.") var features: Int
    @Option(help: "Planted visit x arm effect in raw units.") var effect = 0.5
    @Option(name: .customLong("effect-features"), help: "Features carrying the effect (default features / 5).") var effectFeatures: Int?
    @Option(name: .customLong("treated-fraction"), help: "Share of participants treated.") var treatedFraction = 0.5
    @Option(help: "Participants without a follow-up visit.") var unpaired = 0
    @Option(name: .customLong("missing-rate"), help: "Probability a value is missing (NA).") var missingRate = 0.0
    @Option(help: "Cell-type labels (0: no celltype column).") var celltypes = 3
    @Option(help: "0, 1 (qc: per cell) or 2 (qc and age: per participant).") var covariates = 0
    @Option(help: "Seed (the same seed gives the same file).") var seed: UInt64
    @Option(help: "Output cell table.") var out: String

    func run() throws {
        try Failure.guarded {
            var s = DiDSimulator(participants: participants, cellsPerSample: cellsPerSample, features: features, seed: seed)
            s.effect = effect; s.effectFeatures = effectFeatures; s.treatedFraction = treatedFraction
            s.unpaired = unpaired; s.missingRate = missingRate; s.celltypes = celltypes; s.covariates = covariates
            try s.validate()
            let writer = try CellTableWriter(path: out, layout: s.layout)
            var cellCount = 0
            try s.generate { block in
                cellCount += block.count
                try writer.write(block)
            }
            try writer.close()
            let truth = "feature\teffect\n" + zip(s.featureNames, s.truth).map { "\($0)\t\($1)" }.joined(separator: "\n") + "\n"
            try truth.write(toFile: out + ".truth.tsv", atomically: true, encoding: .utf8)
            print("wrote \(out): \(cellCount) cells, \(participants) participants, \(features) features (\(s.plantedFeatures) with effect \(effect)), seed \(seed); truth in \(out).truth.tsv")
            print("genobench did --cells \(out) --participant participant --visit visit --arm arm --treated Treated --visits V1,V2 --backend pseudobulk-f64 --out \(out).did.tsv")
        }
    }
}
