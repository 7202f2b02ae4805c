import CryptoFramework
import Providers
import Testing

/// PKCS#1 v1.5 decryption's edges, built as CKM_RSA_X_509 blocks and
/// decrypted with CKM_RSA_PKCS on every host provider (SoftHSM2 included): the shortest padding
/// accepted, everything else the one "RSA decryption error", the same on each.
@Suite("RSA encryption edges, on every provider")
struct RSAEncryptionEdgeTests {
    static let framework = try! SoftHSMToken.framework()
    static let key = try! framework.pinned(to: "openssl").generateRSAKeyPair(bits: 1024)
    static let providers = framework.providers.filter { $0.info(for: .rsaPKCS)?.flags.contains(.decrypt) ?? false }.map(\.name)

    /// An encoded block 00 ‖ second ‖ PS (nonzero) ‖ separator ‖ message, k bytes.
    static func block(second: UInt8, paddingLength: Int, separator: UInt8 = 0, message: [UInt8]) -> [UInt8] {
        let k = key.publicKey.byteCount
        var em = [0x00, second] + [UInt8](repeating: 0x5A, count: paddingLength) + [separator] + message
        if em.count < k { em += [UInt8](repeating: 0x77, count: k - em.count) }  // a longer message fills the rest
        return Array(em.prefix(k))
    }

    static let cases: [(String, [UInt8], [UInt8]?)] = {
        let k = key.publicKey.byteCount
        return [
            ("8 padding bytes (the least)", block(second: 2, paddingLength: 8, message: [UInt8](repeating: 0x77, count: k - 11)), [UInt8](repeating: 0x77, count: k - 11)),
            ("7 padding bytes", block(second: 2, paddingLength: 7, message: [UInt8](repeating: 0x77, count: k - 10)), nil),
            ("empty message", block(second: 2, paddingLength: k - 3, message: []), []),
            ("no separator", [0x00, 0x02] + [UInt8](repeating: 0x5A, count: k - 2), nil),
            ("block type 1", block(second: 1, paddingLength: 8, message: [1, 2, 3]), nil),
            ("block type 0", block(second: 0, paddingLength: 8, message: [1, 2, 3]), nil),
            ("first byte 01", [0x01] + Array(block(second: 2, paddingLength: 8, message: [1, 2, 3]).dropFirst()), nil),
            ("zero in PS (short padding)", block(second: 2, paddingLength: 3, message: [0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0, 9]), nil),
        ]
    }()

    @Test("PKCS#1 v1.5 decryption edges give one answer on every provider", arguments: 0..<cases.count)
    func pkcs1Edges(index: Int) throws {
        let (name, em, expected) = Self.cases[index]
        try #require(Self.providers.count >= 4 && Self.providers.contains(SoftHSMToken.modulePath), "\(Self.providers)")
        var answers: [String: String] = [:]
        for provider in Self.providers {
            let view = try Self.framework.pinned(to: provider)
            let ciphertext = try view.encrypt(.rsaX509, key: Self.key.publicKey, data: em)
            do {
                let plain = try view.decrypt(.rsaPKCS, key: Self.key, data: ciphertext).bytes
                answers[provider] = "plaintext \(plain)"
                #expect(plain == expected, "\(name) on \(provider)")
            } catch let error as CryptoError {
                answers[provider] = "\(error)"
                #expect(expected == nil && error.code == .dataInvalid && error.message == "RSA decryption error", "\(name) on \(provider): \(error)")
            }
            // The raw block comes back whole (leading zero kept).
            #expect(try view.decrypt(.rsaX509, key: Self.key, data: ciphertext).bytes == em)
        }
        #expect(Set(answers.values).count == 1, "\(name): \(answers)")
    }

    @Test("malformed requests: lengths, parameters, values, on every provider")
    func malformedRequests() throws {
        let k = Self.key.publicKey.byteCount
        for provider in Self.providers {
            let view = try Self.framework.pinned(to: provider)
            func code(_ body: () throws -> Any) -> CryptoError.Code? {
                do { _ = try body(); return nil } catch let error as CryptoError { return error.code } catch { return .providerFailed }
            }
            #expect(code { try view.encrypt(.rsaPKCS, key: Self.key.publicKey, data: [UInt8](repeating: 1, count: k - 10)) } == .dataLengthRange, "\(provider)")
            #expect(code { try view.encrypt(.rsaPKCS, key: Self.key.publicKey, data: [1], oaep: OAEPParameters()) } == .mechanismParamInvalid, "\(provider)")
            #expect(code { try view.encrypt(.rsaX509, key: Self.key.publicKey, data: [UInt8](repeating: 0xFF, count: k)) } == .dataInvalid, "\(provider)")
            #expect(code { try view.decrypt(.rsaPKCS, key: Self.key, data: [UInt8](repeating: 1, count: k - 1)) } == .dataLengthRange, "\(provider)")
            #expect(code { try view.decrypt(.rsaPKCS, key: Self.key, data: [UInt8](repeating: 0xFF, count: k)) } == .dataInvalid, "\(provider)")
            // OAEP with SHA-512 needs k ≥ 130: a 1024-bit key (k = 128) cannot carry it.
            if Self.framework.providers.first(where: { $0.name == provider })?.info(for: .rsaPKCSOAEP) != nil {
                #expect(code { try view.encrypt(.rsaPKCSOAEP, key: Self.key.publicKey, data: [1], oaep: OAEPParameters(hash: .sha512)) } == .mechanismParamInvalid, "\(provider)")
                #expect(code { try view.encrypt(.rsaPKCSOAEP, key: Self.key.publicKey, data: [UInt8](repeating: 1, count: k - 41)) } == .dataLengthRange, "\(provider)")
            }
        }
    }
}
