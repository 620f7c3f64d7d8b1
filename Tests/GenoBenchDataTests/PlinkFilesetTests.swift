import Foundation
import GenoBenchData
import XCTest
import _GenoBenchTestSupport

final class PlinkFilesetTests: XCTestCase {
    func testRoundTripIsByteIdentical() throws {
        let dir = TemporaryDirectory()
        var sim = GenotypeSimulator(samples: 37, variants: 23, seed: 5)
        sim.missingRate = 0.1
        try sim.simulate().write(prefix: dir.file("a"))
        let loaded = try PlinkFileset.load(prefix: dir.file("a"))
        try loaded.write(prefix: dir.file("b"))
        for ext in ["bed", "bim", "fam"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: dir.file("a.\(ext)")))
            let b = try Data(contentsOf: URL(fileURLWithPath: dir.file("b.\(ext)")))
            XCTAssertEqual(a, b, ".\(ext) differs after a round trip (seed 5)")
        }
        let bed = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.file("a.bed"))))
        XCTAssertEqual(Array(bed[0..<3]), [0x6c, 0x1b, 0x01])
        XCTAssertEqual(bed.count, 3 + 23 * 10)
    }

    func testCodesCountTheColumnFiveAllele() throws {
        // Samples with 2, missing, 1, 0 copies of allele 1 -> codes 00, 01, 10, 11 in one byte.
        let packed = PackedGenotypes(sampleCount: 4, dosages: [[2, nil, 1, 0]])
        XCTAssertEqual(packed.bytes, [0b11_10_01_00])
        XCTAssertEqual((0..<4).map { GenotypeCode.allele1Dosage[Int(packed.code(sample: $0, variant: 0))] }, [2, -1, 1, 0])
    }

    func testSimulatorIsSeeded() throws {
        let a = try GenotypeSimulator(samples: 20, variants: 30, seed: 9).simulate()
        let b = try GenotypeSimulator(samples: 20, variants: 30, seed: 9).simulate()
        let c = try GenotypeSimulator(samples: 20, variants: 30, seed: 10).simulate()
        let bytes = { (f: PlinkFileset) in try f.genotypes.packedRecords(0..<30) }
        XCTAssertEqual(try bytes(a), try bytes(b))
        XCTAssertNotEqual(try bytes(a), try bytes(c))
    }

    func testSimulatorRespectsFrequenciesAndMissingRate() throws {
        var sim = GenotypeSimulator(samples: 4000, variants: 10, seed: 3)
        sim.mafMin = 0.3; sim.mafMax = 0.3; sim.missingRate = 0.1
        let f = try sim.simulate()
        let p = f.genotypes as! PackedGenotypes
        var copies = 0, observed = 0, missing = 0
        for v in 0..<10 {
            for s in 0..<4000 {
                let d = GenotypeCode.allele1Dosage[Int(p.code(sample: s, variant: v))]
                if d < 0 { missing += 1 } else { copies += Int(d); observed += 1 }
            }
        }
        assertClose(Double(copies) / Double(2 * observed), 0.3, absolute: 0.01, "allele-1 frequency, seed 3")
        assertClose(Double(missing) / 40_000, 0.1, absolute: 0.01, "missing rate, seed 3")
    }

    // MARK: bad input

    func makeFiles(_ dir: TemporaryDirectory) throws -> String {
        let prefix = dir.file("x")
        try GenotypeSimulator(samples: 10, variants: 6, seed: 1).simulate().write(prefix: prefix)
        return prefix
    }

    func assertDataError(_ body: () throws -> Void, contains text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssert(error is DataError, "expected a DataError, got \(error)", file: file, line: line)
            XCTAssert("\(error)".contains(text), "message '\(error)' does not mention '\(text)'", file: file, line: line)
        }
    }

    /// Writes a fileset, lets `edit` change its .bed bytes, and expects `open` to fail with `text`.
    func assertCorruptBedFails(_ edit: (inout Data) -> Void, _ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = TemporaryDirectory()
        let prefix = try makeFiles(dir)
        let url = URL(fileURLWithPath: prefix + ".bed")
        var bed = try Data(contentsOf: url)
        edit(&bed)
        try bed.write(to: url)
        assertDataError({ _ = try PlinkFileset.open(prefix: prefix) }, contains: text, file: file, line: line)
    }

    func testTruncatedBed() throws {
        try assertCorruptBedFails({ $0 = $0.prefix($0.count - 1) }, "truncated: 20 bytes, expected 3 + 6 variants x 3 bytes = 21")
    }

    func testWrongMagic() throws {
        try assertCorruptBedFails({ $0[0] = 0x00 }, "not a PLINK 1 .bed file")
    }

    func testIndividualMajorRejected() throws {
        try assertCorruptBedFails({ $0[2] = 0x00 }, "only SNP-major")
    }

    func testFamBimCountsMustMatchBedSize() throws {
        let dir = TemporaryDirectory()
        let prefix = try makeFiles(dir)
        let fam = try String(contentsOfFile: prefix + ".fam", encoding: .utf8)
        // 13 samples need 4 bytes per variant where 10 need 3 (12 would still fit in 3: PLINK
        // cannot tell those apart, nor can we).
        try (fam + "e1 e1 0 0 0 -9\ne2 e2 0 0 0 -9\ne3 e3 0 0 0 -9\n").write(toFile: prefix + ".fam", atomically: true, encoding: .utf8)
        assertDataError({ _ = try PlinkFileset.open(prefix: prefix) }, contains: "6 lines in \(prefix).bim, 13 in \(prefix).fam")
        let bim = try String(contentsOfFile: prefix + ".bim", encoding: .utf8)
        try String(bim.split(separator: "\n").dropLast().joined(separator: "\n") + "\n").write(toFile: prefix + ".bim", atomically: true, encoding: .utf8)
        assertDataError({ _ = try PlinkFileset.open(prefix: prefix) }, contains: "expected 3 + 5 variants x 4 bytes")
    }

    func testMalformedBimLineNamesTheLine() throws {
        let dir = TemporaryDirectory()
        let prefix = try makeFiles(dir)
        var lines = try String(contentsOfFile: prefix + ".bim", encoding: .utf8).split(separator: "\n").map(String.init)
        lines[2] = "1\trs3\t0\tnotanumber\tA\tG"
        try (lines.joined(separator: "\n") + "\n").write(toFile: prefix + ".bim", atomically: true, encoding: .utf8)
        assertDataError({ _ = try PlinkFileset.open(prefix: prefix) }, contains: "x.bim line 3: position 'notanumber'")
        lines[2] = "1\trs3\t0"
        try (lines.joined(separator: "\n") + "\n").write(toFile: prefix + ".bim", atomically: true, encoding: .utf8)
        assertDataError({ _ = try PlinkFileset.open(prefix: prefix) }, contains: "line 3: expected 6 fields")
    }

    func testMissingFileIsNamed() {
        assertDataError({ _ = try PlinkFileset.open(prefix: "/nonexistent/prefix") }, contains: "/nonexistent/prefix.bim")
    }
}
