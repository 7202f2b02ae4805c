// swift-tools-version:6.1
import PackageDescription

// SE-0461: a nonisolated async function runs on its caller's executor instead of
// hopping to the generic one. Set where the hot async paths are — the framework's
// `perform`, the providers' `performAsync`, the IKE crypto session, the server —
// so an actor's calls into them (an IKE exchange's turn) switch executor twice less
// per operation (DESIGN.md, "IKE layering"; performance.md).
let nonsending: [SwiftSetting] = [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]

let package = Package(
    name: "CryptoFramework",
    products: [
        .library(name: "CryptoFramework", targets: ["CryptoFramework"]),
        .library(name: "Providers", targets: ["Providers"]),
        .executable(name: "ikebench", targets: ["IKEBench"]),
        .executable(name: "cryptoadm", targets: ["cryptoadm"]),
        // The framework as a PKCS#11 v2.40 module any process can load
        // (`.build/release/libCryptoFrameworkPKCS11.so`; README "PKCS#11 module").
        .library(name: "CryptoFrameworkPKCS11", type: .dynamic, targets: ["CryptoFrameworkPKCS11"]),
        // One C client on the module and on SoftHSM2 beside the Swift API (`make bench-pkcs11`).
        .executable(name: "pkcs11-speed", targets: ["PKCS11Speed"]),
        // The parsers' fuzz entry points, for the libFuzzer package in Fuzz/ (`make fuzz`).
        .library(name: "FuzzTargets", targets: ["FuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        // `make docs` (swift package generate-documentation); a command plugin, not built by `swift build`.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
    ],
    targets: [
        // C libraries, found through pkg-config; `make deps` installs the -dev packages.
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CGMP", pkgConfig: "gmp", providers: [.apt(["libgmp-dev"])]),
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        // PKCS#11 v2.40 declarations (p11-kit's pkcs11.h); modules themselves are dlopen()ed.
        .systemLibrary(name: "CPKCS11", pkgConfig: "p11-kit-1", providers: [.apt(["libp11-kit-dev"])]),

        // The package's monotonic clock and its one lock type, below the framework and
        // the process layer alike (the framework re-exports them).
        .target(name: "SystemPrimitives"),
        // The framework: mechanisms, keys, the provider SPI, registry, policy, algorithms.
        // It imports no provider's C library.
        .target(
            name: "CryptoFramework",
            dependencies: [
                "SystemPrimitives",
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "BigInt", package: "BigInt"),
            ],
            swiftSettings: nonsending
        ),
        // One target per provider (Sources/Providers/<Name>), so each one's real
        // dependencies show here; Platforms assembles them; Providers re-exports them all.
        .target(name: "ProviderOpenSSL", dependencies: ["CryptoFramework", "CLibCrypto"], path: "Sources/Providers/OpenSSL", swiftSettings: nonsending),
        // GMP's RSA and DH; libcrypto supplies its random bytes and digests.
        .target(name: "ProviderGMP", dependencies: ["CryptoFramework", "CGMP", "CLibCrypto"], path: "Sources/Providers/GMP", swiftSettings: nonsending),
        .target(name: "ProviderSodium", dependencies: ["CryptoFramework", "CSodium"], path: "Sources/Providers/Sodium", swiftSettings: nonsending),
        // Any PKCS#11 module (SoftHSM2 …) as a provider, dlopen()ed.
        .target(name: "ProviderPKCS11", dependencies: ["CryptoFramework", "CPKCS11"], path: "Sources/Providers/PKCS11", swiftSettings: nonsending),
        // What every emulated device shares: fast or timed release of results.
        .target(name: "EmulatedHardware", dependencies: ["CryptoFramework"], path: "Sources/Providers/EmulatedHardware", swiftSettings: nonsending),
        // ncp/0: emulated MAUs computing with GMP's engine.
        .target(name: "ProviderNCP", dependencies: ["CryptoFramework", "EmulatedHardware", "ProviderGMP"], path: "Sources/Providers/NCP", swiftSettings: nonsending),
        // sparcfp: the T1's FP bignum over GMP integers; its symmetric and random work is handed in by the platform.
        .target(
            name: "ProviderSPARCFloat", dependencies: ["CryptoFramework", "EmulatedHardware", "ProviderGMP", "CGMP"],
            path: "Sources/Providers/SPARCFloat", swiftSettings: nonsending),
        // n2cp/0 and n2rng/0: the UltraSPARC T2's cipher/hash units and random generator, emulated;
        // their answers come from the providers the platform hands in.
        .target(name: "ProviderNiagara2", dependencies: ["CryptoFramework", "EmulatedHardware"], path: "Sources/Providers/Niagara2", swiftSettings: nonsending),
        // host, t2000 and t5220: which providers each platform builds.
        .target(
            name: "Platforms",
            dependencies: ["CryptoFramework", "EmulatedHardware", "ProviderOpenSSL", "ProviderGMP", "ProviderSodium",
                           "ProviderPKCS11", "ProviderNCP", "ProviderSPARCFloat", "ProviderNiagara2"],
            path: "Sources/Providers/Platforms", swiftSettings: nonsending),
        // `import Providers`: every provider and the platforms.
        .target(
            name: "Providers",
            dependencies: ["EmulatedHardware", "ProviderOpenSSL", "ProviderGMP", "ProviderSodium", "ProviderPKCS11",
                           "ProviderNCP", "ProviderSPARCFloat", "ProviderNiagara2", "Platforms"],
            path: "Sources/Providers/Umbrella"),
        // Plain-text tables and durations, as every report, listing and chart writes them.
        .target(name: "TextFormat"),
        // SVG charts written by the tools themselves: bars and lines on log axes, no plotting runtime.
        .target(name: "Charts", dependencies: ["TextFormat"]),
        // The IKE protocol: ISAKMP messages and IKEv1 Main Mode state machines over
        // the framework. No I/O; depends on the framework alone.
        .target(name: "IKEProtocol", dependencies: ["CryptoFramework"], swiftSettings: nonsending),
        // The Phase I benchmark harness above the protocol: runs, reports, chart
        // data, the 2007 figures and their explanation.
        .target(
            name: "IKEHarness",
            dependencies: [
                "CryptoFramework", "IKEProtocol", "Providers", "Charts", "TextFormat",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // IKE on the wire: the Main Mode responder and initiator on UDP (SwiftNIO),
        // the bounded exchange table, and peer trust from X.509 (swift-certificates).
        // It reports through ResponderObserver and knows no provider.
        .target(
            name: "IKEServer",
            dependencies: [
                "CryptoFramework", "IKEProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: nonsending
        ),
        // The command-line options ikebench and cryptoadm share: platform, policy file,
        // the emulated T2000's timing and FP what-if, JSON output.
        .target(
            name: "CommandLineOptions",
            dependencies: ["CryptoFramework", "Providers", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The IKE Phase I benchmark; `make bench` runs it.
        .executableTarget(
            name: "IKEBench",
            dependencies: [
                "CryptoFramework", "Providers", "IKEProtocol", "IKEHarness", "IKEServer", "Charts", "Retell", "TextFormat",
                "CommandLineOptions", "ProcessSupport",
                "CSodium",  // `ikebench speed`'s sodium-direct lines (Speed/SodiumDirect.swift)
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The 2007 experiment rerun with strongSwan: a responder charon on the framework's
        // PKCS#11 module, an initiator charon, cryptoadm in between (`ikebench retell`, `make retell`).
        .target(
            name: "Retell",
            dependencies: ["CryptoFramework", "Providers", "IKEProtocol", "IKEHarness", "ProcessSupport", "Charon", "TextFormat"]
        ),
        // The PKCS#11 module's implementation: one metaslot over the registry,
        // sessions and handle tables, token objects in a PIN-protected keystore
        // (libcrypto for PBKDF2 and AES-GCM). cryptoadm reads the slot's status from it.
        .target(
            name: "PKCS11Module",
            dependencies: ["CryptoFramework", "Providers", "CPKCS11", "CLibCrypto"]
        ),
        // The module's C ABI alone: the @_cdecl entry points and the CK_FUNCTION_LIST
        // (libCryptoFrameworkPKCS11.so), each entry point one call into PKCS11Module.
        .target(
            name: "CryptoFrameworkPKCS11",
            dependencies: ["PKCS11Module", "CPKCS11"]
        ),
        .executableTarget(name: "PKCS11Speed", dependencies: ["CryptoFramework", "Providers", "ProcessSupport", "TextFormat"]),
        // Figures of the emulated providers' models and host costs, printed, never asserted (`make bench`).
        .executableTarget(name: "model-figures", dependencies: ["CryptoFramework", "Providers", "TextFormat"], path: "Benchmarks/ModelFigures"),
        // The administrator's command (DESIGN.md "cryptoadm"), Solaris syntax and formats.
        .executableTarget(
            name: "cryptoadm",
            dependencies: [
                "CryptoFramework", "Providers", "PKCS11Module", "TextFormat", "CommandLineOptions",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // One entry point per parser for the fuzzers (Fuzz/README.md); the tests replay the seed corpora through them.
        .target(
            name: "FuzzTargets",
            dependencies: ["CryptoFramework", "Providers", "IKEProtocol", "IKEHarness", "IKEServer", "PKCS11Module", "CryptoFrameworkPKCS11", "CPKCS11"],
            path: "Fuzz/Targets"
        ),

        // The one process layer: child processes (charon, swanctl, openssl, pkcs11-tool,
        // ikebench serve …) spawned with their signal state reset, waited for with a
        // bound, ended by their pid; and Polling, the one way to wait for a condition.
        .target(name: "ProcessSupport", dependencies: ["SystemPrimitives", "CProcessShims"]),
        // pipe2, mkostemp and posix_spawn_file_actions_addclosefrom_np: GNU extensions Swift's Glibc does not declare.
        .target(name: "CProcessShims"),
        // strongSwan's charon under our control: its configuration files, a private /run
        // (unshare), start, swanctl over vici, stop by pid. Retell and the tests' harness share it.
        .target(name: "Charon", dependencies: ["ProcessSupport"]),
        // Helpers the test targets share (a seeded generator, SVG inspection, test certificates and charons,
        // hex, the CryptoError expectation).
        .target(name: "TestSupport", dependencies: ["ProcessSupport", "Charon", "CryptoFramework"], path: "Tests/TestSupport"),

        .testTarget(
            name: "CryptoFrameworkTests",
            dependencies: ["CryptoFramework", "Providers", "TestSupport", "ProcessSupport", .product(name: "BigInt", package: "BigInt")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "ProvidersTests",
            dependencies: [
                "CryptoFramework", "Providers", "CLibCrypto", "TestSupport", "ProcessSupport", "IKEProtocol", "IKEHarness",
                // @testable imports of the provider targets' internals
                "EmulatedHardware", "Platforms", "ProviderNCP", "ProviderPKCS11", "ProviderSPARCFloat",
            ],
            // Fixtures: C sources the PKCS#11 tests compile into fake modules (read via #filePath).
            exclude: ["Fixtures"],
            resources: [.copy("../Vectors")]
        ),
        // Runs the built cryptoadm binary; depending on the executable makes
        // `swift test` build it first.
        .testTarget(
            name: "CryptoadmTests",
            dependencies: ["cryptoadm", "CryptoFramework", "Providers", "ProcessSupport", "TestSupport"],
            // Golden outputs are read (and regenerated) in the source tree via #filePath.
            exclude: ["Golden"]
        ),
        // SVGs parsed as XML and rendered by librsvg's rsvg-convert.
        .testTarget(name: "ChartsTests", dependencies: ["Charts", "TestSupport"]),
        // The process layer on ordinary tools (sh, cat, sleep), and polling.
        .testTarget(name: "ProcessSupportTests", dependencies: ["ProcessSupport", "SystemPrimitives"]),
        // What the IKE tests share: frameworks and keys, a hand-wired initiator and
        // responder with deliberate faults, a recording observer, the built ikebench.
        .target(
            name: "IKETestKit",
            dependencies: ["IKEProtocol", "IKEHarness", "IKEServer", "CryptoFramework", "Providers", "TestSupport", "ProcessSupport",
                           .product(name: "NIOPosix", package: "swift-nio")],
            path: "Tests/IKETestKit"
        ),
        .testTarget(
            name: "IKEBenchTests",
            dependencies: [
                "IKEProtocol", "IKEHarness", "IKEServer", "IKEBench", "CryptoFramework", "Providers", "TestSupport", "ProcessSupport",
                "IKETestKit", "FuzzTargets",
            ],
            resources: [.copy("Fixtures")]
        ),
        // The interop tier: programs this project did not write, run against what it built.
        // Charon/: strongSwan's charon against ikebench serve and run --peer. PKCS11Module/:
        // pkcs11-tool, p11tool, OpenSSL with libp11 and a C client (Fixtures, compiled with cc)
        // against libCryptoFrameworkPKCS11.so. Retell/: charon on the module's token with
        // cryptoadm between runs. Packaging/: make install and man(1). OpenSSL/: the openssl
        // command line judging the framework's EC. `make test-fast` skips it.
        // Depending on the executables makes `swift test` build them first.
        .testTarget(
            name: "InteropTests",
            dependencies: [
                "CryptoFramework", "Providers", "IKEProtocol", "IKEHarness", "IKEServer", "IKEBench", "Retell", "Charon",
                "ProcessSupport", "TestSupport", "IKETestKit", "cryptoadm",
            ],
            exclude: ["PKCS11Module/Fixtures"]
        ),
    ]
)
