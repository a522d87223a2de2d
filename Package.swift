// swift-tools-version:6.0
import PackageDescription

/// Swift's runtime and Foundation as static archives (Swift 6.x on Linux), grouped so their
/// order does not matter; libxml2 (FoundationXML) and zlib stay shared.
let staticFoundation = ["-static-stdlib", "-Xlinker", "--start-group"]
    + ["Foundation", "FoundationXML", "_CFXMLInterface", "FoundationInternationalization", "FoundationEssentials",
       "CoreFoundation", "_FoundationICU", "_FoundationCShims", "_FoundationCollections", "swiftSynchronization",
       "swiftDispatch", "dispatch", "BlocksRuntime", "swift_StringProcessing", "swift_RegexParser", "swiftGlibc",
       "swift_Concurrency", "swift_Builtin_float"].map { "-l" + $0 }
    + ["-Xlinker", "--end-group", "-lxml2", "-lz"]

let package = Package(
    name: "PMQ",
    products: [
        .library(name: "PMQ", targets: ["PMQ"]),
        // The C ABI (include/pmq.h) for hosts that are not Swift.
        .library(name: "PMQEmbed", type: .dynamic, targets: ["PMQEmbed"]),
        .executable(name: "pmq", targets: ["pmq"]),
        .executable(name: "pmq-bench", targets: ["pmq-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Reading CSV/TSV for `import ... into`: streams, skips a UTF-8 BOM, quoted newlines, CRLF.
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        // MS Project XML (MSPDI) for `export project to "F.xml"`, schema-ordered.
        .package(url: "https://github.com/CoreOffice/XMLCoder", from: "0.18.2"),
        // HTML output (`--format html`, `export ... to "F.html"`), escaped by construction.
        .package(url: "https://github.com/JohnSundell/Plot", from: "0.14.0"),
    ],
    targets: [
        // The system SQLite, linked directly: the library needs nothing else but Foundation.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        // libpq (Debian libpq-dev), for `--db postgresql://...`: a system library, like SQLite.
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        // GNU readline: used by the pmq executable only, never by the library.
        .systemLibrary(name: "CReadline", path: "Sources/CReadline"),
        .target(name: "PMQ", dependencies: [
            "CSQLite",
            "CLibPQ",
            .product(name: "CSV", package: "CSV.swift"),
            .product(name: "XMLCoder", package: "XMLCoder"),
            .product(name: "Plot", package: "Plot"),
        ]),
        .target(name: "PMQEmbed", dependencies: ["PMQ"], exclude: ["include"]),
        .executableTarget(
            name: "pmq",
            dependencies: ["PMQ", "CReadline", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            // Start-up: a release pmq on Linux links Swift's runtime and Foundation statically,
            // so the dynamic loader does not bind thousands of symbols before `pmq -e ...` can
            // start (half of its CPU time; BENCHMARKS.md, s1). Debug builds (and the test
            // bundle, which links this module next to the dynamic libPMQEmbed) stay dynamic.
            // The modules were compiled for the shared Foundation, so its static parts are named.
            linkerSettings: [.unsafeFlags(staticFoundation, .when(platforms: [.linux], configuration: .release))]),
        .executableTarget(name: "pmq-bench", dependencies: ["PMQ", "CSQLite"]),
        .testTarget(name: "PMQTests", dependencies: ["PMQ", "PMQEmbed", "pmq", .product(name: "CSV", package: "CSV.swift")],
                    exclude: ["Golden", "Fixtures"]),
    ],
    swiftLanguageModes: [.v5]
)
