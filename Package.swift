// swift-tools-version: 6.1
//
// GenoBench: statistical-genetics algorithms through interchangeable backends on matched
// inputs, checked against GSL references, with timing, peak memory and accuracy in SQLite.
// Layers (each depends only on those above it in this list): C shims, Core, Data, Reference,
// families, Harness, Store, Catalog, the `genobench` executable. See DESIGN.md in ../shared.
import PackageDescription

let package = Package(
    name: "GenoBench",
    platforms: [.macOS(.v13)],
    // MARK: - Public products
    products: [
        .executable(name: "genobench", targets: ["genobench"]),
        .library(name: "GenoBenchCore", targets: ["GenoBenchCore"]),
        .library(name: "GenoBenchData", targets: ["GenoBenchData"]),
        .library(name: "GenoBenchLD", targets: ["GenoBenchLD"]),
        .library(name: "GenoBenchREML", targets: ["GenoBenchREML"]),
        .library(name: "GenoBenchDiD", targets: ["GenoBenchDiD"]),
        .library(name: "GenoBenchLDSC", targets: ["GenoBenchLDSC"]),
        .library(name: "GenoBenchPEG", targets: ["GenoBenchPEG"]),
        .library(name: "GenoBenchHarness", targets: ["GenoBenchHarness"]),
        .library(name: "GenoBenchStore", targets: ["GenoBenchStore"]),
        .library(name: "GenoBenchReports", targets: ["GenoBenchReports"]),
        .library(name: "GenoBenchCatalog", targets: ["GenoBenchCatalog"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // MARK: - Implementation details (C shims)
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CGSL", path: "Sources/CGSL"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "_CGenoBenchSupport", path: "Sources/_CGenoBenchSupport"),

        // MARK: - Layers
        .target(
            name: "GenoBenchCore",
            dependencies: ["CBLAS", "_CGenoBenchSupport", .product(name: "RealModule", package: "swift-numerics")],
            exclude: ["README.md"]),
        .target(name: "GenoBenchData", dependencies: ["GenoBenchCore", "CZlib"], exclude: ["README.md"]),
        .target(name: "GenoBenchReference", dependencies: ["GenoBenchCore", "CGSL"], exclude: ["README.md"]),
        .target(
            name: "GenoBenchLD",
            dependencies: ["GenoBenchCore", "GenoBenchData", "GenoBenchReference", "_CGenoBenchSupport"],
            path: "Sources/Families/LD", exclude: ["README.md"]),
        .target(
            name: "GenoBenchREML",
            dependencies: ["GenoBenchCore", "GenoBenchData", "GenoBenchReference", "_CGenoBenchSupport"],
            path: "Sources/Families/REML", exclude: ["README.md"]),
        .target(
            name: "GenoBenchDiD",
            dependencies: ["GenoBenchCore", "GenoBenchData", "GenoBenchReference", "CGSL"],
            path: "Sources/Families/DiD", exclude: ["README.md"]),
        .target(
            name: "GenoBenchLDSC",
            dependencies: ["GenoBenchCore", "GenoBenchData", "GenoBenchReference"],
            path: "Sources/Families/LDSC", exclude: ["README.md"]),
        .target(
            name: "GenoBenchPEG",
            dependencies: ["GenoBenchCore", "GenoBenchData", "GenoBenchReference", "CGSL", "CZlib"],
            path: "Sources/Families/PEG",
            exclude: ["README.md"]),
        .target(
            name: "GenoBenchHarness",
            dependencies: [
                "GenoBenchCore", "_CGenoBenchSupport",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            exclude: ["README.md"]),
        .target(
            name: "GenoBenchStore",
            dependencies: ["GenoBenchCore", "GenoBenchHarness", .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["README.md"]),
        .target(name: "GenoBenchReports", dependencies: ["GenoBenchCore", "GenoBenchReference", "GenoBenchStore"], exclude: ["README.md"]),
        .target(
            name: "GenoBenchCatalog",
            dependencies: ["GenoBenchCore", "GenoBenchHarness", "GenoBenchLD", "GenoBenchREML", "GenoBenchDiD", "GenoBenchPEG", "GenoBenchLDSC"],
            exclude: ["README.md"]),
        .executableTarget(
            name: "genobench",
            dependencies: [
                "GenoBenchCore", "GenoBenchData", "GenoBenchLD", "GenoBenchREML", "GenoBenchDiD", "GenoBenchPEG", "GenoBenchLDSC", "GenoBenchHarness", "GenoBenchStore",
                "GenoBenchReports", "GenoBenchCatalog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // MARK: - Test support and tests
        .target(
            name: "_GenoBenchTestSupport",
            dependencies: ["GenoBenchCore", "GenoBenchStore", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/_GenoBenchTestSupport"),
        .testTarget(name: "GenoBenchCoreTests", dependencies: ["GenoBenchCore", "_GenoBenchTestSupport"]),
        .testTarget(name: "GenoBenchDataTests", dependencies: ["GenoBenchData", "_GenoBenchTestSupport"]),
        .testTarget(
            name: "GenoBenchLDTests",
            dependencies: ["GenoBenchLD", "GenoBenchData", "GenoBenchReference", "_GenoBenchTestSupport"]),
        .testTarget(
            name: "GenoBenchREMLTests",
            dependencies: ["GenoBenchREML", "GenoBenchData", "GenoBenchReference", "_GenoBenchTestSupport"]),
        .testTarget(
            name: "GenoBenchDiDTests",
            dependencies: ["GenoBenchDiD", "GenoBenchReference", "_GenoBenchTestSupport"]),
        .testTarget(
            name: "GenoBenchLDSCTests",
            dependencies: ["GenoBenchLDSC", "GenoBenchData", "GenoBenchReference", "_GenoBenchTestSupport"]),
        .testTarget(
            name: "GenoBenchPEGTests",
            dependencies: ["GenoBenchPEG", "GenoBenchData", "GenoBenchReference", "_GenoBenchTestSupport"]),
        .testTarget(
            name: "GenoBenchHarnessTests",
            dependencies: [
                "GenoBenchHarness", "GenoBenchStore", "GenoBenchCatalog", "GenoBenchLD", "GenoBenchREML",
                "_GenoBenchTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "GenoBenchReportsTests",
            dependencies: ["GenoBenchReports", "GenoBenchStore", "GenoBenchHarness", "_GenoBenchTestSupport"],
            exclude: ["Snapshots"]),
        .testTarget(name: "GenoBenchCLITests", dependencies: ["_GenoBenchTestSupport", "GenoBenchCore", "GenoBenchData", "GenoBenchStore", "GenoBenchPEG", "genobench"]),
    ]
)
