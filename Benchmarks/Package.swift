// swift-tools-version: 6.1
//
// GenoBench micro-benchmarks (ordo-one/package-benchmark), kept in a nested package so the main
// package does not depend on the benchmark tooling. Run with: `swift package benchmark`.
import PackageDescription

let package = Package(
    name: "GenoBenchBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "GenoBench", path: ".."),
        // Only the MallocInterposer trait: the default traits pull in a package that is not mirrored.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "LDKernels",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "GenoBenchCore", package: "GenoBench"),
                .product(name: "GenoBenchData", package: "GenoBench"),
                .product(name: "GenoBenchLD", package: "GenoBench"),
            ],
            path: "Benchmarks/LDKernels",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
