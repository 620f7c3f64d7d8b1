import GenoBenchCore
import GenoBenchPEG
import XCTest
import _GenoBenchTestSupport

/// `signal` (spec peg.md §9; §14 test 16), both interval backends.
final class SignalTests: XCTestCase {
    func analyse<I: IntervalIndex>(_: I.Type, gwas: [String], annotations: [String], options: SignalOptions = SignalOptions(),
                                   keep: [String]? = nil) throws -> SignalAnalysis<I> {
        try SignalAnalysis<I>(gwas: try TextTable(text: (["CHR\tSNP\tBP\tBETA\tSE"] + gwas).joined(separator: "\n"), source: "g.tsv"),
                              annotations: try TextTable(text: (["CHR\tSTART\tEND\tANNO"] + annotations).joined(separator: "\n"), source: "a.tsv"),
                              keep: keep, options: options)
    }

    /// Rows of the summary keyed by ANNO, each a [column: text] map.
    func summary<I: IntervalIndex>(_ s: SignalAnalysis<I>) -> [String: [String: String]] {
        let lines = s.summaryTable().split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        var out: [String: [String: String]] = [:]
        for row in lines.dropFirst() { out[row[0]] = Dictionary(uniqueKeysWithValues: zip(lines[0], row)) }
        return out
    }

    func testMeanChisqOfTwoAndThreeIsSixPointFive() throws {
        for s in [summary(try analyse(IntervalTree.self, gwas: ["1\trsA\t1000\t2\t1", "1\trsB\t2000\t3\t1"], annotations: ["1\t1500\t1500\tG"])),
                  summary(try analyse(LinearScan.self, gwas: ["1\trsA\t1000\t2\t1", "1\trsB\t2000\t3\t1"], annotations: ["1\t1500\t1500\tG"]))] {
            XCTAssertEqual(s["G"]?["mean_chisq"], "6.5")
            XCTAssertEqual(s["G"]?["count"], "2")
            XCTAssertEqual(s["G"]?["median_z"], "2.5")
            XCTAssertEqual(s["G"]?["sd_chisq"], "2.5")
            XCTAssertEqual(s["G"]?["qtl1_z"], "2.25")
            XCTAssertEqual(s["G"]?["trait"], "Trait")
        }
    }

    func testWindowsAreHalfOpenAndFlanked() throws {
        var o = SignalOptions()
        o.windowKb = 100
        let gwas = ["1\tin0\t950000\t1\t1", "1\tout1\t1150000\t1\t1", "1\tin1\t1149999\t1\t1", "1\tbefore\t949999\t1\t1"]
        let s = try analyse(IntervalTree.self, gwas: gwas, annotations: ["1\t1000000\t1100000\tG"], options: o)
        XCTAssertEqual(s.annotations[0].p0Flank, 950_000)
        XCTAssertEqual(s.annotations[0].p1Flank, 1_150_000)
        let hit = Dictionary(uniqueKeysWithValues: zip(s.snps.map(\.snp), s.names))
        XCTAssertEqual(hit["in0"], ["G"], "P0_FLANK is inside")
        XCTAssertEqual(hit["in1"], ["G"])
        XCTAssertEqual(hit["out1"], [], "P1_FLANK is outside")
        XCTAssertEqual(hit["before"], [])
        XCTAssertEqual(summary(s)["G"]?["count"], "2")
        // A flank never goes below position 0.
        let low = try analyse(LinearScan.self, gwas: ["1\tx\t0\t1\t1"], annotations: ["1\t100\t200\tL"], options: o)
        XCTAssertEqual(low.annotations[0].p0Flank, 0)
        XCTAssertEqual(low.names[0], ["L"])
    }

    func testDuplicatesThresholdAndSplitNames() throws {
        var o = SignalOptions()
        o.windowKb = 10
        // rsA appears twice (same id): counted once per annotation. "A,B" counts for A and B.
        let gwas = ["1\trsA\t1000\t2\t1", "1\trsA\t1000\t2\t1", "1\trsC\t3000\t0.1\t1", "2\trsD\t5000\t4\t1", "X\trsX\t100\t9\t1"]
        let annotations = ["1\t0\t4000\tA,B", "1\t500\t600\tB", "2\t4000\t6000\tA", "1\t0\t1\tA,B"]
        let s = try analyse(IntervalTree.self, gwas: gwas, annotations: annotations, options: o)
        let t = summary(s)
        XCTAssertEqual(Set(t.keys), ["A", "B"])
        XCTAssertEqual(t["A"]?["count"], "3", "rsA once, rsC, rsD")
        XCTAssertEqual(t["B"]?["count"], "2", "rsA once (from both windows), rsC")
        XCTAssertEqual(t["A"]?["CHR"], "1", "coordinates of the first annotation naming A")
        XCTAssertEqual(s.snps.count, 4, "threshold 1.0 keeps every autosomal SNP; X is dropped")
        o.threshold = 0.05   // |Z| >= 1.959964
        XCTAssertEqual(try analyse(LinearScan.self, gwas: gwas, annotations: annotations, options: o).snps.map(\.snp), ["rsA", "rsA", "rsD"])
        let kept = try analyse(IntervalTree.self, gwas: gwas, annotations: annotations, options: o, keep: ["B"])
        XCTAssertEqual(Set(summary(kept).keys), ["B"], "--keep applies to annotation names")
    }

    func testOptionChecks() throws {
        var o = SignalOptions()
        o.threshold = 0
        XCTAssertThrowsError(try o.validate()) { XCTAssertEqual($0 as? PEGError, .invalidOption("--threshold must be in (0, 1], got 0.0")) }
        o = SignalOptions()
        o.annotationColumns = ["CHR", "MID", "MID", "ANNO"]
        o.windowKb = 0
        XCTAssertThrowsError(try o.validate())
        o.windowKb = 2
        XCTAssertNoThrow(try o.validate())
        o.chromosomes = [23]
        XCTAssertThrowsError(try o.validate())
        XCTAssertThrowsError(try analyse(IntervalTree.self, gwas: ["1\ta\t5\t1\t1"], annotations: ["1\t10\t5\tBAD"])) {
            XCTAssertEqual("\($0)", "a.tsv line 2: end 5 is before start 10 for annotation 'BAD'")
        }
    }

    func testIntervalTreeEqualsLinearScan() {
        var rng = RandomSource(seed: 17)
        for n in [0, 1, 2, 7, 100, 1000] {
            let intervals = (0..<n).map { _ -> (lo: Int, hi: Int) in
                let lo = Int(rng.next() % 100_000)
                return (lo, lo + Int(rng.next() % 5_000) - 100)   // some empty or inverted: contain nothing
            }
            let tree = IntervalTree(intervals), scan = LinearScan(intervals)
            for _ in 0..<500 {
                let x = Int(rng.next() % 110_000) - 5_000
                XCTAssertEqual(tree.containing(x), scan.containing(x), "n \(n) x \(x)")
            }
            for i in intervals.prefix(50) {
                XCTAssertEqual(tree.containing(i.lo), scan.containing(i.lo))
                XCTAssertEqual(tree.containing(i.hi), scan.containing(i.hi))
            }
        }
    }
}
