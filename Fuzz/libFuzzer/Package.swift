// swift-tools-version:6.1
import Foundation
import PackageDescription

// The libFuzzer executable over the framework's parsers (Fuzz/README.md). It is
// built only by Fuzz/run (`make fuzz`), with -sanitize=fuzzer,address; its
// main hands libFuzzer's driver the entry point. SwiftPM names a path dependency
// after its directory, so read that name rather than assume the checkout's.
let frameworkPath = "../.."
let frameworkPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent(frameworkPath).standardizedFileURL.lastPathComponent

let package = Package(
    name: "CryptoFrameworkFuzz",
    dependencies: [.package(path: frameworkPath)],
    targets: [
        .target(name: "CLibFuzzerDriver"),
        .executableTarget(
            name: "cf-fuzz",
            dependencies: ["CLibFuzzerDriver", .product(name: "FuzzTargets", package: frameworkPackage)]
        ),
    ]
)
