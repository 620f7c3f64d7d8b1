import Foundation
import XCTest
@testable import GenoBenchHarness

/// The screen in front of toml++ (which aborts on a few malformed inputs FuzzSuite found):
/// it must flag those, with their line, and nothing that is valid TOML.
final class TOMLScreenTests: XCTestCase {
    func testTheInputsThatAbortedTomlPlusPlusAreFlaggedWithTheirLine() {
        let cases: [(String, Int, String)] = [
            ("name = \"x\"\n[{problems]]\nfamily = \"ld\"\n", 2, "found '{'"),
            ("\u{FEFF}[\u{FE7F}n", 1, "a table header needs a key"),
            ("a = 1\n[[ [b]]]\n", 2, "found '['"),
            ("[\n", 1, "found the end of the line"),
            ("s = \"\"\"x\\\ny\"\"\"\nrepeats = [}]\n", 3, "'}' inside an array"),
            ("repeats =\u{00A0}3\n", 1, "U+00A0"),
            ("a = [1,\u{2028}2]\n", 1, "U+2028"),
            ("\u{FEFF}e = 0f-------- 22222=\0\u{1B}", 1, "expected a date-time"),
            ("x = 1\ne = [2000-01-01 2]\n", 2, "'2000-01-01' followed by a space and a digit"),
        ]
        for (text, line, fragment) in cases {
            let found = TOMLScreen.firstUnsafeConstruct(text)
            XCTAssertEqual(found?.line, line, text.debugDescription)
            XCTAssert(found?.message.contains(fragment) ?? false, "\(text.debugDescription): \(String(describing: found))")
        }
    }

    func testValidTOMLPassesTheScreen() throws {
        let valid = [
            "a = [\n  [1, 2],\n  [{x = 1}, {y = [3]}],\n]\n[t]\nb = 1\n",
            "[\"quoted [key]\"]\nv = '''\n[{not a header]]\n}'''\nw = \"[}\" # [{ comment\n",
            "[[problems]]\nfamily = \"ld\"\n[problems.params]\nsamples = [20, 30]\n",
            "[ table ]\n[ [x] ]\n",  // [ [ is toml++'s own error, not an abort
            "name = \"\u{00A0} inside a string is fine\"\n",
            "d = 1979-05-27 07:32:00\nt = [1979-05-27 07:32:00Z, 2000-01-01 # date\n]\nn = -1_000\n",
        ]
        for text in valid { XCTAssertNil(TOMLScreen.firstUnsafeConstruct(text), text.debugDescription) }
        let suites = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("suites")
        let names = try FileManager.default.contentsOfDirectory(atPath: suites.path).filter { $0.hasSuffix(".toml") }
        XCTAssertFalse(names.isEmpty)
        for name in names {
            let text = try String(contentsOf: suites.appendingPathComponent(name), encoding: .utf8)
            XCTAssertNil(TOMLScreen.firstUnsafeConstruct(text), name)
        }
    }
}
