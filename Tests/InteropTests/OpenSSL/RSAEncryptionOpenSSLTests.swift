import CryptoFramework
import Foundation
import ProcessSupport
import Providers
import Testing

/// The `openssl` command line as an independent judge of the framework's RSA
/// encryption: openssl decrypts what each provider encrypts, and each provider
/// decrypts what openssl encrypts, for PKCS#1 v1.5, OAEP with SHA-1 and OAEP
/// with SHA-256 and a label; a tampered ciphertext is the same one error everywhere.
@Suite("RSA encryption against the openssl command line")
struct RSAEncryptionOpenSSLTests {
    static let framework = try! CryptoFramework(platform: .host, policy: .inMemory(Policy()))
    static let providers = ["openssl", "gmp", "ncp/0"]

    /// One padding as the framework and openssl's `-pkeyopt`s name it.
    struct Padding: CustomStringConvertible, Sendable {
        let mechanism: Mechanism
        let oaep: OAEPParameters?
        let options: [String]
        var description: String { "\(mechanism.name) \(oaep.map { "\($0.hash), label \($0.label.count) bytes" } ?? "")" }
    }

    static let paddings: [Padding] = [
        Padding(mechanism: .rsaPKCS, oaep: nil, options: ["-pkeyopt", "rsa_padding_mode:pkcs1"]),
        Padding(mechanism: .rsaPKCSOAEP, oaep: OAEPParameters(), options: ["-pkeyopt", "rsa_padding_mode:oaep"]),
        Padding(mechanism: .rsaPKCSOAEP, oaep: OAEPParameters(hash: .sha256, label: Array("label".utf8)), options: [
            "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256",
            "-pkeyopt", "rsa_oaep_label:6c6162656c",
        ]),
    ]

    /// The EC suite's scratch directory, removed when the test ends.
    typealias Scratch = ECOpenSSLCommandLineTests.Scratch

    /// Synchronous on purpose: the test bodies call the framework's synchronous
    /// API, which an async body would exchange for the async overloads.
    static func openssl(_ arguments: [String]) throws -> ChildProcess.Outcome {
        var command = Command("/usr/bin/openssl", arguments)
        command.standardError = .capture
        return try ChildProcess.run(command, timeout: 600)
    }

    /// An RSA-2048 key made by openssl, as a PEM file and as the framework's key.
    static func opensslKey(_ scratch: Scratch) throws -> (String, RSAPrivateKey) {
        let pem = scratch.path("key.pem")
        let made = try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", pem])
        try #require(made.status == 0, "\(made)")
        return (pem, try RSAPrivateKey(pemRepresentation: String(contentsOfFile: pem, encoding: .utf8)))
    }

    @Test("openssl pkeyutl -decrypt reads every provider's ciphertext; every provider reads openssl's", arguments: providers)
    func bothWays(provider: String) throws {
        let scratch = try Scratch()
        let (pem, key) = try Self.opensslKey(scratch)
        let view = try Self.framework.pinned(to: provider)
        let message = Array("encrypted through the framework".utf8)
        let plain = try scratch.write("msg", message)
        let offered = Self.framework.providers.first { $0.name == provider }
        // ncp/0 lists CKM_RSA_PKCS and CKM_RSA_X_509 only, as the real driver did.
        for (i, padding) in Self.paddings.enumerated() where offered?.info(for: padding.mechanism) != nil {
            let ours = try view.encrypt(padding.mechanism, key: key.publicKey, data: message, oaep: padding.oaep)
            let decrypted = try Self.openssl(["pkeyutl", "-decrypt", "-inkey", pem, "-in", try scratch.write("ours\(i)", ours),
                                              "-out", scratch.path("back\(i)")] + padding.options)
            let back = try? scratch.read("back\(i)")
            #expect(decrypted.status == 0 && back == message, "\(provider) \(padding): \(decrypted)")

            let encrypted = try Self.openssl(["pkeyutl", "-encrypt", "-inkey", pem, "-in", plain, "-out", scratch.path("theirs\(i)")] + padding.options)
            try #require(encrypted.status == 0, "\(encrypted)")
            var theirs = try scratch.read("theirs\(i)")
            #expect(try view.decrypt(padding.mechanism, key: key, data: theirs, oaep: padding.oaep).bytes == message, "\(provider) \(padding)")
            theirs[100] ^= 0x01
            let error = #expect(throws: CryptoError.self) { try view.decrypt(padding.mechanism, key: key, data: theirs, oaep: padding.oaep) }
            #expect(error?.code == .dataInvalid && error?.message == "RSA decryption error", "\(provider) \(padding): \(String(describing: error))")
        }
        // CKM_RSA_X_509 is openssl's -pkeyopt rsa_padding_mode:none.
        let block = [UInt8](repeating: 0, count: 1) + [UInt8](repeating: 0x5C, count: 255)
        let raw = try view.encrypt(.rsaX509, key: key.publicKey, data: block)
        let none = try Self.openssl(["pkeyutl", "-decrypt", "-inkey", pem, "-in", try scratch.write("raw", raw), "-out", scratch.path("raw.out"),
                                     "-pkeyopt", "rsa_padding_mode:none"])
        let rawBack = try? scratch.read("raw.out")
        #expect(none.status == 0 && rawBack == block, "\(none)")
        #expect(try view.decrypt(.rsaX509, key: key, data: raw).bytes == block)
    }
}
