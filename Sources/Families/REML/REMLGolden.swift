import Foundation
import GenoBenchCore
import GenoBenchData

/// REML validation cases: a PLINK fileset with phenotype (and covariate) files, and the GSL
/// reference's estimates as `name<TAB>value` lines in full Double precision.
extension REMLFamily: GoldenCases {
    public var goldenFileName: String { "reference.reml.tsv" }

    /// Options: `bfile`, `pheno`, `covar` (paths relative to the case directory) and
    /// `vc-block-sizes` (contiguous SNP blocks, one component each; default one GRM).
    public func loadCase(directory: String, options: [String: String]) throws -> REMLProblem {
        try CaseOptionError.check(options, known: ["bfile", "pheno", "covar", "vc-block-sizes"], family: id)
        func path(_ key: String) -> String? { options[key].map { (directory as NSString).appendingPathComponent($0) } }
        let prefix = path("bfile") ?? ""
        guard options["bfile"] != nil, let pheno = path("pheno") else { throw CaseOptionError("reml cases need the options bfile and pheno") }
        let fileset = try PlinkFileset.open(prefix: prefix)
        let all = Array(0..<fileset.variants.count)
        var inputs = [ComponentInput(name: "G1", source: fileset.genotypes, variants: all)]
        if let sizes = options["vc-block-sizes"] {
            let counts = try sizes.split(separator: ",").map { s -> Int in
                guard let v = Int(s.trimmingCharacters(in: .whitespaces)) else { throw CaseOptionError("case option vc-block-sizes: '\(s)' is not an integer") }
                return v
            }
            inputs = try ComponentSpec.contiguousBlocks(counts, variantCount: fileset.variants.count).map {
                ComponentInput(name: $0.name, source: fileset.genotypes, variants: $0.variantIndices)
            }
        }
        let covar = path("covar")
        let samples = try REMLSamples.align(
            fam: fileset.samples, famPath: prefix + ".fam", phenotype: try SampleFiles.readPhenotype(pheno, column: nil), phenotypePath: pheno,
            covariates: try covar.map { try SampleFiles.readCovariates($0) }, covariatePath: covar, keep: nil)
        return try REMLProblem(data: REMLData(phenotype: samples.y, design: samples.design), inputs: inputs, samples: samples.famIndices)
    }

    public func goldenText(_ reference: REMLReferenceFit, problem: REMLProblem) -> String {
        guard let e = reference.estimates else { return "skipped\t\(reference.skipped ?? "no reference")\n" }
        var lines = ["h2\t\(e.h2)", "h2_se\t\(e.h2SE)", "vp\t\(e.vp)", "logL\t\(e.logL)", "logL0\t\(e.logL0)", "n\t\(e.sampleCount)",
                     "stop_reason\t\(e.stopReason.rawValue)"]
        for (i, name) in e.componentNames.enumerated() { lines.append("V(\(name))\t\(e.variances[i])") }
        return lines.joined(separator: "\n") + "\n"
    }

    public func readGolden(_ text: String, problem: REMLProblem, file: String) throws -> REMLReferenceFit {
        var values: [String: String] = [:]
        for (n, line) in text.splitLines().filter({ !$0.isEmpty }).enumerated() {
            let f = line.split(separator: "\t", maxSplits: 1).map(String.init)
            guard f.count == 2 else { throw DataError(file: file, line: n + 1, "expected name<TAB>value") }
            values[f[0]] = f[1]
        }
        func number(_ k: String) throws -> Double {
            guard let s = values[k] else { throw DataError(file: file, "the value \(k) is missing") }
            guard let v = Double(s) else { throw DataError(file: file, "\(k) '\(s)' is not a number") }
            return v
        }
        let names = problem.componentNames + ["e"]
        var e = REMLEstimates(golden: try names.map { try number("V(\($0))") }, names: names, atoms: problem.components.map(\.atom))
        e.h2 = try number("h2"); e.h2SE = try number("h2_se"); e.vp = try number("vp"); e.logL = try number("logL"); e.logL0 = try number("logL0")
        e.stopReason = StopReason(rawValue: values["stop_reason"] ?? "") ?? .converged
        return REMLReferenceFit(estimates: e, skipped: nil, truth: nil)
    }
}

extension REMLEstimates {
    /// Estimates read from a golden file: the variances and what the comparison reads; the
    /// rest (SEs of components, shares, iterations) is NaN or zero.
    init(golden variances: [Double], names: [String], atoms: [Double]) {
        componentNames = names
        self.variances = variances
        standardErrors = variances.map { _ in .nan }
        atBound = variances.map { $0 == 0 }
        self.atoms = atoms
        vp = variances.reduce(0, +); vpSE = .nan
        h2 = .nan; h2SE = .nan; h2Raw = .nan
        shares = []; sharesSE = []
        logL = .nan; logL0 = .nan; logLConstant = .nan; lrt = .nan
        df = atoms.count; pValue = .nan
        sampleCount = 0; fixedCount = 0
        stopReason = .converged; iterations = 0; evaluations = 0; projectedScore = .nan
        standardisedPsi = []
    }
}
