import Foundation
import ProcessSupport
import Testing
import TestSupport

/// OpenSC's pkcs11-tool (0.23) with secret keys on the module, every result
/// compared with the openssl command: AES:32 and GENERIC:32 key generation,
/// AES-ECB and AES-CBC encryption against `openssl enc` and back, HMAC with
/// SHA-1/224/256/384/512 and MD5 against `openssl dgst -hmac` and `openssl
/// mac`, and MD5/SHA-384/SHA-512 digests against `openssl dgst`, on host,
/// t2000 and t5220 (sparcfp's AES-ECB there). pkcs11-tool 0.23 has no AES-CTR or
/// AES-GCM; the C client covers those (CClientTests).
@Suite("pkcs11-tool with secret keys against the module", .serialized)
struct PKCS11ToolSymmetricTests {
    typealias Session = PKCS11ToolECTests.Session

    /// Reads object `id`'s CKA_VALUE (the keys are generated extractable) as hex.
    static func keyHex(_ s: Session, id: String) async throws -> String {
        let file = s.path("key-\(id)")
        let read = try await s.userTool("--read-object", "--type", "secrkey", "--id", id, "-o", file)
        try #require(read.status == 0, "\(read)")
        return try Data(contentsOf: URL(fileURLWithPath: file)).map { String(format: "%02x", $0) }.joined()
    }

    static func hex(_ path: String) throws -> String {
        try Data(contentsOf: URL(fileURLWithPath: path)).map { String(format: "%02x", $0) }.joined()
    }

    /// The hex digest openssl prints last on its line ("HMAC-SHA2-256(file)= ab…").
    static func opensslHex(_ outcome: ChildProcess.Outcome) -> String {
        outcome.standardOutput.split(separator: "=").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() } ?? ""
    }

    @Test("AES:32 keys: AES-ECB, AES-CBC and AES-CBC-PAD through pkcs11-tool equal openssl enc, and decrypt back (t5220: n2cp/0, whose streams gather)", arguments: ["host", "t2000", "t5220"])
    func aes(platform: String) async throws {
        let s = try await Session(platform: platform)
        defer { s.scratch.remove() }
        let keygen = try await s.userTool("--keygen", "--key-type", "AES:32", "--id", "10", "--label", "aes", "--private", "--extractable")
        try #require(keygen.status == 0, "\(keygen)")
        let key = try await Self.keyHex(s, id: "10")
        #expect(key.count == 64)
        let message = s.path("message")
        try Data((0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 37) }).write(to: URL(fileURLWithPath: message))
        let iv = "000102030405060708090a0b0c0d0e0f"
        let odd = s.path("odd")
        try Data((0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 13) }).write(to: URL(fileURLWithPath: odd))
        for (mechanism, cipher) in [("AES-CBC", "-aes-256-cbc"), ("AES-ECB", "-aes-256-ecb"), ("AES-CBC-PAD", "-aes-256-cbc")] {
            let padded = mechanism.hasSuffix("-PAD")
            let message = padded ? odd : message
            let sealed = s.path("sealed-\(mechanism)"), opened = s.path("opened-\(mechanism)")
            let encrypt = try await s.userTool("--encrypt", "-m", mechanism, "--id", "10", "--iv", iv, "-i", message, "-o", sealed)
            #expect(encrypt.status == 0, "\(encrypt)")
            let reference = s.path("reference-\(mechanism)")
            var args = ["enc", cipher] + (padded ? [] : ["-nopad"]) + ["-K", key, "-in", message, "-out", reference]
            if mechanism != "AES-ECB" { args += ["-iv", iv] }
            let enc = try await runClient("openssl", args, environment: s.env)
            #expect(enc.status == 0, "\(enc)")
            #expect(try Self.hex(sealed) == (try Self.hex(reference)), "\(platform) \(mechanism)")
            let decrypt = try await s.userTool("--decrypt", "-m", mechanism, "--id", "10", "--iv", iv, "-i", sealed, "-o", opened)
            #expect(decrypt.status == 0, "\(decrypt)")
            #expect(try Self.hex(opened) == (try Self.hex(message)))
        }
    }

    @Test("GENERIC:32 keys: every HMAC through pkcs11-tool equals openssl dgst -hmac and openssl mac; a changed message does not verify", arguments: ["host", "t2000"])
    func hmac(platform: String) async throws {
        let s = try await Session(platform: platform)
        defer { s.scratch.remove() }
        let keygen = try await s.userTool("--keygen", "--key-type", "GENERIC:32", "--id", "11", "--label", "mac", "--private", "--extractable")
        try #require(keygen.status == 0, "\(keygen)")
        let key = try await Self.keyHex(s, id: "11")
        let message = s.path("message")
        try Data("authenticated by a generic secret key through the framework".utf8).write(to: URL(fileURLWithPath: message))
        var mechanisms = [("SHA-1-HMAC", "sha1", "SHA1"), ("SHA256-HMAC", "sha256", "SHA256"), ("SHA384-HMAC", "sha384", "SHA384"),
                          ("SHA512-HMAC", "sha512", "SHA512"), ("MD5-HMAC", "md5", "MD5")]
        if platform == "host" { mechanisms.append(("SHA224-HMAC", "sha224", "SHA224")) }
        for (mechanism, dgst, mac) in mechanisms {
            let out = s.path("mac-\(mechanism)")
            let sign = try await s.userTool("--sign", "-m", mechanism, "--id", "11", "-i", message, "-o", out)
            #expect(sign.status == 0, "\(sign)")
            let viaDgst = try await runClient("openssl", ["dgst", "-\(dgst)", "-mac", "HMAC", "-macopt", "hexkey:\(key)", message], environment: s.env)
            let viaMac = try await runClient("openssl", ["mac", "-digest", mac, "-macopt", "hexkey:\(key)", "-in", message, "HMAC"], environment: s.env)
            let ours = try Self.hex(out)
            #expect(ours == Self.opensslHex(viaDgst), "\(platform) \(mechanism) vs openssl dgst: \(viaDgst)")
            #expect(ours == viaMac.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).lowercased(), "\(mechanism) vs openssl mac")
            let verify = try await s.userTool("--verify", "-m", mechanism, "--id", "11", "-i", message, "--signature-file", out)
            #expect(verify.status == 0 && verify.standardOutput.contains("Signature is valid"), "\(verify)")
            let other = s.path("other")
            try Data("authenticated by a generic secret key through the framework!".utf8).write(to: URL(fileURLWithPath: other))
            let wrong = try await s.userTool("--verify", "-m", mechanism, "--id", "11", "-i", other, "--signature-file", out)
            #expect(wrong.status != 0 || !wrong.standardOutput.contains("Signature is valid"), "\(wrong)")
        }
    }

    @Test("--hash -m MD5, SHA384, SHA512 equal openssl dgst", arguments: ["host", "t2000"])
    func digests(platform: String) async throws {
        let s = try await Session(platform: platform)
        defer { s.scratch.remove() }
        let message = s.path("message")
        try Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 11) }).write(to: URL(fileURLWithPath: message))
        for (mechanism, dgst) in [("MD5", "md5"), ("SHA384", "sha384"), ("SHA512", "sha512"), ("SHA-1", "sha1"), ("SHA256", "sha256")] {
            let out = s.path("digest-\(mechanism)")
            let hash = try await s.tool("--hash", "-m", mechanism, "-i", message, "-o", out)
            #expect(hash.status == 0, "\(hash)")
            let reference = try await runClient("openssl", ["dgst", "-\(dgst)", message], environment: s.env)
            #expect(try Self.hex(out) == Self.opensslHex(reference), "\(platform) \(mechanism)")
        }
    }
}
