import GenoBenchCore
import XCTest
import _GenoBenchTestSupport

/// BLAS/LAPACK dispatch for both precisions against plain loops and closed forms.
final class LinearAlgebraTests: XCTestCase {
    func randomMatrix<T: Scalar>(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix<T> {
        var rng = RandomSource(seed: seed)
        return Matrix(rows: rows, columns: columns, columnMajor: (0..<(rows * columns)).map { _ in T(rng.nextUniform() - 0.5) })
    }

    func checkProducts<T: Scalar>(_: T.Type, tolerance: Double) {
        let a: Matrix<T> = randomMatrix(7, 5, seed: 11), b: Matrix<T> = randomMatrix(5, 4, seed: 12)
        let c = a.multiplied(by: b)
        for i in 0..<7 {
            for j in 0..<4 {
                var s = 0.0
                for k in 0..<5 { s += Double(a[i, k]) * Double(b[k, j]) }
                assertClose(Double(c[i, j]), s, absolute: tolerance, "gemm (\(i),\(j)) seed 11/12")
            }
        }
        let at = a.multiplied(by: a, transposeSelf: true)
        let gram = a.gram()
        for i in 0..<5 { for j in 0..<5 { assertClose(Double(gram[i, j]), Double(at[i, j]), absolute: tolerance, "syrk vs gemm") } }
        let x = Vector<T>((0..<5).map { T($0) - 2 })
        let y = a.multiplied(by: x)
        for i in 0..<7 {
            var s = 0.0
            for k in 0..<5 { s += Double(a[i, k]) * Double(x[k]) }
            assertClose(Double(y[i]), s, absolute: tolerance, "gemv row \(i)")
        }
        assertClose(Double(x.dot(x)), 4 + 1 + 0 + 1 + 4, absolute: tolerance, "dot")
    }

    func testProductsDouble() { checkProducts(Double.self, tolerance: 1e-12) }
    func testProductsFloat() { checkProducts(Float.self, tolerance: 1e-5) }

    func checkCholeskyAndEigen<T: Scalar>(_: T.Type, tolerance: Double) throws {
        let z: Matrix<T> = randomMatrix(12, 6, seed: 3)
        var spd = z.gram()
        for i in 0..<6 { spd[i, i] += 1 }
        let l = try spd.choleskyFactor().get()
        let back = l.multiplied(by: l, transposeOther: true)
        for i in 0..<6 { for j in 0..<6 { assertClose(Double(back[i, j]), Double(spd[i, j]), absolute: tolerance, "L L' = A") } }
        let rhs = Matrix<T>(rows: 6, columns: 1, columnMajor: (0..<6).map { T($0 + 1) })
        let solution = try spd.solvePositiveDefinite(rhs).get()
        let check = spd.multiplied(by: solution)
        for i in 0..<6 { assertClose(Double(check[i, 0]), Double(i + 1), absolute: 10 * tolerance, "A x = b") }
        let (values, vectors) = try spd.symmetricEigen().get()
        for k in 0..<6 {
            if k > 0 { XCTAssertLessThanOrEqual(values[k - 1], values[k], "ascending eigenvalues") }
            let v = vectors.column(k)
            let av = spd.multiplied(by: v)
            for i in 0..<6 { assertClose(Double(av[i]), Double(values[k] * v[i]), absolute: 10 * tolerance, "A v = λ v") }
        }
    }

    func testCholeskyEigenDouble() throws { try checkCholeskyAndEigen(Double.self, tolerance: 1e-12) }
    func testCholeskyEigenFloat() throws { try checkCholeskyAndEigen(Float.self, tolerance: 1e-4) }

    /// A = Q T Qᵀ: T's eigenvalues are A's, and for any B, (QᵀB)ᵀ T (QᵀB) = BᵀAB and QᵀB keeps
    /// BᵀB (Q orthogonal).
    func checkTridiagonalReduction<T: Scalar>(_: T.Type, tolerance: Double) throws {
        let n = 9
        let z: Matrix<T> = randomMatrix(n, 14, seed: 5)
        let a = z.multiplied(by: z, transposeOther: true)
        let b: Matrix<T> = randomMatrix(n, 3, seed: 6)
        let r = try TridiagonalReduction(reducing: a)
        XCTAssertEqual(r.diagonal.count, n)
        XCTAssertEqual(r.offDiagonal.count, n - 1)
        let values = try symmetricTridiagonalEigenvalues(diagonal: r.diagonal.map { Double($0) },
                                                         offDiagonal: r.offDiagonal.map { Double($0) })
        let (expected, _) = try a.symmetricEigen().get()
        for k in 0..<n { assertClose(values[k], Double(expected[k]), absolute: 10 * tolerance, "eigenvalue \(k)") }
        let qb = try r.transposedQ(times: b)
        var t = Matrix<T>(rows: n, columns: n)
        for i in 0..<n { t[i, i] = r.diagonal[i] }
        for i in 0..<(n - 1) { t[i + 1, i] = r.offDiagonal[i]; t[i, i + 1] = r.offDiagonal[i] }
        let lhs = qb.multiplied(by: t.multiplied(by: qb), transposeSelf: true)
        let rhs = b.multiplied(by: a.multiplied(by: b), transposeSelf: true)
        let gramBefore = b.gram(), gramAfter = qb.gram()
        for i in 0..<3 {
            for j in 0..<3 {
                assertClose(Double(lhs[i, j]), Double(rhs[i, j]), absolute: 10 * tolerance, "BᵀAB (\(i),\(j))")
                if j <= i { assertClose(Double(gramAfter[i, j]), Double(gramBefore[i, j]), absolute: tolerance, "BᵀB") }
            }
        }
        XCTAssertEqual(try symmetricTridiagonalEigenvalues(diagonal: [2, 2], offDiagonal: [1]), [1, 3])
    }

    func testTridiagonalReductionDouble() throws { try checkTridiagonalReduction(Double.self, tolerance: 1e-12) }
    func testTridiagonalReductionFloat() throws { try checkTridiagonalReduction(Float.self, tolerance: 1e-4) }

    func testNotPositiveDefiniteIsAValueNotATrap() {
        let m = Matrix<Double>([[1, 2], [2, 1]])
        XCTAssertEqual(m.choleskyFactor().failureValue, .notPositiveDefinite(order: 2))
    }

    func testRandomSourceIsReproducible() {
        var a = RandomSource(seed: 42), b = RandomSource(seed: 42), c = RandomSource(seed: 43)
        let xa = (0..<5).map { _ in a.next() }
        XCTAssertEqual(xa, (0..<5).map { _ in b.next() })
        XCTAssertNotEqual(xa, (0..<5).map { _ in c.next() })
        var u = RandomSource(seed: 7)
        let mean = (0..<20_000).map { _ in u.nextUniform() }.reduce(0, +) / 20_000
        assertClose(mean, 0.5, absolute: 0.01, "uniform mean, seed 7")
    }

    func testParallelMapKeepsOrderForAnyThreadCount() {
        for threads in [1, 2, 8] {
            let out = RunContext(threads: threads).parallelMap(100) { $0 * $0 }
            XCTAssertEqual(out, (0..<100).map { $0 * $0 }, "threads \(threads)")
        }
    }
}

extension Result {
    var failureValue: Failure? { if case .failure(let e) = self { return e } else { return nil } }
}
