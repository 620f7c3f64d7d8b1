import Foundation
import GenoBenchCore
import GenoBenchDiD
import XCTest
import _GenoBenchTestSupport

/// The cell-table reader: streaming = in memory, gzip, CSV quoting, log1p-CPM (case 16),
/// gene-set scores (case 15), and bad inputs with errors naming file, line and column.
final class DiDInputTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory() }

    func request(_ path: String) -> CellTableRequest {
        CellTableRequest(path: path, participantColumn: "participant", visitColumn: "visit", armColumn: "arm", treatedLabel: "Treated", visits: ["V1", "V2"])
    }

    func write(_ sim: DiDSimulator, to name: String) throws -> String {
        let path = dir.file(name)
        let w = try CellTableWriter(path: path, layout: sim.layout)
        try sim.generate { try w.write($0) }
        try w.close()
        return path
    }

    func analyse(_ r: CellTableRequest, backend: String = "pseudobulk-f64", options: DiDOptions = DiDOptions(), threads: Int = 2) throws -> DiDAnalysis.Result {
        var o = options
        if backend.hasPrefix("cell") { o.aggregate = .cell }
        return try DiDAnalysis(request: r, options: o, backend: backend).run(context: RunContext(threads: threads))
    }

    /// Streaming a written file gives bit for bit what the in-memory problem gives, for every
    /// backend, plain and gzip, tab and comma, any thread count.
    func testStreamingEqualsInMemory() throws {
        var sim = DiDSimulator(participants: 11, cellsPerSample: 15, features: 6, seed: 21)
        sim.unpaired = 1
        sim.missingRate = 0.03
        sim.covariates = 1
        let memory = DiDProblem(cells: try sim.simulate(), options: DiDOptions())
        for name in ["cells.tsv", "cells.csv", "cells.tsv.gz"] {
            let path = try write(sim, to: name)
            var r = request(path)
            r.covariates = ["qc"]
            r.celltypeColumn = "celltype"
            for (backend, solver) in [("pseudobulk-f64", PseudobulkDiD<Double>() as any Backend<DiDFamily>), ("cell-f32", CellDiD<Float>())] {
                var p = memory
                if backend.hasPrefix("cell") { p.options.aggregate = .cell }
                let expected = try solver.solve(p, context: RunContext()).solution
                for threads in [1, 2] {
                    let got = try analyse(r, backend: backend, threads: threads)
                    XCTAssertEqual(got.solution.fits, expected.fits, "\(name) \(backend) threads \(threads)")
                    XCTAssertEqual(got.solution.unpairedParticipants, 1)
                    XCTAssertEqual(got.read.layout.participants, memory.layout.participants)
                    XCTAssertEqual(got.read.nonNumericColumns, ["cell"], "the cell-type column is a design column")
                }
            }
        }
    }

    /// The streaming reader holds one buffer: its sums do not grow with the cell count.
    func testPseudobulkStateDoesNotGrowWithCells() throws {
        var sizes: [Int] = []
        for cells in [5, 50] {
            let sim = DiDSimulator(participants: 6, cellsPerSample: cells, features: 3, seed: 3)
            let sums = try CellTableReader(request(try write(sim, to: "s\(cells).tsv"))).readSums(context: RunContext(), byCelltype: false)
            sizes.append(sums.bytes)
            XCTAssertEqual(sums.groupCount, 12)
        }
        XCTAssertEqual(sizes[0], sizes[1])
    }

    func testFiltersLabelsAndQuotedCSV() throws {
        let path = dir.file("q.csv")
        try """
            "cell","participant","visit","arm","celltype","g,1","g2"
            c1,A,V1,Treated,T,1.5,2
            c2,"A",V2,Treated,T,2.5,NA
            c3,A,V0,Treated,T,9,9
            c4,B,V1,Placebo,B,1,1
            "c5",B,V2,Placebo,T,3,""
            c6,C,V1,Other,T,1,1
            """.write(toFile: path, atomically: true, encoding: .utf8)
        var r = request(path)
        r.controlLabel = "Placebo"
        r.celltypeColumn = "celltype"
        r.celltype = "T"
        let reader = try CellTableReader(r)
        XCTAssertEqual(reader.features, ["g,1", "g2"])
        let t = try reader.readTable(context: RunContext())
        XCTAssertEqual(t.cellCount, 3)
        XCTAssertEqual(t.layout.participants, ["A", "B"])
        XCTAssertEqual(t.layout.treated, [true, false])
        XCTAssertEqual(t.values[0], [1.5, 2.5, 3])
        XCTAssert(t.values[1][1].isNaN && t.values[1][2].isNaN)
        XCTAssertEqual(reader.summary.droppedVisit, 1)
        XCTAssertEqual(reader.summary.droppedCelltype, 1)
        XCTAssertEqual(reader.summary.droppedArm, 1)
        XCTAssertEqual(reader.summary.lines, 6)
    }

    /// Case 16: log1p-CPM of counts (1, 3), (0, 0), (2, 2).
    func testLog1pCPMCase16() throws {
        let path = dir.file("counts.tsv")
        try "participant\tvisit\tarm\tA\tB\nP\tV1\tTreated\t1\t3\nP\tV1\tTreated\t0\t0\nP\tV2\tTreated\t2\t2\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        var r = request(path)
        r.preprocessing.log1pCPMScale = 1e6
        let reader = try CellTableReader(r)
        let t = try reader.readTable(context: RunContext())
        for (got, want) in zip(t.values[0] + t.values[1], [12.4292202, 0, 13.1223654, 13.5278298, 0, 13.1223654]) {
            assertClose(got, want, relative: 1e-8)
        }
        assertClose(t.values[0][0], Double.log(onePlus: 2.5e5), relative: 1e-15)
        XCTAssertEqual(reader.summary.zeroLibraryCells, 1)
        try "participant\tvisit\tarm\tA\tB\nP\tV1\tTreated\t1\t-3\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CellTableReader(r).readTable(context: RunContext())) { e in
            XCTAssert("\(e)".contains("counts.tsv line 2") && "\(e)".contains("column 'B'") && "\(e)".contains("negative"), "\(e)")
        }
    }

    /// Case 15: zmean and mean gene-set scores; a set with too few genes scores NaN.
    func testGeneSetScoresCase15() throws {
        let path = dir.file("genes.tsv")
        try "participant\tvisit\tarm\tA\tB\tC\nP\tV1\tTreated\t1\t2\t7\nP\tV1\tTreated\t3\t4\t7\nP\tV2\tTreated\t5\t9\t7\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let gmt = dir.file("sets.gmt")
        try "S\tdesc\tA\tB\tC\nsmall\tna\tA\tB\nmissing\tna\tA\tX\tY\tZ\n".write(toFile: gmt, atomically: true, encoding: .utf8)
        let sets = try GeneSetScorer.readGMT(gmt)
        XCTAssertEqual(sets.map(\.name), ["S", "small", "missing"])
        for (method, want) in [(GeneSetMethod.zmean, [-0.916025147, -0.138675049, 1.054700196]), (.mean, [3.333333333, 4.666666667, 7.0])] {
            var r = request(path)
            r.preprocessing.geneSets = GeneSetScorer(sets: sets, method: method)
            let result = try analyse(r, backend: "cell-f64")
            XCTAssertEqual(result.solution.features, ["S", "small", "missing"])
            XCTAssertEqual(result.warnings.count, 2, "\(result.warnings)")
            // Recover the per-cell scores by reading the table the analysis read.
            let reader = try CellTableReader(r)
            var scorer = r.preprocessing.geneSets!
            _ = scorer.resolve(geneColumns: reader.valueColumns)
            let stats = try reader.geneStatistics(context: RunContext())
            scorer.setStatistics(mean: stats.mean, sd: stats.sd)
            reader.install(scorer)
            let t = try reader.readTable(context: RunContext())
            for (got, w) in zip(t.values[0], want) { assertClose(got, w, relative: 1e-8, "\(method)") }
            XCTAssert(t.values[1].allSatisfy(\.isNaN), "2-gene set with min_genes 3")
        }
        try "only-a-name\n".write(toFile: gmt, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try GeneSetScorer.readGMT(gmt)) { XCTAssert("\($0)".contains("sets.gmt line 1"), "\($0)") }
    }

    func assertError(_ text: String, _ fragments: [String], name: String = "bad.tsv", configure: (inout CellTableRequest) -> Void = { _ in },
                     file: StaticString = #filePath, line: UInt = #line) {
        let path = dir.file(name)
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        var r = request(path)
        configure(&r)
        XCTAssertThrowsError(try analyse(r), file: file, line: line) { e in
            for f in fragments { XCTAssert("\(e)".contains(f), "'\(e)' lacks '\(f)'", file: file, line: line) }
        }
    }

    func testBadInputsAreClearErrors() {
        let head = "participant\tvisit\tarm\tf1\n"
        assertError("", ["bad.tsv", "empty file"])
        assertError(head, ["no data lines after the header"])
        assertError(head + "P1\tV1\tTreated\t1\nP1\tV2\tTreated\n", ["bad.tsv line 3", "has 3 fields, the header has 4", "ragged"])
        assertError(head + "P1\tV1\tTreated\t1\nP1\tV2\tTreated\t1\t2\n", ["line 3", "has 5 fields"])
        assertError(head + "P1\tV1\tTreated\t1\nP1\tV2\tTreated\tabc\n", ["bad.tsv line 3", "column 'f1' (field 4)", "'abc' is not a number"])
        assertError(head + "P1\tV1\tTreated\t1\nP1\tV2\tTreated\tinf\n", ["'inf' is not a number"])
        assertError("person\tvisit\tarm\tf1\nP1\tV1\tTreated\t1\n", ["no column 'participant' (--participant)", "the columns are: person, visit, arm, f1"])
        assertError(head + "P1\tV1\tTreated\t1\n", ["no column 'f9' (--features)"]) { $0.features = ["f9"] }
        assertError(head + "P1\tV1\tTreated\t1\n", ["no column 'age' (--covariates)"]) { $0.covariates = ["age"] }
        assertError(head + "P1\tV1\tTreated\t1\nP1\tV3\tTreated\t1\n", ["visit 'V2' does not occur in column 'visit'", "labels present: V1, V3"])
        assertError(head + "P1\tV1\tActive\t1\nP1\tV2\tActive\t1\n", ["treated label 'Treated' does not occur", "labels present: Active"])
        assertError(head + "P1\tV1\tTreated\t1\nP2\tV1\tA\t1\nP3\tV1\tB\t1\n", ["line 4", "third arm label 'B'", "--control"])
        assertError(head + "P1\tV1\tTreated\t1\nP1\tV2\tControl\t1\n", ["line 3", "participant 'P1'", "arm must not change"])
        assertError(head + "P1\tV1\tTreated\t1\n", ["cannot tell the delimiter"], name: "cells.dat")
        assertError(head + "P1\tV1\tTreated\t1\n", ["no column 'ct' (--celltype-col)"]) { $0.celltypeColumn = "ct"; $0.celltype = "T" }
        assertError("participant\tparticipant\tarm\tf1\nP1\tV1\tTreated\t1\n", ["names column 'participant' twice"])
        // A truncated gzip archive: gzip's own message, not a parse error.
        let gz = dir.file("t.tsv.gz")
        let sim = DiDSimulator(participants: 4, cellsPerSample: 40, features: 20, seed: 1)
        XCTAssertNoThrow(try { let w = try CellTableWriter(path: gz, layout: sim.layout); try sim.generate { try w.write($0) }; try w.close() }())
        let data = FileManager.default.contents(atPath: gz)!
        try! data.prefix(data.count / 2).write(to: URL(fileURLWithPath: gz))
        XCTAssertThrowsError(try analyse(request(gz))) { e in XCTAssert("\(e)".contains("t.tsv.gz") && "\(e)".contains("gzip"), "\(e)") }
    }
}
