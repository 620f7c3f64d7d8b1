import GenoBenchCatalog
import GenoBenchHarness

/// The bytes as a suite file (TOML), checked against the real registry.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSuite(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let text = String(validating: bytes, as: UTF8.self) else { return 0 }
    _ = try? Suite.parse(text, path: "fuzz.toml", registry: Catalog.registry)
    return 0
}
