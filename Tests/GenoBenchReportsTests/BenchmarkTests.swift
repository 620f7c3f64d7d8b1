import GenoBenchReports
@testable import GenoBenchStore
import XCTest

/// Grouping and labelling of stored runs.
final class BenchmarkTests: XCTestCase {
    func run(_ family: String, _ json: String, backend: String = "b-f64") -> StoredRun {
        StoredRun(id: 1, invocationID: 1, problemID: 1, family: family, paramsJSON: json,
                  params: Dictionary(uniqueKeysWithValues: Store.compactParams(json)), seed: 1, dataHash: "h", backend: backend,
                  backendVersion: "1", precision: "f64", repeatIndex: 0, status: "ok", error: nil, wallSeconds: 1, cpuSeconds: 1,
                  peakResidentBytes: 1, metrics: [])
    }

    func testProblemsSortNumericallyAndAreLabelledWithinTheirFamily() {
        let runs = [run("reml", #"{"ld-rho":0.5,"samples":2000}"#), run("reml", #"{"ld-rho":0.5,"samples":500}"#),
                    run("ld", #"{"ld-rho":0.9,"samples":500}"#), run("ld", #"{"ld-rho":0.9,"samples":1000}"#)]
        let b = Benchmark.group(runs)
        let labeler = ProblemLabeler(b)
        // ld before reml; samples 500 before 1000 and 2000 (numbers, not text); ld-rho differs
        // only between families, so no label shows it.
        XCTAssertEqual(b.map(labeler.label), ["ld samples=500 seed=1", "ld samples=1000 seed=1", "reml samples=500 seed=1", "reml samples=2000 seed=1"])
    }

    /// Runs whose peak method ends in -warm-heap came from a `heap = "warm"` suite: reports say
    /// so, and say "mixed" where warm and cold runs meet.
    func testHeapStateOfRuns() {
        func measured(_ method: String?) -> StoredRun { var r = run("ld", "{}"); r.peakMethod = method; return r }
        XCTAssertEqual(HeapState.of([measured("vmhwm-reset"), measured(nil)]), .cold)
        XCTAssertEqual(HeapState.of([measured(nil)]), .unknown)
        XCTAssertNil(HeapState.note([measured("vmhwm-reset")]))
        XCTAssertEqual(HeapState.of([measured("vmhwm-reset-warm-heap"), measured("maxrss-warm-heap")]), .warm)
        XCTAssert(HeapState.note([measured("vmhwm-reset-warm-heap")])?.hasPrefix("Heap: warm") == true)
        XCTAssertEqual(HeapState.of([measured("vmhwm-reset-warm-heap"), measured("vmhwm-reset")]), .mixed)
    }
}
