import GenoBenchCore
import GenoBenchData

/// The naive LD backend: every variant decoded to one byte per call, held in memory, and every
/// selected pair counted by a byte loop (spec ld.md §6.6). Rows of the pair triangle are
/// spread over threads; the answer does not depend on the thread count.
public struct NaiveLD<T: Scalar>: Backend {
    public typealias FamilyType = LDFamily
    public let version = "1"
    public init() {}
    public var id: String { "naive-\(T.precisionSuffix)" }
    public var precision: Precision { T.precision }

    public func solve(_ problem: LDProblem, context: RunContext) throws -> Solved<LDSolution> {
        let n = problem.sampleCount, v = problem.variantCount
        let dosages = try Self.decode(problem.genotypes, variants: 0..<v)
        let rowsPerVariant: [([LDRow], Int)] = try context.cancellableMap(v, location: "\(id) rows") { a in
            var rows: [LDRow] = []
            var compared = 0
            var counts = [Int](repeating: 0, count: 16)
            dosages.withUnsafeBufferPointer { all in
                let xa = all.baseAddress! + a * n
                for b in (a + 1)..<max(a + 1, v) where problem.selects(a, b) {
                    compared += 1
                    for k in 0..<16 { counts[k] = 0 }
                    let yb = all.baseAddress! + b * n
                    for s in 0..<n { counts[Int(xa[s]) << 2 | Int(yb[s])] += 1 }
                    var table = GenotypeTable()
                    for i in 0..<3 { for j in 0..<3 { table[i, j] = counts[i << 2 | j] } }
                    if problem.emits(table) {
                        rows.append(LDRow(a, b, table: table, statistics: PairStatistics<T>(table: table)))
                    }
                }
            }
            return (rows, compared)
        }
        var diagnostics = Diagnostics()
        let compared = rowsPerVariant.reduce(0) { $0 + $1.1 }
        diagnostics.set("pairs_compared", compared)
        diagnostics.set("variants_loaded", v)
        diagnostics.set("decoded_bytes", n * v)
        return Solved(LDSolution(precision: T.precision, rows: rowsPerVariant.flatMap(\.0), pairsCompared: compared),
                      diagnostics: diagnostics)
    }

    /// Counted-allele copies per call, one byte each, variant by variant; 3 marks missing.
    static func decode(_ source: any GenotypeSource, variants: Range<Int>) throws -> [UInt8] {
        let n = source.sampleCount, per = source.bytesPerVariant
        let packed = try source.packedRecords(variants)
        let table = GenotypeCode.allele1Dosage.map { $0 < 0 ? UInt8(3) : UInt8($0) }  // missing -> 3
        var out = [UInt8](repeating: 3, count: n * variants.count)
        for v in 0..<variants.count {
            for s in 0..<n {
                out[v * n + s] = table[Int((packed[v * per + s / 4] >> UInt8(2 * (s % 4))) & 3)]
            }
        }
        return out
    }
}
