import Foundation
import ProcessSupport
import Testing

/// pkcs11-tool 0.23's `--wrap`/`--unwrap` against the module, judged by the
/// openssl command line: an AES key wrapped with AES-KEY-WRAP is unwrapped by
/// `openssl enc -d -id-aes128-wrap` with the KEK read out of the token, and
/// by the module; a key openssl encrypted under the token's RSA public key
/// (PKCS#1 v1.5) is unwrapped by the module. pkcs11-tool 0.23 passes no
/// CK_RSA_PKCS_OAEP_PARAMS with `--wrap`/`--unwrap`, which the module refuses
/// (v2.40 §2.1.8 requires them), so OAEP is tested through the C client.
@Suite("pkcs11-tool --wrap/--unwrap against openssl", .serialized)
struct PKCS11ToolWrapTests {
    @Test("AES-KEY-WRAP and RSA-PKCS wrap and unwrap, read back and checked by openssl", arguments: ["host", "t2000"])
    func wrapAndUnwrap(platform: String) async throws {
        try #require(ModuleUnderTest.exists, "\(ModuleUnderTest.missing)")
        let scratch = try Scratch()
        defer { scratch.remove() }
        let env = scratch.environment(platform: platform)
        func path(_ name: String) -> String { scratch.root.appendingPathComponent(name).path }
        func tool(_ args: [String]) async throws -> ChildProcess.Outcome {
            try await runClient("pkcs11-tool", ["--module", ModuleUnderTest.path, "--login", "--pin", "123456"] + args, environment: env)
        }
        func bytes(_ name: String) -> [UInt8]? { (try? Data(contentsOf: URL(fileURLWithPath: path(name)))).map(Array.init) }
        func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }
        #expect(try await runClient("pkcs11-tool", ["--module", ModuleUnderTest.path, "--init-token", "--label", "wrap", "--so-pin", "87654321"], environment: env).status == 0)
        #expect(try await runClient("pkcs11-tool", ["--module", ModuleUnderTest.path, "--init-pin", "--so-pin", "87654321", "--pin", "123456"], environment: env).status == 0)
        // Token secret keys are private (the keystore seals key material under the user's PIN).
        for (id, type, wrap) in [("10", "AES:16", true), ("11", "AES:32", false)] {
            let made = try await tool(["--keygen", "--key-type", type, "--id", id, "--extractable", "--private"] + (wrap ? ["--usage-wrap"] : []))
            try #require(made.status == 0, "\(made)")
        }
        for (id, file) in [("10", "kek"), ("11", "target")] {
            let read = try await tool(["--read-object", "--type", "secrkey", "--id", id, "-o", path(file)])
            try #require(read.status == 0, "\(read)")
        }
        let kek = try #require(bytes("kek")), target = try #require(bytes("target"))
        #expect(kek.count == 16 && target.count == 32)

        let wrap = try await tool(["--wrap", "-m", "AES-KEY-WRAP", "--id", "10", "--application-id", "11", "-o", path("wrapped")])
        #expect(wrap.status == 0 && bytes("wrapped")?.count == 40, "\(wrap)")
        let unwrapped = try await runClient("openssl", ["enc", "-d", "-id-aes128-wrap", "-K", hex(kek), "-iv", "A6A6A6A6A6A6A6A6",
                                                  "-in", path("wrapped"), "-out", path("openssl-unwrapped")], environment: env)
        #expect(unwrapped.status == 0 && bytes("openssl-unwrapped") == target, "\(unwrapped)")

        func unwrapAndRead(_ mechanism: String, _ input: String, id: String) async throws -> [UInt8]? {
            let run = try await tool(["--unwrap", "-m", mechanism, "--id", mechanism == "AES-KEY-WRAP" ? "10" : "20", "-i", path(input),
                                "--key-type", "AES:", "--application-id", id, "--extractable", "--private"])
            #expect(run.status == 0, "\(mechanism): \(run)")
            _ = try await tool(["--read-object", "--type", "secrkey", "--id", id, "-o", path("value\(id)")])
            return bytes("value\(id)")
        }
        #expect(try await unwrapAndRead("AES-KEY-WRAP", "wrapped", id: "30") == target)

        let pair = try await tool(["--keypairgen", "--key-type", "rsa:2048", "--id", "20", "--usage-wrap", "--usage-decrypt"])
        try #require(pair.status == 0, "\(pair)")
        let pub = try await tool(["--read-object", "--type", "pubkey", "--id", "20", "-o", path("pub.der")])
        try #require(pub.status == 0, "\(pub)")
        let encrypted = try await runClient("openssl", ["pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey", path("pub.der"),
                                                  "-in", path("target"), "-out", path("rsa-wrapped")], environment: env)
        try #require(encrypted.status == 0, "\(encrypted)")
        #expect(try await unwrapAndRead("RSA-PKCS", "rsa-wrapped", id: "31") == target)
        let rsaWrap = try await tool(["--wrap", "-m", "RSA-PKCS", "--id", "20", "--application-id", "11", "-o", path("module-rsa-wrapped")])
        #expect(rsaWrap.status == 0 && bytes("module-rsa-wrapped")?.count == 256, "\(rsaWrap)")
        #expect(try await unwrapAndRead("RSA-PKCS", "module-rsa-wrapped", id: "32") == target)
    }
}
