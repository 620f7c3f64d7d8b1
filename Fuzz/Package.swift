// swift-tools-version: 6.1
//
// libFuzzer targets for every GenoBench input parser, one executable per parser family. Kept
// out of the main package so `swift build`/`swift test`/`make test` never build them; built and
// run by scripts/fuzz.sh (`make fuzz`) with:
//
//     swift build -c release --sanitize=fuzzer      (in Fuzz/)
//
// Each target defines `LLVMFuzzerTestOneInput` and feeds the bytes to the parser in memory; an
// error thrown by a parser is the expected outcome for bad bytes, a trap (index out of range,
// overflow, force unwrap) is a crash that libFuzzer reports and saves.
import PackageDescription

let fuzz: [(name: String, products: [String])] = [
    ("FuzzPlink", ["GenoBenchData"]),
    ("FuzzSampleFiles", ["GenoBenchREML"]),
    ("FuzzComponents", ["GenoBenchREML"]),
    ("FuzzCellTable", ["GenoBenchDiD", "GenoBenchCore"]),
    ("FuzzGMT", ["GenoBenchDiD"]),
    ("FuzzLDSC", ["GenoBenchLDSC", "GenoBenchData"]),
    ("FuzzPEG", ["GenoBenchPEG"]),
    ("FuzzSuite", ["GenoBenchHarness", "GenoBenchCatalog"]),
]

let package = Package(
    name: "GenoBenchFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "GenoBench", path: "..")],
    targets: fuzz.map { target in
        .executableTarget(
            name: target.name,
            dependencies: target.products.map { .product(name: $0, package: "GenoBench") },
            path: "Sources/\(target.name)")
    }
)
