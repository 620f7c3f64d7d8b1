import Foundation
import GenoBenchCatalog
import GenoBenchCore
import GenoBenchHarness
import XCTest

/// Every backend of every family polls `RunContext.isCancelled`: with a context that is
/// already cancelled, each one stops with `RunCancelled` (the runner's `timeout`), not with an
/// answer or another error.
final class CancellationConformanceTests: XCTestCase {
    /// Small problems per family (the defaults, shrunk where they are large).
    let overrides: [String: [String: ParameterValue]] = [
        "ld": ["samples": .int(200), "variants": .int(300), "block-size": .int(50)],
        "reml": ["samples": .int(300), "variants": .int(400)],
    ]

    func testEveryBackendStopsWhenCancelled() throws {
        let cancelled = RunContext(threads: 2, isCancelled: { true })
        var checked: [String] = []
        for family in Catalog.registry.families {
            let parameters = try ProblemParameters.resolve(overrides[family.id] ?? [:], specs: family.parameters, family: family.id)
            let instance = try family.makeInstance(parameters, seed: 1)
            for backend in family.backends {
                XCTAssertThrowsError(try instance.solve(backend: backend.id, context: cancelled), "\(backend.id) ignored the cancellation") { error in
                    XCTAssert(error is RunCancelled, "\(backend.id): \(error)")
                }
                checked.append(backend.id)
            }
        }
        XCTAssertGreaterThanOrEqual(checked.count, 10, "\(checked)")
        for id in ["naive-f64", "tiled-f32", "exact-f64", "stochastic-f32", "cell-f64", "pseudobulk-f32", "loop-f64", "batched-f32"] {
            XCTAssert(checked.contains(id), "\(id) not checked: \(checked)")
        }
    }
}
