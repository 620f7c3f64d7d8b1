import Foundation
import GenoBenchREML

/// The bytes as a JSON component spec (spec reml.md §4.2) for a 30-variant fileset.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzComponents(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    if let components = try? ComponentSpec.parse(bytes, path: "fuzz.json", variantCount: 30) {
        for c in components { precondition(c.variantIndices.allSatisfy { (0..<30).contains($0) }) }
    }
    return 0
}
