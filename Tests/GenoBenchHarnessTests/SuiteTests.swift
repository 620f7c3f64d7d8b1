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
