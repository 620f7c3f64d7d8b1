import Foundation
import GenoBenchData
import XCTest
import _GenoBenchTestSupport

/// Outputs get their name only when complete: a writer dropped before `close()` (a failed
/// run) leaves nothing, an earlier file of that name is kept until the new one is complete.
final class AtomicOutputTests: XCTestCase {
    func testAWriterDroppedBeforeCloseLeavesNoFile() throws {
        let dir = TemporaryDirectory()
        for name in ["t.tsv", "t.tsv.gz"] {
            do {
                let w = try TextFileWriter(path: dir.file(name))
                try w.write("a\tb\n")
            }
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [], name)
        }
    }

    func testCloseGivesTheFileItsNameAndReplacesAnOldOne() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("t.tsv")
        try "old\n".write(toFile: path, atomically: true, encoding: .utf8)
        let w = try TextFileWriter(path: path)
        try w.write("new\n")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "old\n", "unchanged until close")
        try w.close()
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["t.tsv"])
    }

    func testAFailedBodyRemovesTheTemporaryFile() throws {
        let dir = TemporaryDirectory()
        struct Boom: Error {}
        XCTAssertThrowsError(try AtomicOutput.write(dir.file("x.bed")) { temporary in
            try "partial".write(toFile: temporary, atomically: false, encoding: .utf8)
            throw Boom()
        })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }

    func testTextLinesNamesTheLineThatIsNotUTF8() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("x.txt")
        try Data("a\nb\nc\u{1}\n".utf8 + [0xff, 0x0a]).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try TextLines.open(path).readAll()) { XCTAssertEqual("\($0)", "\(path) line 4: not UTF-8 text") }
        XCTAssertThrowsError(try TextLines(name: "mem", contents: [0x61, 0x0a, 0xc3]).readAll()) {
            XCTAssertEqual("\($0)", "mem line 2: not UTF-8 text")
        }
        XCTAssertEqual(try TextLines(name: "mem", contents: Array("x\r\ny".utf8)).readAll(), ["x", "y"])
    }
}
