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

    /// A = Q B Qᵀ with B banded: B's eigenvalues are A's; for any C, (QᵀC)ᵀ B (QᵀC) = CᵀAC and
    /// QᵀC keeps CᵀC (Q orthogonal); the band Cholesky solves and gives log|B|.
    func checkBandReduction<T: Scalar>(_: T.Type, n: Int, kd: Int, tolerance: Double) throws {
        let z: Matrix<T> = randomMatrix(n, n + 5, seed: 5)
        let a = z.multiplied(by: z, transposeOther: true)
        let c: Matrix<T> = randomMatrix(n, 3, seed: 6)
        let r = try BandReduction(reducing: a, bandwidth: kd)
        let band = r.band.map { Double($0) }
        let values = try symmetricBandEigenvalues(band: band, order: n, bandwidth: kd)
        let (expected, _) = try a.symmetricEigen().get()
        let scale = Double(expected[n - 1])
        for k in 0..<n { assertClose(values[k], Double(expected[k]), absolute: tolerance * scale, "eigenvalue \(k)") }
        let qc = try r.transposedQ(times: c)
        let qcd = Matrix<Double>(rows: n, columns: 3, columnMajor: qc.storage.map { Double($0) })
        let cd = Matrix<Double>(rows: n, columns: 3, columnMajor: c.storage.map { Double($0) })
        let ad = Matrix<Double>(rows: n, columns: n, columnMajor: a.storage.map { Double($0) })
        let rhs = cd.multiplied(by: ad.multiplied(by: cd), transposeSelf: true)
        let gramBefore = cd.gram(), gramAfter = qcd.gram()
        for i in 0..<3 {
            let bq = symmetricBandProduct(band: band, order: n, bandwidth: kd, Array(qcd.storage[(i * n)..<((i + 1) * n)]))
            for j in 0..<3 {
                let lhs = zip(qcd.storage[(j * n)..<((j + 1) * n)], bq).reduce(0.0) { $0 + $1.0 * $1.1 }
                assertClose(lhs, rhs[j, i], relative: 10 * tolerance, "CᵀAC (\(i),\(j))")
                if j <= i { assertClose(gramAfter[i, j], gramBefore[i, j], relative: tolerance, "CᵀC") }
            }
        }
        // Cholesky of B + I: log-determinant from the eigenvalues, and a solve.
        var shifted = band
        for j in 0..<n { shifted[j * (kd + 1)] += 1 }
        let chol = try SymmetricBandCholesky(band: shifted, order: n, bandwidth: kd)
        assertClose(chol.logDeterminant, values.reduce(0) { $0 + Double.log($1 + 1) }, relative: 10 * tolerance, "log|B + I|")
        var x = Array(qcd.storage[0..<n])
        chol.solve(&x, columns: 1)
        let back = symmetricBandProduct(band: band, order: n, bandwidth: kd, x)
        for i in 0..<n { assertClose(back[i] + x[i], qcd.storage[i], absolute: 10 * tolerance * scale, "(B + I) x = c, row \(i)") }
        // (B + I)⁻¹ within the band (Takahashi) against dense solves, and the trace helper.
        var inverse = Matrix<Double>.identity(n).storage
        chol.solve(&inverse, columns: n)
        let zb = chol.inverseWithinBand()
        for j in 0..<n { for i in j..<min(n, j + kd + 1) {
            assertClose(zb[(i - j) + j * (kd + 1)], inverse[i + j * n], absolute: 1e-12, "Z(\(i),\(j))")
        } }
        let trZB = symmetricBandTraceOfProduct(zb, band, order: n, bandwidth: kd)
        assertClose(trZB, values.reduce(0) { $0 + $1 / ($1 + 1) }, relative: 10 * tolerance, "tr((B + I)⁻¹B)")
    }

    func testBandReductionDouble() throws {
        for (n, kd) in [(9, 3), (40, 8), (6, 5), (2, 1)] { try checkBandReduction(Double.self, n: n, kd: kd, tolerance: 1e-12) }
    }
    func testBandReductionFloat() throws { try checkBandReduction(Float.self, n: 40, kd: 8, tolerance: 1e-4) }

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

    func testParallelWorkersHandOutEveryItemOnce() {
        for threads in [1, 2, 8] {
            for items in [0, 1, 3, 100] {
                let taken = RunContext(threads: threads).parallelWorkers(items: items) { worker, next -> [Int] in
                    var mine: [Int] = []
                    while let i = next() { mine.append(i) }
                    return mine
                }
                XCTAssertEqual(taken.count, max(1, min(threads, items)), "one result per worker, threads \(threads), items \(items)")
                XCTAssertEqual(taken.flatMap { $0 }.sorted(), Array(0..<items), "threads \(threads), items \(items)")
                for mine in taken { XCTAssertEqual(mine, mine.sorted(), "each worker takes items in order") }
            }
        }
    }

    func testNestedSingleThreadedBLASKeepsOneThreadAndRestoresTheCount() {
        BLASThreads.set(2)
        defer { BLASThreads.set(BLASThreads.defaultCount) }
        BLASThreads.singleThreaded {
            BLASThreads.singleThreaded { XCTAssertEqual(BLASThreads.current, 1) }
            XCTAssertEqual(BLASThreads.current, 1, "the inner call must not restore the outer count early")
        }
        XCTAssertEqual(BLASThreads.current, 2)
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
