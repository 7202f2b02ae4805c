// swift-tools-version:6.1
import Foundation
import PackageDescription

// A provider written outside the framework's package, against its public SPI:
// it depends on CryptoFramework by path (the repository two levels up).
// SwiftPM names a path dependency after its directory, so read that name here
// rather than assume how the checkout is called.
let frameworkPath = "../.."
let frameworkPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent(frameworkPath).standardizedFileURL.lastPathComponent

let package = Package(
    name: "CountingDigestProvider",
    dependencies: [.package(path: frameworkPath)],
    targets: [
        // The provider: SHA-256 in pure Swift, counting the requests it serves.
        .target(
            name: "CountingDigestProvider",
            dependencies: [.product(name: "CryptoFramework", package: frameworkPackage)]
        ),
        // Registers it on a platform made of the host's providers plus itself and runs requests.
        .executableTarget(
            name: "counting-digest-demo",
            dependencies: [
                "CountingDigestProvider",
                .product(name: "CryptoFramework", package: frameworkPackage),
                .product(name: "Providers", package: frameworkPackage),
            ],
            path: "Sources/CountingDigestDemo"
        ),
    ]
)
