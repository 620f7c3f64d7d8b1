import Foundation
import GenoBenchCore
import GenoBenchPEG
import XCTest
import _GenoBenchTestSupport

/// `genobench simulate peg`, `genobench peg` and `genobench signal` as a user runs them.
final class PEGCLITests: XCTestCase {
    var dir: TemporaryDirectory!
    var command: [String] = []

    override func setUpWithError() throws {
        dir = TemporaryDirectory()
        let r = try runGenoBench(["simulate", "peg", "--instruments", "60", "--focal", "3", "--chromosomes", "3", "--effect", "0.001", "--seed", "3", "--out", dir.file("sim")],
                                 environment: sameKernels)
        XCTAssertEqual(r.status, 0, r.stderr)
        let last = try XCTUnwrap(r.stdout.split(separator: "\n").last.map(String.init))
        XCTAssert(last.hasPrefix("genobench peg --gwas \(dir.file("sim"))/gwas.tsv"), last)
        command = last.split(separator: " ").dropFirst().map { $0.replacingOccurrences(of: "'", with: "") }
    }

    /// The commands run on this test process's BLAS kernels, so that what they simulate and
    /// solve can be compared bit for bit with the same problem built here: `genobench` would
    /// otherwise put OpenBLAS on the CPU's best kernels where the test process runs generic
    /// ones (`BLASKernels`), and the simulated LD draws differ in the last bits between kernels.
    var sameKernels: [String: String?] { ["OPENBLAS_CORETYPE": BLASKernels.coreName] }

    func peg(_ extra: [String], out: String = "o") throws -> ToolResult {
        try runGenoBench(command.map { $0 == dir.file("sim") + "/peg" ? dir.file(out) : $0 } + extra, environment: sameKernels)
    }

    func table(_ name: String = "o") throws -> [[String]] {
        try String(contentsOfFile: dir.file(name + ".peg.tsv"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
    }

    func assertFails(_ r: ToolResult, code: Int32, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, code, "exit status; stderr: \(r.stderr)", file: file, line: line)
        XCTAssert(r.stderr.contains(fragment), "stderr '\(r.stderr)' lacks '\(fragment)'", file: file, line: line)
        XCTAssertFalse(r.stderr.contains("Fatal error"), "crashed: \(r.stderr)", file: file, line: line)
    }

    func testEveryBackendWritesMrpegsColumnsAndTheyAgree() throws {
        var tables: [String: [[String]]] = [:]
        for backend in ["loop-f64", "batched-f64", "loop-f32", "batched-f32"] {
            let r = try peg(["--backend", backend, "--quiet"], out: backend)
            XCTAssertEqual(r.status, 0, r.stderr)
            tables[backend] = try table(backend)
        }
        let header = "trait tissue gene_name n_perturb_top n_perturb_all n_gwas_sig gamma gamma_se gamma_p gamma_perm_mean gamma_perm_z gamma_null_p"
        XCTAssertEqual(tables["loop-f64"]![0].joined(separator: " "), header)
        XCTAssertEqual(tables["loop-f64"]!.map { $0[2] }, ["gene_name", "FOCAL_1", "FOCAL_2", "FOCAL_3"])
        let loop = tables["loop-f64"]!, batched = tables["batched-f64"]!
        for i in 1...3 {
            XCTAssertEqual(Array(loop[i][0..<9]), Array(batched[i][0..<9]), "shared observed fit: identical text")
            XCTAssertEqual(loop[i][11], batched[i][11], "f64: identical permutation p")
            assertClose(Double(loop[i][9])!, Double(batched[i][9])!, relative: 1e-10, absolute: 1e-18)
            for f32 in ["loop-f32", "batched-f32"] {
                assertClose(Double(tables[f32]![i][6])!, Double(loop[i][6])!, relative: 1e-4, absolute: 1e-4 * Double(loop[i][7])!, "\(f32) gamma")
                assertClose(Double(tables[f32]![i][7])!, Double(loop[i][7])!, relative: 1e-4, "\(f32) se")
            }
        }
        XCTAssertLessThan(Double(loop[1][11])!, 0.01, "FOCAL_1 carries the simulated effect")
        // Spec §14 test 12's null side (γ = 0 for the other focal genes): recorded, not asserted
        // (calibration under the null is test 11, PEGPermutationTests).
        print("power sanity: gamma_null_p FOCAL_1 (γ = 0.001) \(loop[1][11]); null FOCAL_2 \(loop[2][11]), FOCAL_3 \(loop[3][11])")
        let log = try String(contentsOfFile: dir.file("loop-f64.log"), encoding: .utf8)
        for step in ["gwas ", "eqtl ", "perturb ", "shared: ", "chr1 ", "LD pruning", "assembly: ", "estimator: ", "wrote "] {
            XCTAssert(log.contains(step), "log lacks '\(step)':\n\(log)")
        }
        let ld = try peg(["--mr-ld", "--alt", "-c", "--quiet"], out: "ld")
        XCTAssertEqual(ld.status, 0, ld.stderr)
        XCTAssert(FileManager.default.fileExists(atPath: dir.file("ld.peg.tsv.gz")))
        XCTAssert(try String(contentsOfFile: dir.file("ld.log"), encoding: .utf8).contains("V = R + 0.001·I in 3 chromosome blocks, --alt"))
    }

    func testStandaloneCommandReproducesTheHarnessProblem() throws {
        // The suite problem with the same parameters and seed, solved in process.
        let parameters = try ProblemParameters.resolve(["instruments": .int(60), "focal": .int(3), "chromosomes": .int(3), "effect": .double(0.001)],
                                                       specs: PEGFamily().parameters, family: "peg")
        let problem = try PEGFamily().makeProblem(parameters, seed: 3)
        let solution = try BatchedPEG<Double>().solve(problem, context: RunContext()).solution
        XCTAssertEqual(try peg(["--backend", "batched-f64", "--quiet"]).status, 0)
        let rows = try table().dropFirst()
        XCTAssertEqual(rows.map { $0[2] }, problem.geneNames)
        for (j, row) in rows.enumerated() {
            XCTAssertEqual(row[6], "\(solution.gamma[j])")
            XCTAssertEqual(row[7], "\(solution.standardError[j])")
            XCTAssertEqual(row[11], "\(solution.summary[j].pValue)")
            XCTAssertEqual(Int(row[4]), problem.instrumentCount)
        }
    }

    func testBadRequestsExit64() throws {
        assertFails(try peg(["--seed", "0"]), code: 64, "--seed must be at least 1, got 0")
        let log = try String(contentsOfFile: dir.file("o.log"), encoding: .utf8)
        XCTAssert(log.hasSuffix("error: --seed must be at least 1, got 0\n"), "a bad request is logged too:\n\(log)")
        assertFails(try peg(["--seed=-3"]), code: 64, "--seed must be at least 1, got -3")
        assertFails(try peg(["--perm-number", "0"]), code: 64, "--perm-number must be at least 1, got 0")
        assertFails(try peg(["--top-signal", "2"]), code: 64, "--top-signal must be in [0, 1], got 2.0")
        assertFails(try peg(["--backend", "fast-f64"]), code: 64, "unknown backend 'fast-f64' for family 'peg'")
        assertFails(try peg(["--ld-ridge", "0"]), code: 64, "--ld-ridge applies to the LD-weighted estimator only: add --mr-ld")
        assertFails(try peg(["--gwas-cols", "CHR", "SNP"]), code: 64, "--gwas-cols needs 6 names")
        var noStar = command
        noStar[noStar.firstIndex(of: "--ref-geno")! + 1] = dir.file("sim/ref_chr1")
        assertFails(try runGenoBench(noStar), code: 64, "has no '*' to stand for the chromosome number")
        let warned = try peg(["--perm-number", "50"])
        XCTAssertEqual(warned.status, 0)
        XCTAssert(warned.stderr.contains("--perm-number 50 is below 100"), warned.stderr)
    }

    func testBadDataExit65() throws {
        let sim = dir.file("sim")
        func rewrite(_ name: String, _ transform: (String) -> String) throws {
            let path = sim + "/" + name
            try transform(try String(contentsOfFile: path, encoding: .utf8)).write(toFile: path, atomically: true, encoding: .utf8)
        }
        let original = try ["gwas.tsv", "eqtl.tsv", "perturb.tsv"].map { try String(contentsOfFile: sim + "/" + $0, encoding: .utf8) }
        func restore() throws { for (n, t) in zip(["gwas.tsv", "eqtl.tsv", "perturb.tsv"], original) { try t.write(toFile: sim + "/" + n, atomically: true, encoding: .utf8) } }
        // Allele mismatch: every GWAS allele pair replaced by its strand complement.
        try rewrite("gwas.tsv") { text in
            text.split(separator: "\n").enumerated().map { i, line in
                guard i > 0 else { return String(line) }
                var f = line.split(separator: "\t").map(String.init)
                let c = ["A": "T", "T": "A", "C": "G", "G": "C"]
                f[3] = c[f[3]] ?? f[3]; f[4] = c[f[4]] ?? f[4]
                return f.joined(separator: "\t")
            }.joined(separator: "\n") + "\n"
        }
        assertFails(try peg([]), code: 65, "no instrument left after matching")
        assertFails(try peg([]), code: 65, "match neither")
        let failedLog = try String(contentsOfFile: dir.file("o.log"), encoding: .utf8).split(separator: "\n")
        XCTAssert(failedLog.last?.hasPrefix("error: ") == true, "the log ends with the error: \(failedLog)")
        for step in ["gwas ", "eqtl ", "perturb ", "shared: "] {
            XCTAssert(failedLog.contains { $0.hasPrefix(step) }, "the counts of the steps before the failure are kept ('\(step)'): \(failedLog)")
        }
        try restore()
        // No shared genes.
        try rewrite("perturb.tsv") { $0.replacingOccurrences(of: "PGENE_", with: "OTHER_") }
        assertFails(try peg([]), code: 65, "only 0 gene(s) shared with the perturbation matrix")
        try restore()
        // A malformed number names the file and line.
        try rewrite("eqtl.tsv") { text in
            var lines = text.split(separator: "\n").map(String.init)
            var f = lines[3].split(separator: "\t").map(String.init)
            f[4] = "high"
            lines[3] = f.joined(separator: "\t")
            return lines.joined(separator: "\n") + "\n"
        }
        assertFails(try peg([]), code: 65, "eqtl.tsv line 4: Z 'high' is not a number")
        try restore()
        assertFails(try runGenoBench(command.map { $0.hasSuffix("gwas.tsv") ? sim + "/missing.tsv" : $0 }), code: 65, "missing.tsv: cannot read")
        // Singular LD: 30 reference samples for 60 instruments on one chromosome, no ridge.
        let few = TemporaryDirectory()
        XCTAssertEqual(try runGenoBench(["simulate", "peg", "--instruments", "60", "--focal", "1", "--chromosomes", "1", "--ref-samples", "30",
                                         "--seed", "4", "--out", few.path]).status, 0)
        let base = ["peg", "--gwas", few.file("gwas.tsv"), "--eqtl", few.file("eqtl.tsv"), "--perturb", few.file("perturb.tsv"),
                    "--ref-geno", few.file("ref_chr*"), "--top-signal", "1", "--out", few.file("o"), "--mr-ld"]
        assertFails(try runGenoBench(base + ["--ld-ridge", "0"]), code: 65, "is not positive definite")
        // A failure in the solve itself (a ridge too small for Float) keeps the filter counts in the log.
        assertFails(try runGenoBench(base + ["--ld-ridge", "1e-9", "--backend", "batched-f32"]), code: 65, "not positive definite in Float")
        let log = try String(contentsOfFile: few.file("o.log"), encoding: .utf8).split(separator: "\n")
        XCTAssert(log.contains { $0.hasPrefix("estimator: LD-weighted") }, log.joined(separator: "\n"))
        XCTAssert(log.last?.hasPrefix("error: ") == true && log.last?.contains("in Float") == true, log.joined(separator: "\n"))
        XCTAssertEqual(try runGenoBench(base).status, 0, "the default ridge 0.001 makes it positive definite")
    }

    func testSignalBackendsWriteIdenticalOutput() throws {
        var outputs: [String] = []
        for backend in ["interval-tree", "linear-scan"] {
            let r = try runGenoBench(["signal", "--gwas", dir.file("sim/gwas.tsv"), "--ref", dir.file("sim/genes.tsv"), "--window", "100",
                                      "--snps-anno", "--backend", backend, "--out", dir.file(backend), "--quiet"])
            XCTAssertEqual(r.status, 0, r.stderr)
            outputs.append(try String(contentsOfFile: dir.file(backend + ".signal.tsv"), encoding: .utf8))
            XCTAssert(FileManager.default.fileExists(atPath: dir.file(backend + ".full.anno.tsv.gz")))
            XCTAssert(FileManager.default.fileExists(atPath: dir.file(backend + ".filter.anno.tsv.gz")))
        }
        XCTAssertEqual(outputs[0], outputs[1])
        let lines = outputs[0].split(separator: "\n")
        XCTAssert(lines[0].hasPrefix("ANNO\tCHR\tP0\tP1\tP0_FLANK\tP1_FLANK\tmean_chisq"), String(lines[0]))
        XCTAssertEqual(lines.count, 61, "one row per simulated gene")
        let g = ["signal", "--gwas", dir.file("sim/gwas.tsv"), "--ref", dir.file("sim/genes.tsv"), "--out", dir.file("s")]
        assertFails(try runGenoBench(g + ["--threshold", "0"]), code: 64, "--threshold must be in (0, 1]")
        assertFails(try runGenoBench(g + ["--backend", "hash"]), code: 64, "unknown signal backend 'hash'")
        assertFails(try runGenoBench(g + ["--ref-cols", "CHR", "START", "START", "ANNO", "--window", "0"]), code: 64, "--window must be > 0")
        assertFails(try runGenoBench(g + ["--keep", dir.file("nokeep.txt")]), code: 65, "nokeep.txt: cannot read")
    }
}

/// A PEG suite through the harness: every backend on matched data, within tolerance.
final class PEGSuiteCLITests: XCTestCase {
    func testSuiteRunsEveryBackendWithinTolerance() throws {
        let dir = TemporaryDirectory()
        let suite = dir.file("p.toml")
        try """
            name = "peg-cli"
            repeats = 1
            warmup = 0
            [[problems]]
            family = "peg"
            backends = "all"
            [problems.params]
            instruments = 40
            focal = 3
            permutations = 300
            mr-ld = [false, true]
            """.write(toFile: suite, atomically: true, encoding: .utf8)
        let r = try runGenoBench(["run", suite, "--db", dir.file("p.sqlite"), "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssert(r.stdout.contains("8 runs recorded, 0 already stored, 0 failed, 0 out of tolerance"), r.stdout)
    }
}
