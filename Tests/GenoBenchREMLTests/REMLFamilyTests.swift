import GenoBenchCore
import GenoBenchData
import GenoBenchREML
import XCTest
import _GenoBenchTestSupport

/// Backends against the GSL reference on simulated problems, spec reml.md T3–T5, T11, and the
/// invariants (threads, seeds, Float vs Double).
final class REMLFamilyTests: XCTestCase {
    let family = REMLFamily()

    func problem(_ values: [String: ParameterValue], seed: UInt64 = 1) throws -> REMLProblem {
        try family.makeProblem(try ProblemParameters.resolve(values, specs: family.parameters, family: "reml"), seed: seed)
    }

    func tolerances(_ p: Precision) -> Tolerances { Tolerances.resolve([:], specs: family.tolerances, precision: p) }

    func testExactBackendsMatchTheGSLReferenceOneGRM() throws {
        let pr = try problem(["samples": .int(300), "variants": .int(600), "missing-rate": .double(0.02)])
        let ref = try family.reference(for: pr)
        let r = try XCTUnwrap(ref.estimates)
        XCTAssert(r.converged, r.statusLine)
        XCTAssertLessThan(r.atoms[0], 1, "missing calls shrink the atom")
        for (backend, precision) in [(ExactREML<Double>() as any Backend<REMLFamily>, Precision.f64), (ExactREML<Float>(), .f32)] {
            let s = try backend.solve(pr, context: RunContext(threads: 2)).solution
            let metrics = family.compare(s, with: ref, tolerances: tolerances(precision))
            for m in metrics { XCTAssert(m.passed, "\(backend.id) \(m.name) = \(m.value) > \(m.tolerance ?? .nan)") }
            XCTAssertEqual(s.method, "band")
            if precision == .f64 {
                assertClose(s.estimates.h2, r.h2, absolute: 1e-6, "h²")
                assertClose(s.estimates.h2SE, r.h2SE, relative: 1e-5, "SE(h²)")
                assertClose(s.estimates.logL, r.logL, absolute: 1e-6, "logL")
                assertClose(s.estimates.lrt, r.lrt, absolute: 1e-5, "LRT")
            }
        }
    }

    func testExactDenseMatchesTheGSLReferenceTwoComponents() throws {
        let pr = try problem(["samples": .int(250), "variants": .int(600), "components": .int(2)], seed: 2)
        let ref = try family.reference(for: pr)
        let r = try XCTUnwrap(ref.estimates)
        let s = try ExactREML<Double>().solve(pr, context: RunContext(threads: 2)).solution
        XCTAssertEqual(s.method, "dense")
        for m in family.compare(s, with: ref, tolerances: tolerances(.f64)) { XCTAssert(m.passed, "\(m.name) = \(m.value)") }
        assertClose(s.estimates.h2, r.h2, absolute: 1e-6)
        XCTAssertEqual(s.estimates.shares.count, 2)
        assertClose(s.estimates.shares.reduce(0, +), s.estimates.h2, absolute: 1e-12, "shares add up to h²")
        XCTAssertEqual(s.estimates.df, 2)
    }

    /// T3: the AI-REML optimum equals the profiled-likelihood (Brent) optimum of §2.3.
    func testAIREMLEqualsTheEigenProfileT3() throws {
        let pr = try problem(["samples": .int(300), "variants": .int(600), "h2": .double(0.3)], seed: 3)
        let k = try REMLReference.grm(source: pr.inputs[0].source, variants: pr.inputs[0].variants, samples: pr.samples)
        let profile = REMLReference.profileFit(kernel: k.kernel, data: pr.data)
        let e = try ExactREML<Double>().solve(pr, context: RunContext()).solution.estimates
        let psi = e.standardisedPsi
        XCTAssertFalse(e.boundary)
        // Brent locates a minimum from function values, which fixes it only to ~√ε relative
        // (the profile is flat there), hence 1e-7 for h; ℓ_R itself agrees to 1e-8.
        assertClose(psi[0] / (psi[0] + psi[1]), profile.h, absolute: 1e-7, "h")
        let logLStd = e.logL + Double(pr.sampleCount - pr.data.fixedCount) * Double.log(pr.data.yScale)
        assertClose(logLStd, profile.logL, relative: 1e-8, "ℓ_R")
    }

    /// T4: the analytic score equals central differences of ℓ_R; AI is symmetric positive definite.
    func testScoreAndAIAgainstFiniteDifferencesT4() throws {
        let pr = try problem(["samples": .int(120), "variants": .int(300), "components": .int(2)], seed: 4)
        let op = KernelOperator<Double>(components: pr.components, context: RunContext())
        var o = DenseObjective(kernels: [try op.dense(0), try op.dense(1)], atoms: pr.components.map(\.atom), data: pr.data)
        let psi = [0.3, 0.2, 0.6]
        let e = try o.evaluate(psi, iteration: 0)
        for i in 0..<3 {
            let h = 1e-5 * psi[i]
            var up = psi, down = psi
            up[i] += h; down[i] -= h
            let fd = (try o.evaluate(up, iteration: 0).logLikelihood - (try o.evaluate(down, iteration: 0).logLikelihood)) / (2 * h)
            assertClose(e.score[i], fd, relative: 1e-6, "score \(i)")
            for j in 0..<3 { XCTAssertEqual(e.averageInformation[i, j], e.averageInformation[j, i], accuracy: 1e-12) }
        }
        guard case .success(let (values, _)) = e.averageInformation.symmetricEigen() else { return XCTFail("eigen") }
        XCTAssertGreaterThan(values[0], 0, "AI positive definite")
    }

    /// T5: at the reference optimum the projected score vanishes; interior components have
    /// |s| ≤ 1e-6.
    func testStationarityT5() throws {
        let pr = try problem(["samples": .int(200), "variants": .int(500), "components": .int(2), "h2": .double(0.4)], seed: 5)
        let r = try XCTUnwrap(try family.reference(for: pr).estimates)
        XCTAssert(r.converged, r.statusLine)
        XCTAssertLessThanOrEqual(r.projectedScore, 1e-6)
    }

    /// T11: the tiny BED of the spec (bytes 6C 1B 01 E4 00; dosages 2, NA, 1, 0, 2).
    func testMissingDataStandardisationT11() throws {
        let dir = TemporaryDirectory()
        let prefix = dir.file("t11")
        try Data([0x6C, 0x1B, 0x01, 0xE4, 0x00, 0xFF, 0x03]).write(to: URL(fileURLWithPath: prefix + ".bed"))
        try "1 s1 0 1 A G\n1 s2 0 2 A G\n".write(toFile: prefix + ".bim", atomically: true, encoding: .utf8)
        try (1...5).map { "f\($0) i\($0) 0 0 0 -9" }.joined(separator: "\n").appending("\n").write(toFile: prefix + ".fam", atomically: true, encoding: .utf8)
        let f = try PlinkFileset.open(prefix: prefix)
        // The second SNP is homozygous A2 everywhere: monomorphic, left out of m_eff.
        let c = try StandardizedComponent(name: "G1", source: f.genotypes, variants: [0, 1], samples: Array(0..<5))
        XCTAssertEqual(c.observed, [4, 5])
        assertClose(c.mean[0], 1.25, absolute: 1e-12)
        assertClose(c.variance[0], 0.6875, absolute: 1e-12)
        XCTAssertEqual(c.effectiveCount, 1)
        assertClose(c.atom, 0.8, absolute: 1e-12)
        var z = [Double](repeating: .nan, count: 5)
        z.withUnsafeMutableBufferPointer { c.decode(0..<1, into: $0.baseAddress!) }
        for (a, b) in zip(z, [0.9045340337, 0, -0.3015113446, -1.5075567229, 0.9045340337]) { assertClose(a, b, absolute: 1e-9) }
        let k = try REMLReference.grm(source: f.genotypes, variants: [0, 1], samples: Array(0..<5))
        XCTAssertEqual(k.validSNPs, 1)
        assertClose(k.atom, 0.8, absolute: 1e-12)
        let dense = try KernelOperator<Double>(components: [c], context: RunContext()).dense(0)
        for i in 0..<25 { assertClose(dense.storage[i], k.kernel[i], absolute: 1e-12) }
    }

    func testStochasticBackendsAgreeWithExactAtTwoThousandSamples() throws {
        let pr = try problem(["samples": .int(2000), "variants": .int(2000)], seed: 6)
        let exact = try ExactREML<Double>().solve(pr, context: RunContext()).solution.estimates
        for backend in [StochasticREML<Double>() as any Backend<REMLFamily>, StochasticREML<Float>()] {
            let s = try backend.solve(pr, context: RunContext()).solution.estimates
            XCTAssert(s.converged, "\(backend.id): \(s.statusLine)")
            XCTAssertLessThanOrEqual(abs(s.h2 - exact.h2), 0.01, "\(backend.id) h² \(s.h2) vs exact \(exact.h2)")
        }
    }

    /// Two components through the residual SLQ (spec §3.7, the default) and the raw one: both
    /// near the exact fit; the log-determinant mode changes only step acceptance, not the
    /// direction, so both stay within the stochastic tolerance.
    func testStochasticTwoComponentsResidualAndRawSLQ() throws {
        var pr = try problem(["samples": .int(400), "variants": .int(800), "components": .int(2)], seed: 8)
        let exact = try ExactREML<Double>().solve(pr, context: RunContext()).solution.estimates
        for mode in SLQMode.allCases {
            pr.stochastic.slqMode = mode
            let solved = try StochasticREML<Double>().solve(pr, context: RunContext())
            let s = solved.solution.estimates
            XCTAssert(s.converged, "\(mode): \(s.statusLine)")
            XCTAssertLessThanOrEqual(abs(s.h2 - exact.h2), 0.02, "\(mode): h² \(s.h2) vs exact \(exact.h2)")
            XCTAssert(solved.diagnostics.entries.contains { $0.0 == "slq" && $0.1 == .string("4x8 \(mode.rawValue)") }, "\(solved.diagnostics.entries)")
        }
    }

    func testResultsDoNotDependOnThreadsAndSeedsReproduce() throws {
        let pr = try problem(["samples": .int(400), "variants": .int(500), "probes": .int(20)], seed: 7)
        let one = try ExactREML<Double>().solve(pr, context: RunContext(threads: 1)).solution.estimates
        let two = try ExactREML<Double>().solve(pr, context: RunContext(threads: 2)).solution.estimates
        XCTAssertEqual(one.variances, two.variances)
        let s1 = try StochasticREML<Double>().solve(pr, context: RunContext(threads: 1)).solution.estimates
        let s2 = try StochasticREML<Double>().solve(pr, context: RunContext(threads: 2)).solution.estimates
        XCTAssertEqual(s1.variances, s2.variances, "same seed, thread count irrelevant")
        var other = pr
        other.stochastic.seed = 99
        let s3 = try StochasticREML<Double>().solve(other, context: RunContext(threads: 2)).solution.estimates
        XCTAssertNotEqual(s1.variances, s3.variances, "another probe seed gives another estimate")
    }

    func testAllMonomorphicIsAnError() throws {
        let fileset = PlinkFileset(samples: (1...20).map { Sample(familyID: "f", individualID: "i\($0)") },
                                   variants: [Variant(chromosome: "1", id: "m1", position: 1, allele1: "A", allele2: "C")],
                                   genotypes: PackedGenotypes(sampleCount: 20, dosages: [[Int?](repeating: 2, count: 20)]))
        let data = REMLData(phenotype: (0..<20).map(Double.init), design: Matrix(rows: 20, columns: 1, repeating: 1))
        XCTAssertThrowsError(try REMLProblem(data: data, inputs: [ComponentInput(name: "G1", source: fileset.genotypes, variants: [0])],
                                             samples: Array(0..<20))) { e in
            XCTAssert("\(e)".contains("monomorphic"), "\(e)")
        }
    }
}
