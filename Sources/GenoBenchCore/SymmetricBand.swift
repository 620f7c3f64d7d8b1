import CBLAS

/// A symmetric matrix reduced to band form, `A = Q B Qᵀ` with `bandwidth` sub-diagonals
/// (LAPACK `?sytrd_sy2sb`, the first stage of the two-stage tridiagonal reduction).
///
/// The reduction is orthogonal, so B has A's eigenvalues and `(QᵀX)ᵀ f(B) (QᵀX) = Xᵀ f(A) X`
/// for any matrix function f. Unlike the one-stage `?sytrd`, whose cost is dominated by
/// memory-bound `?symv` calls, it is mostly level-3 BLAS: at n = 3000 it took 1.7 s against
/// `dsytrd`'s 3.9 s on the development machine (kd = 32, 2 threads). Q is kept as Householder
/// reflectors (`?geqrf` layout below the kd-th sub-diagonal), so `Qᵀ C` costs O(n²·k) for k
/// columns (`?ormqr`) and Q is never formed.
public struct BandReduction<T: Scalar>: Sendable {
    public let order: Int
    public let bandwidth: Int
    /// B in LAPACK's lower band storage: `band[(i − j) + j·(bandwidth + 1)] = B(i, j)` for
    /// j ≤ i ≤ min(n − 1, j + bandwidth).
    public let band: [T]
    let reflectors: Matrix<T>
    let tau: [T]

    /// Reduces the symmetric matrix `a` (lower triangle read), whose storage becomes the reflectors.
    public init(reducing a: consuming Matrix<T>, bandwidth kd: Int) throws(LinearAlgebraError) {
        precondition(a.rows == a.columns, "band reduction needs a square matrix")
        precondition(kd >= 1, "bandwidth must be at least 1")
        let n = a.rows
        var ab = [T](repeating: 0, count: (kd + 1) * Swift.max(n, 1))
        var tau = [T](repeating: 0, count: Swift.max(n - kd, 1))
        var info = 0
        if n > 0 {
            info = a.storage.withUnsafeMutableBufferPointer { ap in
                ab.withUnsafeMutableBufferPointer { bp in
                    tau.withUnsafeMutableBufferPointer { tp in
                        T.sytrdBand(n: n, kd: kd, a: ap.baseAddress!, lda: n, ab: bp.baseAddress!, ldab: kd + 1, tau: tp.baseAddress!)
                    }
                }
            }
        }
        guard info == 0 else { throw .lapack(routine: "sytrd_sy2sb", info: info) }
        order = n
        bandwidth = kd
        band = ab
        reflectors = a
        self.tau = tau
    }

    /// `Qᵀ C` (`?ormqr` on the reflectors, which act on rows kd…n − 1).
    public func transposedQ(times c: Matrix<T>) throws(LinearAlgebraError) -> Matrix<T> {
        let n = order, kd = bandwidth
        guard c.rows == n else { throw .shapeMismatch("right-hand side has \(c.rows) rows, matrix \(n)") }
        var out = c
        let k = n - kd
        if k <= 0 || c.columns == 0 { return out }
        let info = reflectors.storage.withUnsafeBufferPointer { ap in
            tau.withUnsafeBufferPointer { tp in
                out.storage.withUnsafeMutableBufferPointer { cp in
                    T.ormqr(transpose: true, m: k, columns: c.columns, k: k, a: ap.baseAddress! + kd, lda: n,
                            tau: tp.baseAddress!, c: cp.baseAddress! + kd, ldc: n)
                }
            }
        }
        guard info == 0 else { throw .lapack(routine: "ormqr", info: info) }
        return out
    }
}

/// Eigenvalues, ascending, of a symmetric band matrix in lower band storage (`dsbtrd` to
/// tridiagonal form without vectors, then `dsterf`): O(n²·kd).
public func symmetricBandEigenvalues(band: [Double], order n: Int, bandwidth kd: Int) throws(LinearAlgebraError) -> [Double] {
    precondition(band.count == (kd + 1) * Swift.max(n, 1), "band storage needs (kd + 1)·n entries")
    if n == 0 { return [] }
    var ab = band, d = [Double](repeating: 0, count: n), e = [Double](repeating: 0, count: n)
    var work = [Double](repeating: 0, count: n), q = [0.0]
    var vect: CChar = 78, uplo: CChar = 76  // "N", "L"
    var nn = Int32(n), k = Int32(kd), ldab = Int32(kd + 1), ldq = Int32(1), info: Int32 = 0
    dsbtrd_(&vect, &uplo, &nn, &k, &ab, &ldab, &d, &e, &q, &ldq, &work, &info, 1, 1)
    guard info == 0 else { throw .lapack(routine: "sbtrd", info: Int(info)) }
    dsterf_(&nn, &d, &e, &info)
    guard info == 0 else { throw .lapack(routine: "sterf", info: Int(info)) }
    return d
}

/// `tr(Z A)` for two symmetric matrices held within the same band (lower band storage):
/// Σ_i Z_ii A_ii + 2 Σ_{i>j} Z_ij A_ij. Exact when A is banded, whatever Z is outside the band.
public func symmetricBandTraceOfProduct(_ z: [Double], _ a: [Double], order n: Int, bandwidth kd: Int) -> Double {
    precondition(z.count == a.count, "both matrices need the same band storage")
    var t = 0.0
    for j in 0..<n {
        let base = j * (kd + 1)
        t += z[base] * a[base]
        for d in 1..<(kd + 1) where j + d < n { t += 2 * z[base + d] * a[base + d] }
    }
    return t
}

/// `B x` for a symmetric band matrix in lower band storage (`dsbmv`).
public func symmetricBandProduct(band: [Double], order n: Int, bandwidth kd: Int, _ x: [Double]) -> [Double] {
    precondition(x.count == n, "vector has \(x.count) entries, matrix order \(n)")
    var y = [Double](repeating: 0, count: n)
    if n > 0 { cblas_dsbmv(CblasColMajor, CblasLower, Int32(n), Int32(kd), 1, band, Int32(kd + 1), x, 1, 0, &y, 1) }
    return y
}

/// The Cholesky factor of a symmetric positive-definite band matrix (`dpbtrf`, lower), for
/// solves in O(n·kd) per right-hand side (`dpbtrs`) and the log-determinant.
public struct SymmetricBandCholesky: Sendable {
    public let order: Int
    public let bandwidth: Int
    let factor: [Double]

    /// Factors `band` (lower band storage); fails with the order of the first non-positive minor.
    public init(band: [Double], order n: Int, bandwidth kd: Int) throws(LinearAlgebraError) {
        precondition(band.count == (kd + 1) * Swift.max(n, 1), "band storage needs (kd + 1)·n entries")
        var ab = band
        var uplo: CChar = 76, nn = Int32(n), k = Int32(kd), ldab = Int32(kd + 1), info: Int32 = 0
        if n > 0 { dpbtrf_(&uplo, &nn, &k, &ab, &ldab, &info, 1) }
        guard info == 0 else { throw .notPositiveDefinite(order: Int(info)) }
        order = n
        bandwidth = kd
        factor = ab
    }

    /// log|B| = 2 Σ log L_ii.
    public var logDeterminant: Double {
        (0..<order).reduce(0.0) { $0 + 2 * Double.log(factor[$1 * (bandwidth + 1)]) }
    }

    /// The entries of B⁻¹ within the band, in the same lower band storage, by the Takahashi
    /// recurrence on the factor: for j ≥ i, `Z_ij = (δ_ij / L_ii − Σ_{i<k≤i+kd} L_ki Z_kj) / L_ii`
    /// (row i of LᵀZ = L⁻¹), from the last row up, j from i + kd down to i. Every Z_kj it reads
    /// lies within the band, so the cost is O(n·kd²) and B⁻¹ is never formed: the traces
    /// tr(B⁻¹) and tr(B⁻¹A) for a band matrix A of the same width need only these entries.
    public func inverseWithinBand() -> [Double] {
        let n = order, kd = bandwidth, ld = kd + 1
        var z = [Double](repeating: 0, count: factor.count)
        factor.withUnsafeBufferPointer { l in
            z.withUnsafeMutableBufferPointer { z in
                for i in stride(from: n - 1, through: 0, by: -1) {
                    let last = Swift.min(n - 1, i + kd)
                    let lii = l[i * ld]
                    for j in stride(from: last, through: i, by: -1) {
                        var s = 0.0
                        for k in (i + 1)..<(last + 1) {
                            let (hi, lo) = k >= j ? (k, j) : (j, k)
                            s += l[(k - i) + i * ld] * z[(hi - lo) + lo * ld]
                        }
                        z[(j - i) + i * ld] = ((j == i ? 1 / lii : 0) - s) / lii
                    }
                }
            }
        }
        return z
    }

    /// B⁻¹ C for the `columns` columns of `c` (column-major, order x columns), in place.
    public func solve(_ c: inout [Double], columns: Int) {
        precondition(c.count == order * columns, "right-hand side needs order x columns entries")
        if order == 0 || columns == 0 { return }
        var uplo: CChar = 76, nn = Int32(order), k = Int32(bandwidth), nr = Int32(columns)
        var ldab = Int32(bandwidth + 1), ldb = Int32(order), info: Int32 = 0
        dpbtrs_(&uplo, &nn, &k, &nr, factor, &ldab, &c, &ldb, &info, 1)
        precondition(info == 0, "dpbtrs rejected its arguments (info \(info))")
    }
}
