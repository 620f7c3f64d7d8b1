import GenoBenchCore
import GenoBenchReference

/// Summary of repeated measurements: the median with an order-statistic confidence interval,
/// and the repeats flagged (never dropped) as outliers.
public struct SampleSummary: Sendable, Equatable {
    public let count: Int
    public let median: Double
    public let minimum: Double
    public let maximum: Double
    /// [x₍ⱼ₎, x₍ₙ₊₁₋ⱼ₎]: a distribution-free interval for the median.
    public let low: Double
    public let high: Double
    /// The interval's exact coverage, P(j ≤ B ≤ n − j) for B ~ Binomial(n, ½): at least the
    /// requested level when n allows it; below it for tiny n, where the interval is [min, max].
    public let coverage: Double
    /// Indices (into the input) outside Tukey's fences Q1 − 1.5·IQR, Q3 + 1.5·IQR (n ≥ 4).
    public let outliers: [Int]

    /// Summarises `values` (non-empty); `level` is the requested coverage of the interval.
    ///
    /// The interval uses the order statistics whose ranks j and n + 1 − j are the widest pair
    /// with P(B < j) ≤ (1 − level)/2: exact for continuous data whatever the distribution (no
    /// normality, as timings are skewed). With n = 5 the best possible coverage is 93.75 %.
    public init(_ values: [Double], level: Double = 0.95) {
        precondition(!values.isEmpty, "a summary needs at least one value")
        let s = values.sorted()
        let n = s.count
        count = n
        minimum = s[0]
        maximum = s[n - 1]
        median = Self.quantile(s, 0.5)
        let alpha = (1 - level) / 2
        var j = 0  // 1-based rank of the lower bound; 0: none qualifies
        for candidate in 1...max(1, n / 2) where GSL.binomialCDF(candidate - 1, p: 0.5, n: n) <= alpha { j = candidate }
        if j == 0 {
            low = s[0]; high = s[n - 1]
            coverage = n == 1 ? 0 : 1 - 2 * GSL.binomialCDF(0, p: 0.5, n: n)
        } else {
            low = s[j - 1]; high = s[n - j]
            coverage = 1 - 2 * GSL.binomialCDF(j - 1, p: 0.5, n: n)
        }
        if n >= 4 {
            let q1 = Self.quantile(s, 0.25), q3 = Self.quantile(s, 0.75), iqr = q3 - q1
            outliers = values.indices.filter { values[$0] < q1 - 1.5 * iqr || values[$0] > q3 + 1.5 * iqr }
        } else {
            outliers = []
        }
    }

    /// The p-quantile of sorted values by linear interpolation between order statistics
    /// (Hyndman–Fan type 7, R's default).
    public static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let h = Double(sorted.count - 1) * p
        let lo = Int(h.rounded(.down)), hi = min(sorted.count - 1, lo + 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }
}

/// The Mann–Whitney U (Wilcoxon rank-sum) test of two independent samples.
public struct MannWhitney: Sendable, Equatable {
    /// U of the first sample: the number of pairs (a, b) with a > b, ties counting ½.
    public let u: Double
    /// Two-sided p-value: exact from the null distribution of U when there are no ties and
    /// both samples have at most 25 values, else the normal approximation with the tie
    /// correction and a continuity correction of ½.
    public let pValue: Double
    public let exact: Bool

    public init(_ a: [Double], _ b: [Double]) {
        precondition(!a.isEmpty && !b.isEmpty, "both samples need values")
        let m = a.count, n = b.count
        var u = 0.0
        for x in a { for y in b { u += x > y ? 1 : (x == y ? 0.5 : 0) } }
        self.u = u
        let pooled = (a + b).sorted()
        var tieTerm = 0.0, hasTies = false
        var i = 0
        while i < pooled.count {
            var j = i
            while j + 1 < pooled.count && pooled[j + 1] == pooled[i] { j += 1 }
            let t = Double(j - i + 1)
            if t > 1 { hasTies = true; tieTerm += t * t * t - t }
            i = j + 1
        }
        if !hasTies && m <= 25 && n <= 25 {
            exact = true
            let counts = Self.nullCounts(m, n)
            let total = counts.reduce(0, +)
            let k = Int(u.rounded())
            let lower = counts[0...min(k, counts.count - 1)].reduce(0, +) / total
            let upper = counts[max(0, k)...].reduce(0, +) / total
            pValue = min(1, 2 * min(lower, upper))
        } else {
            exact = false
            let mean = Double(m * n) / 2
            let nn = Double(m + n)
            let variance = Double(m * n) / 12 * ((nn + 1) - tieTerm / (nn * (nn - 1)))
            if variance <= 0 {
                pValue = 1
            } else {
                let z = max(0, abs(u - mean) - 0.5) / variance.squareRoot()
                pValue = min(1, 2 * (1 - GSL.normalCDF(z)))
            }
        }
    }

    /// counts[u] = the number of the C(m+n, m) rank arrangements with U = u, by the recurrence
    /// f(m, n, u) = f(m − 1, n, u − n) + f(m, n − 1, u) (as Double: exact up to 2⁵³).
    static func nullCounts(_ m: Int, _ n: Int) -> [Double] {
        // table[i][j] = distribution of U for sizes (i, j), built up row by row.
        var table = [[[Double]]](repeating: [[Double]](repeating: [], count: n + 1), count: m + 1)
        for i in 0...m {
            for j in 0...n {
                if i == 0 || j == 0 { table[i][j] = [1]; continue }
                var d = [Double](repeating: 0, count: i * j + 1)
                for (u, c) in table[i - 1][j].enumerated() { d[u + j] += c }
                for (u, c) in table[i][j - 1].enumerated() { d[u] += c }
                table[i][j] = d
            }
        }
        return table[m][n]
    }
}

/// Least-squares fit of log(cost) = a + Σ b_k log(x_k): the exponents of cost in each
/// parameter, with standard errors and t-based confidence intervals.
public struct PowerLawFit: Sendable, Equatable {
    public let exponents: [Double]
    public let standardErrors: [Double]
    /// Half-widths of the confidence intervals (t quantile with n − k − 1 degrees of freedom);
    /// NaN when there are no residual degrees of freedom.
    public let halfWidths: [Double]
    public let points: Int

    /// `x[i]` are the parameter values of point i (all > 0), `y[i]` its cost (> 0). Nil when
    /// there are fewer distinct points than coefficients or the design is singular.
    public init?(x: [[Double]], y: [Double], level: Double = 0.95) {
        let n = y.count, k = x.first?.count ?? 0
        guard n == x.count, k >= 1, n >= k + 1, y.allSatisfy({ $0 > 0 }), x.allSatisfy({ $0.count == k && $0.allSatisfy { $0 > 0 } }) else {
            return nil
        }
        var design = Matrix<Double>(rows: n, columns: k + 1, repeating: 1)
        for i in 0..<n { for j in 0..<k { design[i, j + 1] = Double.log(x[i][j]) } }
        let ly = Matrix<Double>(rows: n, columns: 1, columnMajor: y.map { Double.log($0) })
        let xtx = design.multiplied(by: design, transposeSelf: true)
        guard case .success(let beta) = xtx.solvePositiveDefinite(design.multiplied(by: ly, transposeSelf: true)),
              case .success(let inverse) = xtx.solvePositiveDefinite(Matrix.identity(k + 1)) else { return nil }
        let fitted = design.multiplied(by: beta)
        let rss = (0..<n).reduce(0.0) { $0 + (ly[$1, 0] - fitted[$1, 0]) * (ly[$1, 0] - fitted[$1, 0]) }
        let dof = n - k - 1
        let sigma2 = dof > 0 ? rss / Double(dof) : .nan
        let t = dof > 0 ? GSL.tQuantile(1 - (1 - level) / 2, degreesOfFreedom: Double(dof)) : .nan
        exponents = (1...k).map { beta[$0, 0] }
        standardErrors = (1...k).map { (sigma2 * inverse[$0, $0]).squareRoot() }
        halfWidths = standardErrors.map { t * $0 }
        points = n
    }
}

/// The complexity class closest to measured costs against one size parameter.
public enum ComplexityClass: String, Sendable, CaseIterable {
    case constant = "O(1)", logarithmic = "O(log n)", linear = "O(n)", linearithmic = "O(n log n)",
         quadratic = "O(n^2)", cubic = "O(n^3)"

    func f(_ n: Double) -> Double {
        switch self {
        case .constant: 1
        case .logarithmic: Double.log(max(n, 2))
        case .linear: n
        case .linearithmic: n * Double.log(max(n, 2))
        case .quadratic: n * n
        case .cubic: n * n * n
        }
    }

    /// The class whose scaled curve c·f(n) fits best (least squares for c, smallest RMS
    /// relative to the mean cost), google/benchmark's rule for `BigO` auto-detection.
    public static func closest(sizes: [Double], costs: [Double]) -> ComplexityClass? {
        guard sizes.count >= 2, sizes.count == costs.count, Set(sizes).count >= 2 else { return nil }
        let mean = costs.reduce(0, +) / Double(costs.count)
        var best: (ComplexityClass, Double)?
        for c in allCases {
            let fs = sizes.map(c.f)
            let scale = zip(fs, costs).reduce(0.0) { $0 + $1.0 * $1.1 } / fs.reduce(0.0) { $0 + $1 * $1 }
            let rms = (zip(fs, costs).reduce(0.0) { $0 + ($1.1 - scale * $1.0) * ($1.1 - scale * $1.0) } / Double(costs.count)).squareRoot() / mean
            if best == nil || rms < best!.1 { best = (c, rms) }
        }
        return best?.0
    }
}
