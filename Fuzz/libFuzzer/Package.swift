// swift-tools-version:6.1
import Foundation
import PackageDescription

// The libFuzzer executable over the framework's parsers (Fuzz/README.md). It is
// built only by Fuzz/run (`make fuzz`), with -sanitize=fuzzer,address and
// -parse-as-library: libFuzzer supplies main(). SwiftPM names a path dependency
// after its directory, so read that name rather than assume the checkout's.
let frameworkPath = "../.."
let frameworkPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent(frameworkPath).standardizedFileURL.lastPathComponent

let package = Package(
    name: "CryptoFrameworkFuzz",
    dependencies: [.package(path: frameworkPath)],
    targets: [
        .executableTarget(
            name: "cf-fuzz",
            dependencies: [.product(name: "FuzzTargets", package: frameworkPackage)]
        ),
    ]
)
