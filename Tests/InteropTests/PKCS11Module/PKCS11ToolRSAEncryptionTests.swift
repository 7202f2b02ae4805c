import Foundation
import ProcessSupport
import Testing

/// pkcs11-tool 0.23 decrypts through the module what `openssl pkeyutl
/// -encrypt` made with the token key's public half (read out with
/// `--read-object`): PKCS#1 v1.5, OAEP with SHA-1 and OAEP with SHA-256.
/// (0.23's `--encrypt` serves secret keys only; the other direction is
/// RSAEncryptionOpenSSLTests and the C client's rsaenc scenario.)
@Suite("pkcs11-tool RSA decryption against openssl", .serialized)
struct PKCS11ToolRSAEncryptionTests {
    @Test("openssl pkeyutl -encrypt, pkcs11-tool --decrypt: RSA-PKCS, RSA-PKCS-OAEP SHA-1 and SHA-256", arguments: ["host", "t2000"])
    func decryptOpenSSLCiphertext(platform: String) async throws {
        try #require(ModuleUnderTest.exists, "\(ModuleUnderTest.missing)")
        let scratch = try Scratch()
        defer { scratch.remove() }
        let env = scratch.environment(platform: platform)
        func tool(_ args: [String]) async throws -> ChildProcess.Outcome {
            try await runClient("pkcs11-tool", ["--module", ModuleUnderTest.path] + args, environment: env)
        }
        func path(_ name: String) -> String { scratch.root.appendingPathComponent(name).path }
        #expect(try await tool(["--init-token", "--label", "enc", "--so-pin", "87654321"]).status == 0)
        #expect(try await tool(["--init-pin", "--so-pin", "87654321", "--pin", "123456"]).status == 0)
        let keygen = try await tool(["--login", "--pin", "123456", "--keypairgen", "--key-type", "rsa:2048", "--id", "02", "--usage-decrypt"])
        try #require(keygen.status == 0, "\(keygen)")
        let read = try await tool(["--read-object", "--type", "pubkey", "--id", "02", "-o", path("pub.der")])
        try #require(read.status == 0, "\(read)")
        let message = Array("decrypted by the token".utf8)
        try Data(message).write(to: URL(fileURLWithPath: path("msg")))
        let cases: [(String, [String], [String])] = [
            ("RSA-PKCS", [], []),
            ("RSA-PKCS-OAEP", ["-pkeyopt", "rsa_padding_mode:oaep"], ["--hash-algorithm", "SHA-1", "--mgf", "MGF1-SHA1"]),
            ("RSA-PKCS-OAEP", ["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256"],
             ["--hash-algorithm", "SHA256", "--mgf", "MGF1-SHA256"]),
        ]
        for (i, (mechanism, opensslOptions, toolOptions)) in cases.enumerated() {
            let encrypt = try await runClient("openssl", ["pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey", path("pub.der"),
                                                    "-in", path("msg"), "-out", path("ct\(i)")] + opensslOptions, environment: env)
            try #require(encrypt.status == 0, "\(encrypt)")
            let decrypt = try await tool(["--login", "--pin", "123456", "--decrypt", "-m", mechanism, "--id", "02",
                                    "-i", path("ct\(i)"), "-o", path("pt\(i)")] + toolOptions)
            #expect(decrypt.status == 0, "\(mechanism) \(toolOptions): \(decrypt)")
            #expect(Array((try? Data(contentsOf: URL(fileURLWithPath: path("pt\(i)")))) ?? Data()) == message, "\(mechanism) \(toolOptions)")
        }
    }
}
