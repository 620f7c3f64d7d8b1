import CGSL
import GenoBenchCore
import GenoBenchReference

/// The GSL reference of spec did.md §14, in double precision and independent of the backends:
/// its own pairing and aggregation of the cells, the explicit design (intercept, G − 1
/// participant dummies with the first participant in sorted order as reference, visit,
/// visit × arm, covariates) solved by `gsl_multifit_wlinear_tsvd` (tolerance 1e-12, which also
/// gives the rank K), and the sandwich `c·C(Σ_g s_g s_gᵀ)C` formed directly from GSL's
/// `cov` output C = (XᵀWX)⁺ with `gsl_blas_dgemm`. The outcome is z-scored before the fit, as
/// sctrial does (the backends scale afterwards). A rank loss that takes visit or visit × arm
/// (the rank without that column is the same) is `no_contrast`.
public enum DiDReference {
    /// Rows of one regression as the reference builds them.
    struct Rows {
        var participant: [Int32] = []
        var visit: [Double] = []
        var weight: [Double] = []
        var covariates: [[Double]] = []
    }

    /// The pseudobulk fit of every feature (groups by participant × visit [× cell type]).
    public static func pseudobulk(_ problem: DiDProblem) -> DiDSolution {
        let cells = problem.cells
        let f = cells.layout.features.count, k = cells.layout.covariates.count
        let paired = pairing(cells)
        let byCelltype = problem.options.aggregate == .participantVisitCelltype
        var groupOf: [[Int32]: Int] = [:]
        var keys: [[Int32]] = []
        var members: [[Int]] = []
        for c in 0..<cells.cellCount where paired.paired[Int(cells.participant[c])] {
            let key = [cells.participant[c], Int32(cells.visit[c]), byCelltype ? cells.celltype[c] : 0]
            if groupOf[key] == nil { groupOf[key] = keys.count; keys.append(key); members.append([]) }
            members[groupOf[key]!].append(c)
        }
        func mean(_ column: [Double], _ m: [Int]) -> (Double, Double) {
            let v = m.map { column[$0] }.filter { !$0.isNaN }
            guard !v.isEmpty else { return (.nan, 0) }
            switch problem.options.function {
            case .mean: return (v.reduce(0, +) / Double(v.count), Double(v.count))
            case .pctPos: return (100 * Double(v.filter { $0 > 0 }.count) / Double(v.count), Double(v.count))
            }
        }
        var base = Rows()
        base.participant = keys.map { $0[0] }
        base.visit = keys.map { Double($0[1]) }
        base.covariates = (0..<k).map { j in members.map { m in
            let v = m.map { cells.covariates[j][$0] }.filter { !$0.isNaN }
            return v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count)
        } }
        var cache: [String: (Bool, Int)] = [:]
        let fits = (0..<f).map { j -> FeatureFit in
            var rows = base
            let summary = members.map { mean(cells.values[j], $0) }
            rows.weight = summary.map(\.1)
            return fit(y: summary.map(\.0), rows: rows, layout: cells.layout, options: problem.options, rankCache: &cache)
        }
        return DiDSolution(mode: .pseudobulk, features: cells.layout.features, fits: fits,
                           unpairedParticipants: paired.unpaired, designRows: keys.count)
    }

    /// The cell-level fit of every feature (OLS on cells), or nil above `referenceMaxCells`.
    public static func cell(_ problem: DiDProblem) -> DiDSolution? {
        let cells = problem.cells
        guard cells.cellCount <= problem.referenceMaxCells else { return nil }
        let paired = pairing(cells)
        let kept = (0..<cells.cellCount).filter { paired.paired[Int(cells.participant[$0])] }
        var rows = Rows()
        rows.participant = kept.map { cells.participant[$0] }
        rows.visit = kept.map { Double(cells.visit[$0]) }
        rows.weight = [Double](repeating: 1, count: kept.count)
        rows.covariates = cells.covariates.map { c in kept.map { c[$0] } }
        var cache: [String: (Bool, Int)] = [:]
        let fits = cells.values.map { column in
            fit(y: kept.map { column[$0] }, rows: rows, layout: cells.layout, options: problem.options, rankCache: &cache)
        }
        return DiDSolution(mode: .cell, features: cells.layout.features, fits: fits, unpairedParticipants: paired.unpaired,
                           designRows: kept.count)
    }

    static func pairing(_ cells: CellTable) -> (paired: [Bool], unpaired: Int) {
        var atVisit = [[Bool]](repeating: [false, false], count: cells.layout.participants.count)
        for c in 0..<cells.cellCount { atVisit[Int(cells.participant[c])][Int(cells.visit[c])] = true }
        return (atVisit.map { $0[0] && $0[1] }, atVisit.filter { $0[0] != $0[1] }.count)
    }

    /// One feature: usable rows, standardisation, explicit design, GSL solve, direct sandwich.
    static func fit(y raw: [Double], rows all: Rows, layout: TrialLayout, options: DiDOptions,
                    rankCache: inout [String: (Bool, Int)]) -> FeatureFit {
        GSL.prepare()
        var out = FeatureFit()
        let k = all.covariates.count
        let use = raw.indices.filter { r in
            raw[r].isFinite && all.weight[r] > 0 && (0..<k).allSatisfy { all.covariates[$0][r].isFinite }
        }
        let units = Set(use.map { all.participant[$0] }).sorted { layout.participants[Int($0)] < layout.participants[Int($1)] }
        out.units = units.count
        out.rows = use.count
        out.cells = Int(use.reduce(0.0) { $0 + all.weight[$1] })
        guard units.count >= 4 else { out.status = .tooFewUnits; return out }
        let n = use.count
        var y = use.map { raw[$0] }
        let ybar = gsl_stats_mean(y, 1, n)
        let s = gsl_stats_sd_m(y, 1, n, ybar)
        out.outcomeSD = s
        guard s.isFinite && s >= 1e-8 else { out.status = .constantOutcome; return out }
        if options.standardize { y = y.map { ($0 - ybar) / s } }

        let g = units.count
        let dummy = Dictionary(uniqueKeysWithValues: units.enumerated().map { ($0.element, $0.offset) })
        let p = g + 2 + k, visitColumn = g, didColumn = g + 1
        var design = [Double](repeating: 0, count: n * p)  // row-major n x p
        for (row, r) in use.enumerated() {
            let i = dummy[all.participant[r]]!
            design[row * p] = 1
            if i > 0 { design[row * p + i] = 1 }
            let t = all.visit[r], a: Double = layout.treated[Int(all.participant[r])] ? 1 : 0
            design[row * p + visitColumn] = t
            design[row * p + didColumn] = t * a
            for j in 0..<k { design[row * p + g + 2 + j] = all.covariates[j][r] }
        }
        let w = use.map { all.weight[$0] }
        guard let solved = solve(design, rows: n, columns: p, weights: w, y: y) else { out.status = .tooFewUnits; return out }
        // Does dropping visit or visit × arm keep the rank? Then its coefficient is not identified.
        let key = String(use.hashValue) + ":\(n)"
        let identified: Bool
        if let cached = rankCache[key], cached.1 == solved.rank { identified = cached.0 } else {
            identified = [visitColumn, didColumn].allSatisfy { c in
                let reduced = (0..<n).flatMap { row in (0..<p).filter { $0 != c }.map { design[row * p + $0] } }
                return (solve(reduced, rows: n, columns: p - 1, weights: w, y: y)?.rank ?? 0) < solved.rank
            }
            rankCache[key] = (identified, solved.rank)
        }
        guard identified else { out.status = .noContrast; return out }

        let kCount = options.kCounting == .feInK ? solved.rank : solved.rank - (g - 1)
        out.rank = kCount
        let dof = n - kCount
        guard dof > 0 else { out.status = .tooFewUnits; return out }
        var residual = [Double](repeating: 0, count: n)
        var rss = 0.0
        for row in 0..<n {
            var fitted = 0.0
            for j in 0..<p { fitted += design[row * p + j] * solved.beta[j] }
            residual[row] = y[row] - fitted
            rss += w[row] * residual[row] * residual[row]
        }
        var meat = [Double](repeating: 0, count: p * p)
        for unit in units {
            var score = [Double](repeating: 0, count: p)
            for (row, r) in use.enumerated() where all.participant[r] == unit {
                for j in 0..<p { score[j] += w[row] * design[row * p + j] * residual[row] }
            }
            for a in 0..<p { for b in 0..<p { meat[a * p + b] += score[a] * score[b] } }
        }
        let c = Double(g) / Double(g - 1) * Double(n - 1) / Double(dof)
        let v = sandwich(solved.cov, meat, size: p)
        let sigma2 = rss / Double(dof)
        var seDiD = (c * v[didColumn * p + didColumn]).squareRoot(), seTime = (c * v[visitColumn * p + visitColumn]).squareRoot()
        func clusterP(_ z: Double) -> Double {
            options.pDistribution == .normal ? 2 * gsl_cdf_ugaussian_Q(abs(z)) : 2 * gsl_cdf_tdist_Q(abs(z), Double(g - 1))
        }
        var pDiD = clusterP(solved.beta[didColumn] / seDiD), pTime = clusterP(solved.beta[visitColumn] / seTime)
        out.status = g < 10 ? .fewClusters : .ok
        if !(seDiD.isFinite && pDiD.isFinite) {
            seDiD = (sigma2 * solved.cov[didColumn * p + didColumn]).squareRoot()
            seTime = (sigma2 * solved.cov[visitColumn * p + visitColumn]).squareRoot()
            pDiD = 2 * gsl_cdf_tdist_Q(abs(solved.beta[didColumn] / seDiD), Double(dof))
            pTime = 2 * gsl_cdf_tdist_Q(abs(solved.beta[visitColumn] / seTime), Double(dof))
            out.status = .fallbackNonrobust
        }
        out.betaDiD = solved.beta[didColumn]
        out.seDiD = seDiD
        out.zDiD = solved.beta[didColumn] / seDiD
        out.pDiD = pDiD
        out.betaTime = solved.beta[visitColumn]
        out.seTime = seTime
        out.pTime = pTime
        out.residualSD = sigma2.squareRoot()
        return out
    }

    /// `gsl_multifit_wlinear_tsvd` on a row-major design: coefficients, (XᵀWX)⁺ and the rank.
    static func solve(_ x: [Double], rows n: Int, columns p: Int, weights: [Double], y: [Double])
        -> (beta: [Double], cov: [Double], rank: Int)? {
        var xs = x, ws = weights, ys = y
        var beta = [Double](repeating: 0, count: p), cov = [Double](repeating: 0, count: p * p)
        var chisq = 0.0
        var rank = 0
        guard let work = gsl_multifit_linear_alloc(n, p) else { return nil }
        defer { gsl_multifit_linear_free(work) }
        let status = xs.withUnsafeMutableBufferPointer { xp in
            ws.withUnsafeMutableBufferPointer { wp in
                ys.withUnsafeMutableBufferPointer { yp in
                    beta.withUnsafeMutableBufferPointer { bp in
                        cov.withUnsafeMutableBufferPointer { cp in
                            var xv = gsl_matrix_view_array(xp.baseAddress, n, p)
                            var wv = gsl_vector_view_array(wp.baseAddress, n)
                            var yv = gsl_vector_view_array(yp.baseAddress, n)
                            var bv = gsl_vector_view_array(bp.baseAddress, p)
                            var cv = gsl_matrix_view_array(cp.baseAddress, p, p)
                            return gsl_multifit_wlinear_tsvd(&xv.matrix, &wv.vector, &yv.vector, 1e-12, &bv.vector, &cv.matrix,
                                                             &chisq, &rank, work)
                        }
                    }
                }
            }
        }
        return status == 0 ? (beta, cov, rank) : nil
    }

    /// `C M C` for symmetric p x p row-major C and M, by `gsl_blas_dgemm`.
    static func sandwich(_ c: [Double], _ m: [Double], size p: Int) -> [Double] {
        var cc = c, mm = m
        var tmp = [Double](repeating: 0, count: p * p), out = [Double](repeating: 0, count: p * p)
        cc.withUnsafeMutableBufferPointer { cp in
            mm.withUnsafeMutableBufferPointer { mp in
                tmp.withUnsafeMutableBufferPointer { tp in
                    out.withUnsafeMutableBufferPointer { op in
                        var cv = gsl_matrix_view_array(cp.baseAddress, p, p)
                        var mv = gsl_matrix_view_array(mp.baseAddress, p, p)
                        var tv = gsl_matrix_view_array(tp.baseAddress, p, p)
                        var ov = gsl_matrix_view_array(op.baseAddress, p, p)
                        _ = gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1, &cv.matrix, &mv.matrix, 0, &tv.matrix)
                        _ = gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1, &tv.matrix, &cv.matrix, 0, &ov.matrix)
                    }
                }
            }
        }
        return out
    }
}
