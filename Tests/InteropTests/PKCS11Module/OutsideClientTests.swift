import Foundation
import Testing

/// GnuTLS p11tool and OpenSSL 3 through libp11's engine against the module.
@Suite("p11tool and libp11 against the module", .serialized)
struct OutsideClientTests {
    /// A token with one RSA-2048 key pair (id 01), made with pkcs11-tool.
    private func tokenWithKey(_ scratch: Scratch) async throws {
        let env = scratch.environment()
        for args in [
            ["--init-token", "--label", "cf-test", "--so-pin", "87654321"],
            ["--init-pin", "--so-pin", "87654321", "--pin", "123456"],
            ["--login", "--pin", "123456", "--keypairgen", "--key-type", "rsa:2048", "--id", "01", "--label", "k1"],
        ] {
            let run = try await runClient("pkcs11-tool", ["--module", ModuleUnderTest.path] + args, environment: env)
            try #require(run.status == 0, "\(run)")
        }
    }

    @Test("p11tool lists the token, its mechanisms and (after login) its objects")
    func p11tool() async throws {
        try #require(ModuleUnderTest.exists, "\(ModuleUnderTest.missing)")
        let scratch = try Scratch()
        defer { scratch.remove() }
        try await tokenWithKey(scratch)
        var env = scratch.environment()
        let tokens = try await runClient("p11tool", ["--provider", ModuleUnderTest.path, "--list-tokens"], environment: env)
        #expect(tokens.status == 0 && tokens.standardOutput.contains("token=cf-test"), "\(tokens)")
        let mechanisms = try await runClient("p11tool", ["--provider", ModuleUnderTest.path, "--list-mechanisms", "pkcs11:token=cf-test"], environment: env)
        #expect(mechanisms.status == 0 && mechanisms.standardOutput.contains("CKM_SHA256_RSA_PKCS") && mechanisms.standardOutput.contains("CKM_AES_CBC_PAD"), "\(mechanisms)")
        env["GNUTLS_PIN"] = "123456"
        let objects = try await runClient("p11tool", ["--provider", ModuleUnderTest.path, "--login", "--list-all", "pkcs11:token=cf-test"], environment: env)
        #expect(objects.status == 0, "\(objects)")
        #expect(objects.standardOutput.contains("Public key (RSA-2048)") && objects.standardOutput.contains("Private key (RSA-2048)"), "\(objects)")
    }

    @Test("OpenSSL with libp11's engine signs (PKCS#1 v1.5 and PSS, maximum salt) with a token key; openssl verifies")
    func libp11() async throws {
        try #require(ModuleUnderTest.exists, "\(ModuleUnderTest.missing)")
        let engine = "/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so"
        try #require(FileManager.default.fileExists(atPath: engine), "libengine-pkcs11-openssl is not installed (make deps)")
        let scratch = try Scratch()
        defer { scratch.remove() }
        try await tokenWithKey(scratch)
        let dir = scratch.root.path
        let config = """
            openssl_conf = openssl_init
            [openssl_init]
            engines = engine_section
            [engine_section]
            pkcs11 = pkcs11_section
            [pkcs11_section]
            engine_id = pkcs11
            dynamic_path = \(engine)
            MODULE_PATH = \(ModuleUnderTest.path)
            init = 0

            """
        try config.write(toFile: dir + "/openssl.cnf", atomically: true, encoding: .utf8)
        try "data signed by a token key".write(toFile: dir + "/data", atomically: true, encoding: .utf8)
        var env = scratch.environment()
        let publicKey = try await runClient("pkcs11-tool", ["--module", ModuleUnderTest.path, "--read-object", "--type", "pubkey", "--id", "01", "-o", dir + "/pub.der"], environment: env)
        try #require(publicKey.status == 0, "\(publicKey)")
        try #require(try await runClient("openssl", ["pkey", "-pubin", "-inform", "DER", "-in", dir + "/pub.der", "-out", dir + "/pub.pem"], environment: env).status == 0)
        env["OPENSSL_CONF"] = dir + "/openssl.cnf"
        let key = "pkcs11:token=cf-test;id=%01;type=private;pin-value=123456"
        for padding in [[], ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:max"]] {
            let sign = try await runClient("openssl", ["dgst", "-sha256", "-engine", "pkcs11", "-keyform", "engine", "-sign", key] + padding + ["-out", dir + "/sig", dir + "/data"], environment: env)
            #expect(sign.status == 0, "\(sign)")
            let verifyPadding = padding.isEmpty ? [] : ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:auto"]
            var plain = env
            plain["OPENSSL_CONF"] = nil
            let verify = try await runClient("openssl", ["dgst", "-sha256", "-verify", dir + "/pub.pem"] + verifyPadding + ["-signature", dir + "/sig", dir + "/data"], environment: plain)
            #expect(verify.status == 0 && verify.standardOutput.contains("Verified OK"), "\(verify)")
        }
    }
}
