// swift-tools-version:6.0
import PackageDescription

#if arch(x86_64)
let lazyXML: [String] = []
#else
let lazyXML = ["-lxml2"]
#endif

/// Swift's runtime and Foundation as static archives (Swift 6.x on Linux), grouped so their
/// order does not matter; zlib stays shared. Start-up (BENCHMARKS.md, s1) also asks for:
/// - the C++ library (needed by Foundation's ICU) linked statically too (see Link/libstdc++.so);
/// - libxml2 (FoundationXML) loaded when XML is first used, not at start (Sources/CLazyXML),
///   on x86-64; elsewhere it is linked as a shared library as before;
/// - no position-independent executable: the 82,000 relative relocations of a static Swift
///   and Foundation are then resolved by the linker, not by the loader in every process
///   (the price is that the executable itself is not loaded at a random address).
let staticFoundation = ["-static-stdlib", "-Xlinker", "--start-group"]
    + ["Foundation", "FoundationXML", "_CFXMLInterface", "FoundationInternationalization", "FoundationEssentials",
       "CoreFoundation", "_FoundationICU", "_FoundationCShims", "_FoundationCollections", "swiftSynchronization",
       "swiftDispatch", "dispatch", "BlocksRuntime", "swift_StringProcessing", "swift_RegexParser", "swiftGlibc",
       "swift_Concurrency", "swift_Builtin_float"].map { "-l" + $0 }
    + ["-Xlinker", "--end-group", "-lz"]
    + ["-L", Context.packageDirectory + "/Link", "-Xlinker", "-lstdc++", "-Xclang-linker", "-no-pie"]
    + lazyXML

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
        // Tests only: the reference encoder the MSPDI export's own streaming encoder
        // (Sources/PMQ/Schedule/XMLStreamEncoder.swift) is checked against, byte for byte.
        .package(url: "https://github.com/CoreOffice/XMLCoder", from: "0.18.2"),
        // HTML output (`--format html`, `export ... to "F.html"`), escaped by construction.
        .package(url: "https://github.com/JohnSundell/Plot", from: "0.14.0"),
    ],
    targets: [
        // The system SQLite, linked directly: the library needs nothing else but Foundation.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        // libpq (Debian libpq5), for `--db postgresql://...`: loaded when a server URL is first
        // opened, not linked, so a SQLite run does not load it and the thirty libraries it
        // needs (start-up, BENCHMARKS.md s1). Its headers are not needed to build.
        .target(name: "CLibPQ", linkerSettings: [.linkedLibrary("dl")]),
        // GNU readline: used by the pmq executable only, never by the library.
        .systemLibrary(name: "CReadline", path: "Sources/CReadline"),
        .target(name: "PMQ", dependencies: [
            "CSQLite",
            "CLibPQ",
            .product(name: "CSV", package: "CSV.swift"),
            .product(name: "Plot", package: "Plot"),
        ]),
        .target(name: "PMQEmbed", dependencies: ["PMQ"], exclude: ["include"]),
        // libxml2 for a release `pmq`'s static FoundationXML, loaded on first use (start-up).
        .target(name: "CLazyXML", linkerSettings: [.linkedLibrary("dl")]),
        .executableTarget(
            name: "pmq",
            dependencies: ["PMQ", "CReadline", "CLazyXML", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            // Start-up: a release pmq on Linux links Swift's runtime and Foundation statically,
            // so the dynamic loader does not bind thousands of symbols before `pmq -e ...` can
            // start (half of its CPU time; BENCHMARKS.md, s1). Debug builds (and the test
            // bundle, which links this module next to the dynamic libPMQEmbed) stay dynamic.
            // The modules were compiled for the shared Foundation, so its static parts are named.
            linkerSettings: [.unsafeFlags(staticFoundation, .when(platforms: [.linux], configuration: .release))]),
        .executableTarget(name: "pmq-bench", dependencies: ["PMQ", "CSQLite", "CLibPQ"]),
        .testTarget(name: "PMQTests", dependencies: ["PMQ", "PMQEmbed", "pmq", .product(name: "CSV", package: "CSV.swift"),
                                                .product(name: "XMLCoder", package: "XMLCoder")],
                    exclude: ["Golden", "Fixtures"]),
    ],
    swiftLanguageModes: [.v5]
)
