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
