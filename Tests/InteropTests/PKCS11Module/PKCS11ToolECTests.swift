import Foundation
import ProcessSupport
import Testing
import TestSupport

/// OpenSC's pkcs11-tool (0.23) with EC keys on the module, every result
/// checked by the openssl command: P-256 and P-384 key pairs, ECDSA-SHA256/384
/// signatures, ECDH1-DERIVE with the peer's point raw and DER-wrapped (on host,
/// and on t2000 where sparcfp's software ECC serves them), Ed25519
/// (EC:edwards25519) with EDDSA, and X25519 (EC:curve25519) key pairs (host).
@Suite("pkcs11-tool with EC keys against the module", .serialized)
struct PKCS11ToolECTests {
    static let soPIN = "87654321", userPIN = "123456"

    /// A token set up in a scratch keystore, and pkcs11-tool and openssl run against it.
    struct Session {
        let scratch: Scratch
        let env: [String: String]

        init(platform: String = "host") async throws {
            try #require(ModuleUnderTest.exists, "\(ModuleUnderTest.missing)")
            scratch = try Scratch()
            env = scratch.environment(platform: platform)
            try #require(try await tool("--init-token", "--label", "cf-ec", "--so-pin", PKCS11ToolECTests.soPIN).status == 0)
            try #require(try await tool("--init-pin", "--so-pin", PKCS11ToolECTests.soPIN, "--pin", PKCS11ToolECTests.userPIN).status == 0)
        }

        func tool(_ args: String...) async throws -> ChildProcess.Outcome {
            try await runClient("pkcs11-tool", ["--module", ModuleUnderTest.path] + args, environment: env)
        }

        func userTool(_ args: String...) async throws -> ChildProcess.Outcome {
            try await runClient("pkcs11-tool", ["--module", ModuleUnderTest.path, "--login", "--pin", PKCS11ToolECTests.userPIN] + args, environment: env)
        }

        func openssl(_ args: String...) async throws -> ChildProcess.Outcome {
            try await runClient("openssl", args, environment: env)
        }

        func path(_ name: String) -> String { scratch.root.appendingPathComponent(name).path }

        /// The public key of object `id` as a PEM file openssl reads: its
        /// SubjectPublicKeyInfo is `prefix` (the DER up to the point) and the
        /// point pkcs11-tool prints (`EC_POINT:` is the OCTET STRING; 0.23's
        /// --read-object cannot export a P-384 key, with SoftHSM2 either).
        func publicKeyPEM(id: String, spkiPrefix prefix: String) async throws -> String {
            let listing = try await tool("-O", "--type", "pubkey", "--id", id)
            let line = try #require(listing.standardOutput.split(separator: "\n").first { $0.contains("EC_POINT:") }, "\(listing)")
            let octetString = line.split(separator: " ").last.map(String.init) ?? ""
            // 04 len [81 len]: the OCTET STRING's header, then the point.
            let point = octetString.dropFirst(octetString.dropFirst(2).hasPrefix("81") ? 6 : 4)
            let der = path("pub-\(id).der"), pem = path("pub-\(id).pem")
            try Data(try [UInt8](hex: prefix + point)).write(to: URL(fileURLWithPath: der))
            let convert = try await openssl("pkey", "-pubin", "-inform", "DER", "-in", der, "-out", pem)
            try #require(convert.status == 0, "\(convert)")
            return pem
        }
    }

    /// SubjectPublicKeyInfo up to the point (RFC 5480): SEQUENCE, id-ecPublicKey and the curve, BIT STRING.
    static let p256Prefix = "3059301306072a8648ce3d020106082a8648ce3d030107034200"
    static let p384Prefix = "3076301006072a8648ce3d020106052b81040022036200"
    static let ed25519Prefix = "302a300506032b6570032100"

    @Test("EC:prime256v1 and EC:secp384r1 key pairs; ECDSA-SHA256/384 signatures verified by openssl and by pkcs11-tool", arguments: [
        ("EC:prime256v1", "ECDSA-SHA256", "-sha256", p256Prefix), ("EC:secp384r1", "ECDSA-SHA384", "-sha384", p384Prefix),
    ], ["host", "t2000"])
    func ecdsa(_ c: (keyType: String, mechanism: String, digest: String, prefix: String), platform: String) async throws {
        let (keyType, mechanism, digest, prefix) = c
        let s = try await Session(platform: platform)
        defer { s.scratch.remove() }
        let keygen = try await s.userTool("--keypairgen", "--key-type", keyType, "--id", "01", "--label", "ec", "--usage-sign")
        #expect(keygen.status == 0 && keygen.standardOutput.contains("Public Key Object; EC"), "\(keygen)")
        let message = s.path("message")
        try Data("signed by an EC key through the framework".utf8).write(to: URL(fileURLWithPath: message))
        let pem = try await s.publicKeyPEM(id: "01", spkiPrefix: prefix)

        // DER for openssl (--signature-format openssl), r‖s for pkcs11-tool's own verify.
        let der = s.path("sig.der"), raw = s.path("sig.raw")
        let signDER = try await s.userTool("--sign", "-m", mechanism, "--id", "01", "-i", message, "-o", der, "--signature-format", "openssl")
        #expect(signDER.status == 0, "\(signDER)")
        let verified = try await s.openssl("dgst", digest, "-verify", pem, "-signature", der, message)
        #expect(verified.status == 0 && verified.standardOutput.contains("Verified OK"), "\(verified)")
        let signRaw = try await s.userTool("--sign", "-m", mechanism, "--id", "01", "-i", message, "-o", raw)
        #expect(signRaw.status == 0, "\(signRaw)")
        let verify = try await s.tool("--verify", "-m", mechanism, "--id", "01", "-i", message, "--signature-file", raw)
        #expect(verify.status == 0 && verify.standardOutput.contains("Signature is valid"), "\(verify)")
        // A signature over other data is refused.
        try Data("something else".utf8).write(to: URL(fileURLWithPath: message))
        let refused = try await s.tool("--verify", "-m", mechanism, "--id", "01", "-i", message, "--signature-file", raw)
        #expect(refused.standardOutput.contains("Invalid signature") || refused.standardError.contains("CKR_SIGNATURE_INVALID"), "\(refused)")
    }

    @Test("ECDH1-DERIVE on P-256 agrees with openssl pkeyutl -derive, the peer's point raw and DER-wrapped (--derive-pass-der)",
          arguments: ["host", "t2000"])
    func ecdh(platform: String) async throws {
        let s = try await Session(platform: platform)
        defer { s.scratch.remove() }
        let keygen = try await s.userTool("--keypairgen", "--key-type", "EC:prime256v1", "--id", "02", "--usage-derive")
        #expect(keygen.status == 0, "\(keygen)")
        let ours = try await s.publicKeyPEM(id: "02", spkiPrefix: Self.p256Prefix)
        let peer = s.path("peer.pem"), peerDER = s.path("peer.der"), expected = s.path("z.openssl")
        #expect(try await s.openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", peer).status == 0)
        #expect(try await s.openssl("pkey", "-in", peer, "-pubout", "-outform", "DER", "-out", peerDER).status == 0)
        #expect(try await s.openssl("pkeyutl", "-derive", "-inkey", peer, "-peerkey", ours, "-out", expected).status == 0)
        let z = try Data(contentsOf: URL(fileURLWithPath: expected))
        #expect(z.count == 32)
        for extra in [[], ["--derive-pass-der"]] {
            let out = s.path("z.module")
            let derive = try await runClient(
                "pkcs11-tool",
                ["--module", ModuleUnderTest.path, "--login", "--pin", Self.userPIN, "--derive", "-m", "ECDH1-DERIVE", "--id", "02",
                 "-i", peerDER, "-o", out] + extra, environment: s.env)
            #expect(derive.status == 0, "\(derive)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == z, "\(extra)")
        }
    }

    @Test("EC:edwards25519 (a PrintableString curve name) signs with EDDSA, verified by openssl; EC:curve25519 makes an X25519 pair")
    func edwardsAndMontgomery() async throws {
        let s = try await Session()
        defer { s.scratch.remove() }
        let ed = try await s.userTool("--keypairgen", "--key-type", "EC:edwards25519", "--id", "03", "--usage-sign")
        #expect(ed.status == 0 && ed.standardOutput.contains("EC_EDWARDS"), "\(ed)")
        let message = s.path("message"), signature = s.path("sig")
        try Data("pure Ed25519".utf8).write(to: URL(fileURLWithPath: message))
        let sign = try await s.userTool("--sign", "-m", "EDDSA", "--id", "03", "-i", message, "-o", signature)
        #expect(sign.status == 0, "\(sign)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: signature)).count == 64)
        let pem = try await s.publicKeyPEM(id: "03", spkiPrefix: Self.ed25519Prefix)
        let verified = try await s.openssl("pkeyutl", "-verify", "-pubin", "-inkey", pem, "-rawin", "-in", message, "-sigfile", signature)
        #expect(verified.status == 0 && verified.standardOutput.contains("Signature Verified Successfully"), "\(verified)")
        let verify = try await s.tool("--verify", "-m", "EDDSA", "--id", "03", "-i", message, "--signature-file", signature)
        #expect(verify.status == 0 && verify.standardOutput.contains("Signature is valid"), "\(verify)")

        // 0.23 sends 13 0B "curve25519" (a length one too long), accepted as that one value.
        let x = try await s.userTool("--keypairgen", "--key-type", "EC:curve25519", "--id", "04", "--usage-derive")
        #expect(x.status == 0 && x.standardOutput.contains("EC_MONTGOMERY"), "\(x)")
    }
}
