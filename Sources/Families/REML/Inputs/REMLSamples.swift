import Foundation
import GenoBenchCore
import GenoBenchData

/// The samples of one REML analysis, aligned to the `.fam`, with the phenotype and the
/// fixed-effect design they contribute (spec sections 2.2 and 6.1).
///
/// Samples are identified by IID only (FID is ignored everywhere). The retained samples are the
/// `.fam` rows with a usable phenotype, complete covariates (when a covariate file is given)
/// and an IID in the keep list (when one is given), in `.fam` order. Genotype statistics are
/// then computed over these rows only.
public struct REMLSamples: Sendable {
    /// The retained `.fam` rows (0-based), ascending.
    public let famIndices: [Int]
    /// The IIDs of the retained samples, in `.fam` order.
    public let iids: [String]
    /// The phenotype of each retained sample, on the original scale (not standardised).
    public let y: [Double]
    /// The covariates kept in the design (constant ones removed), in file order.
    public let covariateNames: [String]
    /// The n x p fixed-effect design: column 0 is all ones (the intercept, which the CLI always
    /// adds), column j ≥ 1 is `covariateNames[j - 1]` standardised to mean 0 and population SD 1
    /// over the retained samples.
    public let design: Matrix<Double>
    /// The phenotype column's name.
    public let phenotypeName: String
    /// The readers' warnings, then what alignment dropped (samples at each step, constant
    /// covariates), one sentence each.
    public let warnings: [String]

    /// Aligns the phenotype, covariates and keep list to the `.fam` and builds the design.
    ///
    /// Steps: reject duplicated `.fam` IIDs and phenotype IIDs absent from the `.fam`; retain
    /// `.fam` rows with a phenotype, then with complete covariates, then in `keep`; drop
    /// covariates constant over the retained samples; standardise the rest; prepend the
    /// intercept; check the design's rank (`designRankProblem`).
    ///
    /// A phenotype IID that is not in the `.fam` is an error, not ignored as in GPU_REML
    /// (spec section 6.2): it nearly always means the phenotype belongs to other genotypes.
    /// Covariate and keep IIDs absent from the `.fam` are ignored.
    ///
    /// - Parameters:
    ///   - fam: the `.fam` rows (`PlinkFileset.readFam`), which define sample order.
    ///   - phenotype: `SampleFiles.readPhenotype`'s result (only `values` decides retention).
    ///   - covariates: `SampleFiles.readCovariates`'s result, or `nil` for the intercept only.
    ///   - keep: `SampleFiles.readKeep`'s result, or `nil` to keep every sample.
    /// - Throws: `DataError` for a duplicated `.fam` IID (both lines named) or a phenotype IID
    ///   not in the `.fam` (line, IID and how many such IIDs); `REMLError.unusableDesign` for
    ///   fewer than 2 retained samples, a constant phenotype, p ≥ n, or a rank-deficient design
    ///   (naming the covariates involved).
    ///
    /// Complexity: O(n p² + p³) for the rank check plus hashing of the IIDs.
    public static func align(
        fam: [Sample], famPath: String,
        phenotype: (values: [String: Double], line: [String: Int], name: String, warnings: [String]),
        phenotypePath: String,
        covariates: (names: [String], rows: [String: [Double]], line: [String: Int], warnings: [String])?,
        covariatePath: String?, keep: Set<String>?, keepPath: String? = nil
    ) throws -> REMLSamples {
        // Sample identity: IID, unique in the .fam.
        var famRowOfIID: [String: Int] = [:]
        for (i, s) in fam.enumerated() {
            if let previous = famRowOfIID[s.individualID] {
                throw DataError(file: famPath, line: i + 1,
                                "IID '\(s.individualID)' appears twice in \(famPath) (lines \(previous + 1) and \(i + 1)); "
                                    + "samples are identified by IID only")
            }
            famRowOfIID[s.individualID] = i
        }
        let absent = phenotype.values.keys.filter { famRowOfIID[$0] == nil }
        if !absent.isEmpty {
            let first = absent.min { (phenotype.line[$0] ?? .max, $0) < (phenotype.line[$1] ?? .max, $1) }!
            throw DataError(file: phenotypePath, line: phenotype.line[first],
                            "IID '\(first)' is not in \(famPath); \(absent.count) of the \(phenotype.values.count) "
                                + "phenotyped IIDs are not (is the phenotype file for these genotypes?)")
        }

        // Retained rows, step by step.
        let covariatePath = covariatePath ?? "the covariate file"
        var warnings = phenotype.warnings + (covariates?.warnings ?? [])
        var retained = fam.indices.filter { phenotype.values[fam[$0].individualID] != nil }
        var steps = ["\(fam.count) in \(famPath)", "\(retained.count) with a phenotype"]
        if retained.count < fam.count {
            let k = fam.count - retained.count
            warnings.append("dropped \(k) of the \(fam.count) samples in \(famPath): no usable phenotype "
                                + "'\(phenotype.name)' in \(phenotypePath)")
        }
        if let covariates {
            let before = retained.count
            retained = retained.filter { i in
                guard let row = covariates.rows[fam[i].individualID] else { return false }
                precondition(row.count == covariates.names.count,
                             "covariate row of \(fam[i].individualID) has \(row.count) values for \(covariates.names.count) names")
                return row.allSatisfy(\.isFinite)
            }
            steps.append("\(retained.count) with complete covariates")
            if retained.count < before {
                let k = before - retained.count
                warnings.append("dropped \(k) phenotyped sample\(k == 1 ? "" : "s"): no complete covariate row in "
                                    + "\(covariatePath)")
            }
        }
        if let keep {
            let before = retained.count
            retained = retained.filter { keep.contains(fam[$0].individualID) }
            steps.append("\(retained.count) in the keep list\(keepPath.map { " \($0)" } ?? "")")
            if retained.count < before {
                let k = before - retained.count
                warnings.append("dropped \(k) otherwise usable sample\(k == 1 ? "" : "s"): not in the keep list")
            }
        }
        let n = retained.count
        guard n >= 2 else {
            throw REMLError.unusableDesign("only \(n) sample\(n == 1 ? "" : "s") left to analyse, at least 2 needed ("
                                               + steps.joined(separator: ", ") + ")")
        }

        let iids = retained.map { fam[$0].individualID }
        let y = iids.map { phenotype.values[$0]! }
        if y.allSatisfy({ $0 == y[0] }) {
            throw REMLError.unusableDesign(
                "phenotype '\(phenotype.name)' in \(phenotypePath) is constant over the \(n) analysed samples")
        }

        // Covariate columns: constant ones dropped, the rest standardised.
        var names: [String] = []
        var columns: [[Double]] = []
        if let covariates {
            var constant: [String] = []
            for (j, name) in covariates.names.enumerated() {
                let x = iids.map { covariates.rows[$0]![j] }
                if x.allSatisfy({ $0 == x[0] }) {
                    constant.append(name)
                } else {
                    names.append(name)
                    columns.append(standardized(x))
                }
            }
            if !constant.isEmpty {
                warnings.append("covariate\(constant.count == 1 ? "" : "s") \(constant.joined(separator: ", ")) in "
                                    + "\(covariatePath) \(constant.count == 1 ? "is" : "are") constant over the \(n) "
                                    + "analysed samples; dropped")
            }
        }
        let p = 1 + names.count
        guard p < n else {
            throw REMLError.unusableDesign("the design has p = \(p) columns (intercept and \(names.count) covariates) "
                                               + "but only n = \(n) samples; p < n is needed")
        }
        var design = Matrix<Double>(rows: n, columns: p, repeating: 1)
        for (j, x) in columns.enumerated() {
            design.storage.replaceSubrange(((j + 1) * n)..<((j + 2) * n), with: x)
        }
        if let problem = try designRankProblem(design, columnNames: ["intercept"] + names, source: covariatePath) {
            throw REMLError.unusableDesign(problem)
        }

        return REMLSamples(famIndices: retained, iids: iids, y: y, covariateNames: names, design: design,
                           phenotypeName: phenotype.name, warnings: warnings)
    }

    /// `(x − mean) / SD` with the population SD (divisor n).
    ///
    /// Centred in two passes: the rounding error of the first mean, large when |mean| ≫ SD
    /// (a covariate like a year or a position), is removed by subtracting the mean of the
    /// first-pass residuals, so the result has mean 0 and SD 1 to a few ulps.
    static func standardized(_ x: [Double]) -> [Double] {
        let n = Double(x.count)
        let mean = x.reduce(0, +) / n
        let firstPass = x.map { $0 - mean }
        let correction = firstPass.reduce(0, +) / n
        let centred = firstPass.map { $0 - correction }
        let sd = (centred.reduce(0) { $0 + $1 * $1 } / n).squareRoot()
        return centred.map { $0 / sd }
    }

    /// Why `design` is unusable for REML, or `nil` when it has full column rank (spec section 2.2).
    ///
    /// Let `C = D⁻¹ XᵀX D⁻¹` with `D = diag(‖x_j‖)`, the correlation-like Gram matrix. The design
    /// is rejected when a column norm is zero or not finite, or when
    /// `λ_min(C) ≤ 1e−7 · max(λ_max(C), 1)` (GPU_REML's test). The columns named are those whose
    /// loading in the eigenvector of `λ_min` is at least a tenth of the largest loading: the
    /// near-dependency; `source` is the file they come from.
    ///
    /// Complexity: O(n p² + p³).
    static func designRankProblem(_ design: Matrix<Double>, columnNames: [String], source: String) throws -> String? {
        let p = design.columns
        precondition(columnNames.count == p, "\(columnNames.count) names for \(p) columns")
        var norms = [Double](repeating: 0, count: p)
        for j in 0..<p {
            norms[j] = design.storage[(j * design.rows)..<((j + 1) * design.rows)].reduce(0) { $0 + $1 * $1 }.squareRoot()
            if !(norms[j] > 0 && norms[j].isFinite) {
                return "design column '\(columnNames[j])' (from \(source)) has norm \(norms[j]); "
                    + "its values are not usable after standardisation"
            }
        }
        var c = design.gram()
        for j in 0..<p { for i in 0..<p { c[i, j] /= norms[i] * norms[j] } }
        let eigen: (values: Vector<Double>, vectors: Matrix<Double>)
        switch c.symmetricEigen() {
        case .success(let e): eigen = e
        case .failure(let e): throw REMLError.numerical("rank check of the design: \(e)")
        }
        let lambdaMin = eigen.values[0], lambdaMax = eigen.values[p - 1]
        guard lambdaMin <= 1e-7 * max(lambdaMax, 1) else { return nil }
        let v = eigen.vectors.column(0).storage.map(abs)
        let largest = v.max() ?? 0
        let involved = (0..<p).filter { v[$0] >= 0.1 * largest }.map { columnNames[$0] }
        let ratio = String(format: "%.3g", lambdaMin / lambdaMax)
        return "covariates \(involved.joined(separator: ", ")) in \(source) are collinear "
            + "(λ_min/λ_max = \(ratio) of the scaled XᵀX, limit 1e-07); remove or combine them"
    }
}
