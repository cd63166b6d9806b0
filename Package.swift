// swift-tools-version:6.0
import PackageDescription

// Data flows one way through the targets: bytes (FootprintInput) → records → canonical
// events (FootprintStaging, using FootprintNormalize and FootprintConfig) → star schema
// (FootprintWarehouse) → report tables (FootprintReports) → CSV (FootprintOutput).
// FootprintPipeline strings the stages together; `footprint` is the thin CLI over it.
// Release builds skip Swift's run-time exclusivity checks: profiling the loader showed
// them at ~10 % of ingest time (class properties touched per byte and per row). Debug
// builds, which the tests run, keep them, so an overlapping access still fails a test.
let fast: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "footprint",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "footprint", targets: ["footprint"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CMaxMindDB", pkgConfig: "libmaxminddb", providers: [.apt(["libmaxminddb-dev"])]),
        // OpenSSL's libcrypto, for the whole-file SHA-256 only: it uses the CPU's SHA
        // instructions, five times faster than our portable Swift SHA-256 (which still
        // hashes ids, where calls are short and many).
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(name: "FootprintInput", dependencies: ["CZlib"], swiftSettings: fast),
        .target(name: "FootprintConfig", dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]),
        .target(name: "FootprintNormalize", dependencies: ["FootprintConfig", "CMaxMindDB", "CCrypto"], swiftSettings: fast),
        .target(name: "FootprintStaging", dependencies: ["FootprintInput", "FootprintConfig", "FootprintNormalize"], swiftSettings: fast),
        .target(name: "FootprintWarehouse", dependencies: [
            "FootprintStaging", "FootprintConfig", "FootprintNormalize", "CLibPQ", "CMalloc",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ], swiftSettings: fast),
        .target(name: "FootprintReports", dependencies: [
            "FootprintWarehouse", "FootprintConfig", "FootprintOutput", "FootprintNormalize", "FootprintInput",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .target(name: "FootprintOutput"),
        .target(name: "FootprintPipeline", dependencies: [
            "FootprintStaging", "FootprintWarehouse", "FootprintReports", "FootprintOutput", "FootprintConfig",
        ]),
        .executableTarget(name: "footprint", dependencies: [
            "FootprintPipeline", "FootprintConfig",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Helpers shared by the test targets (temporary folders, the system gzip as real
        // exports are made, a seeded generator).
        .target(name: "FootprintTestSupport", path: "Tests/FootprintTestSupport"),
        .testTarget(name: "FootprintInputTests", dependencies: ["FootprintInput", "FootprintTestSupport"]),
        .testTarget(name: "FootprintNormalizeTests", dependencies: ["FootprintNormalize", "FootprintConfig", "FootprintTestSupport"],
                    resources: [.copy("GeoIP"), .copy("UserAgents")]),
        .testTarget(name: "FootprintStagingTests", dependencies: [
            "FootprintStaging", "FootprintConfig", "FootprintInput", "FootprintTestSupport",
        ]),
        .testTarget(name: "FootprintWarehouseTests", dependencies: [
            "FootprintWarehouse", "FootprintPipeline", "FootprintStaging", "FootprintTestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "FootprintReportsTests", dependencies: [
            "FootprintPipeline", "FootprintReports", "FootprintOutput", "FootprintNormalize", "FootprintTestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "FootprintCLITests", dependencies: ["footprint", "FootprintTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
