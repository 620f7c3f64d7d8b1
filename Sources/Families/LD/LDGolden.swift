import Foundation
import GenoBenchCore
import GenoBenchData

/// LD validation cases: a PLINK fileset and the GSL reference's pair table, in the format of
/// `genobench ld` (every number in full Double precision).
extension LDFamily: GoldenCases {
    public var goldenFileName: String { "reference.ld.tsv" }

    /// Options: `bfile` (prefix, relative to the case directory), `r2-min`, `window-kb`, `block-size`.
    public func loadCase(directory: String, options: [String: String]) throws -> LDProblem {
        try CaseOptionError.check(options, known: ["bfile", "r2-min", "window-kb", "block-size"], family: id)
        let prefix = (directory as NSString).appendingPathComponent(try CaseOptionError.required(options, "bfile"))
        let window = try CaseOptionError.double(options, "window-kb", default: -1)
        let o = LDOptions(r2Min: try CaseOptionError.double(options, "r2-min", default: 0.2), windowKb: window < 0 ? nil : window,
                          blockSize: try CaseOptionError.int(options, "block-size", default: 500))
        return try LDProblem(fileset: try PlinkFileset.open(prefix: prefix), options: o)
    }

    public func goldenText(_ reference: LDSolution, problem: LDProblem) -> String {
        LDTableWriter.render(reference, variants: problem.variants)
    }

    public func readGolden(_ text: String, problem: LDProblem, file: String) throws -> LDSolution {
        var index: [String: Int] = [:]
        for (i, v) in problem.variants.enumerated() { index[v.id] = i }
        var rows: [LDRow] = []
        for (n, line) in text.splitLines().enumerated() {
            if n == 0 {
                guard line.split(separator: "\t").map(String.init) == LDTableWriter.header else {
                    throw DataError(file: file, line: 1, "expected the header of `genobench ld` (\(LDTableWriter.header.joined(separator: " ")))")
                }
                continue
            }
            if line.isEmpty { continue }
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == LDTableWriter.header.count else {
                throw DataError(file: file, line: n + 1, "expected \(LDTableWriter.header.count) tab-separated fields, found \(f.count)")
            }
            guard let a = index[f[2]], let b = index[f[5]] else {
                throw DataError(file: file, line: n + 1, "variant \(index[f[2]] == nil ? f[2] : f[5]) is not in the case's .bim")
            }
            func number(_ k: Int) throws -> Double {
                if f[k] == "nan" { return .nan }
                guard let v = Double(f[k]) else { throw DataError(file: file, line: n + 1, "\(LDTableWriter.header[k]) '\(f[k])' is not a number") }
                return v
            }
            func count(_ k: Int) throws -> Int {
                guard let v = Int(f[k]), v >= 0 else { throw DataError(file: file, line: n + 1, "\(LDTableWriter.header[k]) '\(f[k])' is not a count") }
                return v
            }
            let cells = try (13..<22).map(count)
            let table = GenotypeTable([Array(cells[0..<3]), Array(cells[3..<6]), Array(cells[6..<9])])
            rows.append(LDRow(indexA: a, indexB: b, table: table, sampleCount: try count(6), r: try number(7), r2: try number(8),
                              d: try number(9), dPrime: try number(10), r2Haplotype: try number(11),
                              flags: PairFlags(rawValue: UInt8(try count(12)))))
        }
        return LDSolution(precision: .f64, rows: rows, pairsCompared: rows.count)
    }
}
