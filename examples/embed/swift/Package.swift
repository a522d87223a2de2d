// swift-tools-version:6.0
import PackageDescription

// A separate tool that embeds PMQ: it depends on the PMQ library by path.
let package = Package(
    name: "HealthCheck",
    dependencies: [.package(name: "PMQ", path: "../../..")],
    targets: [
        .executableTarget(name: "HealthCheck", dependencies: [.product(name: "PMQ", package: "PMQ")]),
    ],
    swiftLanguageModes: [.v5]
)
