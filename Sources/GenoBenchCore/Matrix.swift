/// A dense column-major matrix of `Scalar` elements.
///
/// Element (i, j) of an m x n matrix is `storage[i + j * rows]`, the layout BLAS and LAPACK
/// use, so a `Matrix` is passed to them without copying.
public struct Matrix<T: Scalar>: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public var storage: [T]

    /// An m x n matrix filled with `value`.
    @inlinable
    public init(rows: Int, columns: Int, repeating value: T = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.storage = [T](repeating: value, count: rows * columns)
    }

    /// An m x n matrix over existing column-major storage.
    @inlinable
    public init(rows: Int, columns: Int, columnMajor storage: [T]) {
        precondition(storage.count == rows * columns, "storage holds \(storage.count) elements, not \(rows) x \(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A matrix from rows given as nested arrays (for tests and small literals).
    @inlinable
    public init(_ rowsOfValues: [[T]]) {
        let m = rowsOfValues.count
        let n = rowsOfValues.first?.count ?? 0
        self.init(rows: m, columns: n)
        for i in 0..<m {
            precondition(rowsOfValues[i].count == n, "row \(i) has \(rowsOfValues[i].count) values, expected \(n)")
            for j in 0..<n { storage[i + j * m] = rowsOfValues[i][j] }
        }
    }

    /// The n x n identity.
    @inlinable
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m.storage[i + i * n] = 1 }
        return m
    }

    @inlinable
    public subscript(row: Int, column: Int) -> T {
        get { storage[row + column * rows] }
        set { storage[row + column * rows] = newValue }
    }

    /// Column j as a vector (a copy).
    @inlinable
    public func column(_ j: Int) -> Vector<T> {
        Vector(Array(storage[(j * rows)..<((j + 1) * rows)]))
    }

    /// The transpose (a copy).
    @inlinable
    public var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows)
        for j in 0..<columns { for i in 0..<rows { t.storage[j + i * columns] = storage[i + j * rows] } }
        return t
    }

    /// Replaces each off-diagonal pair by its mean (for products that are symmetric in exact
    /// arithmetic but not after rounding).
    @inlinable
    public mutating func symmetrizeByAveraging() {
        precondition(rows == columns, "only a square matrix can be symmetrised")
        for j in 0..<columns {
            for i in (j + 1)..<max(rows, j + 1) {
                let mean = (storage[i + j * rows] + storage[j + i * rows]) / 2
                storage[i + j * rows] = mean
                storage[j + i * rows] = mean
            }
        }
    }

    /// Copies the lower triangle onto the upper one (after `syrk` or LAPACK's lower routines).
    @inlinable
    public mutating func symmetrizeFromLower() {
        precondition(rows == columns, "only a square matrix can be symmetrised")
        for j in 0..<columns { for i in (j + 1)..<max(rows, j + 1) { storage[j + i * rows] = storage[i + j * rows] } }
    }
}

/// A dense vector of `Scalar` elements.
public struct Vector<T: Scalar>: Sendable, Equatable {
    public var storage: [T]

    @inlinable public init(_ values: [T]) { storage = values }
    @inlinable public init(count: Int, repeating value: T = 0) { storage = [T](repeating: value, count: count) }
    @inlinable public var count: Int { storage.count }

    @inlinable
    public subscript(i: Int) -> T {
        get { storage[i] }
        set { storage[i] = newValue }
    }
}
