import Foundation
import GenoBenchCore
import GenoBenchHarness
import GenoBenchLD
import GenoBenchREML
import XCTest

/// `--memory-budget`: the tiled LD and stochastic REML backends plan their tiles and blocks
/// from it, the harness's measured peak of the call (VmHWM after a reset, minus the resident
/// set before: what the call added) stays under it, and the answers do not change.
final class MemoryBudgetTests: XCTestCase {
    /// What one measured call added to the resident set, in bytes.
    func added(_ m: GenoBenchHarness.Measurement) -> Int { Int(m.peakResidentBytes - m.residentBeforeBytes) }

    func ldProblem() throws -> LDProblem {
        let family = LDFamily()
        // Weak simulated LD and r² ≥ 0.5: few rows, so the peak is the working set, not the output.
        let p = try ProblemParameters.resolve(["samples": .int(6000), "variants": .int(2000), "ld-rho": .double(0.2),
                                               "r2-min": .double(0.5), "block-size": .int(50)],
                                              specs: family.parameters, family: "ld")
        return try family.makeProblem(p, seed: 11)
    }

    func testTiledLDStaysUnderTheBudgetWithIdenticalRows() throws {
        #if !os(Linux)
        throw XCTSkip("per-call peaks need /proc/self/clear_refs")
        #endif
        let problem = try ldProblem()
        let backend = TiledLD<Double>()
        let (free, mFree) = try Measure.call { try backend.solve(problem, context: RunContext(threads: 2)) }
        let budget = 3 << 20
        let (bounded, mBounded) = try Measure.call { try backend.solve(problem, context: RunContext(threads: 2, memoryBudgetBytes: budget)) }
        XCTAssertEqual(mBounded.peakMethod, "vmhwm-reset")
        // The unbudgeted run holds the whole tile's planes (2000 variants x 94 words x 3 planes).
        XCTAssertGreaterThan(added(mFree), budget, "without a budget the tile takes more than the budget (else the test shows nothing)")
        XCTAssertLessThan(added(mBounded), budget, "peak added \(added(mBounded)) bytes, budget \(budget); diagnostics \(bounded.diagnostics.json)")
        XCTAssertEqual(free.solution.rows, bounded.solution.rows, "tiles do not change results, bit for bit")
        XCTAssertEqual(free.solution.pairsCompared, bounded.solution.pairsCompared)
        XCTAssertLessThan(bounded.solution.rows.count, 2000, "few rows: the output is not what is measured")
        let json = bounded.diagnostics.json
        for key in ["memory_budget_bytes", "planned_chunk_blocks", "planned_chunk_pairs", "planned_working_set_bytes", "minimum_budget_bytes"] {
            XCTAssert(json.contains("\"\(key)\""), "\(key) in \(json)")
        }
        print("tiled LD: peak added \(added(mFree)) bytes unbudgeted, \(added(mBounded)) with a \(budget)-byte budget; \(json)")
    }

    func testTiledLDBelowItsMinimumIsAnErrorNamingTheMinimum() throws {
        let problem = try ldProblem()
        XCTAssertThrowsError(try TiledLD<Float>().solve(problem, context: RunContext(threads: 2, memoryBudgetBytes: 100_000))) { error in
            guard case LDError.invalidOption(let m) = error else { return XCTFail("\(error)") }
            XCTAssert(m.contains("--memory-budget") && m.contains("below the") && m.contains("MiB"), m)
        }
    }

    func remlProblem(probes: Int = 30) throws -> REMLProblem {
        let family = REMLFamily()
        let p = try ProblemParameters.resolve(["samples": .int(1500), "variants": .int(3000), "probes": .int(probes),
                                               "precond-rank": .int(50), "stochastic-seed": .int(3)],
                                              specs: family.parameters, family: "reml")
        return try family.makeProblem(p, seed: 5)
    }

    func testStochasticREMLStaysUnderTheBudgetWithTheSameEstimates() throws {
        #if !os(Linux)
        throw XCTSkip("per-call peaks need /proc/self/clear_refs")
        #endif
        let problem = try remlProblem()
        let backend = StochasticREML<Double>()
        let (free, mFree) = try Measure.call { try backend.solve(problem, context: RunContext(threads: 2)) }
        // One decoded block is n x 2796 Doubles (32 MiB) without a budget.
        let budget = 16 << 20
        let (bounded, mBounded) = try Measure.call { try backend.solve(problem, context: RunContext(threads: 2, memoryBudgetBytes: budget)) }
        XCTAssertGreaterThan(added(mFree), budget, "without a budget the fit takes more than the budget (else the test shows nothing)")
        XCTAssertLessThan(added(mBounded), budget, "peak added \(added(mBounded)) bytes, budget \(budget); diagnostics \(bounded.diagnostics.json)")
        let a = free.solution.estimates, b = bounded.solution.estimates
        XCTAssertEqual(a.iterations, b.iterations)
        XCTAssertEqual(a.h2, b.h2, accuracy: 1e-6 * max(1, abs(a.h2)), "same seed, same probes: only the SNP blocking differs")
        XCTAssertEqual(a.logL, b.logL, accuracy: 1e-6 * max(1, abs(a.logL)))
        let json = bounded.diagnostics.json
        for key in ["memory_budget_bytes", "planned_block_snps", "planned_pcg_batch_columns", "planned_working_set_bytes", "minimum_budget_bytes"] {
            XCTAssert(json.contains("\"\(key)\""), "\(key) in \(json)")
        }
        print("stochastic REML: peak added \(added(mFree)) bytes unbudgeted, \(added(mBounded)) with a \(budget)-byte budget; \(json)")
    }

    /// A budget that forces the right-hand sides [X | y | probes] into PCG column batches:
    /// still under the budget, and estimates within the PCG tolerance of the unbatched fit.
    func testStochasticREMLBatchesProbesUnderATightBudget() throws {
        #if !os(Linux)
        throw XCTSkip("per-call peaks need /proc/self/clear_refs")
        #endif
        let problem = try remlProblem()
        let backend = StochasticREML<Double>()
        func plan(_ budget: Int?) throws -> StochasticMemoryPlan {
            try StochasticMemoryPlan(Double.self, problem: problem, settings: problem.stochastic, threads: 2, budget: budget)
        }
        // The smallest budget whose plan solves about half the 32 right-hand sides at a time
        // (batches of 1 would be correct too, but take one genotype sweep per column).
        let columns = try plan(nil).rightHandSides
        var budget = try plan(nil).minimumBytes
        while try plan(budget).batchColumns < columns / 2 { budget += 64 << 10 }
        let tight = try plan(budget)
        XCTAssertLessThan(tight.batchColumns, columns, "the budget batches the probes")
        let (free, _) = try Measure.call { try backend.solve(problem, context: RunContext(threads: 2)) }
        let (bounded, m) = try Measure.call { try backend.solve(problem, context: RunContext(threads: 2, memoryBudgetBytes: budget)) }
        XCTAssertLessThan(added(m), budget, "peak added \(added(m)) bytes, budget \(budget); diagnostics \(bounded.diagnostics.json)")
        let a = free.solution.estimates, b = bounded.solution.estimates
        XCTAssert(b.converged, b.statusLine)
        XCTAssertEqual(a.h2, b.h2, accuracy: 5e-3, "within the PCG tolerance (1e-3 relative residual)")
        print("stochastic REML, batched \(tight.batchColumns) of \(columns) columns: h2 \(a.h2) vs \(b.h2); peak added \(added(m)) bytes, budget \(budget); \(bounded.diagnostics.json)")
    }

    func testStochasticREMLBelowItsMinimumIsAnErrorNamingTheMinimum() throws {
        let problem = try remlProblem()
        XCTAssertThrowsError(try StochasticREML<Float>().solve(problem, context: RunContext(threads: 2, memoryBudgetBytes: 1 << 20))) { error in
            guard case REMLError.invalidOption(let m) = error else { return XCTFail("\(error)") }
            XCTAssert(m.contains("--memory-budget") && m.contains("below the") && m.contains("--probes"), m)
        }
    }
}
