import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GenoBenchReports
import GenoBenchStore
import XCTest
import _GenoBenchTestSupport

/// The HTML page parses as XML, is self-contained, has its charts, and matches its snapshot.
final class HTMLReportTests: XCTestCase {
    final class Counter: NSObject, XMLParserDelegate {
        var elements: [String: Int] = [:]
        var externalReferences: [String] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            elements[name, default: 0] += 1
            for (k, v) in attributes where (k == "href" || k == "src") && !v.hasPrefix("#") { externalReferences.append(v) }
        }
    }

    func testPageParsesAsXMLAndIsSelfContained() throws {
        let dir = TemporaryDirectory()
        let store = try Store.existing(path: try ReportFixture.make(dir))
        let page = try HTMLReport().render(.init(invocations: try store.invocations(), runs: try store.runs(), references: try store.references()),
                                           storeName: "fixture.sqlite")
        // XMLParser does not know the HTML doctype; the rest must be well-formed XML.
        let xml = page.replacingOccurrences(of: "<!DOCTYPE html>\n", with: "")
        let parser = XMLParser(data: Data(xml.utf8))
        let counter = Counter()
        parser.delegate = counter
        XCTAssertTrue(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "?") at line \(parser.lineNumber)")
        XCTAssertEqual(counter.elements["svg"], 2, "cost and accuracy charts for the one family; its latest machine has no history")
        XCTAssertEqual(counter.elements["script"], nil, "no scripts")
        XCTAssertEqual(counter.externalReferences, [], "no external resources")
        XCTAssertGreaterThan(counter.elements["polyline"] ?? 0, 0)
        // Invocation 3 (another machine) is the latest: no regression section against 2.
        XCTAssertFalse(page.contains("Regression check"))
        // The latest invocation ran on another machine: its history has one point, nothing marked.
        XCTAssertEqual(page.components(separatedBy: "r=\"7\"").count - 1, 0)
        // Without it, history on the first machine marks the 30 % slow-down of slow-f64 at
        // invocation 2 on each of the three problems, and the regress section appears.
        let two = try HTMLReport().render(.init(invocations: Array(try store.invocations().prefix(2)), runs: try store.runs(invocations: [1, 2]),
                                                references: try store.references()), storeName: "fixture.sqlite")
        XCTAssertEqual(two.components(separatedBy: "r=\"7\"").count - 1, 3)
        XCTAssertEqual(two.components(separatedBy: "<svg").count - 1, 3, "cost, accuracy and history charts")
        XCTAssert(two.contains("Regression check: invocation 2 against 1"))
        let snapshot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots/report.html").path
        if ProcessInfo.processInfo.environment["GENOBENCH_UPDATE_SNAPSHOTS"] == "1" {
            try page.write(toFile: snapshot, atomically: true, encoding: .utf8)
        } else {
            XCTAssertEqual(page, try String(contentsOfFile: snapshot, encoding: .utf8), "report.html differs from its snapshot")
        }
    }
}
