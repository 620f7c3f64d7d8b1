import GenoBenchCore
import GenoBenchData
@testable import GenoBenchPEG
import XCTest
import _GenoBenchTestSupport

/// Preprocessing (spec peg.md §4; §14 tests 13 and 14) on a hand-built input set.
final class PEGInputTests: XCTestCase {
    /// 12 genes G1…G12 on chromosome 1, lead SNP rs<i> at i Mb (no two within the pruning
    /// window), a 60-sample reference panel; each case below plants one defect.
    struct Fixture {
        var gwas = ["CHR\tSNP\tA1\tA0\tBETA\tSE"]
        var eqtl = ["CHR\tSNP\tA1\tA0\tZ\tGENE"]
        var perturb = ["GENE\tD1\tD2"]
        var variants: [Variant] = []
        var fileset: PlinkFileset!

        init(genes: Int = 12) {
            var rng = RandomSource(seed: 5)
            var dosages: [[Int?]] = []
            for i in 1...genes {
                variants.append(Variant(chromosome: "1", id: "rs\(i)", position: i * 1_000_000, allele1: "A", allele2: "G"))
                dosages.append((0..<60).map { _ in Int(rng.next() % 3) })
                gwas.append("1\trs\(i)\tA\tG\t\(0.01 * Double(i))\t0.01")
                eqtl.append("1\trs\(i)\tA\tG\t\(3.0 + Double(i) / 10)\tG\(i)")
                perturb.append("G\(i)\t\(Double(i) / 3)\t\(i % 2 == 0 ? 1.0 : -1.0)")
            }
            fileset = PlinkFileset(samples: (0..<60).map { Sample(familyID: "f\($0)", individualID: "i\($0)") }, variants: variants,
                                   genotypes: PackedGenotypes(sampleCount: 60, dosages: dosages))
        }

        mutating func addVariant(_ v: Variant, seed: UInt64) {
            var rng = RandomSource(seed: seed)
            var dosages: [[Int?]] = (0..<fileset.variants.count).map { i in (0..<60).map { Self.dosage(fileset, i, $0) } }
            variants.append(v)
            dosages.append((0..<60).map { _ in Int(rng.next() % 3) })
            fileset = PlinkFileset(samples: fileset.samples, variants: variants, genotypes: PackedGenotypes(sampleCount: 60, dosages: dosages))
        }

        static func dosage(_ f: PlinkFileset, _ v: Int, _ s: Int) -> Int? {
            let d = GenotypeCode.allele1Dosage[Int((try! f.genotypes.packedRecords(v..<(v + 1)))[s / 4] >> UInt8(2 * (s % 4)) & 3)]
            return d < 0 ? nil : Int(d)
        }

        func analyse(_ options: PEGOptions = Fixture.options) throws -> PEGAnalysis {
            func text(_ l: [String]) -> String { l.joined(separator: "\n") + "\n" }
            return try PEGAnalysis(gwas: try TextTable(text: text(gwas), source: "g.tsv"), eqtl: try TextTable(text: text(eqtl), source: "e.tsv"),
                                   perturbation: try TextTable(text: text(perturb), source: "p.tsv"),
                                   reference: ReferencePanel(filesets: [1: fileset], pattern: "ref*"), options: options)
        }

        static var options: PEGOptions {
            var o = PEGOptions()
            o.topSignal = 1
            o.minSNPs = 3
            o.permutations = 10
            return o
        }
    }

    func testCleanFixtureKeepsEveryGene() throws {
        let a = try Fixture().analyse()
        XCTAssertEqual(a.instruments.map(\.snp), (1...12).map { "rs\($0)" }.sorted())
        XCTAssertEqual(a.problem.geneNames, ["D1", "D2"])
        XCTAssertEqual(a.counts[0], GeneCounts(perturbTop: 12, perturbAll: 12, gwasSignificant: 7), "|β/s| = i > 5.45 for i >= 6")
        XCTAssert(a.log.lines.contains { $0.hasPrefix("gwas g.tsv: 12 rows") }, a.log.lines.joined(separator: "\n"))
    }

    func testAllelesAmbiguityAndSE() throws {
        var f = Fixture()
        f.gwas[1] = "1\trs1\tG\tA\t-0.01\t0.01"            // swapped: kept, BETA negated back
        f.eqtl[2] = "1\trs2\tG\tA\t-3.2\tG2"               // swapped: kept, Z negated back
        f.eqtl[3] = "1\trs3\tT\tC\t3.3\tG3"                // strand complement of A/G: dropped
        f.gwas[5] = "1\trs5\tA\tG\t0.05\t0"                // SE = 0: dropped
        f.gwas[6] = "1\trs6\tA\tG\tNA\t0.01"               // missing: dropped
        f.variants[3].allele1 = "A"; f.variants[3].allele2 = "T"
        f.fileset.variants[3] = f.variants[3]
        f.gwas[4] = "1\trs4\tA\tT\t0.04\t0.01"             // strand-ambiguous
        f.eqtl[4] = "1\trs4\tA\tT\t3.4\tG4"
        let a = try f.analyse()
        let byGene = Dictionary(uniqueKeysWithValues: a.instruments.map { ($0.gene, $0) })
        XCTAssertEqual(byGene["G1"]?.beta, 0.01)
        XCTAssertEqual(byGene["G2"]?.z, 3.2)
        XCTAssertNil(byGene["G3"], "strand complement dropped")
        XCTAssertNil(byGene["G4"], "ambiguous dropped")
        XCTAssertNil(byGene["G5"], "SE <= 0 dropped")
        XCTAssertNil(byGene["G6"], "missing value dropped")
        XCTAssertEqual(a.instruments.count, 8)
        var keep = Fixture.options
        keep.keepAmbiguous = true
        XCTAssertNotNil(try f.analyse(keep).instruments.first { $0.gene == "G4" }, "--keep-ambiguous keeps A/T")
        let log = a.log.lines.joined(separator: "\n")
        XCTAssert(log.contains("1 with SE <= 0, 1 strand-ambiguous"), log)
        XCTAssert(log.contains("dropped 0 for GWAS alleles and 1 for eQTL alleles"), log)
        XCTAssert(log.contains("flipped 1 GWAS and 1 eQTL rows"), log)
    }

    func testOneGenePerSNPThenOneSNPPerGene() throws {
        var f = Fixture()
        f.eqtl.append("1\trs6\tA\tG\t2.0\tG7")             // rs6 also for G7, weaker: stays with G6
        f.eqtl.append("1\trs7\tA\tG\t9.0\tG8")             // rs7 for G8, stronger than for G7: goes to G8
        f.eqtl.append("1\trs9b\tA\tG\t-6.0\tG9")           // G9's second SNP, larger |Z|: chosen
        f.gwas.append("1\trs9b\tA\tG\t0.5\t0.01")
        f.addVariant(Variant(chromosome: "1", id: "rs9b", position: 9_000_100, allele1: "A", allele2: "G"), seed: 8)
        var o = Fixture.options
        o.corrThreshold = 1   // keep rs9b and its neighbours whatever their sample correlation
        let a = try f.analyse(o)
        let byGene = Dictionary(uniqueKeysWithValues: a.instruments.map { ($0.gene, $0.snp) })
        XCTAssertEqual(byGene["G6"], "rs6")
        XCTAssertNil(byGene["G7"], "G7's only SNPs went to G6 and G8")
        XCTAssertEqual(byGene["G8"], "rs7", "rs7's |Z| 9 for G8 beats rs8's 3.8")
        XCTAssertEqual(byGene["G9"], "rs9b")
        XCTAssertEqual(Set(a.instruments.map(\.snp)).count, a.instruments.count, "a SNP instruments at most one gene")
    }

    func testTopSignalThresholdIsTheLinearInterpolationQuantile() throws {
        // 20 entries |v| = 1…20 (alternating signs), 4 genes x 5 downstream genes.
        var lines = ["GENE\tA\tB\tC\tD\tE"]
        for g in 0..<4 { lines.append("P\(g)\t" + (0..<5).map { c in "\(Double(g * 5 + c + 1) * (c % 2 == 0 ? 1 : -1))" }.joined(separator: "\t")) }
        let table = try TextTable(text: lines.joined(separator: "\n"), source: "p.tsv")
        var log = FilterLog()
        // s = 0.25: h = 19·0.75 = 14.25 → 15 + 0.25·(16 − 15) = 15.25; s = 0.1: h = 17.1 → 18.1.
        XCTAssertEqual(try PerturbationMatrix.read(table, topSignal: 0.25, log: &log).threshold, 15.25)
        XCTAssertEqual(try PerturbationMatrix.read(table, topSignal: 0.1, log: &log).threshold, 18.1)
        XCTAssertEqual(try PerturbationMatrix.read(table, topSignal: 1, log: &log).threshold, 1)
        XCTAssertEqual(try PerturbationMatrix.read(table, topSignal: 0, log: &log).threshold, 20)
        XCTAssertEqual(PerturbationMatrix.quantile([3, 1, 2, 10], 0.5), 2.5)
        // numpy 2.4: np.quantile([0, 0, 1, 1], 0.6) == 0.7999999999999998 (h = 3·0.6 rounds below 1.8).
        XCTAssertEqual(PerturbationMatrix.quantile([0, 0, 1, 1], 0.6), 0.7999999999999998)
    }

    func testNineKeptEntriesDropAColumnTenKeepIt() throws {
        // 12 genes; A has 10 entries of magnitude 1, B 9 (the rest 0); s = 0.5 puts τ at 1.
        var lines = ["GENE\tA\tB"]
        for g in 0..<12 { lines.append("G\(g)\t\(g < 10 ? 1.0 : 0)\t\(g < 9 ? -1.0 : 0)") }
        lines.append("GX\tNA\t1")           // a row with a missing entry is dropped whole
        lines.append("G0\t5\t5")            // a repeated gene keeps its first row
        var log = FilterLog()
        let m = try PerturbationMatrix.read(try TextTable(text: lines.joined(separator: "\n"), source: "p.tsv"), topSignal: 0.5, log: &log)
        XCTAssertEqual(m.threshold, 1)
        XCTAssertEqual(m.downstream, ["A"])
        XCTAssertEqual(Set(m.rows.keys), Set((0..<10).map { "G\($0)" }), "genes without a kept entry vanish")
        XCTAssertEqual(m.rows["G0"], [1])
        XCTAssert(log.lines[0].contains("dropped 1 rows with a missing or infinite entry, 1 duplicate gene rows"), log.lines[0])
    }

    func testMinSNPsBoundary() throws {
        var f = Fixture()
        // D2 non-zero for exactly 5 instruments.
        for i in 1...12 { f.perturb[i] = "G\(i)\t\(Double(i) / 3)\t\(i <= 5 ? 1.0 : 0)" }
        var o = Fixture.options
        o.minSNPs = 5
        XCTAssertEqual(try f.analyse(o).problem.geneNames, ["D1", "D2"])
        o.minSNPs = 6
        let a = try f.analyse(o)
        XCTAssertEqual(a.problem.geneNames, ["D1"])
        XCTAssert(a.log.lines.last!.contains("--min-snps 6 dropped 1 genes"), a.log.lines.last!)
        o.minSNPs = 13
        XCTAssertThrowsError(try f.analyse(o)) { XCTAssert("\($0)".contains("no downstream gene has --min-snps 13 non-zero entries"), "\($0)") }
    }

    func testPruningRuleByIdentity() {
        // Three SNPs within 500 kb; r(0,1) = 0.05, r(0,2) = 0.2, r(1,2) = 0.3; priority 1 > 0 > 2.
        var r = Matrix<Double>.identity(3)
        func set(_ a: Int, _ b: Int, _ v: Double) { r[a, b] = v; r[b, a] = v }
        set(0, 1, 0.05); set(0, 2, 0.2); set(1, 2, 0.3)
        let positions = [1_000_000, 1_200_000, 1_400_000]
        // SNP 1 first: removes 2 (0.3 > 0.1), not 0 (0.05); then 0 has nothing left to remove.
        XCTAssertEqual(LDPruning.keep(positions: positions, priority: [0.5, 0.9, 0.1], r: r, threshold: 0.1), [0, 1])
        // SNP 2 first: removes 0 (0.2) and 1 (0.3).
        XCTAssertEqual(LDPruning.keep(positions: positions, priority: [0.5, 0.4, 0.9], r: r, threshold: 0.1), [2])
        // Threshold 0.25: only the 0.3 pair counts.
        XCTAssertEqual(LDPruning.keep(positions: positions, priority: [0.5, 0.9, 0.1], r: r, threshold: 0.25), [0, 1])
        // The window is inclusive: 500,000 bp apart is pruned, 500,001 is not.
        var pair = Matrix<Double>.identity(2)
        pair[0, 1] = 0.9; pair[1, 0] = 0.9
        XCTAssertEqual(LDPruning.keep(positions: [0, 500_000], priority: [1, 0], r: pair, threshold: 0.1), [0])
        XCTAssertEqual(LDPruning.keep(positions: [0, 500_001], priority: [1, 0], r: pair, threshold: 0.1), [0, 1])
        // Equal priorities keep the input order.
        XCTAssertEqual(LDPruning.keep(positions: [0, 10], priority: [1, 1], r: pair, threshold: 0.1), [0])
    }

    func testMrLDBuildsBlocksAndChecksPositiveDefiniteness() throws {
        var f = Fixture()
        // rs13 duplicates rs1's genotypes: r = 1 between two instruments.
        f.variants.append(Variant(chromosome: "1", id: "rs13", position: 13_000_000, allele1: "A", allele2: "G"))
        var d: [[Int?]] = (0..<12).map { v in (0..<60).map { Fixture.dosage(f.fileset, v, $0) } }
        d.append(d[0])
        f.fileset = PlinkFileset(samples: f.fileset.samples, variants: f.variants, genotypes: PackedGenotypes(sampleCount: 60, dosages: d))
        f.gwas.append("1\trs13\tA\tG\t0.02\t0.01"); f.eqtl.append("1\trs13\tA\tG\t4\tG13"); f.perturb.append("G13\t1\t1")
        var o = Fixture.options
        o.mrLD = true
        let a = try f.analyse(o)
        XCTAssertEqual(a.problem.ld.blocks.count, 1)
        let v = a.problem.ld.blocks[0].matrix
        XCTAssertEqual(v.rows, 13)
        assertClose(v[0, 0], 1.001, relative: 1e-12)
        o.ldRidge = 0
        XCTAssertThrowsError(try f.analyse(o)) { e in
            XCTAssert("\(e)".contains("is not positive definite") && "\(e)".contains("rs1") && "\(e)".contains("rs13"), "\(e)")
        }
    }

    func testReadingErrorsNameFileAndLine() throws {
        var f = Fixture()
        f.gwas[3] = "1\trs3\tA\tG\tabc\t0.01"
        XCTAssertThrowsError(try f.analyse()) { XCTAssertEqual("\($0)", "g.tsv line 4: BETA 'abc' is not a number") }
        f = Fixture()
        f.eqtl[2] = "1\trs2\tA\tG"
        XCTAssertThrowsError(try f.analyse()) { XCTAssertEqual("\($0)", "e.tsv line 3: has 4 tab-separated fields, the header has 6") }
        f = Fixture()
        f.gwas[0] = "CHR\tSNP\tA1\tA0\tB\tSE"
        XCTAssertThrowsError(try f.analyse()) { XCTAssert("\($0)".hasPrefix("g.tsv line 1: no column 'BETA' (--gwas-cols"), "\($0)") }
        f = Fixture()
        for i in 1...12 { f.gwas[i] = "1\trs\(i)\tC\tT\t0.01\t0.01" }
        XCTAssertThrowsError(try f.analyse()) {
            XCTAssert("\($0)".contains("every candidate was dropped, e.g. g.tsv line 2: rs1 alleles C/T match neither A/G nor G/A of ref1.bim line 1"), "\($0)")
        }
        f = Fixture()
        for i in 1...12 { f.perturb[i] = "X\(i)\t1\t1" }
        XCTAssertThrowsError(try f.analyse()) { XCTAssert("\($0)".contains("only 0 gene(s) shared with the perturbation matrix"), "\($0)") }
    }
}
