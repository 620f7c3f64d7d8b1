import GenoBenchCatalog
import GenoBenchCore
import GenoBenchHarness
import XCTest
import _GenoBenchTestSupport

final class SuiteTests: XCTestCase {
    let registry = Catalog.registry

    func parse(_ text: String) throws -> Suite { try Suite.parse(text, path: "s.toml", registry: registry) }

    func testContractShapeAndCrossProduct() throws {
        let suite = try parse("""
            name = "quick"
            repeats = 3
            warmup = 1
            [[problems]]
            family = "ld"
            backends = ["naive-f64", "tiled-f64", "tiled-f32"]
            seeds = [1, 2]
            [problems.params]
            samples = [500, 1000]
            variants = [1000, 2000]
            [problems.tolerances]
            r2_max_abs = 1e-6
            """)
        XCTAssertEqual(suite.name, "quick")
        let plan = try RunPlan(suite: suite, registry: registry)
        XCTAssertEqual(plan.problems.count, 8)
        XCTAssertEqual(plan.runCount, 8 * 3 * 3)
        XCTAssertEqual(Set(plan.problems.map { $0.parameters.json }).count, 4)
        XCTAssertEqual(plan.problems[0].toleranceOverrides, ["r2_max_abs": 1e-6])
        XCTAssertEqual(plan.problems[0].parameters["r2-min"], .double(0.2), "family defaults fill unset parameters")
        let all = try parse("name = \"a\"\n[[problems]]\nfamily = \"ld\"\nbackends = \"all\"\n")
        XCTAssertEqual(try RunPlan(suite: all, registry: registry).problems[0].backends.map(\.id),
                       ["naive-f32", "naive-f64", "tiled-f32", "tiled-f64"])
    }

    /// Every suite the repository ships (suites/*.toml, which the README's commands run) loads
    /// and plans: a suite broken by an edit or a merge fails here, not in a user's first command.
    func testEveryCommittedSuiteLoadsAndPlans() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("suites").path
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".toml") }.sorted()
        XCTAssert(names.contains("default.toml") && names.contains("quick.toml"), "\(names)")
        for name in names {
            let suite = try Suite.load(path: directory + "/" + name, registry: registry)
            let plan = try RunPlan(suite: suite, registry: registry)
            XCTAssertGreaterThan(plan.runCount, 0, name)
        }
    }

    /// Parameter values out of their family's range, or that do not fit together, and repeated
    /// seeds are errors when the suite is loaded and planned, before any run is stored.
    func testBadParameterValuesAreSuiteErrorsBeforeAnythingRuns() throws {
        func plan(_ text: String) throws -> RunPlan { try RunPlan(suite: try parse(text), registry: registry) }
        func assertPlanError(_ text: String, _ fragment: String, line: UInt = #line) {
            XCTAssertThrowsError(try plan(text), line: line) { e in
                XCTAssert(e is SuiteError, "\(e)", line: line)
                XCTAssert("\(e)".contains(fragment), "'\(e)' lacks '\(fragment)'", line: line)
            }
        }
        let head = "name = \"x\"\n[[problems]]\n"
        assertPlanError(head + "family = \"ld\"\n[problems.params]\nsamples = -50", "parameter 'samples' must be at least 1, got -50")
        assertPlanError(head + "family = \"reml\"\n[problems.params]\nsamples = [100, 5]", "parameter 'samples' must be at least 10, got 5")
        assertPlanError(head + "family = \"ld\"\n[problems.params]\nr2-min = 1.5", "parameter 'r2-min' must be at most 1 and at least 0, got 1.5")
        assertPlanError(head + "family = \"peg\"\n[problems.params]\nchromosomes = 23", "parameter 'chromosomes' must be at most 22")
        assertPlanError(head + "family = \"ld\"\n[problems.params]\nsubproblems = 4", "s.toml: problems[1] (")
        assertPlanError(head + "family = \"ld\"\n[problems.params]\nsubproblems = 4", "--subproblems 4 is not triangular")
        assertPlanError(head + "family = \"ld\"\n[problems.params]\nsubproblems = 3\nblock-size = 100\npart = 4", "part 4 is outside 1...3")
        assertPlanError(head + "family = \"ld\"\n[problems.params]\nmaf-min = 0.4\nmaf-max = 0.2", "maf-min 0.4 is above maf-max 0.2")
        assertPlanError(head + "family = \"did\"\n[problems.params]\ncells = \"/nonexistent/cells.tsv\"", "cells: /nonexistent/cells.tsv is not a readable file")
        assertPlanError(head + "family = \"ld\"\nseeds = [1, 2, 1]", "problems[1].seeds lists 1 twice")
        XCTAssertNoThrow(try plan(head + "family = \"ld\"\n[problems.params]\nblock-size = 9223372036854775807"), "one block, no overflow")
        // The boundaries themselves are fine, and every family's defaults lie in their ranges.
        XCTAssertNoThrow(try plan(head + "family = \"ld\"\n[problems.params]\nr2-min = [0, 1]\nsubproblems = 3\nblock-size = 100\npart = 3"))
        for family in registry.families {
            XCTAssertNoThrow(try plan(head + "family = \"\(family.id)\"\n"), family.id)
            for spec in family.parameters { XCTAssertNoThrow(try spec.checkRange(spec.defaultValue), "\(family.id).\(spec.name)") }
        }
    }

    func assertSuiteError(_ text: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(text), file: file, line: line) { e in
            XCTAssert(e is SuiteError, "\(e)", file: file, line: line)
            XCTAssert("\(e)".contains(fragment), "'\(e)' lacks '\(fragment)'", file: file, line: line)
        }
    }

    func testMalformedSuitesAreClearErrors() {
        assertSuiteError("name = \"x\"\n[[problems]\nfamily = \"ld\"", "s.toml line 2: malformed TOML")
        assertSuiteError("repeats = 2\n[[problems]]\nfamily = \"ld\"", "'name' must be a non-empty string")
        assertSuiteError("name = \"x\"", "needs at least one [[problems]] table")
        assertSuiteError("name = \"x\"\n[[problems]]\nfamily = \"nope\"", "problems[1]: unknown family 'nope' (known: ld, reml")
        assertSuiteError("name = \"x\"\n[[problems]]\nfamily = \"ld\"\nbackends = [\"fast-f64\"]",
                         "unknown backend 'fast-f64' for family 'ld' (known: naive-f32, naive-f64, tiled-f32, tiled-f64")
        assertSuiteError("name = \"x\"\n[[problems]]\nfamily = \"ld\"\n[problems.params]\nsnps = [1]", "unknown parameter 'snps'")
        assertSuiteError("name = \"x\"\n[[problems]]\nfamily = \"ld\"\n[problems.params]\nsamples = \"many\"", "parameter 'samples' must be an integer")
        assertSuiteError("name = \"x\"\n[[problems]]\nfamily = \"ld\"\n[problems.tolerances]\nr3_max = 1", "unknown tolerance 'r3_max'")
        assertSuiteError("name = \"x\"\nrepeats = 0\n[[problems]]\nfamily = \"ld\"", "'repeats' must be an integer >= 1")
        assertSuiteError("name = \"x\"\nextra = 1\n[[problems]]\nfamily = \"ld\"", "unknown top-level key 'extra'")
        assertSuiteError("name = \"x\"\nheap = \"hot\"\n[[problems]]\nfamily = \"ld\"", "'heap' must be \"cold\"")
        assertSuiteError("name = \"x\"\nheap = 1\n[[problems]]\nfamily = \"ld\"", "got a non-string")
    }

    /// `heap` defaults to cold (freed heap returned before each measured call) and is part of
    /// the suite's text, so a warm suite never shares a hash with the same suite measured cold
    /// (`--resume` of one never continues the other).
    func testHeapModeDefaultsToColdAndChangesTheSuiteHash() throws {
        let body = "[[problems]]\nfamily = \"ld\"\n"
        let cold = try parse("name = \"x\"\n" + body)
        let warm = try parse("name = \"x\"\nheap = \"warm\"\n" + body)
        XCTAssertEqual(cold.heap, .cold)
        XCTAssertEqual(try parse("name = \"x\"\nheap = \"cold\"\n" + body).heap, .cold)
        XCTAssertEqual(warm.heap, .warm)
        XCTAssertNotEqual(cold.hash, warm.hash)
    }
}
