import CBLAS

/// Dense linear algebra on `Matrix` and `Vector` through BLAS and LAPACK.
///
/// Failures that are numerical facts (a matrix that is not positive definite) are returned as
/// `LinearAlgebraError` values, never trapped on.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
    /// `?potrf` found the leading minor of this order not positive definite.
    case notPositiveDefinite(order: Int)
    /// A LAPACK routine returned this non-zero `info`.
    case lapack(routine: String, info: Int)
    /// Operand shapes do not agree.
    case shapeMismatch(String)

    public var description: String {
        switch self {
        case .notPositiveDefinite(let k): "matrix is not positive definite (leading minor of order \(k))"
        case .lapack(let r, let info): "LAPACK \(r) failed with info = \(info)"
        case .shapeMismatch(let s): "shape mismatch: \(s)"
        }
    }
}

extension Matrix {
    /// `op(self) * op(other)` by `?gemm`. Cost O(m n k).
    @inlinable
    public func multiplied(by other: Matrix, transposeSelf: Bool = false, transposeOther: Bool = false) -> Matrix {
        let m = transposeSelf ? columns : rows
        let k = transposeSelf ? rows : columns
        let k2 = transposeOther ? other.columns : other.rows
        let n = transposeOther ? other.rows : other.columns
        precondition(k == k2, "inner dimensions \(k) and \(k2) differ")
        var c = Matrix(rows: m, columns: n)
        if m == 0 || n == 0 { return c }
        if k == 0 { return c }
        storage.withUnsafeBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in
                c.storage.withUnsafeMutableBufferPointer { cp in
                    T.gemm(transA: transposeSelf, transB: transposeOther, m: m, n: n, k: k, alpha: 1,
                           a: a.baseAddress!, lda: Swift.max(rows, 1), b: b.baseAddress!, ldb: Swift.max(other.rows, 1),
                           beta: 0, c: cp.baseAddress!, ldc: Swift.max(m, 1))
                }
            }
        }
        return c
    }

    /// The Gram matrix `self' * self` (columns x columns, symmetric) by `?syrk`.
    @inlinable
    public func gram() -> Matrix {
        var c = Matrix(rows: columns, columns: columns)
        if columns == 0 || rows == 0 { return c }
        storage.withUnsafeBufferPointer { a in
            c.storage.withUnsafeMutableBufferPointer { cp in
                T.syrk(trans: true, n: columns, k: rows, alpha: 1, a: a.baseAddress!, lda: rows,
                       beta: 0, c: cp.baseAddress!, ldc: columns)
            }
        }
        c.symmetrizeFromLower()
        return c
    }

    /// `op(self) * x` by `?gemv`.
    @inlinable
    public func multiplied(by x: Vector<T>, transpose: Bool = false) -> Vector<T> {
        let outCount = transpose ? columns : rows
        precondition(x.count == (transpose ? rows : columns), "vector length \(x.count) does not match the matrix")
        var y = Vector<T>(count: outCount)
        if rows == 0 || columns == 0 { return y }
        storage.withUnsafeBufferPointer { a in
            x.storage.withUnsafeBufferPointer { xp in
                y.storage.withUnsafeMutableBufferPointer { yp in
                    T.gemv(trans: transpose, m: rows, n: columns, alpha: 1, a: a.baseAddress!, lda: rows,
                           x: xp.baseAddress!, beta: 0, y: yp.baseAddress!)
                }
            }
        }
        return y
    }

    /// The lower Cholesky factor L with `self = L L'` (upper triangle zeroed), by `?potrf`.
    @inlinable
    public func choleskyFactor() -> Result<Matrix, LinearAlgebraError> {
        precondition(rows == columns, "Cholesky needs a square matrix")
        var l = self
        let info = l.storage.withUnsafeMutableBufferPointer { T.potrf(n: rows, a: $0.baseAddress!, lda: Swift.max(rows, 1)) }
        if info > 0 { return .failure(.notPositiveDefinite(order: info)) }
        if info < 0 { return .failure(.lapack(routine: "potrf", info: info)) }
        for j in 0..<columns { for i in 0..<j { l.storage[i + j * rows] = 0 } }
        return .success(l)
    }

    /// Solves `self * X = B` for symmetric positive-definite `self` (`?potrf` then `?potrs`).
    @inlinable
    public func solvePositiveDefinite(_ b: Matrix) -> Result<Matrix, LinearAlgebraError> {
        guard b.rows == rows else { return .failure(.shapeMismatch("right-hand side has \(b.rows) rows, matrix \(rows)")) }
        switch choleskyFactor() {
        case .failure(let e): return .failure(e)
        case .success(let l):
            var x = b
            let info = l.storage.withUnsafeBufferPointer { lp in
                x.storage.withUnsafeMutableBufferPointer { xp in
                    T.potrs(n: rows, nrhs: b.columns, a: lp.baseAddress!, lda: Swift.max(rows, 1),
                            b: xp.baseAddress!, ldb: Swift.max(rows, 1))
                }
            }
            return info == 0 ? .success(x) : .failure(.lapack(routine: "potrs", info: info))
        }
    }

    /// Eigenvalues in ascending order and the matching orthonormal eigenvectors (as columns)
    /// of a symmetric matrix, by `?syevd` (lower triangle read).
    @inlinable
    public func symmetricEigen() -> Result<(values: Vector<T>, vectors: Matrix), LinearAlgebraError> {
        precondition(rows == columns, "eigendecomposition needs a square matrix")
        var v = self
        var w = Vector<T>(count: rows)
        if rows == 0 { return .success((w, v)) }
        let info = v.storage.withUnsafeMutableBufferPointer { a in
            w.storage.withUnsafeMutableBufferPointer { T.syevd(n: rows, a: a.baseAddress!, lda: rows, w: $0.baseAddress!) }
        }
        return info == 0 ? .success((w, v)) : .failure(.lapack(routine: "syevd", info: info))
    }
}

/// A symmetric matrix reduced to tridiagonal form, `A = Q T Qᵀ` (LAPACK `?sytrd`): T by its
/// diagonal and off-diagonal, Q kept as Householder reflectors so that `Qᵀ B` costs O(n²·k)
/// for k columns instead of forming Q. Eigenvalues of A are those of T.
public struct TridiagonalReduction<T: Scalar>: Sendable {
    public let diagonal: [T]
    /// T's sub-diagonal, `diagonal.count − 1` entries (empty for n ≤ 1).
    public let offDiagonal: [T]
    let reflectors: Matrix<T>
    let tau: [T]

    /// Reduces the symmetric matrix `a` (lower triangle read), whose storage becomes the reflectors.
    public init(reducing a: consuming Matrix<T>) throws(LinearAlgebraError) {
        precondition(a.rows == a.columns, "tridiagonal reduction needs a square matrix")
        let n = a.rows
        var d = [T](repeating: 0, count: n), e = [T](repeating: 0, count: Swift.max(n, 1)),
            tau = [T](repeating: 0, count: Swift.max(n, 1))
        var info = 0
        if n > 0 {
            info = a.storage.withUnsafeMutableBufferPointer { ap in
                d.withUnsafeMutableBufferPointer { dp in
                    e.withUnsafeMutableBufferPointer { ep in
                        tau.withUnsafeMutableBufferPointer { tp in
                            T.sytrd(n: n, a: ap.baseAddress!, lda: n, d: dp.baseAddress!, e: ep.baseAddress!, tau: tp.baseAddress!)
                        }
                    }
                }
            }
        }
        guard info == 0 else { throw .lapack(routine: "sytrd", info: info) }
        diagonal = d
        offDiagonal = Array(e.prefix(Swift.max(n - 1, 0)))
        reflectors = a
        self.tau = tau
    }

    /// `Qᵀ B` (`?ormtr`).
    public func transposedQ(times b: Matrix<T>) throws(LinearAlgebraError) -> Matrix<T> {
        let n = diagonal.count
        guard b.rows == n else { throw .shapeMismatch("right-hand side has \(b.rows) rows, matrix \(n)") }
        var c = b
        if n == 0 || b.columns == 0 { return c }
        let info = reflectors.storage.withUnsafeBufferPointer { ap in
            tau.withUnsafeBufferPointer { tp in
                c.storage.withUnsafeMutableBufferPointer { cp in
                    T.ormtr(transpose: true, n: n, columns: b.columns, a: ap.baseAddress!, lda: n, tau: tp.baseAddress!,
                            c: cp.baseAddress!, ldc: n)
                }
            }
        }
        guard info == 0 else { throw .lapack(routine: "ormtr", info: info) }
        return c
    }
}

/// Eigenvalues, ascending, of the symmetric tridiagonal matrix with this diagonal and
/// sub-diagonal, by the root-free QL/QR iteration of LAPACK `dsterf` (O(n²), no vectors).
public func symmetricTridiagonalEigenvalues(diagonal: [Double], offDiagonal: [Double]) throws(LinearAlgebraError) -> [Double] {
    precondition(offDiagonal.count == Swift.max(diagonal.count - 1, 0), "sub-diagonal needs n − 1 entries")
    var d = diagonal, e = offDiagonal + [0]
    var n = Int32(d.count), info: Int32 = 0
    if n > 0 { dsterf_(&n, &d, &e, &info) }
    guard info == 0 else { throw .lapack(routine: "sterf", info: Int(info)) }
    return d
}

extension Vector {
    /// `sum_i self[i] * other[i]` by `?dot`.
    @inlinable
    public func dot(_ other: Vector) -> T {
        precondition(count == other.count, "vector lengths \(count) and \(other.count) differ")
        if count == 0 { return 0 }
        return storage.withUnsafeBufferPointer { x in
            other.storage.withUnsafeBufferPointer { y in T.dot(count: count, x: x.baseAddress!, y: y.baseAddress!) }
        }
    }
}
