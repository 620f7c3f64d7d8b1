import GenoBenchCore
import XCTest

final class LineBreaksTests: XCTestCase {
    func testSplitsAtLFAndCRLFAndKeepsEmptyLines() {
        XCTAssertEqual("a\nb\n".splitLines(), ["a", "b", ""])
        XCTAssertEqual("a\r\nb\r\n".splitLines(), ["a", "b", ""])
        XCTAssertEqual("a\r\n\r\nb\nc".splitLines(), ["a", "", "b", "c"], "mixed line ends, an empty line kept")
        XCTAssertEqual("a\tb\rc".splitLines(), ["a\tb\rc"], "a lone carriage return is not a line end")
        XCTAssertEqual("".splitLines(), [""])
        // Splitting at the Character "\n" alone is what this replaces: CRLF text is one line then.
        XCTAssertEqual("a\r\nb".split(separator: "\n").count, 1)
    }
}
