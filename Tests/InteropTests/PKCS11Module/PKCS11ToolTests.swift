import CryptoFramework
import Foundation
import ProcessSupport
import Testing

/// OpenSC's pkcs11-tool against the module, on both platforms: what an
/// administrator does first (list, init the token and PIN, generate a key,
/// sign and verify, hash, random), then its own `--test --login`.
@Suite("pkcs11-tool against the module", .serialized)
struct PKCS11ToolTests {
    static let soPIN = "87654321", userPIN = "123456"

    /// `pkcs11-tool -M`'s line for `name` (e.g. "SHA256-RSA-PKCS, keySize={…}, hw, sign, verify"), or nil.
    static func mechanismLine(_ output: String, _ name: String) -> String? {
        output.split(separator: "\n").map(String.init).first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(name + ",") }
    }

    @Test("pkcs11-tool -M on t2000: with every provider of the whole mechanism disabled, CKM_SHA256_RSA_PKCS is still listed, composed on ncp/0 (rule 6), until ncp/0's CKM_RSA_PKCS is disabled too")
    func metaslotListsCompositions() async throws {
        try #require(ModuleUnderTest.exists, "\(ModuleUnderTest.missing)")
        let scratch = try Scratch()
        defer { scratch.remove() }
        let env = scratch.environment(platform: "t2000")
        // Whoever lists CKM_SHA256_RSA_PKCS whole on t2000 (sparcfp), disabled for it.
        let framework = try CryptoFramework(platform: .t2000, policy: .inMemory(Policy()))
        let whole = framework.providers.filter { $0.info(for: .sha256RSAPKCS) != nil }.map(\.name)
        try #require(!whole.isEmpty && !whole.contains("ncp/0"), "\(whole)")
        try whole.map { "\($0):disabledlist=CKM_SHA256_RSA_PKCS\n" }.joined().write(toFile: scratch.conf, atomically: true, encoding: .utf8)
        let listed = try await runClient("pkcs11-tool", ["--module", ModuleUnderTest.path, "-M"], environment: env)
        #expect(listed.status == 0, "\(listed)")
        let line = Self.mechanismLine(listed.standardOutput, "SHA256-RSA-PKCS")
        #expect(line?.contains("hw") == true && line?.contains("sign") == true && line?.contains("verify") == true,
                "\(line ?? "not listed"): \(listed.standardOutput)")

        try (whole.map { "\($0):disabledlist=CKM_SHA256_RSA_PKCS\n" }.joined() + "ncp/0:disabledlist=CKM_RSA_PKCS\n")
            .write(toFile: scratch.conf, atomically: true, encoding: .utf8)
        let gone = try await runClient("pkcs11-tool", ["--module", ModuleUnderTest.path, "-M"], environment: env)
        #expect(gone.status == 0 && Self.mechanismLine(gone.standardOutput, "SHA256-RSA-PKCS") == nil, "\(gone.standardOutput)")
    }

    @Test("pkcs11-tool: -I -L -M, token and PIN set-up, RSA key pair, sign/verify, hash, random, --test --login", arguments: ["host", "t2000", "t5220"])
    func administratorSession(platform: String) async throws {
        try #require(ModuleUnderTest.exists, "\(ModuleUnderTest.missing)")
        let scratch = try Scratch()
        defer { scratch.remove() }
        let env = scratch.environment(platform: platform)
        func tool(_ args: String...) async throws -> ChildProcess.Outcome {
            try await runClient("pkcs11-tool", ["--module", ModuleUnderTest.path] + args, environment: env)
        }
        let info = try await tool("-I")
        #expect(info.status == 0 && info.standardOutput.contains("Cryptoki version 2.40") && info.standardOutput.contains("CryptoFramework"), "\(info)")
        let slots = try await tool("-L")
        #expect(slots.status == 0 && slots.standardOutput.contains("CryptoFramework metaslot"), "\(slots)")
        let mechanisms = try await tool("-M")
        #expect(mechanisms.status == 0, "\(mechanisms)")
        for name in ["RSA-PKCS-KEY-PAIR-GEN", "SHA256-RSA-PKCS", "RSA-PKCS-PSS", "SHA256", "DH-PKCS-DERIVE", "AES-CBC-PAD"] {
            #expect(mechanisms.standardOutput.contains(name), "\(name) missing: \(mechanisms)")
        }

        #expect(try await tool("--init-token", "--label", "cf-test", "--so-pin", Self.soPIN).status == 0)
        #expect(try await tool("--init-pin", "--so-pin", Self.soPIN, "--pin", Self.userPIN).status == 0)
        let keygen = try await tool("--login", "--pin", Self.userPIN, "--keypairgen", "--key-type", "rsa:2048", "--id", "01", "--label", "k1")
        #expect(keygen.status == 0 && keygen.standardOutput.contains("RSA 2048 bits"), "\(keygen)")

        let message = scratch.root.appendingPathComponent("message").path
        try Data("signed through the framework".utf8).write(to: URL(fileURLWithPath: message))
        let digest = scratch.root.appendingPathComponent("digest").path
        let hash = try await tool("--hash", "-m", "SHA256", "-i", message, "-o", digest)
        #expect(hash.status == 0, "\(hash)")
        let expected = try await runClient("openssl", ["dgst", "-sha256", "-r", message], environment: env)
        let computed = try Data(contentsOf: URL(fileURLWithPath: digest)).map { String(format: "%02x", $0) }.joined()
        #expect(expected.standardOutput.hasPrefix(computed) && computed.count == 64, "\(computed) vs \(expected)")

        let signature = scratch.root.appendingPathComponent("sig").path
        let sign = try await tool("--login", "--pin", Self.userPIN, "--sign", "-m", "SHA256-RSA-PKCS", "--id", "01", "-i", message, "-o", signature)
        #expect(sign.status == 0, "\(sign)")
        let verify = try await tool("--verify", "-m", "SHA256-RSA-PKCS", "--id", "01", "-i", message, "--signature-file", signature)
        #expect(verify.status == 0 && verify.standardOutput.contains("Signature is valid"), "\(verify)")

        let pss = scratch.root.appendingPathComponent("sig.pss").path
        let pssArgs = ["-m", "RSA-PKCS-PSS", "--hash-algorithm", "SHA256", "--mgf", "MGF1-SHA256", "--id", "01", "-i", digest]
        let signPSS = try await runClient("pkcs11-tool", ["--module", ModuleUnderTest.path, "--login", "--pin", Self.userPIN, "--sign", "-o", pss] + pssArgs, environment: env)
        #expect(signPSS.status == 0, "\(signPSS)")
        let verifyPSS = try await runClient("pkcs11-tool", ["--module", ModuleUnderTest.path, "--verify", "--signature-file", pss] + pssArgs, environment: env)
        #expect(verifyPSS.status == 0 && verifyPSS.standardOutput.contains("Signature is valid"), "\(verifyPSS)")

        let randomFile = scratch.root.appendingPathComponent("random").path
        let random = try await tool("--generate-random", "32", "-o", randomFile)
        #expect(random.status == 0, "\(random)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: randomFile)).count == 32)

        let test = try await tool("--test", "--login", "--pin", Self.userPIN)
        #expect(test.status == 0 && test.standardOutput.contains("No errors"), "\(test)")
        #expect(test.standardOutput.contains("all 4 signature functions seem to work"), "\(test)")
        #expect(test.standardOutput.contains("all 4 digest functions seem to work"), "\(test)")

        // Objects: the private key is invisible before login, and a wrong PIN is refused.
        let publicOnly = try await tool("-O")
        #expect(publicOnly.standardOutput.contains("Public Key Object") && !publicOnly.standardOutput.contains("Private Key Object"), "\(publicOnly)")
        let wrong = try await tool("--login", "--pin", "000000", "-O")
        #expect(wrong.status != 0 && wrong.standardError.contains("CKR_PIN_INCORRECT"), "\(wrong)")
    }

    @Test("pkcs11-tool on t5220: a P-256 key pair and ECDSA-SHA256 served by ncp/0 (sparcfp's digest, rule 6), verified by openssl")
    func ecdsaOnT5220() async throws {
        try #require(ModuleUnderTest.exists, "\(ModuleUnderTest.missing)")
        let scratch = try Scratch()
        defer { scratch.remove() }
        let trace = scratch.root.appendingPathComponent("trace").path
        let env = scratch.environment(platform: "t5220", extra: ["CRYPTOFRAMEWORK_TRACE": "1", "CRYPTOFRAMEWORK_TRACE_FILE": trace])
        func tool(_ args: [String]) async throws -> ChildProcess.Outcome {
            try await runClient("pkcs11-tool", ["--module", ModuleUnderTest.path] + args, environment: env)
        }
        #expect(try await tool(["--init-token", "--label", "cf-t2", "--so-pin", Self.soPIN]).status == 0)
        #expect(try await tool(["--init-pin", "--so-pin", Self.soPIN, "--pin", Self.userPIN]).status == 0)
        let keygen = try await tool(["--login", "--pin", Self.userPIN, "--keypairgen", "--key-type", "EC:prime256v1", "--id", "02", "--label", "ec"])
        #expect(keygen.status == 0, "\(keygen)")

        let message = scratch.root.appendingPathComponent("message").path
        try Data("signed on the T2's MAU".utf8).write(to: URL(fileURLWithPath: message))
        let signature = scratch.root.appendingPathComponent("sig.der").path
        let sign = try await tool(["--login", "--pin", Self.userPIN, "--sign", "-m", "ECDSA-SHA256", "--signature-format", "openssl",
                             "--id", "02", "-i", message, "-o", signature])
        #expect(sign.status == 0, "\(sign)")
        let publicKey = scratch.root.appendingPathComponent("pub.der").path
        // pkcs11-tool 0.23's read of an EC public key uses memory it freed: under
        // `make sanitize-address` this one child runs without the ASan runtime, on
        // the uninstrumented module (SanitizerPreload.Exemption).
        let reader = ModuleUnderTest.exempt(.pkcs11ToolECPublicKeyRead)
        let read = try await runClient("pkcs11-tool", ["--module", reader.module, "--read-object", "--type", "pubkey", "--id", "02", "-o", publicKey],
                                       environment: env, preloadsSanitizerRuntime: reader.preloadsRuntime)
        #expect(read.status == 0, "\(read)")
        let verify = try await runClient("openssl", ["dgst", "-sha256", "-verify", publicKey, "-keyform", "DER", "-signature", signature, message],
                                   environment: env)
        #expect(verify.status == 0 && verify.standardOutput.contains("Verified OK"), "\(verify)")
        let lines = (try? String(contentsOfFile: trace, encoding: .utf8)) ?? ""
        #expect(lines.contains("C_Sign CKM_ECDSA_SHA256 sign by ncp/0"), "\(lines)")
        #expect(lines.contains("CKM_ECDSA by ncp/0, CKM_SHA256 by sparcfp"), "\(lines)")
    }
}
