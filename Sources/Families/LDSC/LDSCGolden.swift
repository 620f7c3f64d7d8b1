import Foundation
import GenoBenchCore

/// LDSC validation cases: `genobench ldsc`'s inputs (summary statistics, the SNP-gene weight
/// matrix, regression-weight LD scores, GSS) and the GSL reference, one line per spot in full
/// Double precision.
extension LDSCFamily: GoldenCases {
    public var goldenFileName: String { "reference.ldsc.tsv" }

    static let caseOptions = ["sumstats", "ldscores", "weights", "gss", "baseline", "chisq-max", "n-blocks", "block-definition",
                              "spatial-scaling"]

    /// Options as `genobench ldsc`'s (paths relative to the case directory; `baseline` a
    /// comma-separated list of extra baseline LD score tables).
    public func loadCase(directory: String, options o: [String: String]) throws -> LDSCProblem {
        try CaseOptionError.check(o, known: Self.caseOptions, family: id)
        func path(_ s: String) -> String { (directory as NSString).appendingPathComponent(s) }
        var options = LDSCOptions()
        options.blockCount = try CaseOptionError.int(o, "n-blocks", default: options.blockCount)
        guard options.blockCount >= 2 else { throw CaseOptionError("case option n-blocks must be at least 2") }
        if let s = o["block-definition"] {
            guard let b = BlockDefinition(rawValue: s) else { throw CaseOptionError("case option block-definition must be floor or truncate, got '\(s)'") }
            options.blockDefinition = b
        }
        if let s = o["spatial-scaling"] {
            guard let v = SpatialScaling(rawValue: s) else { throw CaseOptionError("case option spatial-scaling must be n-scaled or unscaled, got '\(s)'") }
            options.spatialScaling = v
        }
        var files = LDSCInputFiles(sumstats: path(try CaseOptionError.required(o, "sumstats")),
                                   weightMatrix: path(try CaseOptionError.required(o, "ldscores")),
                                   weightLDScores: path(try CaseOptionError.required(o, "weights")))
        files.extraBaselines = (o["baseline"] ?? "").split(separator: ",").map { path($0.trimmingCharacters(in: .whitespaces)) }
        if o["chisq-max"] != nil { files.chiSquaredMax = try CaseOptionError.double(o, "chisq-max", default: 0) }
        var report = LDSCInputFiles.Report()
        let (snps, w) = try files.loadSNPs(report: &report)
        let gss = path(try CaseOptionError.required(o, "gss"))
        let annotation = try LDSCInputFiles.annotation(gss: try GeneMatrix.read(gss), w: w, gssPath: gss, report: &report)
        return try LDSCProblem(snps: snps, annotation: annotation, options: options)
    }

    static let goldenColumns = ["spot", "beta", "se", "z", "p", "condition_ratio", "h2", "lu_singular"]

    public func goldenText(_ reference: LDSCReferenceFit, problem: LDSCProblem) -> String {
        var lines = [Self.goldenColumns.joined(separator: "\t")]
        for s in reference.spots {
            lines.append(["\(s.spot)", "\(s.beta)", "\(s.se)", "\(s.z)", "\(s.p)", "\(s.conditionRatio)", "\(s.heritability)",
                          s.luSingular ? "1" : "0"].joined(separator: "\t"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public func readGolden(_ text: String, problem: LDSCProblem, file: String) throws -> LDSCReferenceFit {
        let lines = text.splitLines().filter { !$0.isEmpty }.map(String.init)
        guard lines.first == Self.goldenColumns.joined(separator: "\t") else {
            throw LDSCError.invalidInput("\(file):1: expected the header \(Self.goldenColumns.joined(separator: " "))")
        }
        var spots: [LDSCReference.Spot] = []
        for (n, line) in lines.enumerated().dropFirst() {
            let f = line.split(separator: "\t").map(String.init)
            guard f.count == Self.goldenColumns.count, let spot = Int(f[0]), problem.spots.contains(spot), f[7] == "0" || f[7] == "1" else {
                throw LDSCError.invalidInput("\(file):\(n + 1): expected a spot index in \(problem.spots) and \(Self.goldenColumns.count) tab-separated fields")
            }
            let v = try f[1...6].map { s -> Double in
                guard let d = Double(s) else { throw LDSCError.invalidInput("\(file):\(n + 1): '\(s)' is not a number") }
                return d
            }
            spots.append(LDSCReference.Spot(spot: spot, beta: v[0], se: v[1], z: v[2], p: v[3], conditionRatio: v[4], heritability: v[5],
                                            luSingular: f[7] == "1"))
        }
        guard spots.count == problem.spots.count else {
            throw LDSCError.invalidInput("\(file): \(spots.count) spots, the inputs have \(problem.spots.count)")
        }
        return LDSCReferenceFit(spots: spots, truth: nil)
    }
}
