import GenoBenchCore
import GenoBenchLDSC
import XCTest
import _GenoBenchTestSupport

/// Spec §11 cases 1–5, 10 and 11 on fixture L1003: the GSL reference and all four backends.
final class LDSCFixtureTests: XCTestCase {
    let backends: [any Backend<LDSCFamily>] = [PerSpotLDSC<Double>(), BatchedLDSC<Double>(), PerSpotLDSC<Float>(), BatchedLDSC<Float>()]

    func solve(_ b: any Backend<LDSCFamily>, _ p: LDSCProblem) throws -> LDSCSolution { try b.solve(p, context: RunContext(threads: 2)).solution }

    /// Case 1 (floor blocks) and case 10 (GSS scaled by 0.01, 1, 100: z = 1.469, 1.411, 1.257).
    func testFloorBlocksAndWeightDependence() throws {
        let p = try L1003.problem()
        let ref = LDSCReference.solve(p, spots: [0, 1, 2])
        assertClose(ref[0].beta, 1.65281493856e-07, relative: 1e-10)
        assertClose(ref[0].se, 1.17150500795e-07, relative: 1e-10)
        assertClose(ref[0].z, 1.410847523, absolute: 1e-8)
        assertClose(ref[0].p, 0.07914478919, relative: 1e-8)
        assertClose(ref[0].heritability, 0.0010102249, relative: 1e-7)
        assertClose(ref[1].beta * 0.01, 1.684293774e-07, relative: 1e-9)
        assertClose(ref[1].z, 1.4689782, absolute: 1e-7)
        assertClose(ref[2].beta * 100, 1.56603366e-07, relative: 1e-8)
        assertClose(ref[2].z, 1.2571427, absolute: 1e-7)
        for b in backends {
            let s = try solve(b, p)
            let tz = b.precision == .f64 ? 1e-8 : 1e-4
            for (i, z) in [1.410847523, 1.4689782, 1.2571427].enumerated() {
                XCTAssertEqual(s.estimates[i].status, .ok, b.id)
                assertClose(s.estimates[i].z, z, absolute: tz + (i == 0 ? 0 : 1e-7), "\(b.id) spot \(i)")
                assertClose(s.estimates[i].beta, ref[i].beta, relative: b.precision == .f64 ? 1e-10 : 1e-4, "\(b.id) beta \(i)")
            }
        }
    }

    /// Case 2: truncate blocks (first 1 000 SNPs, blocks of 100).
    func testTruncateBlocks() throws {
        let p = try L1003.problem(definition: .truncate)
        let r = LDSCReference.solve(p, spots: [0])[0]
        assertClose(r.beta, 1.71152971403e-07, relative: 1e-10)
        assertClose(r.se, 1.20193606938e-07, relative: 1e-10)
        assertClose(r.z, 1.423977329, absolute: 1e-8)
        assertClose(r.p, 0.07722651741, relative: 1e-8)
        for b in backends { assertClose(try solve(b, p).estimates[0].z, 1.423977329, absolute: b.precision == .f64 ? 1e-8 : 1e-4, b.id) }
    }

    /// Case 3: noise-free χ² returns the generating coefficient 0.004/N̄ = 2e-7.
    func testNoiseFreeRecoversTheGeneratingCoefficient() throws {
        let p = try L1003.problem(noise: false)
        let r = LDSCReference.solve(p, spots: [0])[0]
        assertClose(r.beta, 2e-7, relative: 1e-12)
        XCTAssertLessThan(r.se, 1e-18)
        for b in backends {
            let e = try solve(b, p).estimates[0]
            XCTAssertEqual(e.status, .ok)
            assertClose(e.beta, 2e-7, relative: b.precision == .f64 ? 1e-12 : 1e-4, b.id)
            XCTAssertLessThan(e.se, b.precision == .f64 ? 1e-18 : 1e-3 * 2e-7, b.id)
        }
    }

    /// Cases 4–5 and §4.6: zero, uniform (ℓ = all_gene) and ℓ = 3·base are singular, never a
    /// number; ℓ = all_gene·(1 + 1e-4 sin j) (ratio 2.7e-5) is singular in Float only.
    func testCollinearSpotsAreSingular() throws {
        let p = try L1003.problem()
        let ref = LDSCReference.solve(p, spots: [0, 3, 4, 5, 6])
        assertClose(ref[0].conditionRatio, 0.16031617646594656, relative: 1e-9)
        XCTAssertEqual(ref[1].conditionRatio, 0)
        XCTAssertLessThan(ref[2].conditionRatio, 1e-12)
        XCTAssertLessThan(ref[3].conditionRatio, 1e-12)
        XCTAssert((2e-5...4e-5).contains(ref[4].conditionRatio), "\(ref[4].conditionRatio)")
        for b in backends {
            let s = try solve(b, p)
            for i in [3, 4, 5] {
                XCTAssertEqual(s.estimates[i].status, .singular, "\(b.id) \(L1003.spotNames[i])")
                XCTAssert(s.estimates[i].beta.isNaN && s.estimates[i].z.isNaN && s.estimates[i].p.isNaN)
            }
            XCTAssertEqual(s.estimates[6].status, b.precision == .f64 ? .ok : .singular, b.id)
            XCTAssertEqual(s.estimates.count, 7, "singular rows are kept")
            XCTAssertEqual(s.estimates.map(\.status), LDSCReference.solve(p, spots: Array(0..<7)).map { $0.status(for: b.precision) }, b.id)
        }
    }

    /// Case 11: varying N, spatial column N-scaled (1.73.8) vs unscaled (≤ 1.73.7, gsMap3D).
    func testSpatialScalingOption() throws {
        let scaled = LDSCReference.solve(try L1003.problem(varyingN: true), spots: [0])[0]
        assertClose(scaled.beta, 5.81104323e-08, relative: 1e-8)
        assertClose(scaled.se, 4.577261692e-08, relative: 1e-9)
        assertClose(scaled.z, 1.2695458, absolute: 1e-7)
        let unscaled = LDSCReference.solve(try L1003.problem(varyingN: true, scaling: .unscaled), spots: [0])[0]
        assertClose(unscaled.beta, 5.724524759e-08, relative: 1e-9)
        assertClose(unscaled.se, 4.515615801e-08, relative: 1e-9)
        assertClose(unscaled.z, 1.2677174, absolute: 1e-7)
        for b in backends {
            assertClose(try solve(b, try L1003.problem(varyingN: true, scaling: .unscaled)).estimates[0].z, 1.2677174, absolute: b.precision == .f64 ? 2e-7 : 1e-4, b.id)
        }
        let constant = LDSCReference.solve(try L1003.problem(scaling: .unscaled), spots: [0])[0]
        assertClose(constant.z, 1.410847523, absolute: 1e-8, "with constant N the two forms agree")
    }
}
