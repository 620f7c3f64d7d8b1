import GenoBenchCore
import GenoBenchLD
import XCTest
import _GenoBenchTestSupport

/// The spec's test cases (ld.md §10), run through every backend.
final class LDConformanceTests: XCTestCase {
    /// Tolerances of spec §10: Double 1e-12 (haplotype statistics from a cubic root, 1e-10);
    /// Float 1e-5 absolute (1e-4 for the cubic-based statistics).
    func tolerance(_ b: any Backend<LDFamily>, hap: Bool = false) -> Double {
        b.precision == .f64 ? (hap ? 1e-10 : 1e-12) : (hap ? 1e-4 : 1e-5)
    }

    func onlyRow(_ b: any Backend<LDFamily>, _ dosages: [[Int?]]) throws -> LDRow {
        let rows = try b.solve(try LDFixtures.problem(dosages), context: RunContext(threads: 1)).solution.rows
        XCTAssertEqual(rows.count, 1, "\(b.id): one pair expected")
        return rows[0]
    }

    func testUnphasedWithDoubleHeterozygotes() throws {  // §10 case 9
        let g = [[30, 10, 2], [8, 20, 6], [1, 7, 16]]
        for b in LDFixtures.backends {
            let row = try onlyRow(b, LDFixtures.pair(g))
            XCTAssertEqual(row.table, GenotypeTable(g), b.id)
            assertClose(row.r2, 0.425971825518600, absolute: tolerance(b), "\(b.id) r²_dosage")
            assertClose(row.r2Haplotype, 0.355125296957651, absolute: tolerance(b, hap: true), "\(b.id) r²_hap")
            assertClose(row.d, 0.144889570987735, absolute: tolerance(b, hap: true), "\(b.id) D")
            assertClose(row.dPrime, 0.614589908749671, absolute: tolerance(b, hap: true), "\(b.id) D'")
            XCTAssertFalse(row.flags.contains(.multipleRoots), b.id)
        }
        let estimate = HaplotypeEstimate<Double>(table: GenotypeTable(g))
        let counts = try XCTUnwrap(estimate.counts)
        assertClose(counts.0, 96.8279, absolute: 1e-4); assertClose(counts.1, 21.1721, absolute: 1e-4)
        assertClose(counts.2, 18.1721, absolute: 1e-4); assertClose(counts.3, 63.8279, absolute: 1e-4)
        assertClose(counts.0 / 200, 0.484139570987735, absolute: 1e-14, "f11 (cubic)")
        assertClose(LDReference.emFrequency(GenotypeTable(g)), 0.484139570987735, absolute: 1e-12, "f11 (EM)")
        assertClose(try XCTUnwrap(LDReference.haplotypeStatistics(GenotypeTable(g)).f11), 0.484139570987735, absolute: 1e-14, "f11 (GSL)")
    }

    /// A double root of the cubic on the window's edge (exactly f11 = k11/2M = 17/30: every
    /// double heterozygote in the 1/2 phase; worked out in rational arithmetic). Rounding turns
    /// it into a complex pair, so a closed form returns only the far root 0.5375 outside the
    /// window: GSL's did and the reference called the pair undefined; EM, the backends' old
    /// fallback, creeps towards a double root sublinearly and stopped 3.4e-4 off in f11.
    func testDoubleRootOnTheWindowEdge() throws {
        let g = [[21, 17, 4], [9, 9, 0], [0, 0, 0]]
        let pq = (102.0 / 120) * (86.0 / 120) // p = 102/120, q = 86/120 (allele frequencies of rows 0 and columns 0)
        let exactD = 17.0 / 30 - pq
        let counts = try XCTUnwrap(HaplotypeEstimate<Double>(table: GenotypeTable(g)).counts)
        assertClose(counts.0 / 120, 17.0 / 30, absolute: 1e-12, "f11 (backend)")
        let reference = LDReference.haplotypeStatistics(GenotypeTable(g))
        assertClose(try XCTUnwrap(reference.f11), 17.0 / 30, absolute: 1e-12, "f11 (GSL reference)")
        assertClose(reference.d, exactD, absolute: 1e-12, "D (GSL reference)")
        for b in LDFixtures.backends where b.precision == .f64 {
            let row = try onlyRow(b, LDFixtures.pair(g))
            assertClose(row.d, exactD, absolute: 1e-9, "\(b.id) D")
        }
    }

    func testUnphasedWithoutDoubleHeterozygotes() throws {  // §10 case 10
        let g = [[30, 10, 2], [8, 0, 6], [1, 7, 16]]
        let estimate = try XCTUnwrap(HaplotypeEstimate<Double>(table: GenotypeTable(g)).counts)
        XCTAssertEqual([estimate.0, estimate.1, estimate.2, estimate.3], [78, 20, 17, 45])
        for b in LDFixtures.backends {
            let row = try onlyRow(b, LDFixtures.pair(g))
            assertClose(row.r2Haplotype, 0.267832822040932, absolute: tolerance(b, hap: true), "\(b.id) r²_hap")
            assertClose(row.dPrime, 0.538200339558583, absolute: tolerance(b, hap: true), "\(b.id) D'")
        }
        // The cubic's admissible window collapses to k11/2M = 78/196 when h = 0: the cubic path
        // and the direct path agree.
        let m = 98.0, p = Double(2 * 42 + 14) / 196, q = Double(2 * 39 + 17) / 196, k = 78.0
        let a = 4 * m, bb = 2 * m * (1 - 2 * p - 2 * q) - 2 * k, c = -k * (1 - 2 * p - 2 * q) + 2 * m * p * q, d = -k * p * q
        let roots = CubicSolver<Double>.realRoots(a: bb / a, b: c / a, c: d / a)
        XCTAssert(roots.contains { abs($0 - 78.0 / 196) < 1e-12 }, "cubic roots \(roots) miss k11/2M")
    }

    func testIdenticalAndComplementaryVariants() throws {  // §10 cases 1 and 2
        let a: [Int?] = [0, 1, 2, 1, 0, 2, 1, 1, 0, 2, 1, 0]
        let p1 = Double(a.reduce(0) { $0 + $1! }) / Double(2 * a.count)
        for b in LDFixtures.backends {
            let same = try onlyRow(b, [a, a])
            assertClose(same.r, 1, absolute: tolerance(b), "\(b.id) r")
            assertClose(same.r2Haplotype, 1, absolute: tolerance(b, hap: true), "\(b.id) r²_hap")
            assertClose(same.dPrime, 1, absolute: tolerance(b, hap: true), "\(b.id) D'")
            assertClose(same.d, p1 * (1 - p1), absolute: tolerance(b, hap: true), "\(b.id) D")
            let flipped = try onlyRow(b, [a, a.map { 2 - $0! }])
            assertClose(flipped.r, -1, absolute: tolerance(b), "\(b.id) r")
            assertClose(flipped.dPrime, -1, absolute: tolerance(b, hap: true), "\(b.id) D'")
            assertClose(flipped.d, -p1 * (1 - p1), absolute: tolerance(b, hap: true), "\(b.id) D")
        }
    }

    func testSymmetryAndAlleleRecoding() throws {  // §10 cases 3 and 4
        let calls = LDFixtures.random(samples: 150, variants: 2, seed: 21, missing: 0.05)
        for b in LDFixtures.backends {
            let ab = try onlyRow(b, calls), ba = try onlyRow(b, [calls[1], calls[0]])
            XCTAssertEqual(ab.r2, ba.r2, "\(b.id): r² must be bit-identical under swapping (seed 21)")
            XCTAssertEqual(ab.r, ba.r, b.id)
            assertClose(ab.d, ba.d, absolute: 1e-14 + (b.precision == .f32 ? 1e-6 : 0), b.id)
            assertClose(ab.dPrime, ba.dPrime, absolute: 1e-13 + (b.precision == .f32 ? 1e-5 : 0), b.id)
            let recoded = try onlyRow(b, [calls[0].map { $0.map { 2 - $0 } }, calls[1]])
            assertClose(recoded.r, -ab.r, absolute: tolerance(b), "\(b.id) recoding negates r")
            assertClose(recoded.r2, ab.r2, absolute: tolerance(b), b.id)
            assertClose(recoded.d, -ab.d, absolute: tolerance(b, hap: true), "\(b.id) recoding negates D")
            assertClose(abs(recoded.dPrime), abs(ab.dPrime), absolute: tolerance(b, hap: true), b.id)
        }
    }

    func testKnownHaplotypeTables() {  // §10 cases 5–8 (phased formulas)
        let t5 = HaplotypeStatistics<Double>(n00: 50, n01: 30, n10: 15, n11: 5)
        assertClose(t5.d, -0.02, absolute: 1e-15)
        assertClose(t5.r, -0.1048284837, absolute: 1e-10)
        assertClose(t5.r2, 0.0109890110, absolute: 1e-10)
        assertClose(t5.dPrime, -0.2857142857, absolute: 1e-10, "Lewontin D' (Tomahawk prints 0.125)")
        assertClose(100 * t5.r2, 1.0989010989, absolute: 1e-9, "χ² = H·r²")
        let t6 = HaplotypeStatistics<Double>(n00: 4999, n01: 6, n10: 0, n11: 3)
        assertClose(t6.r2, 0.3329337329, absolute: 1e-10)
        assertClose(t6.d, 5.97965e-4, absolute: 1e-9)
        assertClose(t6.dPrime, 1, absolute: 1e-12)
        let t7 = HaplotypeStatistics<Double>(n00: 3, n01: 1, n10: 1, n11: 3)
        assertClose(t7.r, 0.5, absolute: 1e-15); assertClose(t7.dPrime, 0.5, absolute: 1e-15)
        let t8 = HaplotypeStatistics<Double>(n00: 25, n01: 25, n10: 25, n11: 25)
        XCTAssertEqual(t8.d, 0); XCTAssertEqual(t8.r, 0)
        let f = HaplotypeStatistics<Float>(n00: 50, n01: 30, n10: 15, n11: 5)
        assertClose(Double(f.dPrime), -0.2857142857, absolute: 1e-6, "Float D'")
    }

    func testMonomorphicPairsAreUndefinedNotErrors() throws {  // §10 case 11
        let calls: [[Int?]] = [[1, 1, 1, 1, 1, 1], [0, 1, 2, 0, 1, 2]]
        var rows: [LDRow] = []
        for b in LDFixtures.backends {
            let row = try onlyRow(b, calls)
            XCTAssert(row.r.isNaN && row.r2.isNaN, "\(b.id): r must be NaN")
            XCTAssert(row.flags.contains(.dosageUndefined), b.id)
            rows.append(row)
        }
        XCTAssertEqual(Set(rows.map(\.flags)).count, 1, "every backend flags the pair the same way")
        let problem = try LDFixtures.problem(calls)
        let reference = try LDReference.solve(problem)
        let solution = try TiledLD<Double>().solve(problem, context: RunContext(threads: 1)).solution
        let family = LDFamily()
        let metrics = family.compare(solution, with: reference, tolerances: Tolerances.resolve([:], specs: family.tolerances, precision: .f64))
        XCTAssert(metrics.allSatisfy(\.passed), "\(metrics)")
        XCTAssertEqual(metrics.first { $0.name == "undefined_pairs" }?.value, 1)
        // With an r² floor the undefined pair is skipped by every backend alike.
        for b in LDFixtures.backends {
            XCTAssertEqual(try b.solve(try LDFixtures.problem(calls, LDOptions(r2Min: 0.1)), context: RunContext()).solution.rows.count, 0)
        }
    }

    func testMissingAtOneVariantExcludesTheSample() throws {  // §10 case 12
        let a: [Int?] = [0, 0, 1, 2, 2, 1, nil]
        let b: [Int?] = [0, 1, 1, 2, 2, 0, 0]
        for backend in LDFixtures.backends {
            let row = try onlyRow(backend, [a, b])
            XCTAssertEqual(row.sampleCount, 6, backend.id)
            XCTAssertEqual(row.table[0, 0], 1, "\(backend.id): the sample missing at A must not count in g00")
            XCTAssertEqual(row.table.array.reduce(0, +), 6)
        }
    }

    func testBoundsOnRandomData() throws {  // §10 case 18
        let problem = try LDFixtures.simulated(samples: 97, variants: 60, seed: 4, missing: 0.1, options: LDOptions(r2Min: 0, blockSize: 16))
        for b in LDFixtures.backends {
            let slack = b.precision == .f64 ? 1e-12 : 1e-5  // Float: the stated f32 tolerance
            for row in try b.solve(problem, context: RunContext()).solution.rows {
                if !row.r2.isNaN { XCTAssertLessThanOrEqual(row.r2, 1 + slack, b.id) }
                if !row.dPrime.isNaN { XCTAssertLessThanOrEqual(abs(row.dPrime), 1 + slack, b.id) }
                if !row.r2Haplotype.isNaN { XCTAssertLessThanOrEqual(row.r2Haplotype, 1 + slack, b.id) }
            }
        }
    }
}
