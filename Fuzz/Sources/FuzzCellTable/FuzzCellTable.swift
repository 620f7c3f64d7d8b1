import GenoBenchCore
import GenoBenchDiD

/// The bytes as a cell table (tab-separated, then comma-separated) with the design columns of
/// `genobench simulate did` (participant, visit, arm; Treated; V1,V2): header resolution, then
/// the streaming parse into pseudobulk sums, and pass one of gene-set scoring.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCellTable(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let context = RunContext(threads: 1)
    for name in ["fuzz.tsv", "fuzz.csv"] {
        var request = CellTableRequest(path: name, participantColumn: "participant", visitColumn: "visit", armColumn: "arm",
                                       treatedLabel: "Treated", visits: ["V1", "V2"])
        request.contents = bytes
        guard let reader = try? CellTableReader(request) else { continue }
        _ = try? reader.readSums(context: context, byCelltype: false)
        _ = try? reader.geneStatistics(context: context)
    }
    return 0
}
