import GenoBenchCore

/// The rank test of spec §4.6: scale each weighted design column to unit norm and call the spot
/// `singular` when `σ_min/σ_max` of that matrix is below 1e-8 (Double backends) or 1e-4 (Float).
///
/// Computing the SVD of an M x F matrix for every spot would cost as much as the regression, so
/// the test runs in two steps, with the second exact:
///
/// 1. Screen, from the Gram A already accumulated for the fit: `G̃ = D⁻¹ A D⁻¹` (unit diagonal,
///    D = √diag A), eigenvalues by cyclic Jacobi. The backends form the Gram of the design as
///    their precision T rounds it with products and sums in Double, 32-row sub-sums then block
///    sums, so every computed entry obeys |Â_ij − A_ij| ≤ δ·√(A_ii A_jj) with
///    δ = (34 + ⌈max block/32⌉ + B)·u_Double (Σ|x_k y_k| ≤ ‖x‖‖y‖), hence |Ĝ̃_ij − G̃_ij| ≤ 2.01δ
///    and ‖E‖₂ ≤ F·2.01δ. A screened `λ̃_min ≥ 2·F·2.01δ` therefore proves σ_min² ≥ F·2.01δ, and
///    as σ_max² ≤ F, σ_min/σ_max ≥ √(2.01δ) ≈ 6e-7 at M = 10⁷, far above both thresholds, so
///    the spot passes without touching the data again. (Accumulating in Float instead would
///    make δ ≈ 2e-6 and leave every ratio below ~2e-3 undecided: gsMap's `base` and `all_gene`
///    columns alone sit near 1e-3.)
/// 2. Otherwise the exact test: a Householder TSQR of the weighted design in Double (R only,
///    O(M·F²)), R's columns scaled to unit norm (QR keeps column norms, so this is the R of the
///    column-scaled design), singular values by one-sided Jacobi (high relative accuracy).
///    It stops early once the rows seen so far prove the spot non-singular: adding rows only
///    raises singular values (XᵀX = X_sᵀX_s + X_rᵀX_r), so with the full column norms from the
///    Gram (inflated by 1 + δ) σ_min of the scaled partial R bounds σ_min(X̃) from below, and
///    σ_max(X̃) ≤ √F; once σ_min/√F reaches the threshold the remaining rows cannot change the
///    verdict. Singular spots always run to the end and report the exact ratio.
///
/// A zero column (ℓ(s) ≡ 0) is singular at once. NaN anywhere is singular.
public enum RankTest {
    /// The threshold on σ_min/σ_max for a backend precision.
    public static func threshold(for precision: Precision) -> Double { precision == .f32 ? 1e-4 : 1e-8 }

    /// Rows summed in the backend's precision before the Double accumulators take over.
    public static let subBlockRows = 32

    /// δ of the type's notes: the relative error bound of a computed Gram entry (Double sums).
    public static func gramErrorBound(blocks: BlockPartition) -> Double {
        let longest = (0..<blocks.blockCount).map { blocks.block($0).count }.max() ?? 0
        let sequential: Int = subBlockRows + 2 + (longest + subBlockRows - 1) / subBlockRows + blocks.blockCount
        return Double(sequential) * 0x1p-53
    }

    /// `σ_min/σ_max` estimated from the Gram (row-major F x F), and whether the estimate alone
    /// proves the spot non-singular (λ̃_min ≥ 2·F·2.01δ). Zero or NaN diagonal gives (0, true):
    /// singular for certain.
    public static func screen(gram a: [Double], features f: Int, errorBound delta: Double) -> (ratio: Double, conclusive: Bool) {
        var d = [Double](repeating: 0, count: f)
        for i in 0..<f {
            let v = a[i * f + i]
            if !(v > 0) || !v.isFinite { return (0, true) }
            d[i] = v.squareRoot()
        }
        var g = [Double](repeating: 0, count: f * f)
        for i in 0..<f { for j in 0..<f { g[i * f + j] = a[i * f + j] / (d[i] * d[j]) } }
        let ev = jacobiEigenvalues(g, f)
        let lo = ev.min()!, hi = ev.max()!
        if lo.isNaN || hi.isNaN { return (.nan, false) }
        let ratio = (Swift.max(lo, 0) / hi).squareRoot()
        return (ratio, lo >= 2 * Double(f) * 2.01 * delta)
    }

    /// Step 2 over `rows` rows produced by `row(j, buffer)`: the exact ratio, or a proven lower
    /// bound ≥ `threshold` once the rows seen so far decide (checked every 4096 rows).
    public static func exactRatio(columns f: Int, rows m: Int, fullNorms: [Double], threshold: Double,
                                  row: (Int, UnsafeMutableBufferPointer<Double>) -> Void) -> Double {
        var qr = TallQR(columns: f, chunkRows: 4096)
        var buffer = [Double](repeating: 0, count: f)
        for j in 0..<m {
            buffer.withUnsafeMutableBufferPointer { row(j, $0) }
            buffer.withUnsafeBufferPointer { qr.append($0) }
            if (j + 1) % 4096 == 0 && j + 1 < m {
                let bound = qr.provenRatioBound(fullNorms: fullNorms)
                if bound >= threshold { return bound }
            }
        }
        return qr.scaledConditionRatio()
    }

    /// Eigenvalues of a small symmetric matrix (row-major) by cyclic Jacobi rotations.
    public static func jacobiEigenvalues(_ m: [Double], _ n: Int) -> [Double] {
        var a = m
        for _ in 0..<60 {
            var off = 0.0, diag = 0.0
            for i in 0..<n { diag += a[i * n + i] * a[i * n + i]; for j in 0..<n where j != i { off += a[i * n + j] * a[i * n + j] } }
            if off <= 1e-34 * diag || off == 0 { break }
            for p in 0..<n {
                for q in (p + 1)..<max(n, p + 1) {
                    let apq = a[p * n + q]
                    if apq == 0 { continue }
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                }
            }
        }
        return (0..<n).map { a[$0 * n + $0] }
    }

    /// Singular values of a small square matrix (column-major n x n) by one-sided Jacobi
    /// (Hestenes): columns are rotated until mutually orthogonal; the σ are their norms.
    public static func singularValues(_ m: [Double], _ n: Int) -> [Double] {
        var a = m
        for _ in 0..<80 {
            var rotated = false
            for p in 0..<n {
                for q in (p + 1)..<max(n, p + 1) {
                    var alpha = 0.0, beta = 0.0, gamma = 0.0
                    for i in 0..<n {
                        let x = a[i + p * n], y = a[i + q * n]
                        alpha += x * x; beta += y * y; gamma += x * y
                    }
                    if gamma == 0 || abs(gamma) <= 1e-17 * (alpha * beta).squareRoot() { continue }
                    rotated = true
                    let zeta = (beta - alpha) / (2 * gamma)
                    let t = (zeta >= 0 ? 1.0 : -1.0) / (abs(zeta) + (1 + zeta * zeta).squareRoot())
                    let c = 1 / (1 + t * t).squareRoot(), s = c * t
                    for i in 0..<n {
                        let x = a[i + p * n], y = a[i + q * n]
                        a[i + p * n] = c * x - s * y
                        a[i + q * n] = s * x + c * y
                    }
                }
            }
            if !rotated { break }
        }
        return (0..<n).map { j in (0..<n).reduce(0.0) { $0 + a[$1 + j * n] * a[$1 + j * n] }.squareRoot() }
    }
}

/// The R factor of a tall matrix fed a chunk of rows at a time (TSQR by Householder): after
/// all rows, `RᵀR = XᵀX` with R upper triangular, computed stably in Double.
public struct TallQR: Sendable {
    public let columns: Int
    /// Stacked work matrix, column-major (`columns + chunk` rows): R on top, new rows below.
    private var work: [Double]
    private var rowsHeld = 0
    private let capacity: Int

    public init(columns: Int, chunkRows: Int = 1024) {
        self.columns = columns
        capacity = columns + chunkRows
        work = [Double](repeating: 0, count: capacity * columns)
        rowsHeld = columns
    }

    /// Appends one row (length `columns`).
    public mutating func append(_ row: UnsafeBufferPointer<Double>) {
        if rowsHeld == capacity { reduce() }
        for k in 0..<columns { work[rowsHeld + k * capacity] = row[k] }
        rowsHeld += 1
    }

    /// A lower bound on `σ_min/σ_max` of the full matrix whose column norms are at most
    /// `fullNorms`, from the rows so far (see `RankTest`, step 2); 0 when nothing is proven.
    public mutating func provenRatioBound(fullNorms: [Double]) -> Double {
        reduce()
        let n = columns
        var r = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            guard fullNorms[j] > 0, fullNorms[j].isFinite else { return 0 }
            for i in 0...j { r[i + j * n] = work[i + j * capacity] / fullNorms[j] }
        }
        guard let lo = RankTest.singularValues(r, n).min(), lo.isFinite else { return 0 }
        return lo / Double(n).squareRoot()
    }

    /// Householder-reduces the held rows to the F x F triangle on top.
    private mutating func reduce() {
        let n = columns, m = rowsHeld, ld = capacity
        work.withUnsafeMutableBufferPointer { w in
            for k in 0..<n {
                var norm = 0.0
                for i in k..<m { norm += w[i + k * ld] * w[i + k * ld] }
                norm = norm.squareRoot()
                if norm == 0 { continue }
                let x0 = w[k + k * ld]
                let alpha = x0 > 0 ? -norm : norm
                let v0 = x0 - alpha   // v = x − alpha·e1, stored in place of x
                w[k + k * ld] = v0
                let vnorm2 = (norm * norm - x0 * x0) + v0 * v0
                for j in (k + 1)..<max(n, k + 1) {
                    var dot = 0.0
                    for i in k..<m { dot += w[i + k * ld] * w[i + j * ld] }
                    let f = 2 * dot / vnorm2
                    for i in k..<m { w[i + j * ld] -= f * w[i + k * ld] }
                }
                w[k + k * ld] = alpha
                for i in (k + 1)..<m { w[i + k * ld] = 0 }
            }
            for j in 0..<n { for i in (n)..<m { w[i + j * ld] = 0 } }
        }
        rowsHeld = n
    }

    /// `σ_min/σ_max` of the column-scaled matrix appended so far (0 for a zero column, NaN if
    /// any entry was NaN).
    public mutating func scaledConditionRatio() -> Double {
        reduce()
        let n = columns
        var r = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var norm = 0.0
            for i in 0...j { norm += work[i + j * capacity] * work[i + j * capacity] }
            norm = norm.squareRoot()
            if norm.isNaN { return .nan }
            if norm == 0 { return 0 }
            for i in 0...j { r[i + j * n] = work[i + j * capacity] / norm }
        }
        let s = RankTest.singularValues(r, n)
        guard let hi = s.max(), let lo = s.min(), hi > 0 else { return .nan }
        return lo / hi
    }
}
