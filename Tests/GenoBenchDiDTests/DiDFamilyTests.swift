import Foundation
import GenoBenchCore
import GenoBenchDiD
import XCTest
import _GenoBenchTestSupport

/// Every backend against the GSL reference on simulated problems (the family's own metrics),
/// Float vs Double, thread count and block size invariance, streaming vs in-memory.
final class DiDFamilyTests: XCTestCase {
    let family = DiDFamily()
    let backends: [any Backend<DiDFamily>] = [CellDiD<Float>(), CellDiD<Double>(), PseudobulkDiD<Float>(), PseudobulkDiD<Double>()]

    func problem(_ values: [String: ParameterValue], seed: UInt64 = 1) throws -> DiDProblem {
        try family.makeProblem(try ProblemParameters.resolve(values, specs: family.parameters, family: "did"), seed: seed)
    }

    func tolerances(_ p: Precision) -> Tolerances { Tolerances.resolve([:], specs: family.tolerances, precision: p) }

    func testEveryBackendMatchesTheGSLReference() throws {
        let settings: [[String: ParameterValue]] = [
            ["participants": .int(14), "cells-per-sample": .int(12), "features": .int(12), "unpaired": .int(2)],
            ["participants": .int(8), "cells-per-sample": .int(6), "features": .int(6), "covariates": .int(2), "missing-rate": .double(0.05)],
            ["participants": .int(10), "cells-per-sample": .int(8), "features": .int(5), "standardize": .bool(false), "aggregate": .string("participant_visit_celltype")],
            ["participants": .int(12), "cells-per-sample": .int(10), "features": .int(5), "agg": .string("pct_pos"), "k-counting": .string("fe-absorbed"), "p-dist": .string("t-clusters")],
        ]
        for (i, values) in settings.enumerated() {
            let pr = try problem(values, seed: UInt64(i + 1))
            let ref = try family.reference(for: pr)
            XCTAssertNotNil(ref.cell, "small problems get the cell reference")
            for b in backends {
                let s = try b.solve(pr, context: RunContext(threads: 2)).solution
                let metrics = family.compare(s, with: ref, tolerances: tolerances(b.precision))
                XCTAssertEqual(metrics.filter { $0.tolerance != nil }.count, 7)
                for m in metrics { XCTAssert(m.passed, "setting \(i) \(b.id): \(m.name) = \(m.value) > \(m.tolerance ?? .nan)") }
                XCTAssert(s.fits.allSatisfy(\.status.isFitted), "setting \(i) \(b.id): \(s.statusCounts)")
                if i == 0 { XCTAssertEqual(s.unpairedParticipants, 2) }
            }
        }
    }

    /// The comparison can fail: a perturbed solution is out of tolerance.
    func testComparisonDetectsAWrongAnswer() throws {
        let pr = try problem(["features": .int(4)])
        let ref = try family.reference(for: pr)
        var s = try PseudobulkDiD<Double>().solve(pr, context: RunContext()).solution
        s.fits[2].seDiD *= 1 + 1e-6
        s.fits[3].status = .noContrast
        let m = Dictionary(uniqueKeysWithValues: family.compare(s, with: ref, tolerances: tolerances(.f64)).map { ($0.name, $0) })
        XCTAssertFalse(m["se_rel_err_max"]!.passed)
        assertClose(m["se_rel_err_max"]!.value, 1e-6, relative: 1e-6)
        XCTAssertEqual(m["status_differing"]!.value, 1)
        XCTAssertFalse(m["status_differing"]!.passed)
        XCTAssert(m["beta_rel_err_max"]!.passed)
    }

    /// Spec §16 case 19: Float within the Float tolerances on a 20,000-cell simulation; the
    /// pseudobulk sums are the same Double sums in both precisions.
    func testFloatAgainstDoubleOnALargerProblem() throws {
        let pr = try problem(["participants": .int(40), "cells-per-sample": .int(250), "features": .int(4), "reference-max-cells": .int(0)])
        XCTAssertGreaterThan(pr.cells.cellCount, 18_000)
        let ref = try family.reference(for: pr)
        XCTAssertNil(ref.cell, "above reference-max-cells the cell reference is skipped")
        for (f32, f64) in [(CellDiD<Float>() as any Backend<DiDFamily>, CellDiD<Double>() as any Backend<DiDFamily>),
                           (PseudobulkDiD<Float>(), PseudobulkDiD<Double>())] {
            let a = try f32.solve(pr, context: RunContext()).solution, b = try f64.solve(pr, context: RunContext()).solution
            for (x, y) in zip(a.fits, b.fits) {
                assertClose(x.betaDiD, y.betaDiD, relative: 2e-4, absolute: 2e-4 * y.seDiD, "\(f32.id) β")
                assertClose(x.seDiD, y.seDiD, relative: 2e-4, "\(f32.id) SE")
                assertClose(x.zDiD, y.zDiD, absolute: 1e-3, "\(f32.id) z")
                assertClose(x.pDiD, y.pDiD, relative: 1e-3, "\(f32.id) p")
            }
        }
        let pb = try PseudobulkDiD<Float>().solve(pr, context: RunContext()).solution
        for m in family.compare(pb, with: ref, tolerances: tolerances(.f32)) { XCTAssert(m.passed, "\(m.name) = \(m.value)") }
    }

    /// Spec §16 case 18: any thread count gives bit-identical numbers; so does any block size
    /// of the streaming sums.
    func testThreadCountAndBlockingDoNotChangeAnyBit() throws {
        let pr = try problem(["participants": .int(12), "cells-per-sample": .int(30), "features": .int(9), "missing-rate": .double(0.02)])
        for b in backends {
            let one = try b.solve(pr, context: RunContext(threads: 1)).solution
            for threads in [2, 3, 8] {
                let many = try b.solve(pr, context: RunContext(threads: threads)).solution
                XCTAssertEqual(many.fits, one.fits, "\(b.id) threads \(threads)")
                XCTAssertEqual(many.fdr.map(\.bitPattern), one.fdr.map(\.bitPattern))
            }
        }
        let reference = try PseudobulkDiD<Double>().solve(pr, context: RunContext(threads: 1)).solution
        for size in [1, 7, 100_000] {
            var sums = GroupSums(featureCount: 9, covariateCount: 0, byCelltype: false)
            var start = 0
            while start < pr.cells.cellCount {
                let end = min(pr.cells.cellCount, start + size)
                sums.add(pr.cells.block(start..<end), context: RunContext(threads: 3))
                start = end
            }
            let table = PseudobulkTable(sums, layout: pr.layout, function: .mean)
            let s = try PseudobulkDiD<Double>.fit(table, features: pr.layout.features, options: pr.options, context: RunContext()).solution
            XCTAssertEqual(s.fits, reference.fits, "block size \(size)")
        }
    }

    /// A suite problem can name a cell table (`cells`): the harness then times the user's own
    /// data. The file problem holds the written cells, the planted effects of FILE.truth.tsv, and
    /// fits like the simulation it was written from (values rounded to 4 decimals in the text).
    func testASuiteProblemCanNameACellTable() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("cells.tsv")
        var sim = DiDSimulator(participants: 12, cellsPerSample: 15, features: 6, seed: 3)
        sim.unpaired = 1
        let writer = try CellTableWriter(path: path, layout: sim.layout)
        try sim.generate { try writer.write($0) }
        try writer.close()
        try ("feature\teffect\n" + zip(sim.featureNames, sim.truth).map { "\($0)\t\($1)" }.joined(separator: "\n") + "\n")
            .write(toFile: path + ".truth.tsv", atomically: true, encoding: .utf8)

        let fromFile = try problem(["cells": .string(path), "reference-max-cells": .int(100_000)])
        let memory = try sim.simulate()
        XCTAssertEqual(fromFile.cells.cellCount, memory.cellCount)
        XCTAssertEqual(fromFile.layout.features, sim.featureNames)
        XCTAssertEqual(fromFile.truth, sim.truth)
        let ref = try family.reference(for: fromFile)
        XCTAssertNotNil(ref.cell)
        let inMemory = DiDProblem(cells: memory, options: fromFile.options)
        for b in backends {
            let s = try b.solve(fromFile, context: RunContext(threads: 2)).solution
            for m in family.compare(s, with: ref, tolerances: tolerances(b.precision)) {
                XCTAssert(m.passed, "\(b.id): \(m.name) = \(m.value) > \(m.tolerance ?? .nan)")
            }
            XCTAssertEqual(s.unpairedParticipants, 1, b.id)
            let t = try b.solve(inMemory, context: RunContext(threads: 2)).solution
            for (f, g) in zip(s.fits, t.fits) { XCTAssertEqual(f.betaDiD, g.betaDiD, accuracy: 1e-3 * g.seDiD, b.id) }
        }

        try "feature\teffect\nf1\tnot-a-number\n".write(toFile: path + ".truth.tsv", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try problem(["cells": .string(path)])) {
            XCTAssert("\($0)".contains("cells.tsv.truth.tsv") && "\($0)".contains("2"), "\($0)")
        }
        try FileManager.default.removeItem(atPath: path + ".truth.tsv")
        XCTAssertNil(try problem(["cells": .string(path)]).truth)
        XCTAssertThrowsError(try problem(["cells": .string(path), "participant-col": .string("donor")])) {
            XCTAssert("\($0)".contains("donor"), "\($0)")
        }
        XCTAssertThrowsError(try problem(["cells": .string(dir.file("absent.tsv"))])) { XCTAssert("\($0)".contains("absent.tsv"), "\($0)") }
    }

    func testSimulationIsSeededAndParametersAreChecked() throws {
        let a = try problem(["features": .int(3)], seed: 5), b = try problem(["features": .int(3)], seed: 5)
        XCTAssertEqual(family.dataHash(of: a), family.dataHash(of: b))
        XCTAssertNotEqual(family.dataHash(of: a), family.dataHash(of: try problem(["features": .int(3)], seed: 6)))
        XCTAssertThrowsError(try problem(["aggregate": .string("cell")]))
        XCTAssertThrowsError(try problem(["agg": .string("median")])) { XCTAssert("\($0)".contains("mean, pct_pos"), "\($0)") }
        XCTAssertThrowsError(try problem(["participants": .int(1)]))
        XCTAssertThrowsError(try problem(["aggregate": .string("participant_visit_celltype"), "celltypes": .int(0)]))
        let e = family.estimates(of: try CellDiD<Double>().solve(a, context: RunContext()).solution)
        XCTAssertEqual(e.first { $0.name == "features" }?.value, 3)
    }
}
