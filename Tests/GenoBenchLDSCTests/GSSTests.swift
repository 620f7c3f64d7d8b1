import GenoBenchCore
import GenoBenchLDSC
import XCTest
import _GenoBenchTestSupport

/// Spec §11 cases 14–16 for the released (1.73) GSS rule.
final class GSSTests: XCTestCase {
    /// 100 cells x 4 genes: A = 5 in cells 0–24 and 0 elsewhere; B–D = 1 everywhere.
    func fixture() -> GeneMatrix {
        var v = [Double](repeating: 1, count: 4 * 100)
        for c in 0..<100 { v[c] = c < 25 ? 5 : 0 }
        return GeneMatrix(geneNames: ["A", "B", "C", "D"], spotNames: (0..<100).map { "c\($0)" }, values: v)
    }

    func settings(_ batch: Int = 7, readers: Int = 2, computers: Int = 2, writers: Int = 2, queue: Int = 5) -> PipelineSettings {
        PipelineSettings(readers: readers, computers: computers, writers: writers, computeQueueSize: queue, writerQueueSize: queue, batchSize: batch)
    }

    func gss(_ sets: [[Int]], gate: Bool = true, settings s: PipelineSettings? = nil) throws -> GeneMatrix {
        try GeneSpecificity.compute(expression: fixture(), neighbourhoods: sets, expressionFraction: gate, settings: s ?? settings()).gss
    }

    func value(_ m: GeneMatrix, gene g: Int, cell c: Int) -> Double { m.values[g * m.spotNames.count + c] }

    func testKnownValues() throws {
        var sets = [[Int]](repeating: [], count: 100)
        sets[0] = Array(0...20)
        sets[30] = Array(25...45)
        let m = try gss(sets)
        // Gene A in cell 0: normalised rank 4/√2 = 4^0.75, GSS = exp(4^0.75) − 1.
        assertClose(value(m, gene: 0, cell: 0), 15.918828679, relative: 1e-9)
        for g in 1...3 { XCTAssertEqual(value(m, gene: g, cell: 0), 0) }
        for g in 0...3 { XCTAssertEqual(value(m, gene: g, cell: 30), 0, "cells 25–45: every gene 0 with the gate on") }
        for g in 0...3 { XCTAssertEqual(value(m, gene: g, cell: 5), 0, "no homogeneous set: zeros") }
        XCTAssert(m.values.allSatisfy { $0 >= 0 })
    }

    func testGateOff() throws {
        var sets = [[Int]](repeating: [], count: 100)
        sets[30] = Array(25...45)
        let m = try gss(sets, gate: false)
        XCTAssertEqual(value(m, gene: 0, cell: 30), 0, "A is below its global geometric-mean rank")
        for g in 1...3 { assertClose(value(m, gene: g, cell: 30), 2.0243068, relative: 1e-7, "exp((3/2)^0.25) − 1") }
    }

    func testIdenticalCellsGiveZeroAndMitochondrialGenesAreDropped() throws {
        let e = GeneMatrix(geneNames: ["A", "MT-CO1", "B"], spotNames: ["a", "b", "c"], values: [3, 3, 3, 7, 7, 7, 1, 1, 1])
        let r = try GeneSpecificity.compute(expression: e, neighbourhoods: [[0, 1, 2], [1], [2, 0]], settings: settings())
        XCTAssertEqual(r.gss.geneNames, ["A", "B"])
        XCTAssert(r.gss.values.allSatisfy { $0 == 0 })
    }

    /// Case 16: bytewise identical for worker counts, queue sizes and batch sizes.
    func testPipelineInvariance() throws {
        var rng = RandomSource(seed: 4)
        let cells = 60, genes = 30
        let e = GeneMatrix(geneNames: (0..<genes).map { "g\($0)" }, spotNames: (0..<cells).map { "s\($0)" },
                           values: (0..<(cells * genes)).map { _ in rng.nextUniform() < 0.4 ? 0 : Double(Int(rng.nextUniform() * 20)) })
        let sets = (0..<cells).map { c in (0..<8).map { (c + $0 * 7) % cells } }
        let reference = try GeneSpecificity.compute(expression: e, neighbourhoods: sets, settings: settings(1, readers: 1, computers: 1, writers: 1, queue: 1)).gss
        XCTAssert(reference.values.contains { $0 > 0 }, "the fixture must produce some positive GSS")
        for (batch, workers, queue) in [(7, 2, 5), (500, 8, 100), (1, 8, 1)] {
            let r = try GeneSpecificity.compute(expression: e, neighbourhoods: sets,
                                                settings: settings(batch, readers: workers, computers: workers, writers: workers, queue: queue))
            XCTAssertEqual(r.gss, reference, "batch \(batch) workers \(workers) queue \(queue)")
            XCTAssertEqual(r.pipeline.stages.map(\.workers), [workers, workers, workers])
        }
    }
}
