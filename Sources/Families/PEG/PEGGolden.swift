import Foundation
import GenoBenchCore
import GenoBenchData

/// PEG validation cases: mrpeg's inputs (as `genobench peg` reads them) and the GSL
/// reference: per gene γ̂, SE, t p and the permutation summary, then every permutation draw.
extension PEGFamily: GoldenCases {
    public var goldenFileName: String { "reference.peg.tsv" }

    static let caseOptions = ["gwas", "eqtl", "perturb", "ref-geno", "top-signal", "min-snps", "corr-threshold", "perm-number", "seed",
                              "mr-ld", "alt", "ld-ridge"]

    /// Options as `genobench peg`'s (paths relative to the case directory; `ref-geno` a
    /// pattern with `*` for the chromosome; `mr-ld` and `alt` "true"/"false").
    public func loadCase(directory: String, options o: [String: String]) throws -> PEGProblem {
        try CaseOptionError.check(o, known: Self.caseOptions, family: id)
        func path(_ key: String) throws -> String { (directory as NSString).appendingPathComponent(try CaseOptionError.required(o, key)) }
        var options = PEGOptions()
        options.topSignal = try CaseOptionError.double(o, "top-signal", default: options.topSignal)
        options.minSNPs = try CaseOptionError.int(o, "min-snps", default: options.minSNPs)
        options.corrThreshold = try CaseOptionError.double(o, "corr-threshold", default: options.corrThreshold)
        options.permutations = try CaseOptionError.int(o, "perm-number", default: options.permutations)
        options.seed = try CaseOptionError.int(o, "seed", default: options.seed)
        options.ldRidge = try CaseOptionError.double(o, "ld-ridge", default: options.ldRidge)
        options.mrLD = try CaseOptionError.bool(o, "mr-ld", default: options.mrLD)
        options.alternative = try CaseOptionError.bool(o, "alt", default: options.alternative)
        _ = try options.validate()
        var problem = try PEGAnalysis(gwas: try TextTable.read(try path("gwas")), eqtl: try TextTable.read(try path("eqtl")),
                                      perturbation: try TextTable.read(try path("perturb")),
                                      reference: try ReferencePanel.files(pattern: try path("ref-geno")), options: options).problem
        problem.referenceMaxWork = .infinity
        return problem
    }

    static let geneColumns = ["gene", "gamma", "gamma_se", "gamma_p", "perm_mean", "perm_sd", "perm_z", "count_high", "count_low",
                              "gamma_null_p", "ties", "scale"]

    /// Lines: `cond<TAB>cond(V)`, one `gene` line per downstream gene, then one `null` line
    /// per permutation draw (draw index, then the t null γ values), or `skipped<TAB>why`.
    public func goldenText(_ r: PEGReference.Result, problem: PEGProblem) -> String {
        var lines = ["cond\t\(r.conditionNumber)", Self.geneColumns.joined(separator: "\t")]
        for j in 0..<problem.geneCount {
            var f = [problem.geneNames[j], "\(r.gamma[j])", "\(r.standardError[j])", "\(r.pValue[j])"]
            if let s = r.summary?[j] {
                f += ["\(s.mean)", "\(s.sd)", "\(s.z)", "\(s.countHigh)", "\(s.countLow)", "\(s.pValue)", "\(s.ties)", "\(s.scale)"]
            } else {
                f += Array(repeating: "nan", count: 6) + ["0", "nan"]
            }
            lines.append(f.joined(separator: "\t"))
        }
        if let null = r.null {
            for d in 0..<null.rows { lines.append((["null", "\(d + 1)"] + (0..<null.columns).map { "\(null[d, $0])" }).joined(separator: "\t")) }
        } else {
            lines.append("skipped\t\(r.skipped ?? "no permutation null")")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public func readGolden(_ text: String, problem: PEGProblem, file: String) throws -> PEGReference.Result {
        let lines = text.splitLines().filter { !$0.isEmpty }.map(String.init)
        let t = problem.geneCount
        func number(_ s: String, _ line: Int) throws -> Double {
            guard let v = Double(s) else { throw DataError(file: file, line: line, "'\(s)' is not a number") }
            return v
        }
        guard lines.count >= 2 + t else { throw DataError(file: file, "expected a cond line, a header and \(t) gene lines") }
        let cond = lines[0].split(separator: "\t").map(String.init)
        guard cond.count == 2, cond[0] == "cond" else { throw DataError(file: file, line: 1, "expected cond<TAB>value") }
        guard lines[1] == Self.geneColumns.joined(separator: "\t") else {
            throw DataError(file: file, line: 2, "expected the header \(Self.geneColumns.joined(separator: " "))")
        }
        var result = PEGReference.Result(gamma: [], standardError: [], pValue: [], null: nil, summary: [], skipped: nil,
                                         conditionNumber: try number(cond[1], 1), truth: nil)
        for j in 0..<t {
            let n = j + 3
            let f = lines[j + 2].split(separator: "\t").map(String.init)
            guard f.count == Self.geneColumns.count else { throw DataError(file: file, line: n, "expected \(Self.geneColumns.count) fields, found \(f.count)") }
            guard f[0] == problem.geneNames[j] else { throw DataError(file: file, line: n, "gene '\(f[0])', the inputs give '\(problem.geneNames[j])'") }
            let v = try f[1...].map { try number($0, n) }
            result.gamma.append(v[0]); result.standardError.append(v[1]); result.pValue.append(v[2])
            result.summary!.append(NullSummary(mean: v[3], sd: v[4], z: v[5], countHigh: Int(v[6]), countLow: Int(v[7]), pValue: v[8],
                                               ties: Int(v[9]), scale: v[10]))
        }
        let rest = lines.dropFirst(2 + t)
        if let first = rest.first, first.hasPrefix("skipped\t") {
            result.skipped = String(first.dropFirst("skipped\t".count))
            result.summary = nil
            return result
        }
        var null = Matrix<Double>(rows: rest.count, columns: t)
        for (d, line) in rest.enumerated() {
            let n = 3 + t + d
            let f = line.split(separator: "\t").map(String.init)
            guard f.count == t + 2, f[0] == "null", Int(f[1]) == d + 1 else {
                throw DataError(file: file, line: n, "expected null<TAB>\(d + 1) and \(t) values")
            }
            for j in 0..<t { null[d, j] = try number(f[j + 2], n) }
        }
        guard null.rows == problem.permutationCount else {
            throw DataError(file: file, "\(null.rows) permutation draws, the case asks for \(problem.permutationCount)")
        }
        result.null = null
        return result
    }
}
