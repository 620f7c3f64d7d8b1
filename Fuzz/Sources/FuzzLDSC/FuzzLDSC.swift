import GenoBenchData
import GenoBenchLDSC

/// The bytes as each spatial-LDSC input read in memory: LDSC summary statistics, the SNP-gene
/// weight table (LD scores W), regression-weight LD scores (w_ld), a GSS matrix and an
/// `ldsc` output shard as `ldsc-merge` reads it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLDSC(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    func lines(_ name: String) -> TextLines { TextLines(name: name, contents: bytes) }
    if let s = try? Sumstats.read(lines("fuzz.sumstats")) {
        precondition(s.ids.count == s.z.count && s.z.count == s.sampleSizes.count)
    }
    _ = try? WeightMatrixTable.read([lines("fuzz.weights.tsv")], path: "fuzz.weights.tsv")
    _ = try? LDScoreTable.read([lines("fuzz.l2.ldscore")], path: "fuzz.l2.ldscore")
    if let g = try? GeneMatrix.read(lines("fuzz.gss.tsv")) {
        precondition(g.values.count == g.geneNames.count * g.spotNames.count)
    }
    _ = try? SpotTable.checkShard(lines("fuzz.shard.tsv"))
    return 0
}
