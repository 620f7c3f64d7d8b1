/// The files of one `genobench ldsc` run and how they become an `LDSCProblem`'s data (spec
/// §3, §4.1): W gives the SNP order and the `base`/`all_gene` baselines; extra baseline
/// tables add columns; the sumstats are filtered (χ² < χ²_max) and every table intersected in
/// W's order; the GSS is matched to W's genes by name.
public struct LDSCInputFiles: Sendable {
    public var sumstats: String
    /// The SNP–gene weight table (file or directory).
    public var weightMatrix: String
    /// The regression-weight LD scores u (w_ld), file or directory.
    public var weightLDScores: String
    public var extraBaselines: [String] = []
    /// nil: max(0.001 · max N, 80).
    public var chiSquaredMax: Double?

    public init(sumstats: String, weightMatrix: String, weightLDScores: String) {
        self.sumstats = sumstats
        self.weightMatrix = weightMatrix
        self.weightLDScores = weightLDScores
    }

    /// What was read and kept, for the log.
    public struct Report: Sendable {
        public var notes: [String] = []
        public var warnings: [String] = []
        public init() {}
    }

    /// Reads every table and returns the intersected SNP data and the filtered W.
    public func loadSNPs(report: inout Report) throws -> (snps: RegressionSNPs, w: WeightMatrixTable) {
        if let c = chiSquaredMax, !(c > 0) { throw LDSCError.invalidOption("--chisq-max must be positive, got \(c)") }
        let w = try WeightMatrixTable.read(weightMatrix)
        let u = try LDScoreTable.read(weightLDScores)
        guard u.columnNames.count == 1 else {
            throw LDSCError.invalidInput("\(weightLDScores): the regression-weight LD score table must have one LD score column, it has \(u.columnNames.joined(separator: " "))")
        }
        let extras = try extraBaselines.map { try LDScoreTable.read($0) }
        let ss = try Sumstats.read(sumstats)
        report.warnings += ss.warnings
        let maximum = chiSquaredMax ?? ChiSquaredFilter.defaultMaximum(sampleSizes: ss.sampleSizes)
        var stats: [String: (Double, Double)] = [:]
        stats.reserveCapacity(ss.ids.count)
        var filtered = 0
        for i in ss.ids.indices {
            let chi = ss.z[i] * ss.z[i]
            if chi < maximum { stats[ss.ids[i]] = (chi, ss.sampleSizes[i]) } else { filtered += 1 }
        }
        let (base, allGene) = w.baselineColumns()
        var rows: [Int] = [], chi: [Double] = [], n: [Double] = [], uu: [Double] = []
        var extraColumns = [[Double]](repeating: [], count: extras.reduce(0) { $0 + $1.columnNames.count })
        for (j, id) in w.snpIDs.enumerated() {
            guard let (c, size) = stats[id], let uj = u.values[id]?[0] else { continue }
            var ex: [Double] = []
            var all = true
            for t in extras { if let v = t.values[id] { ex += v } else { all = false; break } }
            if !all { continue }
            rows.append(j); chi.append(c); n.append(size); uu.append(uj)
            for (k, v) in ex.enumerated() { extraColumns[k].append(v) }
        }
        report.notes.append("sumstats: \(ss.ids.count) SNPs, \(filtered) with χ² >= \(maximum) removed; W: \(w.snpIDs.count) SNPs x \(w.geneNames.count) genes; w_ld: \(u.snpCount) SNPs\(extras.isEmpty ? "" : "; extra baselines: " + extras.map { "\($0.snpCount) SNPs (\($0.columnNames.joined(separator: ",")))" }.joined(separator: ", "))")
        guard !rows.isEmpty else {
            throw LDSCError.invalidInput("no SNP is in all of \(sumstats) (\(stats.count) after the χ² filter), \(weightMatrix) (\(w.snpIDs.count)), \(weightLDScores) (\(u.snpCount))\(extraBaselines.isEmpty ? "" : " and the extra baselines"): the intersection is empty (do the SNP ids use the same naming, e.g. rsIDs?)")
        }
        report.notes.append("regression SNPs: \(rows.count) in all tables (order of \(weightMatrix))")
        if rows.count < 200_000 { report.warnings.append("only \(rows.count) SNPs remain after the intersection (gsMap warns below 200,000); results are computed anyway") }
        let names = ["base", "all_gene"] + extras.flatMap(\.columnNames)
        let snps = RegressionSNPs(ids: rows.map { w.snpIDs[$0] }, chiSquared: chi, sampleSizes: n, weightLDScores: uu,
                                  baseline: [rows.map { base[$0] }, rows.map { allGene[$0] }] + extraColumns, baselineNames: names)
        var kept = w
        kept.snpIDs = snps.ids
        kept.matrix = w.matrix.rows(rows)
        kept.naWeights = rows.map { w.naWeights[$0] }
        return (snps, kept)
    }

    /// Matches a genes x spots GSS to W's genes: genes missing from the GSS count as 0, GSS genes
    /// not in W are ignored (both reported).
    public static func annotation(gss: GeneMatrix, w: WeightMatrixTable, gssPath: String, report: inout Report) throws -> SpatialAnnotation {
        var index: [String: Int] = [:]
        for (g, name) in gss.geneNames.enumerated() { index[name] = g }
        let matched = w.geneNames.map { index[$0] }
        let common = matched.compactMap { $0 }.count
        guard common > 0 else {
            throw LDSCError.invalidInput("\(gssPath): none of its \(gss.geneNames.count) genes is a gene of the weight matrix (\(w.geneNames.prefix(3).joined(separator: ", ")), ...): no spatial LD score can be formed")
        }
        report.notes.append("GSS: \(gss.spotNames.count) spots x \(gss.geneNames.count) genes, \(common) of W's \(w.geneNames.count) genes matched")
        if common < w.geneNames.count { report.warnings.append("\(w.geneNames.count - common) genes of the weight matrix are absent from the GSS and count as 0") }
        let ns = gss.spotNames.count, ng = w.geneNames.count
        var values = [Double](repeating: 0, count: ns * ng)
        for (c, g) in matched.enumerated() {
            guard let g else { continue }
            for s in 0..<ns { values[s * ng + c] = gss.values[g * ns + s] }
        }
        return SpatialAnnotation(weights: w.matrix, geneNames: w.geneNames, gss: values, spotNames: gss.spotNames)
    }
}
