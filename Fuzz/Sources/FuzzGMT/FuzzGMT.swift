import GenoBenchDiD

/// The bytes as a GMT gene-set file, resolved against a few gene columns.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGMT(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let sets = try? GeneSetScorer.parseGMT(bytes, path: "fuzz.gmt") {
        var scorer = GeneSetScorer(sets: sets)
        _ = scorer.resolve(geneColumns: ["f1", "f2", "f3"])
    }
    return 0
}
