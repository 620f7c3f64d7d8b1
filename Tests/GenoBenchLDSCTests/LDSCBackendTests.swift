import GenoBenchCore
import GenoBenchLDSC
import XCTest
import _GenoBenchTestSupport

/// Backends on simulated problems: against the reference, per-spot vs batched, Float vs Double,
/// pipeline worker counts and batch sizes, shards (spec §11 cases 6, 8, 9, 13, 16).
final class LDSCBackendTests: XCTestCase {
    let family = LDSCFamily()

    func problem(_ values: [String: ParameterValue], seed: UInt64 = 1) throws -> LDSCProblem {
        try family.makeProblem(try ProblemParameters.resolve(values, specs: family.parameters, family: "ldsc"), seed: seed)
    }

    func tolerances(_ p: Precision) -> Tolerances { Tolerances.resolve([:], specs: family.tolerances, precision: p) }

    let small: [String: ParameterValue] = ["snps": .int(6000), "spots": .int(24), "genes": .int(120), "n-blocks": .int(50),
                                           "singular-spots": .int(2), "batch-size": .int(5)]

    func testEveryBackendMatchesTheReference() throws {
        let p = try problem(small)
        let ref = try family.reference(for: p)
        for b in [PerSpotLDSC<Double>(), BatchedLDSC<Double>(), PerSpotLDSC<Float>(), BatchedLDSC<Float>()] as [any Backend<LDSCFamily>] {
            let solved = try b.solve(p, context: RunContext(threads: 2))
            let metrics = family.compare(solved.solution, with: ref, tolerances: tolerances(b.precision))
            for m in metrics { XCTAssert(m.passed, "\(b.id): \(m.name) = \(m.value) > \(m.tolerance ?? .nan)") }
            XCTAssertEqual(metrics.first { $0.name == "spots_compared" }?.value, 22, b.id)
            XCTAssertEqual(solved.solution.singularCount, 2, b.id)
            XCTAssertEqual(solved.diagnostics["pipeline_batches"], .int(5))
            XCTAssertNotNil(solved.diagnostics["pipeline_bottleneck"])
        }
    }

    /// Case 8: per-spot and batched agree (different arithmetic: √ω-scaled rows vs ω² terms).
    func testPerSpotEqualsBatched() throws {
        let p = try problem(small, seed: 2)
        let a = try PerSpotLDSC<Double>().solve(p, context: RunContext()).solution.estimates
        let b = try BatchedLDSC<Double>().solve(p, context: RunContext()).solution.estimates
        XCTAssertEqual(a.map(\.status), b.map(\.status))
        for (x, y) in zip(a, b) where x.status == .ok {
            assertClose(x.beta, y.beta, relative: 1e-11, absolute: 1e-11 * x.se)
            assertClose(x.se, y.se, relative: 1e-11)
            assertClose(x.z, y.z, absolute: 1e-9)
        }
        let af = try PerSpotLDSC<Float>().solve(p, context: RunContext()).solution.estimates
        let bf = try BatchedLDSC<Float>().solve(p, context: RunContext()).solution.estimates
        for (x, y) in zip(af, bf) where x.status == .ok { assertClose(x.z, y.z, absolute: 1e-4) }
    }

    /// Case 9: Float vs Double within the Float tolerance (1.73-style accumulation).
    func testFloatAgainstDouble() throws {
        let p = try problem(["snps": .int(20000), "spots": .int(12), "genes": .int(300)], seed: 3)
        let d = try BatchedLDSC<Double>().solve(p, context: RunContext()).solution.estimates
        let f = try BatchedLDSC<Float>().solve(p, context: RunContext()).solution.estimates
        var worst = 0.0
        for (x, y) in zip(d, f) where x.status == .ok {
            worst = max(worst, abs(x.z - y.z))
            assertClose(y.beta, x.beta, absolute: 1e-3 * x.se)
        }
        XCTAssertLessThan(worst, 1e-4)
        XCTAssertGreaterThan(worst, 0, "Float must differ from Double somewhere (else the test compares nothing)")
    }

    /// Case 6: exact (noise-free) χ² with baselines returns the generating coefficient.
    func testNoiseFreeSimulationRecoversTheTruth() throws {
        let p = try problem(["snps": .int(8000), "spots": .int(8), "genes": .int(200), "noise-free": .bool(true), "signal-fraction": .double(0.5)])
        let truth = try XCTUnwrap(p.truth)
        for b in [BatchedLDSC<Double>(), PerSpotLDSC<Double>(), BatchedLDSC<Float>()] as [any Backend<LDSCFamily>] {
            let e = try b.solve(p, context: RunContext()).solution.estimates
            var checked = 0
            for (s, t) in truth.enumerated() where !t.isNaN {
                assertClose(e[s].beta, t, relative: b.precision == .f64 ? 1e-10 : 1e-4, "\(b.id) spot \(s)")
                checked += 1
            }
            XCTAssertEqual(checked, 4)
        }
    }

    /// Case 16: one compute worker == many, any batch size and queue bound, bit for bit.
    func testPipelineSettingsDoNotChangeResults() throws {
        var base = small
        base["batch-size"] = .int(24); base["computers"] = .int(1); base["compute-queue-size"] = .int(1)
        let reference = try BatchedLDSC<Float>().solve(try problem(base), context: RunContext(threads: 1)).solution.estimates
        for (batch, computers, readers, queue) in [(1, 4, 2, 1), (7, 2, 1, 5), (24, 8, 3, 100)] {
            var v = base
            v["batch-size"] = .int(batch); v["computers"] = .int(computers); v["readers"] = .int(readers)
            v["compute-queue-size"] = .int(queue); v["writers"] = .int(2)
            let solved = try BatchedLDSC<Float>().solve(try problem(v), context: RunContext(threads: 2))
            XCTAssertEqual(solved.solution.estimates, reference, "batch \(batch), \(computers) computers")
            let s = try XCTUnwrap(solved.solution.pipeline)
            XCTAssertLessThanOrEqual(s.maxComputeQueueLength, queue)
            XCTAssertEqual(s.stages.map(\.workers), [readers, computers, 2])
        }
        for threads in [1, 3] {
            XCTAssertEqual(try PerSpotLDSC<Double>().solve(try problem(small), context: RunContext(threads: threads)).solution.estimates,
                           try PerSpotLDSC<Double>().solve(try problem(small), context: RunContext(threads: 2)).solution.estimates)
        }
    }

    /// Case 13: spot ranges give exactly the rows of the full run.
    func testShardsEqualTheFullRun() throws {
        let full = try BatchedLDSC<Float>().solve(try problem(small), context: RunContext()).solution
        var rows: [SpotEstimate] = []
        for (lo, hi) in [(0, 7), (7, 20), (20, 24)] {
            var p = try problem(small)
            p.options.spotRange = lo..<hi
            let s = try BatchedLDSC<Float>().solve(p, context: RunContext()).solution
            XCTAssertEqual(s.spots, lo..<hi)
            XCTAssertEqual(s.spotNames, Array(full.spotNames[lo..<hi]))
            rows += s.estimates
        }
        XCTAssertEqual(rows, full.estimates)
    }

    func testFloorAndTruncateAgreeWhenBlocksDivideTheSNPs() throws {
        var v = small
        v["snps"] = .int(5000)
        let pf = try problem(v)
        var pt = pf
        pt.options.blockDefinition = .truncate
        XCTAssertEqual(try BatchedLDSC<Double>().solve(pf, context: RunContext()).solution.estimates,
                       try BatchedLDSC<Double>().solve(pt, context: RunContext()).solution.estimates)
        XCTAssertEqual(BlockPartition(snpCount: 1003, blocks: 10, definition: .floor).boundaries,
                       [0, 100, 200, 300, 401, 501, 601, 702, 802, 902, 1003])
        XCTAssertEqual(BlockPartition(snpCount: 1003, blocks: 10, definition: .truncate).boundaries, Array(stride(from: 0, through: 1000, by: 100)))
    }

    func testInvalidOptionsAreRejected() throws {
        XCTAssertThrowsError(try problem(small.merging(["n-blocks": .int(1)]) { $1 })) { XCTAssert("\($0)".contains("parameter 'n-blocks' must be at least 2, got 1"), "\($0)") }
        XCTAssertThrowsError(try problem(small.merging(["n-blocks": .int(7000)]) { $1 })) { XCTAssert("\($0)".contains("fewer than --n-blocks 7000"), "\($0)") }
        XCTAssertThrowsError(try problem(small.merging(["block-definition": .string("ceil")]) { $1 })) { XCTAssert("\($0)".contains("floor or truncate")) }
        XCTAssertThrowsError(try problem(small.merging(["batch-size": .int(0)]) { $1 })) { XCTAssert("\($0)".contains("parameter 'batch-size' must be at least 1, got 0"), "\($0)") }
        var p = try problem(small)
        p.options.spotRange = 20..<30
        XCTAssertThrowsError(try p.options.validate(spotCount: 24)) { XCTAssert("\($0)".contains("lies outside the data: the GSS has 24 spots"), "\($0)") }
        XCTAssertEqual(try LDSCOptions.parseSpotRange("1:10"), 1..<10, "START = 1 is 1, not rewritten to 0")
        XCTAssertThrowsError(try LDSCOptions.parseSpotRange("5:5"))
        XCTAssertThrowsError(try LDSCOptions.parseSpotRange("a:3"))
    }
}
