import GenoBenchCore
import GenoBenchREML
import XCTest
import _GenoBenchTestSupport

/// Spec reml.md T1, T2, T16 (closed forms) through every evaluator: dense (Float, Double),
/// band (Float, Double) and the GSL reference.
final class REMLClosedFormTests: XCTestCase {
    /// 3 groups x 2 samples: K block-diagonal with 2 x 2 blocks of ones.
    static let groupKernel: [Double] = {
        var k = [Double](repeating: 0, count: 36)
        for i in 0..<6 { for j in 0..<6 where i / 2 == j / 2 { k[i * 6 + j] = 1 } }
        return k
    }()

    static func data(_ y: [Double]) -> REMLData {
        REMLData(phenotype: y, design: Matrix(rows: y.count, columns: 1, repeating: 1))
    }

    /// Every exact route: name, estimates.
    static func fits(_ y: [Double]) throws -> [(String, REMLEstimates)] {
        let d = data(y)
        let kd = Matrix<Double>(rows: 6, columns: 6, columnMajor: groupKernel)
        let kf = Matrix<Float>(rows: 6, columns: 6, columnMajor: groupKernel.map(Float.init))
        var out: [(String, REMLEstimates)] = []
        func run<O: REMLObjective>(_ name: String, _ o: O, _ s: AIREMLSettings) throws {
            var o = o
            let f = try AIREML(settings: s).fit(&o, sampleCount: 6)
            out.append((name, REMLEstimates(fit: f, data: d, atoms: [1], names: ["G1"], settings: s)))
        }
        try run("dense-f64", DenseObjective(kernels: [kd], atoms: [1], data: d), .strict)
        try run("band-f64", try BandObjective(kernel: kd, atom: 1, data: d), .strict)
        try run("dense-f32", DenseObjective(kernels: [kf], atoms: [1], data: d), ExactREML<Float>.settings)
        try run("band-f32", try BandObjective(kernel: kf, atom: 1, data: d), ExactREML<Float>.settings)
        out.append(("gsl", try REMLReference.fit(kernels: [groupKernel], atoms: [1], names: ["G1"], data: d)))
        return out
    }

    func testOneWayRandomEffectsT1() throws {
        for (name, e) in try Self.fits([1, 2, 4, 6, 7, 9]) {
            let tol = name.hasSuffix("f32") ? 1e-5 : 1e-9
            XCTAssert(e.converged, "\(name): \(e.statusLine)")
            assertClose(e.variances[0], 59.0 / 6, relative: tol, "\(name) θ")
            assertClose(e.variances[1], 1.5, relative: tol, "\(name) η")
            assertClose(e.h2, 0.8676470588235294, relative: tol, "\(name) h²")
            assertClose(e.logL, -7.0565050140, relative: tol, "\(name) ℓ_R")
            assertClose(e.logL + e.logLConstant, -11.6511976800, relative: tol, "\(name) ℓ_R with constant")
            assertClose(e.standardErrors[0], 10.6010, relative: 1e-4, "\(name) SE(θ)")
            assertClose(e.standardErrors[1], 1.22474, relative: 1e-4, "\(name) SE(η)")
            assertClose(e.h2SE, 0.15956, relative: 1e-4, "\(name) SE(h²)")
            XCTAssertFalse(e.boundary, name)
        }
    }

    func testBoundaryCaseT2() throws {
        for (name, e) in try Self.fits([1, 3, 2, 2, 1.5, 2.5]) {
            let tol = name.hasSuffix("f32") ? 1e-5 : 1e-9
            XCTAssertEqual(e.variances[0], 0, "\(name) θ must be exactly 0")
            assertClose(e.variances[1], 0.5, relative: tol, "\(name) η")
            XCTAssertTrue(e.atBound[0] && e.boundary, "\(name) boundary flag")
            XCTAssert(e.statusLine.contains("boundary"), e.statusLine)
            XCTAssert(e.standardErrors[0].isNaN, "\(name): no Wald SE at the boundary")
            XCTAssert(e.sharesSE[0].isNaN, "\(name): nor for its share of Vp (the .hsq row V(G1)/Vp says NA, as V(G1) does)")
            XCTAssertEqual(e.h2, 0)
            XCTAssert(e.h2SE.isNaN, "\(name): h² is pinned at 0 too: no SE")
        }
    }

    func testBoundaryScoreT2() throws {
        let d = Self.data([1, 3, 2, 2, 1.5, 2.5])
        var o = DenseObjective(kernels: [Matrix<Double>(rows: 6, columns: 6, columnMajor: Self.groupKernel)], atoms: [1], data: d)
        let c2 = d.yScale * d.yScale
        let e = try o.evaluate([0, 0.5 / c2], iteration: 0)
        // s_θ on the original scale is −4; the score scales as 1/c².
        assertClose(e.score[0] / c2, -4, relative: 1e-9)
    }

    func testConstrainedStepT16() throws {
        let a = Matrix<Double>([[2, 1, 0], [1, 2, 0], [0, 0, 1]])
        let d = try AIREMLStep.solve(score: [-1, 0, 0], information: a, psi: [0.5, 0.4, 0.3], lower: [0, 0, 0], alpha: 1,
                                     ridge: 0, zeroTolerance: 1e-8)
        assertClose(d[0], -0.5, absolute: 1e-12)
        assertClose(d[1], 0.25, absolute: 1e-12)
        assertClose(d[2], 0, absolute: 1e-12)
        let r = try AIREMLStep.solve(score: [-1, 0, 0], information: a, psi: [0.5, 0.4, 0.3], lower: [0, 0, 0], alpha: 1,
                                     ridge: 1e-4, zeroTolerance: 1e-8)
        assertClose(r[0], -0.5, absolute: 1e-12)
        assertClose(r[1], 0.25, absolute: 2e-4)
    }
}
