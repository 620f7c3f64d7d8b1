import CBLAS
@_exported import RealModule

/// A floating-point element type with the BLAS and LAPACK entry points for that type.
///
/// `Scalar` composes swift-numerics' `Real` (elementary functions) and `BinaryFloatingPoint` with the few dense linear-algebra
/// operations GenoBench needs, so numeric code is written once and the precision axis of a
/// benchmark is a type parameter (`Float` or `Double`). The requirements are thin wrappers
/// over OpenBLAS (`?gemm`, `?syrk`, `?gemv`, `?dot`) and LAPACK (`?potrf`, `?potrs`,
/// `?syevd`, `?sytrd`, `?ormtr`); all matrices are column-major.
public protocol Scalar: Real, BinaryFloatingPoint, Sendable, Codable
where Self.RawSignificand: FixedWidthInteger {
    /// `"f32"` or `"f64"`: the suffix of backend ids.
    static var precisionSuffix: String { get }
    static var precision: Precision { get }

    /// `C = alpha * op(A) * op(B) + beta * C` (BLAS `?gemm`, column-major).
    static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
        a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// `C = alpha * op(A) * op(A)' + beta * C`, lower triangle of C updated (BLAS `?syrk`).
    static func syrk(
        trans: Bool, n: Int, k: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// `y = alpha * op(A) * x + beta * y` (BLAS `?gemv`).
    static func gemv(
        trans: Bool, m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
        x: UnsafePointer<Self>, beta: Self, y: UnsafeMutablePointer<Self>)

    /// `sum_i x[i] * y[i]` (BLAS `?dot`).
    static func dot(count: Int, x: UnsafePointer<Self>, y: UnsafePointer<Self>) -> Self

    /// `B = op(L) * B` in place for a lower-triangular m x m L, B m x n (BLAS `?trmm`, side
    /// left, non-unit diagonal; `transL` uses Lᵀ).
    static func trmm(transL: Bool, m: Int, n: Int, l: UnsafePointer<Self>, ldl: Int, b: UnsafeMutablePointer<Self>, ldb: Int)

    /// Cholesky factor of a symmetric positive-definite matrix in place, lower triangle
    /// (LAPACK `?potrf`). Returns LAPACK's `info`: 0 on success, k > 0 when the leading minor
    /// of order k is not positive definite.
    static func potrf(n: Int, a: UnsafeMutablePointer<Self>, lda: Int) -> Int

    /// Solves `A X = B` from the lower Cholesky factor of `potrf` (LAPACK `?potrs`).
    static func potrs(
        n: Int, nrhs: Int, a: UnsafePointer<Self>, lda: Int, b: UnsafeMutablePointer<Self>, ldb: Int
    ) -> Int

    /// Inverse of a symmetric positive-definite matrix from its lower Cholesky factor, in place,
    /// lower triangle (LAPACK `?potri`). Returns LAPACK's `info`.
    static func potri(n: Int, a: UnsafeMutablePointer<Self>, lda: Int) -> Int

    /// Eigenvalues (ascending) and, in place, eigenvectors of a symmetric matrix by divide and
    /// conquer (LAPACK `?syevd`, lower triangle). Returns LAPACK's `info`.
    static func syevd(n: Int, a: UnsafeMutablePointer<Self>, lda: Int, w: UnsafeMutablePointer<Self>) -> Int

    /// Householder reduction of a symmetric matrix to tridiagonal form `A = Q T Qᵀ` (LAPACK
    /// `?sytrd`, lower triangle): `d` (n) and `e` (n − 1) receive T, the reflectors defining Q
    /// overwrite `a` below the subdiagonal with their scalars in `tau` (n − 1). Returns `info`.
    static func sytrd(
        n: Int, a: UnsafeMutablePointer<Self>, lda: Int, d: UnsafeMutablePointer<Self>,
        e: UnsafeMutablePointer<Self>, tau: UnsafeMutablePointer<Self>) -> Int

    /// `C = Qᵀ C` (or `Q C`) for the Q of a lower `?sytrd` reduction (LAPACK `?ormtr`, side
    /// left); C is n x `columns`. Returns `info`.
    static func ormtr(
        transpose: Bool, n: Int, columns: Int, a: UnsafePointer<Self>, lda: Int, tau: UnsafePointer<Self>,
        c: UnsafeMutablePointer<Self>, ldc: Int) -> Int

    /// First stage of the two-stage reduction: a symmetric matrix to band form `A = Q B Qᵀ`
    /// with `kd` sub-diagonals (LAPACK `?sytrd_sy2sb`, lower triangle). B goes to `ab` in LAPACK's
    /// lower band storage (ldab ≥ kd + 1); the reflectors defining Q overwrite `a` below the
    /// kd-th sub-diagonal, their scalars in `tau` (max(n − kd, 1)). Mostly level-3 BLAS, unlike
    /// `?sytrd`. Returns `info`.
    static func sytrdBand(
        n: Int, kd: Int, a: UnsafeMutablePointer<Self>, lda: Int, ab: UnsafeMutablePointer<Self>, ldab: Int,
        tau: UnsafeMutablePointer<Self>) -> Int

    /// `C = Qᵀ C` (or `Q C`) for Q = H(1)…H(k) stored as by `?geqrf` (LAPACK `?ormqr`, side
    /// left); C is m x `columns`. Returns `info`.
    static func ormqr(
        transpose: Bool, m: Int, columns: Int, k: Int, a: UnsafePointer<Self>, lda: Int, tau: UnsafePointer<Self>,
        c: UnsafeMutablePointer<Self>, ldc: Int) -> Int
}

/// The precision axis of a benchmark.
public enum Precision: String, Sendable, Codable, CaseIterable {
    case f32, f64
}

@inline(__always) private func trans(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }

extension Scalar {
    /// `values` in this precision. In Double the array is the same storage (no copy, no new
    /// pages: a large operand converted per solve otherwise costs a page fault per 4 KiB).
    @inlinable
    public static func converting(_ values: [Double]) -> [Self] {
        Self.self == Double.self ? unsafeBitCast(values, to: [Self].self) : values.map { Self($0) }
    }

    /// `values` widened to Double; the same storage when Self is Double (pass `consume x` to
    /// hand it over without a second reference). (`as? [Double]` would cast element by
    /// element; the type check is O(1).)
    @inlinable
    public static func doubles(_ values: consuming [Self]) -> [Double] {
        Self.self == Double.self ? unsafeBitCast(values, to: [Double].self) : values.map { Double($0) }
    }
}

extension Float: Scalar {
    public static var precisionSuffix: String { "f32" }
    public static var precision: Precision { .f32 }

    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(CblasColMajor, trans(transA), trans(transB), Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    public static func syrk(
        trans t: Bool, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_ssyrk(CblasColMajor, CblasLower, trans(t), Int32(n), Int32(k), alpha, a, Int32(lda),
                    beta, c, Int32(ldc))
    }

    public static func gemv(
        trans t: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        cblas_sgemv(CblasColMajor, trans(t), Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    public static func dot(count: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>) -> Float {
        cblas_sdot(Int32(count), x, 1, y, 1)
    }

    public static func trmm(transL: Bool, m: Int, n: Int, l: UnsafePointer<Float>, ldl: Int, b: UnsafeMutablePointer<Float>, ldb: Int) {
        cblas_strmm(CblasColMajor, CblasLeft, CblasLower, trans(transL), CblasNonUnit, Int32(m), Int32(n), 1, l, Int32(ldl), b, Int32(ldb))
    }

    public static func potrf(n: Int, a: UnsafeMutablePointer<Float>, lda: Int) -> Int {
        var uplo: CChar = 76, nn = Int32(n), ld = Int32(lda), info: Int32 = 0  // "L"
        spotrf_(&uplo, &nn, a, &ld, &info, 1)
        return Int(info)
    }

    public static func potrs(
        n: Int, nrhs: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafeMutablePointer<Float>, ldb: Int
    ) -> Int {
        var uplo: CChar = 76, nn = Int32(n), nr = Int32(nrhs), la = Int32(lda), lb = Int32(ldb)
        var info: Int32 = 0
        spotrs_(&uplo, &nn, &nr, a, &la, b, &lb, &info, 1)
        return Int(info)
    }

    public static func potri(n: Int, a: UnsafeMutablePointer<Float>, lda: Int) -> Int {
        var uplo: CChar = 76, nn = Int32(n), ld = Int32(lda), info: Int32 = 0
        spotri_(&uplo, &nn, a, &ld, &info, 1)
        return Int(info)
    }

    public static func syevd(n: Int, a: UnsafeMutablePointer<Float>, lda: Int, w: UnsafeMutablePointer<Float>) -> Int {
        var jobz: CChar = 86, uplo: CChar = 76, nn = Int32(n), ld = Int32(lda), info: Int32 = 0
        var lwork: Int32 = -1, liwork: Int32 = -1, wq: Float = 0, iwq: Int32 = 0
        ssyevd_(&jobz, &uplo, &nn, a, &ld, w, &wq, &lwork, &iwq, &liwork, &info, 1, 1)
        guard info == 0 else { return Int(info) }
        // The size comes back as a Float, which cannot hold large integers exactly (n = 3000
        // needs 18,018,001): take at least LAPACK's documented minimum 1 + 6n + 2n².
        lwork = max(Int32(wq.rounded(.up)), Int32(1 + 6 * n + 2 * n * n)); liwork = max(iwq, Int32(3 + 5 * n))
        var work = [Float](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        ssyevd_(&jobz, &uplo, &nn, a, &ld, w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        return Int(info)
    }
    public static func sytrd(
        n: Int, a: UnsafeMutablePointer<Float>, lda: Int, d: UnsafeMutablePointer<Float>,
        e: UnsafeMutablePointer<Float>, tau: UnsafeMutablePointer<Float>
    ) -> Int {
        var uplo: CChar = 76, nn = Int32(n), ld = Int32(lda), info: Int32 = 0
        var lwork: Int32 = -1, wq: Float = 0
        ssytrd_(&uplo, &nn, a, &ld, d, e, tau, &wq, &lwork, &info, 1)
        guard info == 0 else { return Int(info) }
        // The optimal size is n times the block size: small enough to be exact in a Float.
        lwork = max(Int32(wq.rounded(.up)), Int32(max(1, n)))
        var work = [Float](repeating: 0, count: Int(lwork))
        ssytrd_(&uplo, &nn, a, &ld, d, e, tau, &work, &lwork, &info, 1)
        return Int(info)
    }

    public static func ormtr(
        transpose: Bool, n: Int, columns: Int, a: UnsafePointer<Float>, lda: Int, tau: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) -> Int {
        var side: CChar = 76, uplo: CChar = 76, tr: CChar = transpose ? 84 : 78  // "L", "L", "T"/"N"
        var m = Int32(n), nc = Int32(columns), la = Int32(lda), lc = Int32(ldc), info: Int32 = 0
        var lwork: Int32 = -1, wq: Float = 0
        sormtr_(&side, &uplo, &tr, &m, &nc, a, &la, tau, c, &lc, &wq, &lwork, &info, 1, 1, 1)
        guard info == 0 else { return Int(info) }
        lwork = max(Int32(wq.rounded(.up)), Int32(max(1, columns)))
        var work = [Float](repeating: 0, count: Int(lwork))
        sormtr_(&side, &uplo, &tr, &m, &nc, a, &la, tau, c, &lc, &work, &lwork, &info, 1, 1, 1)
        return Int(info)
    }

    public static func sytrdBand(
        n: Int, kd: Int, a: UnsafeMutablePointer<Float>, lda: Int, ab: UnsafeMutablePointer<Float>, ldab: Int,
        tau: UnsafeMutablePointer<Float>
    ) -> Int {
        var uplo: CChar = 76, nn = Int32(n), k = Int32(kd), la = Int32(lda), lb = Int32(ldab), info: Int32 = 0
        var lwork: Int32 = -1, wq: Float = 0
        ssytrd_sy2sb_(&uplo, &nn, &k, a, &la, ab, &lb, tau, &wq, &lwork, &info, 1)
        guard info == 0 else { return Int(info) }
        // The size (about (2kd + 1)·n) comes back as a Float; round up and keep a margin.
        lwork = Int32(wq.rounded(.up)) + Int32(max(1, n))
        var work = [Float](repeating: 0, count: Int(lwork))
        ssytrd_sy2sb_(&uplo, &nn, &k, a, &la, ab, &lb, tau, &work, &lwork, &info, 1)
        return Int(info)
    }

    public static func ormqr(
        transpose: Bool, m: Int, columns: Int, k: Int, a: UnsafePointer<Float>, lda: Int, tau: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) -> Int {
        var side: CChar = 76, tr: CChar = transpose ? 84 : 78  // "L", "T"/"N"
        var mm = Int32(m), nc = Int32(columns), kk = Int32(k), la = Int32(lda), lc = Int32(ldc), info: Int32 = 0
        var lwork: Int32 = -1, wq: Float = 0
        sormqr_(&side, &tr, &mm, &nc, &kk, a, &la, tau, c, &lc, &wq, &lwork, &info, 1, 1)
        guard info == 0 else { return Int(info) }
        lwork = max(Int32(wq.rounded(.up)), Int32(max(1, columns)))
        var work = [Float](repeating: 0, count: Int(lwork))
        sormqr_(&side, &tr, &mm, &nc, &kk, a, &la, tau, c, &lc, &work, &lwork, &info, 1, 1)
        return Int(info)
    }
}

extension Double: Scalar {
    public static var precisionSuffix: String { "f64" }
    public static var precision: Precision { .f64 }

    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(CblasColMajor, trans(transA), trans(transB), Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    public static func syrk(
        trans t: Bool, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dsyrk(CblasColMajor, CblasLower, trans(t), Int32(n), Int32(k), alpha, a, Int32(lda),
                    beta, c, Int32(ldc))
    }

    public static func gemv(
        trans t: Bool, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
        x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>
    ) {
        cblas_dgemv(CblasColMajor, trans(t), Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    public static func dot(count: Int, x: UnsafePointer<Double>, y: UnsafePointer<Double>) -> Double {
        cblas_ddot(Int32(count), x, 1, y, 1)
    }

    public static func trmm(transL: Bool, m: Int, n: Int, l: UnsafePointer<Double>, ldl: Int, b: UnsafeMutablePointer<Double>, ldb: Int) {
        cblas_dtrmm(CblasColMajor, CblasLeft, CblasLower, trans(transL), CblasNonUnit, Int32(m), Int32(n), 1, l, Int32(ldl), b, Int32(ldb))
    }

    public static func potrf(n: Int, a: UnsafeMutablePointer<Double>, lda: Int) -> Int {
        var uplo: CChar = 76, nn = Int32(n), ld = Int32(lda), info: Int32 = 0
        dpotrf_(&uplo, &nn, a, &ld, &info, 1)
        return Int(info)
    }

    public static func potrs(
        n: Int, nrhs: Int, a: UnsafePointer<Double>, lda: Int, b: UnsafeMutablePointer<Double>, ldb: Int
    ) -> Int {
        var uplo: CChar = 76, nn = Int32(n), nr = Int32(nrhs), la = Int32(lda), lb = Int32(ldb)
        var info: Int32 = 0
        dpotrs_(&uplo, &nn, &nr, a, &la, b, &lb, &info, 1)
        return Int(info)
    }

    public static func potri(n: Int, a: UnsafeMutablePointer<Double>, lda: Int) -> Int {
        var uplo: CChar = 76, nn = Int32(n), ld = Int32(lda), info: Int32 = 0
        dpotri_(&uplo, &nn, a, &ld, &info, 1)
        return Int(info)
    }

    public static func syevd(n: Int, a: UnsafeMutablePointer<Double>, lda: Int, w: UnsafeMutablePointer<Double>) -> Int {
        var jobz: CChar = 86, uplo: CChar = 76, nn = Int32(n), ld = Int32(lda), info: Int32 = 0
        var lwork: Int32 = -1, liwork: Int32 = -1, wq: Double = 0, iwq: Int32 = 0
        dsyevd_(&jobz, &uplo, &nn, a, &ld, w, &wq, &lwork, &iwq, &liwork, &info, 1, 1)
        guard info == 0 else { return Int(info) }
        lwork = Int32(wq); liwork = iwq
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_(&jobz, &uplo, &nn, a, &ld, w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        return Int(info)
    }
    public static func sytrd(
        n: Int, a: UnsafeMutablePointer<Double>, lda: Int, d: UnsafeMutablePointer<Double>,
        e: UnsafeMutablePointer<Double>, tau: UnsafeMutablePointer<Double>
    ) -> Int {
        var uplo: CChar = 76, nn = Int32(n), ld = Int32(lda), info: Int32 = 0
        var lwork: Int32 = -1, wq: Double = 0
        dsytrd_(&uplo, &nn, a, &ld, d, e, tau, &wq, &lwork, &info, 1)
        guard info == 0 else { return Int(info) }
        // The optimal size is n times the block size: small enough to be exact in a Double.
        lwork = max(Int32(wq.rounded(.up)), Int32(max(1, n)))
        var work = [Double](repeating: 0, count: Int(lwork))
        dsytrd_(&uplo, &nn, a, &ld, d, e, tau, &work, &lwork, &info, 1)
        return Int(info)
    }

    public static func ormtr(
        transpose: Bool, n: Int, columns: Int, a: UnsafePointer<Double>, lda: Int, tau: UnsafePointer<Double>,
        c: UnsafeMutablePointer<Double>, ldc: Int
    ) -> Int {
        var side: CChar = 76, uplo: CChar = 76, tr: CChar = transpose ? 84 : 78  // "L", "L", "T"/"N"
        var m = Int32(n), nc = Int32(columns), la = Int32(lda), lc = Int32(ldc), info: Int32 = 0
        var lwork: Int32 = -1, wq: Double = 0
        dormtr_(&side, &uplo, &tr, &m, &nc, a, &la, tau, c, &lc, &wq, &lwork, &info, 1, 1, 1)
        guard info == 0 else { return Int(info) }
        lwork = max(Int32(wq.rounded(.up)), Int32(max(1, columns)))
        var work = [Double](repeating: 0, count: Int(lwork))
        dormtr_(&side, &uplo, &tr, &m, &nc, a, &la, tau, c, &lc, &work, &lwork, &info, 1, 1, 1)
        return Int(info)
    }

    public static func sytrdBand(
        n: Int, kd: Int, a: UnsafeMutablePointer<Double>, lda: Int, ab: UnsafeMutablePointer<Double>, ldab: Int,
        tau: UnsafeMutablePointer<Double>
    ) -> Int {
        var uplo: CChar = 76, nn = Int32(n), k = Int32(kd), la = Int32(lda), lb = Int32(ldab), info: Int32 = 0
        var lwork: Int32 = -1, wq: Double = 0
        dsytrd_sy2sb_(&uplo, &nn, &k, a, &la, ab, &lb, tau, &wq, &lwork, &info, 1)
        guard info == 0 else { return Int(info) }
        // The size (about (2kd + 1)·n) comes back as a Double; round up and keep a margin.
        lwork = Int32(wq.rounded(.up)) + Int32(max(1, n))
        var work = [Double](repeating: 0, count: Int(lwork))
        dsytrd_sy2sb_(&uplo, &nn, &k, a, &la, ab, &lb, tau, &work, &lwork, &info, 1)
        return Int(info)
    }

    public static func ormqr(
        transpose: Bool, m: Int, columns: Int, k: Int, a: UnsafePointer<Double>, lda: Int, tau: UnsafePointer<Double>,
        c: UnsafeMutablePointer<Double>, ldc: Int
    ) -> Int {
        var side: CChar = 76, tr: CChar = transpose ? 84 : 78  // "L", "T"/"N"
        var mm = Int32(m), nc = Int32(columns), kk = Int32(k), la = Int32(lda), lc = Int32(ldc), info: Int32 = 0
        var lwork: Int32 = -1, wq: Double = 0
        dormqr_(&side, &tr, &mm, &nc, &kk, a, &la, tau, c, &lc, &wq, &lwork, &info, 1, 1)
        guard info == 0 else { return Int(info) }
        lwork = max(Int32(wq.rounded(.up)), Int32(max(1, columns)))
        var work = [Double](repeating: 0, count: Int(lwork))
        dormqr_(&side, &tr, &mm, &nc, &kk, a, &la, tau, c, &lc, &work, &lwork, &info, 1, 1)
        return Int(info)
    }
}
