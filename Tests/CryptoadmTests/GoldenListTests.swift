import CryptoFramework
import Foundation
import ProcessSupport
import Providers
import Testing

/// Every `cryptoadm list` form on one fixed policy, compared with the files in
/// Golden/. The mechanism lists come from the real providers of every platform.
///
/// Regenerate (after a provider or platform changes what it registers, and
/// read the diff before committing):
///
///     CRYPTOADM_REGENERATE_GOLDEN=1 swift test --filter CryptoadmTests.GoldenListTests
@Suite("cryptoadm list: golden output")
struct GoldenListTests {
    /// The fixed policy: a disabled list, an unloaded provider, random disabled.
    static let policy = """
        openssl:disabledlist=CKM_SHA_1,CKM_DES3_CBC
        gmp:unload
        sodium:disabledlist=random

        """

    /// Golden file name → arguments after `list`.
    static let forms: [(String, [String])] = [
        ("list", []),
        ("list-v", ["-v"]),
        ("list-m", ["-m"]),
        ("list-p", ["-p"]),
        ("list-mv", ["-mv"]),
        ("list-provider", ["provider=openssl"]),
        ("list-m-provider", ["-m", "provider=openssl"]),
        ("list-m-provider-inactive", ["-m", "provider=gmp"]),
        ("list-p-provider", ["-p", "provider=sodium"]),
        ("list-mv-provider-mechanism", ["-mv", "provider=openssl", "mechanism=CKM_RSA_PKCS,CKM_SHA256"]),
        ("list-mechanism", ["mechanism=CKM_RSA_PKCS"]),
        ("list-m-mechanism", ["-m", "mechanism=CKM_SHA256,CKM_RSA_X_509"]),
        ("list-p-mechanism", ["-p", "mechanism=CKM_SHA256"]),
    ]

    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// Provider summaries carry library versions (libcrypto 3.0.x); the golden
    /// files hold `{summary of NAME}` in their place.
    static func normalized(_ output: String) throws -> String {
        var text = output
        for platform in Platform.all {
            for provider in try CryptoFramework(platform: platform, policy: .inMemory(Policy())).providers {
                text = text.replacingOccurrences(of: provider.summary, with: "{summary of \(provider.name)}")
            }
        }
        return text
    }

    @Test("list form matches its golden file", arguments: forms.map(\.0))
    func golden(_ name: String) throws {
        let arguments = Self.forms.first { $0.0 == name }!.1
        let config = try scratchConfig(Self.policy)
        let run = try CryptoadmProcess(["list"] + arguments + ["--config", config.path]).wait()
        #expect(run.status == 0, "\(run)")
        #expect(run.standardError == "")
        let output = try Self.normalized(run.standardOutput)
        let file = Self.goldenDirectory.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["CRYPTOADM_REGENERATE_GOLDEN"] == "1" {
            try Data(output.utf8).write(to: file)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(output == expected, "cryptoadm list \(arguments.joined(separator: " ")) differs from Golden/\(name).txt")
    }

    @Test("combined and separate flags give the same output")
    func combinedFlags() throws {
        let config = try scratchConfig(Self.policy)
        let combined = try cryptoadm("list", "-mv", "--config", config.path)
        let separate = try cryptoadm("list", "-v", "-m", "--config", config.path)
        #expect(combined.status == 0)
        #expect(combined.standardOutput == separate.standardOutput)
    }
}
