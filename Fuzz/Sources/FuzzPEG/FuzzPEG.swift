import GenoBenchPEG

/// The bytes as each mrpeg input table: GWAS and eQTL summary statistics, the perturbation
/// matrix (with --top-signal 1 and 0.5) and the `signal` annotation table.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPEG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let table = try? TextTable(text: text, source: "fuzz.tsv") else { return 0 }
    var log = FilterLog()
    _ = try? SummaryStatistics.gwas(table, columns: ["CHR", "SNP", "A1", "A0", "BETA", "SE"], keepAmbiguous: false, log: &log)
    _ = try? SummaryStatistics.eqtl(table, columns: ["CHR", "SNP", "A1", "A0", "Z", "GENE"], log: &log)
    _ = try? PerturbationMatrix.read(table, topSignal: 1, log: &log)
    _ = try? PerturbationMatrix.read(table, topSignal: 0.5, log: &log)
    var options = SignalOptions()
    options.annotationColumns = ["CHR", "START", "END", "ANNO"]
    _ = try? SignalAnalysis<IntervalTree>(gwas: table, annotations: table, keep: nil, options: options)
    return 0
}
