import GenoBenchCore
import GenoBenchPEG
import XCTest
import _GenoBenchTestSupport

/// The permutation null (spec peg.md §6; §14 tests 8–11): exact values on an exhaustive
/// stream, bounds, loop = batched = reference draw for draw, calibration under the null.
final class PEGPermutationTests: XCTestCase {
    func test8ExhaustivePermutationsGiveExactlyP016() throws {
        let p = try PEGFixtures.problem(beta: [1, 2, 3, 5], se: [1, 1, 1, 1], z: [1, 1, 1, 1], pi: [[1], [2], [3], [4]],
                                        permutations: PermutationStream.exhaustive(length: 4))
        XCTAssertEqual(p.permutationCount, 24)
        let r = try PEGReference.solve(p)
        var summaries = [("reference", r.gamma[0], r.summary![0])]
        for b in PEGFixtures.backends {
            let s = try PEGFixtures.solve(b, p)
            summaries.append((b.id, s.gamma[0], s.summary[0]))
        }
        for (name, gamma, s) in summaries {
            let tol = name.hasSuffix("f32") ? 1e-6 : 1e-14
            assertClose(gamma, 34.0 / 30.0, relative: tol, "\(name) γ̂")
            assertClose(s.mean, 0.916666666666667, relative: tol, "\(name) null mean")
            assertClose(s.sd, 0.127293769304329, relative: tol, "\(name) null sd")
            assertClose(s.z, 1.70209954384074, relative: tol * 10, "\(name) perm z")
            XCTAssertEqual(s.countHigh, 1, "\(name): only the identity reaches γ̂")
            XCTAssertEqual(s.countLow, 24, name)
            XCTAssertEqual(s.pValue, 0.16, "\(name): gamma_null_p = 2·(1 + 1)/25 exactly")
        }
    }

    func test9BoundsAndAConstantColumn() throws {
        let p = try PEGFixtures.random(k: 40, t: 4, count: 99, constantColumn: true)
        let r = try PEGReference.solve(p)
        for (name, summary) in [("reference", r.summary!)] + (try PEGFixtures.backends.map { ($0.id, try PEGFixtures.solve($0, p).summary) }) {
            for (j, s) in summary.enumerated() {
                XCTAssertGreaterThanOrEqual(s.pValue, 2.0 / 100, "\(name) gene \(j)")
                XCTAssertLessThanOrEqual(s.pValue, 1, "\(name) gene \(j)")
            }
            // Column 0 is constant: every draw reproduces γ̂, so p = 1, sd = 0 and z is not finite.
            XCTAssertEqual(summary[0].pValue, 1, name)
            XCTAssertEqual(summary[0].sd, 0, name)
            XCTAssertFalse(summary[0].z.isFinite, name)
            XCTAssertEqual(summary[0].ties, 99, name)
        }
    }

    func test10LoopEqualsBatchedEqualsReference() throws {
        for (k, t) in [(50, 1), (50, 50), (200, 1), (200, 50)] {
            for blocks in [nil, [k / 4, k - k / 4]] as [[Int]?] {
                let p = try PEGFixtures.random(k: k, t: t, blocks: blocks, count: 1000, seed: UInt64(k + t))
                let loop = try PEGFixtures.solve(LoopPEG<Double>(), p), batched = try PEGFixtures.solve(BatchedPEG<Double>(), p)
                let r = try PEGReference.solve(p)
                let label = "k \(k) t \(t) \(blocks == nil ? "diagonal" : "dense") W"
                for j in 0..<t {
                    let scale = r.summary![j].scale
                    var worst = 0.0
                    for d in 0..<1000 {
                        worst = max(worst, abs(loop.null[d, j] - batched.null[d, j]) / scale, abs(loop.null[d, j] - r.null![d, j]) / scale)
                    }
                    XCTAssertLessThanOrEqual(worst, 1e-12, "\(label) gene \(j): null matrices")
                    for s in [loop.summary[j], batched.summary[j]] {
                        XCTAssertEqual(s.countHigh, r.summary![j].countHigh, label)
                        XCTAssertEqual(s.countLow, r.summary![j].countLow, label)
                        XCTAssertEqual(s.pValue, r.summary![j].pValue, label)
                    }
                }
                XCTAssertEqual(loop.gamma, batched.gamma, "\(label): the observed fit is shared code")
            }
        }
    }

    func testFloatNullWithinTheNearTieRule() throws {
        for blocks in [nil, [30, 50]] as [[Int]?] {
            let p = try PEGFixtures.random(k: 80, t: 6, blocks: blocks, count: 500)
            let r = try PEGReference.solve(p)
            for b in [LoopPEG<Float>(), BatchedPEG<Float>()] as [any Backend<PEGFamily>] {
                let metrics = PEGFamily().compare(try PEGFixtures.solve(b, p), with: r,
                                                  tolerances: Tolerances.resolve([:], specs: PEGFamily().tolerances, precision: .f32))
                for m in metrics { XCTAssert(m.passed, "\(b.id) \(blocks == nil ? "diagonal" : "dense"): \(m.name) = \(m.value) > \(m.tolerance ?? .nan)") }
                XCTAssertEqual(Set(metrics.map(\.name)), ["gamma_rel_err", "se_rel_err", "p_t_err", "null_rel_err", "null_count_excess", "null_p_abs_err"])
            }
        }
    }

    func testThreadCountDoesNotChangeAnything() throws {
        for blocks in [nil, [25, 35]] as [[Int]?] {
            let p = try PEGFixtures.random(k: 60, t: 7, blocks: blocks, count: 333)
            for b in PEGFixtures.backends {
                let one = try PEGFixtures.solve(b, p, threads: 1), two = try PEGFixtures.solve(b, p, threads: 2), five = try PEGFixtures.solve(b, p, threads: 5)
                XCTAssertEqual(one.null, two.null, b.id)
                XCTAssertEqual(one.null, five.null, b.id)
                XCTAssertEqual(one.summary, two.summary, b.id)
            }
        }
    }

    /// The diagonal path's blocks of draws: a multiple of 16 wide (no partial tile of the AVX-512
    /// dgemm kernel) where P allows, about 2¹⁵ scatter elements, and whatever the width the null
    /// is the loop's (the last block is narrower when the width does not divide P).
    func testBatchedBlocksAreKernelAlignedAndCoverEveryDraw() throws {
        // (k, t, P, small-matrix kernels) -> draws per GEMM and layout. Column-major: about 2^15
        // elements / k, a multiple of 4 blocks, rounded up to 16 (and a last block of 1 draw at
        // k 300, P 97). Draw-major: 16 draws while 16·t·k <= 10^6, else column-major.
        // The dense-LD cases take the numerators the same way.
        let cases: [(Int, Int, Int, Bool, Int, String, [Int]?)] = [
            (445, 3, 1000, false, 64, "column-major", nil), (60, 3, 333, false, 96, "column-major", nil),
            (8, 3, 10, false, 10, "column-major", nil), (300, 3, 97, false, 32, "column-major", nil),
            (445, 3, 1000, true, 16, "draw-major", nil), (300, 3, 97, true, 16, "draw-major", nil), (8, 3, 10, true, 10, "draw-major", nil),
            (500, 126, 40, true, 16, "column-major", nil), (60, 4, 37, true, 16, "draw-major", [20, 40]),
            (60, 4, 37, false, 16, "column-major", [20, 40]),
        ]
        for (k, t, count, small, width, layout, blocks) in cases {
            let label = "k \(k), t \(t), P \(count), small-matrix kernels \(small), LD blocks \(blocks ?? [])"
            let p = try PEGFixtures.random(k: k, t: t, blocks: blocks, count: count)
            let solved = try BatchedPEG<Double>(smallMatrixKernels: small).solve(p, context: RunContext(threads: 2))
            XCTAssertEqual(solved.diagnostics["draws_per_gemm"], .int(width), label)
            XCTAssertEqual(solved.diagnostics["block_layout"], .string(layout), label)
            let loop = try PEGFixtures.solve(LoopPEG<Double>(), p)
            XCTAssertEqual(solved.solution.summary.map(\.pValue), loop.summary.map(\.pValue), label)
            let scale = loop.null.storage.map(abs).max()!
            XCTAssertEqual(solved.solution.null.storage.count, count * t)
            for (a, b) in zip(solved.solution.null.storage, loop.null.storage) { assertClose(a, b, absolute: 1e-12 * scale, label) }
        }
    }

    func testNullSummaryCountsAndMomentsMatchAPlainPass() {
        var rng = RandomSource(seed: 11)
        for n in [1, 3, 4, 7, 1000, 1001] {
            let observed = 0.25
            // Draws on both sides at random, some exactly γ̂, some within the tie width.
            var column = ArraySlice((0..<n).map { i -> Double in
                switch i % 9 {
                case 0: return observed
                case 1: return observed * (1 + 1e-12)
                default: return rng.nextNormal() * 0.3 + 0.2
                }
            })
            let snapped = column.map { abs($0 - observed) <= NullSummary.tieTolerance(.f64) * max(abs(observed), (column.map { $0 * $0 }.reduce(0, +) / Double(n)).squareRoot()) ? observed : $0 }
            let summary = NullSummary.summarize(&column, observed: observed, precision: .f64)
            XCTAssertEqual(Array(column), snapped, "n \(n): ties snapped to γ̂")
            XCTAssertEqual(summary.countHigh, snapped.filter { $0 >= observed }.count, "n \(n)")
            XCTAssertEqual(summary.countLow, snapped.filter { $0 <= observed }.count, "n \(n)")
            XCTAssertEqual(summary.ties, snapped.filter { $0 == observed }.count, "n \(n)")
            let mean = snapped.reduce(0, +) / Double(n)
            let sd = (snapped.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)).squareRoot()
            assertClose(summary.mean, mean, relative: 1e-12, "n \(n) mean")
            if n > 1 { assertClose(summary.sd, sd, relative: 1e-10, "n \(n) sd") }
        }
    }

    func testStreamIsSeededAndUniform() throws {
        let a = PermutationStream(seed: 3, count: 6000, length: 3), b = PermutationStream(seed: 3, count: 6000, length: 3)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, PermutationStream(seed: 4, count: 6000, length: 3))
        var counts: [[Int32]: Int] = [:]
        for d in 0..<a.count { counts[Array(a.draw(d)), default: 0] += 1 }
        XCTAssertEqual(counts.count, 6, "every permutation of 3 appears")
        for (_, n) in counts { XCTAssert((850...1150).contains(n), "about 1000 of each of the 6 permutations, got \(n)") }
        XCTAssertThrowsError(try PermutationStream(draws: [[0, 1, 1]]))
    }

    /// Spec §14 test 11: β independent of Π with i.i.d. rows; 1,000 replicates, k = 100,
    /// P = 1000, a fresh stream per replicate (the permutation p is exact for random draws).
    /// Replicates are spread over two threads; each has its own seed, so the result does not
    /// depend on scheduling.
    func test11CalibrationUnderTheNull() throws {
        let k = 100, replicates = 1000
        let results = RunContext(threads: 2).parallelMap(replicates) { r -> (Double, Double) in
            var rng = RandomSource.derived(seed: 2024, stream: UInt64(r))
            let se = (0..<k).map { _ in 0.01 * (0.5 + rng.nextUniform()) }
            let beta = se.map { $0 * rng.nextNormal() }
            let z = (0..<k).map { _ in 4 * rng.nextNormal() }
            let pi = (0..<k).map { _ in [rng.nextNormal()] }
            let stream = PermutationStream(seed: rng.next(), count: 1000, length: k)
            let p = try! PEGFixtures.problem(beta: beta, se: se, z: z, pi: pi, permutations: stream)
            let s = try! PEGFixtures.solve(BatchedPEG<Double>(), p, threads: 1)
            return (s.summary[0].pValue, s.pValue[0])
        }
        let permutationP = results.map(\.0), tP = results.map(\.1)
        let ks = Self.kolmogorovSmirnov(permutationP), rate = Double(permutationP.filter { $0 <= 0.05 }.count) / Double(replicates)
        let ksT = Self.kolmogorovSmirnov(tP), rateT = Double(tP.filter { $0 <= 0.05 }.count) / Double(replicates)
        print(String(format: "calibration: permutation p KS D = %.4f (p = %.3f), rate at 0.05 = %.3f; t-test p KS D = %.4f (p = %.3f), rate %.3f",
                     ks.d, ks.p, rate, ksT.d, ksT.p, rateT))
        XCTAssertGreaterThan(ks.p, 0.01)
        XCTAssert((0.035...0.065).contains(rate), "type-I rate \(rate)")
    }

    /// One-sample KS against Uniform(0, 1): D and the asymptotic p with Stephens' correction.
    static func kolmogorovSmirnov(_ x: [Double]) -> (d: Double, p: Double) {
        let s = x.sorted(), n = Double(x.count)
        var d = 0.0
        for (i, v) in s.enumerated() { d = max(d, abs(Double(i + 1) / n - v), abs(v - Double(i) / n)) }
        let lambda = (n.squareRoot() + 0.12 + 0.11 / n.squareRoot()) * d
        var q = 0.0
        for j in 1...100 { q += 2 * (j % 2 == 1 ? 1 : -1) * exp(-2 * Double(j * j) * lambda * lambda) }
        return (d, min(1, max(0, q)))
    }
}
