import GenoBenchCore
import GenoBenchReference

/// The rows of one regression that every feature shares: which participant (cluster and fixed
/// effect) and which visit each row belongs to, the arm of each participant, and the
/// covariates per row. Rows are cells (cell mode) or participant × visit [× cell type] groups.
public struct DesignRows<T: Scalar>: Sendable {
    /// Participant of each row, 0..<unitCount.
    public var unit: [Int32]
    /// visit_num of each row: 0 baseline, 1 follow-up.
    public var visit: [T]
    /// arm_bin per participant: 1 treated, 0 control.
    public var treated: [T]
    /// Covariate columns, one array of row values each (NaN = missing).
    public var covariates: [[T]]

    /// The regressors per row, column by column: visit, visit × arm, covariates.
    public let columns: [[T]]

    public var rowCount: Int { unit.count }
    public var unitCount: Int { treated.count }

    public init(unit: [Int32], visit: [T], treated: [T], covariates: [[T]] = []) {
        self.unit = unit
        self.visit = visit
        self.treated = treated
        self.covariates = covariates
        columns = [visit, unit.indices.map { visit[$0] * treated[Int(unit[$0])] }] + covariates
    }
}

/// The DiD regression `y ~ visit + visit:arm + C(participant) [+ covariates]` by
/// within-participant demeaning (spec did.md §4.2–4.3).
///
/// Definition. With weights w (1 for OLS), every column is demeaned within participant with
/// weights w (x̃ = x − x̄_i), then β = (X̃ᵀWX̃)⁻¹X̃ᵀWỹ, e = ỹ − X̃β, and the CR1 sandwich
/// `V = c·B⁻¹(Σ_g s_g s_gᵀ)B⁻¹`, `B = X̃ᵀWX̃`, `s_g = Σ_{r∈g} w_r x̃_r e_r`,
/// `c = G/(G−1)·(N−1)/(N−K)`.
///
/// Properties. By Frisch–Waugh–Lovell β and e equal those of the explicit dummy design; the
/// dummies' scores vanish in every cluster (each participant's weighted residuals sum to 0) and
/// the slope block of the dummy design's B⁻¹ is (X̃ᵀWX̃)⁻¹, so V equals the slope block of the
/// dummy-design sandwich: no N x G design is ever formed. K is G + rank (`fe-in-k`, statsmodels)
/// or 1 + rank (`fe-absorbed`). A covariate whose demeaned column vanishes (time-invariant,
/// collinear with the fixed effects) is dropped and listed; statsmodels keeps it through a
/// pseudo-inverse, which leaves β_DiD unchanged.
///
/// Accuracy. Sums are taken per participant, then over participants (two-level), in `T`;
/// Double agrees with the GSL dummy-design reference to ~1e-13 relative, Float to ~1e-5.
/// Complexity O(N·p²) per feature for N rows and p = 2 + covariates; memory O(G·p²).
public enum WithinEstimator {
    /// A demeaned column is collinear with the fixed effects (and earlier columns) when its
    /// residual sum of squares is below this fraction of its total sum of squares.
    public static func rankTolerance<T: Scalar>(_: T.Type) -> T { T.self == Float.self ? 1e-5 : 1e-10 }

    /// Fits one feature. `weights` nil means OLS (w = 1). Rows whose y, weight or any
    /// covariate is not finite, or whose weight is ≤ 0, are left out (spec §2 step 7).
    public static func fit<T: Scalar>(y: [T], weights: [T]?, rows: DesignRows<T>, options: DiDOptions) -> FeatureFit {
        var out = FeatureFit()
        let n = rows.rowCount
        let g = rows.unitCount
        let k = rows.covariates.count
        let p = 2 + k
        precondition(y.count == n && (weights?.count ?? n) == n, "one y and one weight per row")

        // 1. Usable rows, participants, cells.
        var usable = [Bool](repeating: false, count: n)
        var present = [Bool](repeating: false, count: g)
        var rowCount = 0
        var weightSum: T = 0
        for r in 0..<n {
            let w = weights?[r] ?? 1
            var ok = y[r].isFinite && w.isFinite && w > 0
            var j = 0
            while ok && j < k { ok = rows.covariates[j][r].isFinite; j += 1 }
            guard ok else { continue }
            usable[r] = true
            rowCount += 1
            weightSum += w
            present[Int(rows.unit[r])] = true
        }
        let units = present.reduce(0) { $0 + ($1 ? 1 : 0) }
        out.units = units
        out.rows = rowCount
        out.cells = weights == nil ? rowCount : Int(Double(weightSum).rounded())
        guard units >= 4 else { out.status = .tooFewUnits; return out }

        // 2. Outcome scale: unweighted mean and SD (ddof 1) over the rows (spec §4.1).
        var sum: T = 0
        for r in 0..<n where usable[r] { sum += y[r] }
        let mean = sum / T(rowCount)
        var ss: T = 0
        for r in 0..<n where usable[r] { ss += (y[r] - mean) * (y[r] - mean) }
        let s = (ss / T(rowCount - 1)).squareRoot()
        out.outcomeSD = Double(s)
        guard s.isFinite && s >= 1e-8 else { out.status = .constantOutcome; return out }

        // 3. Weighted sums per participant: Σw, Σw·x_j, Σw·y.
        var sw = [T](repeating: 0, count: g)
        var swx = [T](repeating: 0, count: g * p)
        var swy = [T](repeating: 0, count: g)
        let x = rows.columns, unit = rows.unit
        for r in 0..<n where usable[r] {
            let i = Int(unit[r]), w = weights?[r] ?? 1
            sw[i] += w
            swy[i] += w * y[r]
            for j in 0..<p { swx[i * p + j] += w * x[j][r] }
        }
        var globalMean = [T](repeating: 0, count: p)
        for i in 0..<g where sw[i] > 0 {
            let inv = 1 / sw[i]
            swy[i] *= inv
            for j in 0..<p { globalMean[j] += swx[i * p + j]; swx[i * p + j] *= inv }
        }
        for j in 0..<p { globalMean[j] /= weightSum }

        // 4. B = X̃ᵀWX̃ and b = X̃ᵀWỹ per participant, then over participants; total sums of
        //    squares of the raw columns for the rank decision.
        var bUnit = [T](repeating: 0, count: g * p * p)
        var cUnit = [T](repeating: 0, count: g * p)
        var total = [T](repeating: 0, count: p)
        for r in 0..<n where usable[r] {
            let i = Int(unit[r]), w = weights?[r] ?? 1
            let yt = y[r] - swy[i]
            for j in 0..<p {
                let xj = x[j][r] - swx[i * p + j]
                let d = x[j][r] - globalMean[j]
                total[j] += w * d * d
                cUnit[i * p + j] += w * xj * yt
                for l in 0...j { bUnit[(i * p + j) * p + l] += w * xj * (x[l][r] - swx[i * p + l]) }
            }
        }
        var bFull = [T](repeating: 0, count: p * p), cFull = [T](repeating: 0, count: p)
        for i in 0..<g {
            for j in 0..<p {
                cFull[j] += cUnit[i * p + j]
                for l in 0...j { bFull[j * p + l] += bUnit[(i * p + j) * p + l] }
            }
        }

        // 5. Columns in order visit, visit×arm, covariates; a column is kept when its residual
        //    after the kept ones (an incremental Cholesky) is a real share of its variation.
        let chol = IncrementalCholesky<T>(gram: bFull, size: p, scale: total, tolerance: rankTolerance(T.self))
        out.droppedCovariates = (2..<p).filter { !chol.kept.contains($0) }.map { $0 - 2 }
        guard chol.kept.prefix(2) == [0, 1] else { out.status = .noContrast; return out }
        let kept = chol.kept, q = kept.count
        let beta = chol.solve(kept.map { cFull[$0] })
        let bInverse = chol.inverse()

        // 6. Residuals, weighted RSS and per-participant scores over the kept columns.
        var scores = [T](repeating: 0, count: g * q)
        var rss: T = 0
        for r in 0..<n where usable[r] {
            let i = Int(unit[r]), w = weights?[r] ?? 1
            var e = y[r] - swy[i]
            for a in 0..<q { e -= (x[kept[a]][r] - swx[i * p + kept[a]]) * beta[a] }
            rss += w * e * e
            for a in 0..<q { scores[i * q + a] += w * (x[kept[a]][r] - swx[i * p + kept[a]]) * e }
        }
        var meat = [T](repeating: 0, count: q * q)
        for i in 0..<g where present[i] {
            for a in 0..<q { for b in 0..<q { meat[a * q + b] += scores[i * q + a] * scores[i * q + b] } }
        }

        // 7. Small-sample factor, sandwich, p-values.
        let kCount = (options.kCounting == .feInK ? units : 1) + q
        out.rank = kCount
        let dof = rowCount - kCount
        guard dof > 0 else { out.status = .tooFewUnits; return out }
        let gD = T(units), nD = T(rowCount)
        let c = gD / (gD - 1) * (nD - 1) / T(dof)
        let sandwich = Self.sandwich(bInverse, meat, size: q)
        let sigma2 = rss / T(dof)
        var vDiD = c * sandwich[1 * q + 1], vTime = c * sandwich[0]
        var zDiD = beta[1] / vDiD.squareRoot()
        var pDiD = clusterP(zDiD, clusters: units, options.pDistribution)
        var status: DiDStatus = units < 10 ? .fewClusters : .ok
        var pTime = clusterP(beta[0] / vTime.squareRoot(), clusters: units, options.pDistribution)
        if !(vDiD.squareRoot().isFinite && pDiD.isFinite) {
            // Spec §4.3 fallback: ordinary covariance with Student t(N − K).
            vDiD = sigma2 * bInverse[1 * q + 1]
            vTime = sigma2 * bInverse[0]
            zDiD = beta[1] / vDiD.squareRoot()
            pDiD = studentP(Double(zDiD), dof: Double(dof))
            pTime = studentP(Double(beta[0] / vTime.squareRoot()), dof: Double(dof))
            status = .fallbackNonrobust
        }
        let scale: T = options.standardize ? 1 / s : 1
        out.betaDiD = Double(beta[1] * scale)
        out.seDiD = Double(vDiD.squareRoot() * scale)
        out.zDiD = Double(zDiD)
        out.pDiD = pDiD
        out.betaTime = Double(beta[0] * scale)
        out.seTime = Double(vTime.squareRoot() * scale)
        out.pTime = pTime
        out.residualSD = Double(sigma2.squareRoot() * scale)
        out.status = status
        return out
    }

    /// `A M A` for symmetric q x q A and M (row-major).
    static func sandwich<T: Scalar>(_ a: [T], _ m: [T], size q: Int) -> [T] {
        var am = [T](repeating: 0, count: q * q), out = [T](repeating: 0, count: q * q)
        for i in 0..<q { for j in 0..<q { var t: T = 0; for l in 0..<q { t += a[i * q + l] * m[l * q + j] }; am[i * q + j] = t } }
        for i in 0..<q { for j in 0..<q { var t: T = 0; for l in 0..<q { t += am[i * q + l] * a[l * q + j] }; out[i * q + j] = t } }
        return out
    }

    /// Two-sided p of a cluster-robust z: `erfc(|z|/√2)` (normal), or Student t with G − 1 df.
    static func clusterP<T: Scalar>(_ z: T, clusters: Int, _ distribution: PValueDistribution) -> Double {
        switch distribution {
        case .normal: Double(T.erfc(abs(z) / T.sqrt(2)))
        case .tClusters: studentP(Double(z), dof: Double(clusters - 1))
        }
    }

    /// Two-sided Student t p-value (`2·gsl_cdf_tdist_Q(|z|, ν)`); NaN for a NaN z.
    static func studentP(_ z: Double, dof: Double) -> Double {
        z.isNaN ? .nan : 2 * GSL.studentTUpperTail(abs(z), degreesOfFreedom: dof)
    }
}
