import Foundation
import GenoBenchReports
import GenoBenchStore
import XCTest
import _GenoBenchTestSupport

/// Every report in every format against committed snapshots (Snapshots/), from the fixed
/// store of `ReportFixture`. `GENOBENCH_UPDATE_SNAPSHOTS=1 swift test --filter ReportSnapshotTests`
/// rewrites them; the diff then shows what a change did to user-visible output.
final class ReportSnapshotTests: XCTestCase {
    let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots").path
    var dir: TemporaryDirectory!
    var store: Store!

    override func setUpWithError() throws {
        dir = TemporaryDirectory()
        store = try Store.existing(path: try ReportFixture.make(dir))
    }

    func benchmarks(_ id: Int64) throws -> [Benchmark] { Benchmark.group(try store.runs(invocations: [id])) }

    func check(_ document: ReportDocument, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        for format in ReportFormat.allCases {
            let ext = ["markdown": "md", "csv": "csv", "json": "json"][format.rawValue]!
            let path = "\(snapshots)/\(name).\(ext)"
            let text = format.render(document)
            XCTAssertEqual(text, format.render(document), "rendering is deterministic", file: file, line: line)
            if ProcessInfo.processInfo.environment["GENOBENCH_UPDATE_SNAPSHOTS"] == "1" {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertEqual(text, expected, "\(name).\(ext) differs from its snapshot", file: file, line: line)
        }
    }

    func testScalingSnapshot() throws {
        let inv = try store.resolveInvocation("baseline")
        let doc = try ScalingReport(family: "fam", by: ["n"]).document(try benchmarks(inv.id), invocation: inv)
        try check(doc, "scaling")
        // The fitted exponents are the generating ones (n² and n), within the repeat noise.
        let fits = try XCTUnwrap(doc.tables.last)
        let exponents = Dictionary(uniqueKeysWithValues: fits.rows.map { ($0[0].shown, $0[2]) })
        guard case .number(let slow, _) = exponents["slow-f64"], case .number(let fast, _) = exponents["fast-f32"] else { return XCTFail("\(fits.rows)") }
        assertClose(slow, 2, absolute: 0.02); assertClose(fast, 1, absolute: 0.02)
        XCTAssertEqual(fits.rows.map { $0[5].shown }, ["O(n)", "O(n^2)"])
    }

    func testCompareSnapshot() throws {
        let inv = try store.resolveInvocation("baseline")
        let doc = try CompareReport().document(try benchmarks(inv.id), references: try store.references(invocations: [inv.id]), invocation: inv)
        try check(doc, "compare")
        let front = try XCTUnwrap(doc.tables.last)
        XCTAssertEqual(front.title, "Pareto front: fam")
        XCTAssertEqual(front.rows.map { $0[4].shown }, ["yes", "yes"], "fast-f32 is faster, slow-f64 more accurate: both on the front")
    }

    func testRegressionSnapshotFindsTimeAndAccuracyRegressions() throws {
        let b = try store.resolveInvocation("baseline"), c = try store.resolveInvocation("current")
        let outcome = try RegressionReport().compare(baseline: b, try benchmarks(b.id), current: c, try benchmarks(c.id))
        try check(outcome.document, "regress")
        let kinds = outcome.document.tables[0].rows.map { "\($0[0].shown) \($0[1].shown)" }
        XCTAssertEqual(kinds, ["fam n=1000 seed=1 fast-f32 accuracy max_abs_err", "fam n=1000 seed=1 slow-f64 time",
                               "fam n=2000 seed=1 fast-f32 accuracy max_abs_err", "fam n=2000 seed=1 slow-f64 time",
                               "fam n=4000 seed=1 fast-f32 accuracy max_abs_err", "fam n=4000 seed=1 slow-f64 time"])
        XCTAssertEqual(outcome.regressions, 6)
        // The baseline against itself: nothing changed.
        XCTAssertEqual(try RegressionReport().compare(baseline: b, try benchmarks(b.id), current: b, try benchmarks(b.id)).regressions, 0)
    }

    /// Runs measured with a warm heap get a note in compare and scaling; a regression check
    /// whose two sides had different heaps says so; cold runs add nothing.
    func testReportsNoteAWarmHeap() throws {
        let inv = try store.resolveInvocation("baseline")
        func marked(_ method: String) throws -> [Benchmark] {
            try benchmarks(inv.id).map { b in var b = b; b.runs = b.runs.map { r in var r = r; r.peakMethod = method; return r }; return b }
        }
        let warm = try marked("vmhwm-reset-warm-heap"), cold = try marked("vmhwm-reset")
        let refs = try store.references(invocations: [inv.id])
        func heapNotes(_ d: ReportDocument) -> [String] { d.notes.filter { $0.hasPrefix("Heap:") } }
        XCTAssertEqual(heapNotes(try CompareReport().document(warm, references: refs, invocation: inv)).count, 1)
        XCTAssertEqual(heapNotes(try CompareReport().document(cold, references: refs, invocation: inv)), [])
        XCTAssertEqual(heapNotes(try ScalingReport(family: "fam", by: ["n"]).document(warm, invocation: inv)).count, 1)
        XCTAssertEqual(heapNotes(try ScalingReport(family: "fam", by: ["n"]).document(cold, invocation: inv)), [])
        let across = try RegressionReport().compare(baseline: inv, cold, current: inv, warm).document
        XCTAssertEqual(heapNotes(across).count, 1)
        XCTAssert(heapNotes(across)[0].contains("measured cold, the current invocation's warm"), heapNotes(across)[0])
        XCTAssertEqual(heapNotes(try RegressionReport().compare(baseline: inv, warm, current: inv, warm).document), [])
        XCTAssertEqual(heapNotes(try RegressionReport().compare(baseline: inv, try benchmarks(inv.id), current: inv, warm).document), [],
                       "a store older than the heap key says nothing of its heap")
    }

    func testRegressionRefusesAnotherMachineUnlessAllowed() throws {
        let b = try store.resolveInvocation("baseline"), other = try store.resolveInvocation("elsewhere")
        XCTAssertThrowsError(try RegressionReport().compare(baseline: b, try benchmarks(b.id), current: other, try benchmarks(other.id))) { e in
            XCTAssert("\(e)".contains("--allow-cross-machine"), "\(e)")
        }
        var allowed = RegressionReport()
        allowed.allowCrossMachine = true
        XCTAssertEqual(try allowed.compare(baseline: b, try benchmarks(b.id), current: other, try benchmarks(other.id)).regressions, 0)
    }

    func testReferencesResolveByIdTagAndCommit() throws {
        XCTAssertEqual(try store.resolveInvocation("1").id, 1)
        XCTAssertEqual(try store.resolveInvocation("#2").id, 2)
        XCTAssertEqual(try store.resolveInvocation("current").id, 2)
        XCTAssertEqual(try store.resolveInvocation("cccc2222").id, 2)
        XCTAssertEqual(try store.resolveInvocation("latest").id, 3)
        XCTAssertThrowsError(try store.resolveInvocation("nope")) { e in XCTAssert("\(e)".contains("baseline, current, elsewhere"), "\(e)") }
    }
}
