import GenoBenchCore
import GenoBenchLD
import XCTest
import _GenoBenchTestSupport

/// The triangular partition (spec ld.md §6, §10 cases 14–17) and backend invariance.
final class LDTilingTests: XCTestCase {
    let triangular = [1, 3, 6, 10, 15, 21, 28, 36, 45, 55]

    func testEveryBlockPairIsCoveredExactlyOnce() throws {  // §10 case 14
        for blocks in 1...60 {
            for c in triangular where c <= blocks {
                let partition = try TrianglePartition(blockCount: blocks, subproblems: c)
                var seen = [Int](repeating: 0, count: blocks * blocks)
                for k in 0..<c {
                    let tile = partition.tile(k)
                    for b1 in tile.blocksA {
                        for b2 in tile.blocksB where !tile.isDiagonal || b2 >= b1 {
                            seen[min(b1, b2) * blocks + max(b1, b2)] += 1
                            XCTAssertEqual(partition.tileIndex(blockA: b1, blockB: b2), k)
                        }
                    }
                }
                for b1 in 0..<blocks {
                    for b2 in b1..<blocks where seen[b1 * blocks + b2] != 1 {
                        XCTFail("blocks \(blocks), c \(c): block pair (\(b1), \(b2)) covered \(seen[b1 * blocks + b2]) times")
                    }
                }
            }
        }
    }

    func testTomahawkCounterexamplesAreCovered() throws {
        // Tomahawk's last range [n − chunk, n) drops blocks for (10, 6) and (11, 3); ours keeps them.
        for (blocks, c) in [(10, 6), (11, 3)] {
            let p = try TrianglePartition(blockCount: blocks, subproblems: c)
            XCTAssertEqual((0..<p.side).reduce(0) { $0 + p.range($1).count }, blocks)
            XCTAssertEqual(p.range(p.side - 1).upperBound, blocks)
        }
    }

    func testNumberingIsRowMajorOverTheUpperTriangle() throws {
        let p = try TrianglePartition(blockCount: 12, subproblems: 6)
        XCTAssertEqual((0..<6).map { [p.tile($0).row, p.tile($0).column] }, [[0, 0], [0, 1], [0, 2], [1, 1], [1, 2], [2, 2]])
    }

    func testInvalidSubproblemsAndPartsAreRejected() throws {
        XCTAssertThrowsError(try TrianglePartition(blockCount: 20, subproblems: 4)) { e in
            XCTAssert("\(e)".contains("--subproblems 4 is not triangular"), "\(e)")
            XCTAssert("\(e)".contains("nearest are 3 and 6"), "\(e)")
        }
        XCTAssertThrowsError(try TrianglePartition(blockCount: 5, subproblems: 6)) { e in
            XCTAssert("\(e)".contains("needs at least 6 blocks"), "\(e)")
        }
        XCTAssertThrowsError(try TrianglePartition(blockCount: 5, subproblems: 0))
        let calls = LDFixtures.random(samples: 10, variants: 30, seed: 1, missing: 0)
        for part in [0, 4] {
            XCTAssertThrowsError(try LDFixtures.problem(calls, LDOptions(r2Min: 0, blockSize: 5, subproblems: 3, part: part))) { e in
                XCTAssertEqual("\(e)", "--part \(part) is outside 1...3 (the number of --subproblems)")
            }
        }
    }

    func rows(_ b: any Backend<LDFamily>, _ p: LDProblem, threads: Int = 2) throws -> [LDRow] {
        try b.solve(p, context: RunContext(threads: threads)).solution.rows
    }

    func testPartsTogetherEqualTheWholeTriangle() throws {  // §10 cases 14–16 at the variant level
        // 103 variants in blocks of 7 make 15 blocks: not divisible by the grid side for most c.
        let calls = LDFixtures.random(samples: 70, variants: 103, seed: 8, missing: 0.05)
        let whole = try rows(NaiveLD<Double>(), try LDFixtures.problem(calls, LDOptions(r2Min: 0, blockSize: 7)))
        XCTAssertEqual(whole.count, 103 * 102 / 2)
        for c in [1, 3, 6, 10] {
            var union: [LDRow] = []
            var compared = 0
            for part in 1...c {
                let p = try LDFixtures.problem(calls, LDOptions(r2Min: 0, blockSize: 7, subproblems: c, part: part))
                let solved = try TiledLD<Double>().solve(p, context: RunContext(threads: 2))
                union += solved.solution.rows
                compared += solved.solution.pairsCompared
            }
            union.sort { ($0.indexA, $0.indexB) < ($1.indexA, $1.indexB) }
            XCTAssertEqual(compared, 103 * 102 / 2, "c = \(c): comparisons")
            XCTAssertEqual(union, whole, "c = \(c): the parts must give every pair exactly once, identical to naive")
        }
        // 45 subproblems need 45 blocks.
        let many = LDFixtures.random(samples: 33, variants: 95, seed: 9, missing: 0)
        let all = try rows(NaiveLD<Double>(), try LDFixtures.problem(many, LDOptions(r2Min: 0, blockSize: 2)))
        var union: [LDRow] = []
        for part in 1...45 {
            union += try rows(TiledLD<Double>(), try LDFixtures.problem(many, LDOptions(r2Min: 0, blockSize: 2, subproblems: 45, part: part)))
        }
        union.sort { ($0.indexA, $0.indexB) < ($1.indexA, $1.indexB) }
        XCTAssertEqual(union, all, "c = 45")
    }

    func testTiledEqualsNaiveForAnyThreadCount() throws {  // §10 case 15
        let problem = try LDFixtures.simulated(samples: 150, variants: 120, seed: 12, missing: 0.03,
                                               options: LDOptions(r2Min: 0.05, blockSize: 11))
        for (naive, tiled) in [(NaiveLD<Double>() as any Backend<LDFamily>, TiledLD<Double>() as any Backend<LDFamily>),
                               (NaiveLD<Float>(), TiledLD<Float>())] {
            let expected = try rows(naive, problem, threads: 1)
            XCTAssertGreaterThan(expected.count, 0)
            for threads in [1, 2, 8] {
                XCTAssertEqual(try rows(tiled, problem, threads: threads), expected, "\(tiled.id), \(threads) threads (seed 12)")
                XCTAssertEqual(try rows(naive, problem, threads: threads), expected, "\(naive.id), \(threads) threads (seed 12)")
            }
        }
    }

    func testBitPackingEdgesMatchTheByteLoop() throws {  // §10 case 13
        for n in [1, 2, 31, 32, 33, 63, 64, 65, 127, 128, 129, 2504] {
            for missing in [0.0, 0.1] {
                let calls = LDFixtures.random(samples: n, variants: 9, seed: UInt64(n), missing: missing)
                let p = try LDFixtures.problem(calls, LDOptions(r2Min: 0, blockSize: 4))
                let naive = try rows(NaiveLD<Double>(), p).map(\.table)
                XCTAssertEqual(try rows(TiledLD<Double>(), p).map(\.table), naive, "N = \(n), missing \(missing)")
                XCTAssertEqual(try rows(TiledLD<Float>(), p).map(\.table), naive, "N = \(n), missing \(missing), f32")
                // Direct count as the third opinion.
                var k = 0
                for a in 0..<9 {
                    for b in (a + 1)..<9 {
                        var t = GenotypeTable()
                        for s in 0..<n { if let x = calls[a][s], let y = calls[b][s] { t[x, y] += 1 } }
                        XCTAssertEqual(naive[k], t, "N = \(n) pair (\(a), \(b))")
                        k += 1
                    }
                }
            }
        }
    }

    func testWindowIsNaivePlusFilter() throws {  // §10 case 17
        let calls = LDFixtures.random(samples: 40, variants: 50, seed: 17, missing: 0.02)
        let all = try rows(NaiveLD<Double>(), try LDFixtures.problem(calls, LDOptions(r2Min: 0, blockSize: 6)))
        // Fixture positions are 1 kb apart: a 3 kb window keeps |a − b| <= 3 (inclusive).
        let expected = all.filter { $0.indexB - $0.indexA <= 3 }
        for b in LDFixtures.backends where b.precision == .f64 {
            XCTAssertEqual(try rows(b, try LDFixtures.problem(calls, LDOptions(r2Min: 0, windowKb: 3, blockSize: 6))), expected, b.id)
        }
    }

    func testFloatAgreesWithDouble() throws {  // §10 case 20
        let p = try LDFixtures.simulated(samples: 300, variants: 80, seed: 2, missing: 0.02, options: LDOptions(r2Min: 0, blockSize: 20))
        let d = try rows(TiledLD<Double>(), p), f = try rows(TiledLD<Float>(), p)
        XCTAssertEqual(d.map(\.table), f.map(\.table))
        var worstDosage = 0.0, worstHaplotype = 0.0
        for (x, y) in zip(d, f) {
            XCTAssertEqual(x.r.isNaN, y.r.isNaN)
            XCTAssertEqual(x.d.isNaN, y.d.isNaN, "table \(x.table.array)")
            for (u, v) in [(x.r, y.r), (x.r2, y.r2)] where !u.isNaN { worstDosage = max(worstDosage, abs(u - v)) }
            if !x.d.isNaN { worstHaplotype = max(worstHaplotype, abs(x.d - y.d)) }
        }
        // Dosage statistics within the spec's Float tolerance; D from the Float cubic within the
        // family's stated (looser) f32 tolerance.
        XCTAssertLessThan(worstDosage, 1e-5, "worst |Δr|, |Δr²| between f32 and f64 (seed 2)")
        XCTAssertLessThan(worstHaplotype, 1e-3, "worst |ΔD| between f32 and f64 (seed 2)")
    }

    func testEveryBackendPassesAgainstTheGSLReference() throws {
        let family = LDFamily()
        for missing in [0.0, 0.05] {
            let p = try LDFixtures.simulated(samples: 211, variants: 70, seed: 31, missing: missing, options: LDOptions(r2Min: 0, blockSize: 9))
            let reference = try family.reference(for: p)
            XCTAssertEqual(reference.rows.count, 70 * 69 / 2)
            for b in LDFixtures.backends {
                let solution = try b.solve(p, context: RunContext(threads: 2)).solution
                let metrics = family.compare(solution, with: reference,
                                             tolerances: Tolerances.resolve([:], specs: family.tolerances, precision: b.precision))
                for m in metrics where !m.passed { XCTFail("\(b.id) missing \(missing): \(m.name) = \(m.value) > \(m.tolerance ?? 0)") }
            }
        }
    }
}
