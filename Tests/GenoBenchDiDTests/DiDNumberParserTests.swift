import Foundation
@testable import GenoBenchDiD
import GenoBenchCore
import XCTest

/// The cell-table number parser is correctly rounded: every field equals `strtod` of its text,
/// on the word-at-a-time path, the byte loop and the fallback alike.
final class DiDNumberParserTests: XCTestCase {
    func parse(_ text: String, delimiter: UInt8 = 9) -> (NumberParser.Parsed, Int) {
        var bytes = Array(text.utf8) + [UInt8](repeating: 0x37, count: 32)  // digits after the end: must not be read as the number
        let limit = text.utf8.count
        return bytes.withUnsafeMutableBufferPointer { NumberParser.field($0.baseAddress!, limit: limit, delimiter: delimiter) }
    }

    func testAgreesWithStrtod() {
        var rng = RandomSource(seed: 5)
        var texts = ["0", "-0", "5.", "-.5", ".25", "1234567", "12345678", "0.0000001", "-1.2345", "3.14159265358979",
                     "123456789012345678901", "1e-6", "2.5E+3", "0x1p3", "007.500", "9007199254740993", "1.7976931348623157e308",
                     // One-word shapes (`shortField`): point first or last, 7 and 8 bytes after the sign.
                     "1.", "-1.", ".5", "12345.6", "1234.567", "-1234.567", "0.1234567", "1234567.", "-0.000", "99999999", "-7"]
        for _ in 0..<3000 {
            let digits = 1 + Int(rng.nextUniform() * 9), decimals = Int(rng.nextUniform() * 9)
            var t = rng.nextUniform() < 0.5 ? "-" : ""
            t += (0..<digits).map { _ in String(Int(rng.nextUniform() * 10)) }.joined()
            if decimals > 0 { t += "." + (0..<decimals).map { _ in String(Int(rng.nextUniform() * 10)) }.joined() }
            texts.append(t)
        }
        for t in texts {
            let (got, length) = parse(t + "\tnext")
            XCTAssertEqual(length, t.utf8.count, t)
            XCTAssertEqual(got, .value(strtod(t, nil)), t)
            XCTAssertEqual(parse(t).0, .value(strtod(t, nil)), "\(t) at the end of a line")
        }
        for missing in ["", "NA", "nan", "NaN", "N/A", ".", "null"] { XCTAssertEqual(parse(missing + ",x", delimiter: 44).0, .missing, missing) }
        for bad in ["abc", "1.2.3", "-", "inf", "1e", "12a", "1e999", "1.5\u{E9}", "\u{FF}1", "1\u{FA}5", "-.", "--1", "1-"] { XCTAssertEqual(parse(bad).0, .invalid, bad) }
    }
}
