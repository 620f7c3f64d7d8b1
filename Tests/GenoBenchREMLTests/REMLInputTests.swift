import Foundation
import GenoBenchCore
import GenoBenchData
import GenoBenchREML
import XCTest
import _GenoBenchTestSupport

/// Phenotype, covariate, keep and component-spec inputs of the REML family, and the sample
/// alignment and design checks built on them (spec sections 2.2, 4.2, 6.1–6.4; cases T12, T21).
final class REMLInputTests: XCTestCase {
    typealias Phenotype = (values: [String: Double], line: [String: Int], name: String, warnings: [String])
    typealias Covariates = (names: [String], rows: [String: [Double]], line: [String: Int], warnings: [String])

    // MARK: - Helpers

    /// Writes `text` to `name` in `dir` and returns the path.
    func write(_ text: String, _ name: String, in dir: TemporaryDirectory) -> String {
        let path = dir.file(name)
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Asserts that `body` throws an `E` whose description contains every one of `parts`;
    /// returns the error for further checks.
    @discardableResult
    func assertError<E: Error & CustomStringConvertible>(
        _ expected: E.Type, mentioning parts: [String], file: StaticString = #filePath, line: UInt = #line,
        _ body: () throws -> Void
    ) -> E? {
        do {
            try body()
            XCTFail("expected \(E.self) mentioning \(parts), nothing thrown", file: file, line: line)
            return nil
        } catch let error as E {
            for part in parts {
                XCTAssert(error.description.contains(part), "'\(error)' does not mention '\(part)'", file: file, line: line)
            }
            return error
        } catch {
            XCTFail("expected \(E.self), got \(type(of: error)): \(error)", file: file, line: line)
            return nil
        }
    }

    /// Asserts that `body` throws `REMLError.unusableDesign` mentioning every one of `parts`.
    func assertUnusableDesign(mentioning parts: [String], file: StaticString = #filePath, line: UInt = #line,
                              _ body: () throws -> Void) {
        let error = assertError(REMLError.self, mentioning: parts, file: file, line: line, body)
        if let error, case .unusableDesign = error {} else if let error {
            XCTFail("expected unusableDesign, got \(error)", file: file, line: line)
        }
    }

    func fam(_ iids: [String]) -> [Sample] { iids.map { Sample(familyID: "F" + $0, individualID: $0) } }

    func phenotype(_ values: [String: Double], name: String = "y") -> Phenotype {
        var lines: [String: Int] = [:]
        for (k, iid) in values.keys.sorted().enumerated() { lines[iid] = k + 1 }
        return (values, lines, name, [])
    }

    func covariates(_ names: [String], _ rows: [String: [Double]]) -> Covariates {
        var lines: [String: Int] = [:]
        for (k, iid) in rows.keys.sorted().enumerated() { lines[iid] = k + 2 }
        return (names, rows, lines, [])
    }

    // MARK: - Phenotype (T21)

    func testPhenotypeMissingTokensAndNonNumericValuesAreDroppedAndCounted() throws {
        let dir = TemporaryDirectory()
        let path = write("""
            F1 I1 1.5
            F2 I2 -9
            F3 I3 NA
            F4 I4 NaN
            F5 I5 nan
            F6 I6 .
            F7 I7 -9.0
            F8 I8 abc
            F9 I9 -2.25e1

            F10 I10 0 7 extra
            F11\tI11\t3\r
            """, "pheno.txt", in: dir)
        let p = try SampleFiles.readPhenotype(path, column: nil)
        XCTAssertEqual(p.values, ["I1": 1.5, "I9": -22.5, "I10": 0, "I11": 3])
        XCTAssertEqual(p.line, ["I1": 1, "I9": 9, "I10": 11, "I11": 12])
        XCTAssertEqual(p.name, "pheno1")
        XCTAssertEqual(p.warnings.count, 2, "\(p.warnings)")
        let missing = p.warnings.first { $0.contains("missing") } ?? ""
        XCTAssert(missing.contains(path) && missing.contains("6 rows") && missing.contains("line 2"), missing)
        let nonNumeric = p.warnings.first { $0.contains("non-numeric") } ?? ""
        XCTAssert(nonNumeric.contains("1 row") && nonNumeric.contains("line 8") && nonNumeric.contains("abc"), nonNumeric)
    }

    func testPhenotypeHeaderIsRecognisedOrDroppedAsNonNumeric() throws {
        let dir = TemporaryDirectory()
        let withHeader = write("#FID IID height\nF1 I1 170\nF2 I2 180\n", "h.txt", in: dir)
        let p = try SampleFiles.readPhenotype(withHeader, column: nil)
        XCTAssertEqual(p.name, "height")
        XCTAssertEqual(p.values, ["I1": 170, "I2": 180])
        XCTAssertEqual(p.warnings, [])

        // Not FID/IID-like: read as a data line whose value is non-numeric, dropped with a warning.
        let oddHeader = write("family person height\nF1 I1 170\nF2 I2 180\n", "odd.txt", in: dir)
        let q = try SampleFiles.readPhenotype(oddHeader, column: nil)
        XCTAssertEqual(q.name, "pheno1")
        XCTAssertEqual(q.values, ["I1": 170, "I2": 180])
        XCTAssertEqual(q.warnings.count, 1)
        XCTAssert(q.warnings[0].contains("non-numeric") && q.warnings[0].contains("line 1"), q.warnings[0])

        // FID IID with a numeric value field is data, not a header.
        let numeric = write("FID IID 2\nF1 I1 170\n", "n.txt", in: dir)
        XCTAssertEqual(try SampleFiles.readPhenotype(numeric, column: nil).values, ["IID": 2, "I1": 170])
    }

    func testPhenotypeColumnSelectedByHeaderNameOrNumber() throws {
        let dir = TemporaryDirectory()
        let path = write("FID IID a b c\nF1 I1 1 2 3\nF2 I2 4 NA 6\n", "multi.txt", in: dir)
        let first = try SampleFiles.readPhenotype(path, column: nil)
        XCTAssertEqual(first.name, "a")
        XCTAssertEqual(first.values, ["I1": 1, "I2": 4])
        let b = try SampleFiles.readPhenotype(path, column: "b")
        XCTAssertEqual(b.name, "b")
        XCTAssertEqual(b.values, ["I1": 2])
        XCTAssertEqual(b.warnings.count, 1)
        let third = try SampleFiles.readPhenotype(path, column: "3")
        XCTAssertEqual(third.name, "c")
        XCTAssertEqual(third.values, ["I1": 3, "I2": 6])
        assertError(DataError.self, mentioning: [path, "'zz'", "a", "b", "c"]) {
            _ = try SampleFiles.readPhenotype(path, column: "zz")
        }
        assertError(DataError.self, mentioning: [path, "'4'", "1 = a", "3 = c"]) {
            _ = try SampleFiles.readPhenotype(path, column: "4")
        }
        assertError(DataError.self, mentioning: [path, "'0'"]) { _ = try SampleFiles.readPhenotype(path, column: "0") }

        let noHeader = write("F1 I1 1 2\nF2 I2 4 5\n", "noheader.txt", in: dir)
        let second = try SampleFiles.readPhenotype(noHeader, column: "2")
        XCTAssertEqual(second.name, "pheno2")
        XCTAssertEqual(second.values, ["I1": 2, "I2": 5])
        XCTAssertEqual(try SampleFiles.readPhenotype(noHeader, column: "pheno2").values, ["I1": 2, "I2": 5])
        assertError(DataError.self, mentioning: [noHeader, "pheno1", "pheno2"]) {
            _ = try SampleFiles.readPhenotype(noHeader, column: "3")
        }
    }

    func testPhenotypeLineWithoutTheSelectedColumnIsAnError() {
        let dir = TemporaryDirectory()
        let path = write("FID IID a b\nF1 I1 1 2\nF2 I2 4\n", "short.txt", in: dir)
        assertError(DataError.self, mentioning: [path, "line 3", "'b'"]) { _ = try SampleFiles.readPhenotype(path, column: "b") }
    }

    func testPhenotypeDuplicateIIDIsAnErrorNamingIIDFileAndBothLines() {
        let dir = TemporaryDirectory()
        // FID is ignored: the same IID under two FIDs is a duplicate.
        let path = write("F1 I1 1\nF2 I2 2\nF3 I3 3\nF9 I2 4\n", "dup.txt", in: dir)
        assertError(DataError.self, mentioning: ["'I2'", path, "lines 2 and 4"]) {
            _ = try SampleFiles.readPhenotype(path, column: nil)
        }
    }

    func testPhenotypeShortLineEmptyFileAndNoUsableValueAreErrors() {
        let dir = TemporaryDirectory()
        let short = write("F1 I1 1\nF2 I2\n", "short.txt", in: dir)
        assertError(DataError.self, mentioning: [short, "line 2", "2 fields"]) {
            _ = try SampleFiles.readPhenotype(short, column: nil)
        }
        let empty = write("\n\n", "empty.txt", in: dir)
        assertError(DataError.self, mentioning: [empty, "no data lines"]) { _ = try SampleFiles.readPhenotype(empty, column: nil) }
        let headerOnly = write("FID IID y\n", "header.txt", in: dir)
        assertError(DataError.self, mentioning: [headerOnly, "no data lines"]) {
            _ = try SampleFiles.readPhenotype(headerOnly, column: nil)
        }
        let allMissing = write("F1 I1 NA\nF2 I2 x\n", "missing.txt", in: dir)
        assertError(DataError.self, mentioning: [allMissing, "no usable value", "1 missing", "1 non-numeric"]) {
            _ = try SampleFiles.readPhenotype(allMissing, column: nil)
        }
        assertError(DataError.self, mentioning: [dir.file("absent.txt"), "cannot read"]) {
            _ = try SampleFiles.readPhenotype(dir.file("absent.txt"), column: nil)
        }
    }

    // MARK: - Covariates

    func testCovariatesWithHeaderDropIncompleteRowsWithAWarning() throws {
        let dir = TemporaryDirectory()
        let path = write("FID IID age pc1\nF1 I1 30 0.5\nF2 I2 NA 0.1\nF3 I3 41 zz\nF4 I4 52 -0.25\n", "covar.txt", in: dir)
        let c = try SampleFiles.readCovariates(path)
        XCTAssertEqual(c.names, ["age", "pc1"])
        XCTAssertEqual(c.rows, ["I1": [30, 0.5], "I4": [52, -0.25]])
        XCTAssertEqual(c.line, ["I1": 2, "I4": 5])
        let dropped = c.warnings.first { $0.contains("dropped") } ?? ""
        XCTAssert(dropped.contains("2 rows") && dropped.contains("line 3") && dropped.contains(path), "\(c.warnings)")
        XCTAssert(c.warnings.contains { $0.contains("non-numeric") && $0.contains("'pc1'") && $0.contains("line 4") },
                  "\(c.warnings)")
    }

    func testCovariatesWithoutHeaderAreNamedByPosition() throws {
        let dir = TemporaryDirectory()
        let path = write("F1 I1 1 2 3\nF2 I2 4 5 6\n", "covar.txt", in: dir)
        let c = try SampleFiles.readCovariates(path)
        XCTAssertEqual(c.names, ["covar1", "covar2", "covar3"])
        XCTAssertEqual(c.rows["I2"], [4, 5, 6])
        XCTAssertEqual(c.warnings, [])
    }

    func testCovariateRowWithADifferentFieldCountIsAnErrorNamingTheLine() {
        let dir = TemporaryDirectory()
        let path = write("F1 I1 1 2\nF2 I2 3 4\nF3 I3 5\n", "covar.txt", in: dir)
        assertError(DataError.self, mentioning: [path, "line 3", "3 fields", "4"]) { _ = try SampleFiles.readCovariates(path) }
        let header = write("FID IID a b c\nF1 I1 1 2\n", "covar2.txt", in: dir)
        assertError(DataError.self, mentioning: [header, "line 2", "header"]) { _ = try SampleFiles.readCovariates(header) }
    }

    func testCovariateDuplicateIIDIsAnError() {
        let dir = TemporaryDirectory()
        let path = write("F1 I1 1\nF1 I1 2\n", "covar.txt", in: dir)
        assertError(DataError.self, mentioning: [path, "'I1'", "lines 1 and 2"]) { _ = try SampleFiles.readCovariates(path) }
    }

    // MARK: - Keep list

    func testKeepReadsIIDFromFieldTwoOrOne() throws {
        let dir = TemporaryDirectory()
        let path = write("#FID IID\nF1 I1\nI2\n\nF3 I3 extra\n", "keep.txt", in: dir)
        XCTAssertEqual(try SampleFiles.readKeep(path), ["I1", "I2", "I3"])
    }

    func testMissingKeepFileIsAnError() {
        let dir = TemporaryDirectory()
        let path = dir.file("no-such-keep.txt")
        assertError(DataError.self, mentioning: [path, "cannot read"]) { _ = try SampleFiles.readKeep(path) }
    }

    // MARK: - Writer

    func testWrittenValuesReadBackExactly() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("values.txt")
        let values: [Double] = [0.1, 1.0 / 3, -1e-300, 6.02214076e23, .nan, 2]
        try SampleFiles.writeValues(path, header: ["a", "b", "c"], rows: [
            (fid: "F1", iid: "I1", values: Array(values[0..<3])),
            (fid: "F2", iid: "I2", values: Array(values[3..<6])),
        ])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(text, "FID IID a b c\nF1 I1 0.1 0.3333333333333333 -1e-300\nF2 I2 6.02214076e+23 NA 2.0\n")
        let table = try SampleFiles.readTable(path)
        XCTAssertEqual(table.columnNames, ["a", "b", "c"])
        XCTAssertEqual(table.rows["I1"]!.map(\.bitPattern), values[0..<3].map(\.bitPattern))
        XCTAssertEqual(table.rows["I2"]![0].bitPattern, values[3].bitPattern)
        XCTAssert(table.rows["I2"]![1].isNaN)
        XCTAssertEqual(table.rows["I2"]![2], 2)
        XCTAssertEqual(try SampleFiles.readPhenotype(path, column: "b").values, ["I1": 1.0 / 3])

        try SampleFiles.writeValues(path, header: nil, rows: [(fid: "F", iid: "I", values: [-9.5])])
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "F I -9.5\n")
    }

    // MARK: - Alignment

    func testAlignmentKeepsFamOrderAndIntersectsPhenotypeCovariatesAndKeep() throws {
        let f = fam(["A", "B", "C", "D", "E", "F", "G", "H"])
        let pheno = phenotype(["H": 8, "G": 7, "C": 3, "A": 1, "B": 2, "E": 5, "F": 6])    // D has none
        let covar = covariates(["x"], ["A": [1], "B": [5], "C": [2], "D": [4], "E": [3], "G": [0], "H": [9]])  // F has none
        let keep: Set<String> = ["A", "C", "D", "E", "F", "G", "Z"]                       // B, H excluded
        let s = try REMLSamples.align(fam: f, famPath: "x.fam", phenotype: pheno, phenotypePath: "p.txt",
                                      covariates: covar, covariatePath: "c.txt", keep: keep)
        XCTAssertEqual(s.famIndices, [0, 2, 4, 6])
        XCTAssertEqual(s.iids, ["A", "C", "E", "G"])
        XCTAssertEqual(s.y, [1, 3, 5, 7])
        XCTAssertEqual(s.covariateNames, ["x"])
        XCTAssertEqual(s.phenotypeName, "y")
        XCTAssertEqual(s.design.rows, 4)
        XCTAssertEqual(s.design.columns, 2)
        XCTAssertEqual(s.warnings.count, 3, "\(s.warnings)")
        XCTAssert(s.warnings[0].contains("1 of the 8") && s.warnings[0].contains("p.txt"), s.warnings[0])
        XCTAssert(s.warnings[1].contains("1 phenotyped") && s.warnings[1].contains("c.txt"), s.warnings[1])
        XCTAssert(s.warnings[2].contains("2 ") && s.warnings[2].contains("keep"), s.warnings[2])

        // Without covariates or keep: every phenotyped sample, intercept only, no warnings but the phenotype's.
        let all = try REMLSamples.align(fam: f, famPath: "x.fam", phenotype: pheno, phenotypePath: "p.txt",
                                        covariates: nil, covariatePath: nil, keep: nil)
        XCTAssertEqual(all.famIndices, [0, 1, 2, 4, 5, 6, 7])
        XCTAssertEqual(all.design.columns, 1)
        XCTAssertEqual(all.design.storage, [Double](repeating: 1, count: 7))
        XCTAssertEqual(all.covariateNames, [])
    }

    func testAlignmentFromFiles() throws {
        let dir = TemporaryDirectory()
        let famPath = write("F1 I1 0 0 1 -9\nF2 I2 0 0 2 -9\nF3 I3 0 0 1 -9\nF4 I4 0 0 2 -9\nF5 I5 0 0 1 -9\n",
                            "g.fam", in: dir)
        let phenoPath = write("FID IID bmi\nF5 I5 25\nF4 I4 NA\nF3 I3 22\nF2 I2 30\nF1 I1 19\n", "p.txt", in: dir)
        let covarPath = write("FID IID age\nX1 I1 30\nX2 I2 50\nX3 I3 .\nX5 I5 70\n", "c.txt", in: dir)
        let keepPath = write("I1\nI2\nI3\nI5\n", "keep.txt", in: dir)
        let s = try REMLSamples.align(
            fam: try PlinkFileset.readFam(famPath), famPath: famPath,
            phenotype: try SampleFiles.readPhenotype(phenoPath, column: "bmi"), phenotypePath: phenoPath,
            covariates: try SampleFiles.readCovariates(covarPath), covariatePath: covarPath,
            keep: try SampleFiles.readKeep(keepPath))
        XCTAssertEqual(s.iids, ["I1", "I2", "I5"])
        XCTAssertEqual(s.famIndices, [0, 1, 4])
        XCTAssertEqual(s.y, [19, 30, 25])
        XCTAssertEqual(s.phenotypeName, "bmi")
        // age 30, 50, 70 → (−1, 0, 1)·√(3/2).
        let z = (1.5).squareRoot()
        for (i, e) in [-z, 0, z].enumerated() { assertClose(s.design[i, 1], e, absolute: 1e-12) }
        XCTAssert(s.warnings.contains { $0.contains(phenoPath) && $0.contains("missing") }, "\(s.warnings)")
        XCTAssert(s.warnings.contains { $0.contains(covarPath) && $0.contains("dropped") }, "\(s.warnings)")
    }

    func testCovariateColumnsAreStandardised() throws {
        // Deterministic, irregular values; one column far from 0 to exercise the centring.
        let n = 57
        let iids = (0..<n).map { "S\($0)" }
        var rows: [String: [Double]] = [:], y: [String: Double] = [:]
        for (i, iid) in iids.enumerated() {
            let t = Double(i)
            rows[iid] = [1e6 + 5 * sin(1.7 * t), 3 * cos(0.37 * t * t), i % 3 == 0 ? 1 : 0]
            y[iid] = sin(2.3 * t)
        }
        let s = try REMLSamples.align(fam: fam(iids), famPath: "x.fam", phenotype: phenotype(y), phenotypePath: "p.txt",
                                      covariates: covariates(["big", "u", "sex"], rows), covariatePath: "c.txt", keep: nil)
        XCTAssertEqual(s.covariateNames, ["big", "u", "sex"])
        XCTAssertEqual(s.design.columns, 4)
        for i in 0..<n { XCTAssertEqual(s.design[i, 0], 1) }
        for j in 1..<4 {
            let x = s.design.column(j).storage
            let mean = x.reduce(0, +) / Double(n)
            let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
            assertClose(mean, 0, absolute: 1e-12, "column \(j) mean")
            assertClose(variance.squareRoot(), 1, absolute: 1e-12, "column \(j) SD")
        }
        // y stays on the original scale, in .fam order.
        XCTAssertEqual(s.y, iids.map { y[$0]! })
    }

    func testConstantCovariateIsDroppedWithAWarning() throws {
        let iids = ["A", "B", "C", "D", "E"]
        let rows: [String: [Double]] = ["A": [1, 0.1, 2], "B": [2, 0.1, 3], "C": [3, 0.1, 1], "D": [4, 0.1, 5], "E": [5, 0.1, 0]]
        let s = try REMLSamples.align(fam: fam(iids), famPath: "x.fam",
                                      phenotype: phenotype(["A": 1, "B": 2, "C": 0, "D": 5, "E": 3]), phenotypePath: "p.txt",
                                      covariates: covariates(["x", "batch", "z"], rows), covariatePath: "c.txt", keep: nil)
        XCTAssertEqual(s.covariateNames, ["x", "z"])
        XCTAssertEqual(s.design.columns, 3)
        XCTAssertEqual(s.warnings.count, 1, "\(s.warnings)")
        XCTAssert(s.warnings[0].contains("batch") && s.warnings[0].contains("constant") && s.warnings[0].contains("c.txt"),
                  s.warnings[0])
        XCTAssertFalse(s.warnings[0].contains("'x'") || s.warnings[0].contains(" z "), s.warnings[0])
    }

    func testCollinearCovariatesAreRejectedNamingTheColumns() {
        // T12: columns (1, x, 2x) plus an unrelated covariate w.
        let iids = (0..<10).map { "S\($0)" }
        var rows: [String: [Double]] = [:], y: [String: Double] = [:]
        for (i, iid) in iids.enumerated() {
            let x = Double(i * i % 7) - 2.5
            rows[iid] = [x, Double((i * 5) % 3), 2 * x]
            y[iid] = Double(i % 4)
        }
        assertUnusableDesign(mentioning: ["x", "twox", "collinear", "covar.txt"]) {
            _ = try REMLSamples.align(fam: self.fam(iids), famPath: "x.fam", phenotype: self.phenotype(y),
                                      phenotypePath: "p.txt", covariates: self.covariates(["x", "w", "twox"], rows),
                                      covariatePath: "covar.txt", keep: nil)
        }
        do {
            _ = try REMLSamples.align(fam: fam(iids), famPath: "x.fam", phenotype: phenotype(y), phenotypePath: "p.txt",
                                      covariates: covariates(["x", "w", "twox"], rows), covariatePath: "covar.txt", keep: nil)
        } catch {
            let text = "\(error)"
            XCTAssertFalse(text.contains(" w,") || text.contains("w in") || text.contains("intercept"), text)
        }
        // A sum dependency among three covariates names all three.
        var sumRows: [String: [Double]] = [:]
        for (i, iid) in iids.enumerated() {
            let a = Double(i), b = Double((i * 3) % 5)
            sumRows[iid] = [a, b, a + b]
        }
        assertUnusableDesign(mentioning: ["a, b, apb", "c.txt"]) {
            _ = try REMLSamples.align(fam: self.fam(iids), famPath: "x.fam", phenotype: self.phenotype(y),
                                      phenotypePath: "p.txt", covariates: self.covariates(["a", "b", "apb"], sumRows),
                                      covariatePath: "c.txt", keep: nil)
        }
    }

    func testTooManyCovariatesForTheSamplesIsRejected() {
        let iids = ["A", "B", "C"]
        let rows: [String: [Double]] = ["A": [1, 3], "B": [2, 1], "C": [4, 2]]
        assertUnusableDesign(mentioning: ["p = 3", "n = 3"]) {
            _ = try REMLSamples.align(fam: self.fam(iids), famPath: "x.fam",
                                      phenotype: self.phenotype(["A": 1, "B": 2, "C": 4]), phenotypePath: "p.txt",
                                      covariates: self.covariates(["u", "v"], rows), covariatePath: "c.txt", keep: nil)
        }
    }

    func testConstantPhenotypeIsRejected() {
        let iids = ["A", "B", "C", "D"]
        let error = assertError(REMLError.self, mentioning: []) {
            _ = try REMLSamples.align(fam: self.fam(iids), famPath: "x.fam",
                                      phenotype: self.phenotype(["A": 0.1, "B": 0.1, "C": 0.1, "D": 2], name: "bmi"),
                                      phenotypePath: "p.txt", covariates: nil, covariatePath: nil, keep: ["A", "B", "C"])
        }
        XCTAssertEqual(error, .unusableDesign("phenotype 'bmi' in p.txt is constant over the 3 analysed samples"))
    }

    func testFewerThanTwoSamplesIsRejected() {
        assertUnusableDesign(mentioning: ["only 1 sample", "3 in x.fam", "1 in the keep list"]) {
            _ = try REMLSamples.align(fam: self.fam(["A", "B", "C"]), famPath: "x.fam",
                                      phenotype: self.phenotype(["A": 1, "B": 2, "C": 3]), phenotypePath: "p.txt",
                                      covariates: nil, covariatePath: nil, keep: ["B"])
        }
    }

    func testPhenotypeIIDNotInFamIsAnError() {
        var p = phenotype(["A": 1, "B": 2, "Q": 3, "R": 4])
        p.line = ["A": 1, "B": 2, "Q": 5, "R": 3]
        assertError(DataError.self, mentioning: ["p.txt line 3", "'R'", "x.fam", "2 of the 4"]) {
            _ = try REMLSamples.align(fam: self.fam(["A", "B", "C"]), famPath: "x.fam", phenotype: p,
                                      phenotypePath: "p.txt", covariates: nil, covariatePath: nil, keep: nil)
        }
    }

    func testDuplicateFamIIDIsAnError() {
        var f = fam(["A", "B", "C"])
        f.append(Sample(familyID: "OTHER", individualID: "B"))
        assertError(DataError.self, mentioning: ["x.fam line 4", "'B'", "lines 2 and 4"]) {
            _ = try REMLSamples.align(fam: f, famPath: "x.fam", phenotype: self.phenotype(["A": 1, "C": 2]),
                                      phenotypePath: "p.txt", covariates: nil, covariatePath: nil, keep: nil)
        }
    }

    // MARK: - Component specs

    func testComponentSpecObjectForm() throws {
        let dir = TemporaryDirectory()
        let path = write("""
            {"version": 1, "components": [
              {"name": "coding", "variant_indices": [7, 0, 3], "annotation": {"source": "vep"}, "provenance": null},
              {"name": "noncoding", "variant_indices": [1, 2.0, 9], "provenance": {"tool": "x"}},
              {"name": "empty", "variant_indices": []}
            ]}
            """, "spec.json", in: dir)
        XCTAssertEqual(try ComponentSpec.read(path, variantCount: 10), [
            ComponentSpec(name: "coding", variantIndices: [0, 3, 7]),
            ComponentSpec(name: "noncoding", variantIndices: [1, 2, 9]),
            ComponentSpec(name: "empty", variantIndices: []),
        ])
    }

    func testComponentSpecBareListWithDefaultNames() throws {
        let dir = TemporaryDirectory()
        let path = write(#"[{"variant_indices": [4, 2]}, {"name": "mid", "variant_indices": [0]}, {"variant_indices": [5]}]"#,
                         "spec.json", in: dir)
        XCTAssertEqual(try ComponentSpec.read(path, variantCount: 6), [
            ComponentSpec(name: "component_001", variantIndices: [2, 4]),
            ComponentSpec(name: "mid", variantIndices: [0]),
            ComponentSpec(name: "component_003", variantIndices: [5]),
        ])
    }

    func testComponentSpecErrors() {
        let dir = TemporaryDirectory()
        func check(_ json: String, _ parts: [String], variantCount: Int = 10, line: UInt = #line) {
            let path = write(json, "spec-\(line).json", in: dir)
            assertError(DataError.self, mentioning: [path] + parts, line: line) {
                _ = try ComponentSpec.read(path, variantCount: variantCount)
            }
        }
        check("{not json", ["not valid JSON"])
        check("42", ["expected a list"])
        check(#"{"comps": []}"#, ["'components'", "comps"])
        check(#"{"components": {"variant_indices": [1]}}"#, ["'components' must be a list"])
        check("[]", ["no components"])
        check(#"[{"variant_indices": [1]}, 3]"#, ["component 2", "not an object"])
        check(#"[{"variant_indices": [1]}, {"name": "b"}]"#, ["component 2 ('b')", "no 'variant_indices'"])
        check(#"[{"name": "a", "variant_indices": 1}]"#, ["component 1 ('a')", "must be a list"])
        check(#"[{"name": "a", "variant_indices": [1, 1.5]}]"#, ["component 1 ('a')", "1.5", "not an integer"])
        check(#"[{"variant_indices": ["3"]}]"#, ["component 1 ('component_001')", "not an integer"])
        check(#"[{"variant_indices": [true]}]"#, ["component 1", "true", "not an integer"])
        check(#"[{"variant_indices": [0]}, {"variant_indices": [10]}]"#,
              ["component 2 ('component_002')", "10", "out of range 0...9"])
        check(#"[{"name": "neg", "variant_indices": [-1]}]"#, ["component 1 ('neg')", "out of range 0...9"])
        check(#"[{"name": "a", "variant_indices": [2, 5, 2]}]"#, ["component 1 ('a')", "index 2 appears twice"])
        check(#"[{"name": "a", "variant_indices": [2, 5]}, {"name": "b", "variant_indices": [1]}, {"name": "c", "variant_indices": [5]}]"#,
              ["index 5", "component 1 ('a')", "component 3 ('c')"])
        check(#"[{"name": "a", "variant_indices": [1]}, {"name": "a", "variant_indices": [2]}]"#,
              ["components 1 and 2", "'a'"])
        check(#"[{"variant_indices": [1]}, {"name": "component_001", "variant_indices": [2]}]"#,
              ["components 1 and 2", "'component_001'"])
        check(#"[{"name": 5, "variant_indices": [1]}]"#, ["component 1", "'name'"])
        check(#"[{"name": "a", "variant_indices": [1], "annotation": [1]}]"#, ["component 1 ('a')", "'annotation'"])
        assertError(DataError.self, mentioning: ["cannot read"]) {
            _ = try ComponentSpec.read(dir.file("absent.json"), variantCount: 3)
        }
    }

    func testContiguousBlocks() throws {
        XCTAssertEqual(try ComponentSpec.contiguousBlocks([2, 1, 3], variantCount: 6), [
            ComponentSpec(name: "block_001", variantIndices: [0, 1]),
            ComponentSpec(name: "block_002", variantIndices: [2]),
            ComponentSpec(name: "block_003", variantIndices: [3, 4, 5]),
        ])
        assertError(REMLError.self, mentioning: ["2,0,4", "positive"]) {
            _ = try ComponentSpec.contiguousBlocks([2, 0, 4], variantCount: 6)
        }
        let error = assertError(REMLError.self, mentioning: ["2,3", "sum to 5", "6 variants"]) {
            _ = try ComponentSpec.contiguousBlocks([2, 3], variantCount: 6)
        }
        if let error, case .invalidOption = error {} else { XCTFail("expected invalidOption, got \(String(describing: error))") }
        assertError(REMLError.self, mentioning: ["no block sizes"]) { _ = try ComponentSpec.contiguousBlocks([], variantCount: 6) }
    }
}
