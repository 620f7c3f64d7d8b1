import GenoBenchREML

/// The bytes as a phenotype file (first column and a named column), a covariate file and a
/// keep list (spec reml.md §6.2–6.4).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSampleFiles(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? SampleFiles.readPhenotype(bytes: bytes, path: "fuzz.pheno", column: nil)
    _ = try? SampleFiles.readPhenotype(bytes: bytes, path: "fuzz.pheno", column: "2")
    if let table = try? SampleFiles.readTable(bytes: bytes, path: "fuzz.covar", unnamedPrefix: "covar") {
        precondition(table.rows.values.allSatisfy { $0.count == table.columnNames.count })
        precondition(table.rows.values.allSatisfy { $0.allSatisfy { $0.isNaN || $0.isFinite } })
    }
    _ = try? SampleFiles.readKeep(bytes: bytes, path: "fuzz.keep")
    return 0
}
