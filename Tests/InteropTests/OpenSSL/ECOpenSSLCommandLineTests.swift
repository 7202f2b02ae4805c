import CryptoFramework
import Foundation
import ProcessSupport
import Providers
import TestSupport
import Testing

/// The `openssl` command line as an independent judge of the framework's EC:
/// it verifies the framework's signatures (r‖s converted to DER here), the
/// framework verifies its signatures, both sides of ECDH agree, the keys the
/// framework writes are read by openssl and the other way round, and the X9.63
/// KDF matches `openssl kdf X963KDF`.
@Suite("EC against the openssl command line")
struct ECOpenSSLCommandLineTests {
    static let framework = try! CryptoFramework(platform: .host, policy: .inMemory(Policy()))
    static let primeCurves: [ECCurve] = [.p256, .p384, .p521]

    /// A scratch directory removed when the test ends.
    final class Scratch {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("ec-openssl-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: url) }

        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
        func write(_ name: String, _ bytes: [UInt8]) throws -> String {
            try Data(bytes).write(to: url.appendingPathComponent(name))
            return path(name)
        }
        func write(_ name: String, _ text: String) throws -> String {
            try text.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
            return path(name)
        }
        func read(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: url.appendingPathComponent(name))) }
    }

    static func openssl(_ arguments: [String]) throws -> String {
        let path = try #require(ChildProcess.find("openssl"), "the openssl command is not installed")
        return try ChildProcess.check(Command(path, arguments))
    }

    // MARK: r‖s ↔ DER, written here independently of the provider's conversion

    /// A DER INTEGER of a big-endian magnitude: leading zeros dropped, a 00 added before a high bit.
    static func derInteger(_ magnitude: ArraySlice<UInt8>) -> [UInt8] {
        var content = Array(magnitude.drop { $0 == 0 })
        if content.isEmpty || content[0] & 0x80 != 0 { content.insert(0, at: 0) }
        return [0x02] + derLength(content.count) + content
    }

    static func derLength(_ count: Int) -> [UInt8] { count < 0x80 ? [UInt8(count)] : [0x81, UInt8(count)] }

    static func derSignature(_ raw: [UInt8]) -> [UInt8] {
        let half = raw.count / 2
        let body = derInteger(raw[..<half]) + derInteger(raw[half...])
        return [0x30] + derLength(body.count) + body
    }

    static func rawSignature(_ der: [UInt8], fieldLength: Int) throws -> [UInt8] {
        var index = der[1] == 0x81 ? 3 : 2
        var out: [UInt8] = []
        for _ in 0..<2 {
            try #require(der[index] == 0x02)
            let length = Int(der[index + 1])
            let value = der[(index + 2)..<(index + 2 + length)].drop { $0 == 0 }
            out += [UInt8](repeating: 0, count: fieldLength - value.count) + value
            index += 2 + length
        }
        return out
    }

    // MARK: Signatures

    @Test("openssl verifies the framework's ECDSA signatures (hashed and raw CKM_ECDSA)", arguments: primeCurves)
    func ecdsaVerifiedByOpenSSL(curve: ECCurve) throws {
        let scratch = try Scratch()
        let key = try Self.framework.generateECKeyPair(curve: curve)
        let publicKey = try scratch.write("pub.pem", try #require(key.publicKey).pemRepresentation)
        // Many signatures, so halves with leading zero bytes (and 00-prefixed DER INTEGERs) occur.
        for i in 0..<12 {
            let message = try scratch.write("msg\(i)", Array("message \(i)".utf8))
            let signature = try Self.framework.sign(.ecdsaSHA256, key: key, data: Array("message \(i)".utf8))
            let der = try scratch.write("sig\(i).der", Self.derSignature(signature))
            let output = try Self.openssl(["dgst", "-sha256", "-verify", publicKey, "-signature", der, message])
            #expect(output.contains("Verified OK"), "\(curve) signature \(i): \(output)")
        }
        let hash = try Self.framework.digest(.sha384, data: Array("raw".utf8))
        let signature = try Self.framework.sign(.ecdsa, key: key, data: hash)
        let output = try Self.openssl([
            "pkeyutl", "-verify", "-pubin", "-inkey", publicKey, "-in", try scratch.write("hash", hash),
            "-sigfile", try scratch.write("raw.der", Self.derSignature(signature)),
        ])
        #expect(output.contains("Signature Verified Successfully"), "\(output)")
    }

    @Test("the framework verifies openssl's ECDSA signatures, made with the key it exported", arguments: primeCurves)
    func openSSLSignaturesVerified(curve: ECCurve) throws {
        let scratch = try Scratch()
        let key = try Self.framework.generateECKeyPair(curve: curve)
        let privateKey = try scratch.write("key.pem", key.pemRepresentation)
        for i in 0..<6 {
            let message = Array("openssl message \(i)".utf8)
            _ = try Self.openssl(["dgst", "-sha512", "-sign", privateKey, "-out", scratch.path("sig\(i).der"), try scratch.write("m\(i)", message)])
            let raw = try Self.rawSignature(try scratch.read("sig\(i).der"), fieldLength: curve.fieldByteCount)
            #expect(try Self.framework.verify(.ecdsaSHA512, key: try #require(key.publicKey), data: message, signature: raw))
        }
    }

    @Test("openssl verifies the framework's Ed25519 signatures, from openssl and from sodium", arguments: ["openssl", "sodium"])
    func ed25519VerifiedByOpenSSL(provider: String) throws {
        let scratch = try Scratch()
        let view = try Self.framework.pinned(to: provider)
        let key = try view.generateECKeyPair(curve: .ed25519)
        let publicKey = try scratch.write("pub.pem", try #require(key.publicKey).pemRepresentation)
        let message = Array("edwards".utf8)
        let signature = try view.sign(.eddsa, key: key, data: message)
        let output = try Self.openssl([
            "pkeyutl", "-verify", "-pubin", "-inkey", publicKey, "-rawin", "-in", try scratch.write("msg", message),
            "-sigfile", try scratch.write("sig", signature),
        ])
        #expect(output.contains("Signature Verified Successfully"), "\(output)")
        // And openssl's own signature with the exported private key is the same bytes (Ed25519 is deterministic).
        _ = try Self.openssl([
            "pkeyutl", "-sign", "-inkey", try scratch.write("key.pem", key.pemRepresentation), "-rawin", "-in", scratch.path("msg"),
            "-out", scratch.path("openssl.sig"),
        ])
        #expect(try scratch.read("openssl.sig") == signature)
    }

    // MARK: Key agreement

    @Test("openssl pkeyutl -derive agrees with the framework's ECDH, both ways", arguments: [ECCurve.p256, .p384, .p521, .x25519])
    func derive(curve: ECCurve) throws {
        let scratch = try Scratch()
        let mine = try Self.framework.generateECKeyPair(curve: curve)
        let algorithm = curve == .x25519 ? ["-algorithm", "X25519"] : ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(curve.name)"]
        _ = try Self.openssl(["genpkey"] + algorithm + ["-out", scratch.path("theirs.pem")])
        _ = try Self.openssl(["pkey", "-in", scratch.path("theirs.pem"), "-pubout", "-out", scratch.path("theirs.pub.pem")])
        let theirs = try ECPublicKey(pemRepresentation: String(contentsOfFile: scratch.path("theirs.pub.pem"), encoding: .utf8))
        let mine_ = try Self.framework.deriveECDH(privateKey: mine, peerPublicValue: theirs.point)

        // openssl with its key and our public key; then with our exported private key and its public key.
        let ours = try scratch.write("mine.pub.pem", try #require(mine.publicKey).pemRepresentation)
        _ = try Self.openssl(["pkeyutl", "-derive", "-inkey", scratch.path("theirs.pem"), "-peerkey", ours, "-out", scratch.path("z1")])
        _ = try Self.openssl([
            "pkeyutl", "-derive", "-inkey", try scratch.write("mine.pem", mine.pemRepresentation),
            "-peerkey", scratch.path("theirs.pub.pem"), "-out", scratch.path("z2"),
        ])
        #expect(try scratch.read("z1") == mine_.bytes)
        #expect(try scratch.read("z2") == mine_.bytes)
        if let sec1 = mine.sec1PEMRepresentation {
            _ = try Self.openssl([
                "pkeyutl", "-derive", "-inkey", try scratch.write("mine.sec1.pem", sec1),
                "-peerkey", scratch.path("theirs.pub.pem"), "-out", scratch.path("z3"),
            ])
            #expect(try scratch.read("z3") == mine_.bytes)
        }
    }

    @Test("CKD_SHA*_KDF matches openssl kdf X963KDF", arguments: [HashAlgorithm.sha1, .sha256, .sha512])
    func x963(hash: HashAlgorithm) throws {
        let alice = try Self.framework.generateECKeyPair(curve: .p256)
        let bob = try #require(try Self.framework.generateECKeyPair(curve: .p256).publicKey)
        let z = try Self.framework.deriveECDH(privateKey: alice, peerPublicValue: bob.point)
        let info = Array("shared info".utf8)
        for length in [16, 80] {
            let derived = try Self.framework.deriveECDH(
                privateKey: alice, peerPublicValue: bob.point, parameters: ECDHParameters(kdf: .x963(hash), sharedData: info, length: length))
            let digest = ["sha1": "SHA1", "sha256": "SHA2-256", "sha512": "SHA2-512"][hash.rawValue]!
            let output = try Self.openssl([
                "kdf", "-keylen", "\(length)", "-kdfopt", "digest:\(digest)", "-kdfopt", "hexkey:\(z.bytes.hex)",
                "-kdfopt", "hexinfo:\(info.hex)", "X963KDF",
            ])
            let expected = output.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "").lowercased()
            #expect(derived.bytes.hex == expected, "\(hash), \(length) bytes")
        }
    }
}
