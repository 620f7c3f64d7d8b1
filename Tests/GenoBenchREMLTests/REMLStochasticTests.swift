import GenoBenchCore
@testable import GenoBenchREML
import XCTest
import _GenoBenchTestSupport

/// The stochastic evaluator's parts against dense linear algebra (spec reml.md T14, T15) and
/// one stochastic evaluation against the exact dense one at the same ψ.
final class REMLStochasticTests: XCTestCase {
    let family = REMLFamily()

    func problem(_ values: [String: ParameterValue], seed: UInt64) throws -> REMLProblem {
        try family.makeProblem(try ProblemParameters.resolve(values, specs: family.parameters, family: "reml"), seed: seed)
    }

    /// H = Σθ_g K_g + ηI densely.
    func denseH(_ op: KernelOperator<Double>, _ psi: [Double]) throws -> Matrix<Double> {
        let n = op.sampleCount
        var h = Matrix<Double>(rows: n, columns: n)
        for g in 0..<op.components.count {
            let k = try op.dense(g)
            for i in 0..<h.storage.count { h.storage[i] += psi[g] * k.storage[i] }
        }
        for i in 0..<n { h[i, i] += psi[op.components.count] }
        return h
    }

    func logDet(_ a: Matrix<Double>) throws -> Double {
        guard case .success(let l) = a.choleskyFactor() else { throw EvaluationFailure("not positive definite") }
        return (0..<a.rows).reduce(0.0) { $0 + 2 * Double.log(l[$1, $1]) }
    }

    func columns(_ m: Matrix<Double>) -> Block<Double> { Block(n: m.rows, columns: m.columns, values: m.storage) }

    /// T15: the projected-core preconditioner is applied exactly: M^{-1}(M v) = v, M^{-1/2}
    /// twice is M^{-1}, and log|M| equals the dense log-determinant of M.
    func testProjectedCorePreconditionerT15() throws {
        var pr = try problem(["samples": .int(160), "variants": .int(400), "components": .int(2)], seed: 21)
        pr.stochastic.preconditionerRank = 40
        let op = KernelOperator<Double>(components: pr.components, context: RunContext(threads: 1))
        let psi = [0.3, 0.2, 0.5]
        let o = try StochasticObjective<Double>(operator: op, data: pr.data, settings: pr.stochastic, startPsi: psi)
        XCTAssertEqual(o.basis?.columns, 40)
        let m = o.preconditioner(psi)
        var rng = RandomSource(seed: 5)
        let v = Block<Double>(n: 160, columns: 3, values: (0..<480).map { _ in rng.nextNormal() })
        let back = m.power(-1)(m.power(1)(v))
        let half = m.power(-0.5)(m.power(-0.5)(v)), inv = m.power(-1)(v)
        let vn = v.columnDots(v).map { $0.squareRoot() }
        for c in 0..<3 {
            let d1 = (back - v).column(c).reduce(0) { $0 + $1 * $1 }.squareRoot()
            let d2 = (half - inv).column(c).reduce(0) { $0 + $1 * $1 }.squareRoot()
            XCTAssertLessThanOrEqual(d1 / vn[c], 1e-10, "M⁻¹Mv − v, column \(c)")
            XCTAssertLessThanOrEqual(d2 / vn[c], 1e-10, "M^{-1/2}M^{-1/2}v − M⁻¹v, column \(c)")
        }
        let dense = m.power(1)(columns(Matrix<Double>.identity(160)))
        var dm = Matrix<Double>(rows: 160, columns: 160, columnMajor: dense.values)
        dm.symmetrizeByAveraging()
        assertClose(m.logDeterminant, try logDet(dm), relative: 1e-8, "log|M|")
    }

    /// T15: with the preconditioner, block PCG needs no more iterations than without, and both
    /// meet the tolerance against the Cholesky solution.
    func testPreconditionedPCGConvergesInFewerIterationsT15() throws {
        let pr = try problem(["samples": .int(200), "variants": .int(600), "components": .int(2)], seed: 22)
        let op = KernelOperator<Double>(components: pr.components, context: RunContext(threads: 1))
        let psi = [0.4, 0.3, 0.3]
        let h = try denseH(op, psi)
        var iterations: [Int] = []
        for rank in [0, 50] {
            var s = pr.stochastic
            s.preconditionerRank = rank
            var o = try StochasticObjective<Double>(operator: op, data: pr.data, settings: s, startPsi: psi)
            var count = 0
            let b = o.rhs
            let minv = o.preconditioner(psi).power(-1)
            let (x, _) = try XCTUnwrap(try o.pcg(b, psi, preconditioner: minv, guess: nil, tolerance: 1e-8, counter: &count))
            iterations.append(count)
            let exact = try XCTUnwrap(try? h.solvePositiveDefinite(Matrix(rows: 200, columns: b.columns, columnMajor: b.values)).get())
            let err = zip(x.values, exact.storage).map { abs($0 - $1) }.max() ?? .nan
            let scale = exact.storage.map(abs).max() ?? 1
            XCTAssertLessThanOrEqual(err / scale, 1e-6, "rank \(rank): PCG vs Cholesky")
        }
        XCTAssertLessThanOrEqual(iterations[1], iterations[0], "preconditioned \(iterations[1]) vs plain \(iterations[0])")
    }

    /// Residual SLQ (spec §3.7) with the largest possible preconditioner: the standardised
    /// genotypes are centred, so every K_g has 1 in its null space and the range finder keeps
    /// n − 1 directions; then M = H except along u = 1/√n, where M has d and H has η. So
    /// log|H| = log|M| + log(η/d) exactly, and the residual Lanczos (two distinct eigenvalues)
    /// terminates with quadrature n·(vᵀu)²·log(η/d) per probe v.
    func testResidualSLQIsExactWhenThePreconditionerCapturesH() throws {
        var pr = try problem(["samples": .int(120), "variants": .int(400), "components": .int(2)], seed: 23)
        pr.stochastic.preconditionerRank = 120
        pr.stochastic.pcgRidge = 0  // M = H + ridge·I on the captured range otherwise
        let op = KernelOperator<Double>(components: pr.components, context: RunContext(threads: 1))
        let psi = [0.35, 0.25, 0.4]
        let exact = try logDet(try denseH(op, psi))
        var o = try StochasticObjective<Double>(operator: op, data: pr.data, settings: pr.stochastic, startPsi: psi)
        XCTAssertEqual(o.basis?.columns, 119, "K_g are centred: rank n − 1")
        let m = o.preconditioner(psi)
        let ratio = psi[2] / m.d
        assertClose(m.logDeterminant + Double.log(ratio), exact, relative: 1e-8, "log|M| + log(η/d) = log|H|")
        let s = o.slqProbes
        let quadrature = (0..<s.columns).reduce(0.0) { acc, c in
            let vu = s.column(c).reduce(0, +) / Double(120).squareRoot()
            return acc + 120 * vu * vu * Double.log(ratio)
        } / Double(s.columns)
        let e = try o.evaluate(psi, iteration: 5)
        assertClose(e.logDetH, m.logDeterminant + quadrature, relative: 1e-8, "residual SLQ")
        // Raw Lanczos on H with the same 4 x 8 budget is much further from log|H|.
        var raw = pr.stochastic
        raw.slqMode = .raw
        var r = try StochasticObjective<Double>(operator: op, data: pr.data, settings: raw, startPsi: psi)
        let er = try r.evaluate(psi, iteration: 5)
        XCTAssertLessThan(abs(e.logDetH - exact), abs(er.logDetH - exact), "residual \(e.logDetH), raw \(er.logDetH), exact \(exact)")
    }

    /// T14 affine identity: for one GRM the quadrature of θT_K + ηI equals Lanczos run on H.
    func testAffineSLQEqualsLanczosOnHT14() throws {
        let pr = try problem(["samples": .int(150), "variants": .int(300)], seed: 24)
        let op = KernelOperator<Double>(components: pr.components, context: RunContext(threads: 1))
        let o = try StochasticObjective<Double>(operator: op, data: pr.data, settings: pr.stochastic, startPsi: [0.5, 0.5])
        let affine = try XCTUnwrap(o.affine)
        for (theta, eta) in [(0.5, 0.5), (1.7, 0.05), (0.01, 2.0)] {
            let viaAffine = o.quadrature(affine, theta: theta, eta: eta)
            let direct = o.quadrature(try o.lanczos { try o.applyH($0, [theta, eta]).values }, theta: nil, eta: 0)
            assertClose(viaAffine, direct, relative: 1e-10, "θ \(theta), η \(eta)")
        }
    }

    /// T14: with m ≥ n Lanczos steps each probe's quadrature is zᵀlog(H)z, so many probes give
    /// log|H| within a few standard errors.
    func testSLQWithFullStepsEstimatesTheLogDeterminantT14() throws {
        var pr = try problem(["samples": .int(60), "variants": .int(200)], seed: 25)
        pr.stochastic.slqSamples = 400
        pr.stochastic.slqSteps = 60
        let op = KernelOperator<Double>(components: pr.components, context: RunContext(threads: 1))
        let psi = [0.6, 0.4]
        let o = try StochasticObjective<Double>(operator: op, data: pr.data, settings: pr.stochastic, startPsi: psi)
        let estimate = o.quadrature(try XCTUnwrap(o.affine), theta: psi[0], eta: psi[1])
        let h = try denseH(op, psi)
        guard case .success(let (values, vectors)) = h.symmetricEigen() else { return XCTFail("eigen") }
        let exact = values.storage.reduce(0) { $0 + Double.log($1) }
        // Rademacher quadrature variance: 2 Σ_{i≠j} (log H)_ij² per probe (n² scaling of z/√n).
        var logH = Matrix<Double>(rows: 60, columns: 60)
        for i in 0..<60 { for j in 0..<60 { logH[i, j] = (0..<60).reduce(0.0) { $0 + vectors[i, $1] * Double.log(values[$1]) * vectors[j, $1] } } }
        var off = 0.0
        for i in 0..<60 { for j in 0..<60 where i != j { off += logH[i, j] * logH[i, j] } }
        let se = (2 * off / 400).squareRoot()
        XCTAssertLessThanOrEqual(abs(estimate - exact), 4 * se + 1e-8, "SLQ \(estimate) vs log|H| \(exact), SE \(se)")
    }

    /// One evaluation of the stochastic objective against the dense exact one at the same ψ:
    /// yᵀPy and log|XᵀH⁻¹X| to the PCG accuracy, the AI to 1e-3, log|H| to the SLQ noise, the
    /// score within 4 Hutchinson standard deviations.
    func testStochasticEvaluationAgreesWithDenseAtTheSamePsi() throws {
        var pr = try problem(["samples": .int(300), "variants": .int(600), "components": .int(2)], seed: 26)
        pr.stochastic.probes = 200
        let op = KernelOperator<Double>(components: pr.components, context: RunContext(threads: 1))
        let psi = [0.3, 0.25, 0.45]
        var dense = DenseObjective(kernels: [try op.dense(0), try op.dense(1)], atoms: pr.components.map(\.atom), data: pr.data)
        let d = try dense.evaluate(psi, iteration: 0)
        var s = try StochasticObjective<Double>(operator: op, data: pr.data, settings: pr.stochastic, startPsi: psi)
        let e = try s.evaluate(psi, iteration: 5)
        assertClose(e.yPy, d.yPy, relative: 1e-5, "yᵀPy")
        assertClose(e.logDetW, d.logDetW, relative: 1e-5, "log|XᵀH⁻¹X|")
        for i in 0..<3 { for j in 0..<3 {
            XCTAssertEqual(e.averageInformation[i, j], d.averageInformation[i, j], accuracy: 1e-3 * abs(d.averageInformation[i, i]), "AI[\(i),\(j)]")
        } }
        XCTAssertEqual(e.logDetH, d.logDetH, accuracy: 0.02 * abs(d.logDetH), "log|H| by residual SLQ")
        // Hutchinson: Var(tr estimate) ≈ 2‖PA‖_F²/R; ‖PA‖_F ≤ ‖P‖₂‖A‖_F ≤ ‖A‖_F / η.
        for (i, a) in [try op.dense(0), try op.dense(1), Matrix<Double>.identity(300)].enumerated() {
            let frob = a.storage.reduce(0) { $0 + $1 * $1 }.squareRoot() / psi[2]
            let sd = 0.5 * (2 * frob * frob / 200).squareRoot()
            XCTAssertEqual(e.score[i], d.score[i], accuracy: 4 * sd, "score \(i)")
        }
    }
}
