// swift-tools-version:6.0
// The libFuzzer target, a package of its own so that `swift build` and `swift test` at
// the top never see it: it only links with -sanitize=fuzzer (LLVMFuzzerRunDriver comes
// from libFuzzer). Build and run it with Fuzz/run (which .ci/run calls for a bounded time).
import PackageDescription

let package = Package(
    name: "PMQFuzz",
    dependencies: [.package(name: "PMQ", path: "..")],
    targets: [
        .executableTarget(
            name: "PMQFuzz",
            dependencies: [.product(name: "PMQ", package: "PMQ")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])],
            // gold stops with an internal error on the sanitized objects; lld links them.
            linkerSettings: [.unsafeFlags(["-use-ld=lld"])]),
    ],
    swiftLanguageModes: [.v5]
)
