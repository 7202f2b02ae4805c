import CryptoFramework
import Providers
import Testing

@Suite("Bad input through the framework: clear errors, never a crash")
struct BadInputTests {
    static let framework = try! CryptoFramework(platform: .host, policy: .inMemory(Policy()))

    @Test("a key outside every provider's range is a key-size error naming the ranges")
    func keyOutsideEveryRange() throws {
        // A 300-bit odd modulus: a valid public key value, but below the 512-bit minimum of
        // every provider of CKM_SHA256_RSA_PKCS. ncp/0 takes 300-bit keys for the
        // CKM_RSA_PKCS it composes the mechanism with (Selection rule 6), so with that
        // allowed the request gets the answer every provider gives a DigestInfo that
        // cannot fit the modulus; with it disabled, the key-size error.
        let modulus: [UInt8] = [0x0f] + [UInt8](repeating: 0xa5, count: 36) + [0x01]
        let key = try RSAPublicKey(modulus: modulus, publicExponent: [1, 0, 1])
        #expect(key.bits == 300)
        let signature = [UInt8](repeating: 1, count: key.byteCount)
        let composed = try #require(throws: CryptoError.self) {
            try Self.framework.verify(.sha256RSAPKCS, key: key, data: [1], signature: signature)
        }
        var policy = Policy()
        policy.disable(provider: "ncp/0", mechanisms: [Mechanism.rsaPKCS])
        let uncomposed = try CryptoFramework(platform: .host, policy: .inMemory(policy))
        let error = try #require(throws: CryptoError.self) {
            try uncomposed.verify(.sha256RSAPKCS, key: key, data: [1], signature: signature)
        }
        #expect(error.code == .keySizeRange)
        #expect(error.message.contains("300-bit"))
        #expect(error.message.contains("openssl: 512...16384"))
        #expect(composed.code == .dataLengthRange)
        // And a key above the device's 2048-bit maximum, pinned to the device.
        let big = try Self.framework.generateRSAKeyPair(bits: 3072)
        let tooBig = try #require(throws: CryptoError.self) {
            try Self.framework.pinned(to: "ncp/0").sign(.rsaPKCS, key: big, data: [1])
        }
        #expect(tooBig.code == .keySizeRange)
        #expect(tooBig.message.contains("ncp/0: 256...2048"))
    }

    @Test("wrong-length signatures are a signature-length error on every provider", arguments: ["openssl", "gmp"])
    func wrongLengthSignature(provider: String) throws {
        let view = try Self.framework.pinned(to: provider)
        let key = try Self.framework.generateRSAKeyPair(bits: 1024)
        let sig = try view.sign(.sha256RSAPKCS, key: key, data: [1, 2, 3])
        let tooShort = Array(sig.dropFirst(RSAInputRules.maxSignatureShortfall + 1))
        for bad in [[], [1, 2, 3, 4], tooShort, sig + [0], [0] + sig, [UInt8](repeating: 0xff, count: 1000)] {
            let error = try #require(throws: CryptoError.self) {
                try view.verify(.sha256RSAPKCS, key: key.publicKey, data: [1, 2, 3], signature: bad)
            }
            #expect(error.code == .signatureLengthRange, "\(bad.count) bytes: \(error)")
        }
    }

    @Test("malformed keys are clear key errors")
    func malformedKeys() {
        for der in [[], [0x30], [0x30, 0x03, 0x02, 0x01, 0x05], [UInt8](repeating: 0xff, count: 64)] as [[UInt8]] {
            #expect(throws: CryptoError.self) { try RSAPublicKey(derRepresentation: der) }
            #expect(throws: CryptoError.self) { try RSAPrivateKey(derRepresentation: der) }
        }
        #expect(throws: CryptoError.self) { try RSAPrivateKey(pemRepresentation: "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----") }
    }

    @Test("unknown mechanism and provider names are nil or clear errors")
    func unknownNames() throws {
        #expect(Mechanism(name: "CKM_RSA_PKCS_OAEP_NOPE") == nil)
        let error = try #require(throws: CryptoError.self) { try Self.framework.pinned(to: "ncp/7") }
        #expect(error.code == .unknownProvider)
        #expect(error.message.contains("ncp/7"))
    }

    @Test("a mechanism used for the wrong operation is a clear error")
    func wrongOperation() throws {
        let key = try Self.framework.generateRSAKeyPair(bits: 1024)
        let error = try #require(throws: CryptoError.self) {
            try Self.framework.sign(.sha256, key: key, data: [1])
        }
        #expect(error.message.contains("CKM_SHA256"))
    }
}

@Suite("Bad input: custom DH groups")
struct CustomDHGroupBadInputTests {
    @Test("a custom group's strength outside 1...bits(p) is refused (2 × Int.max used to trap)", arguments: [Int.max, Int.min, 0, -1, 1025])
    func strengthOutOfRange(strength: Int) throws {
        let group2 = try #require(DHGroup.ike(2))
        let error = try #require(throws: CryptoError.self) {
            try DHGroup(prime: group2.prime, generator: group2.generator, strengthBits: strength)
        }
        #expect(error.code == .argumentsBad)
        #expect(error.message.contains("strength"))
        // In range it is accepted, with a default private length of 2 × strength (at least 160).
        let custom = try DHGroup(prime: group2.prime, generator: group2.generator, strengthBits: 80)
        #expect(custom.defaultPrivateBits == 160)
    }
}

@Suite("Bad input: PSS salt lengths")
struct PSSSaltLengthBadInputTests {
    static let framework = try! CryptoFramework(platform: .host, policy: .inMemory(Policy()))

    @Test("a negative or huge PSS salt length is a parameter error on every provider, never a trap",
          arguments: ["gmp", "openssl", "ncp/0"], [-1, Int.min, Int.max, 257])
    func badSaltLength(provider: String, saltLength: Int) throws {
        let key = try Self.framework.pinned(to: "gmp").generateRSAKeyPair(bits: 2048)
        let good = try Self.framework.pinned(to: "gmp").sign(.sha256RSAPKCSPSS, key: key, data: [1, 2, 3])
        let pss = PSSParameters(hash: .sha256, saltLength: saltLength)
        let view = try Self.framework.pinned(to: provider)
        for (signs, attempt) in [
            (true, { _ = try view.sign(.sha256RSAPKCSPSS, key: key, data: [1, 2, 3], pss: pss) }),
            (false, { _ = try view.verify(.sha256RSAPKCSPSS, key: key.publicKey, data: [1, 2, 3], signature: good, pss: pss) }),
        ] as [(Bool, () throws -> Void)] {
            let error = try #require(throws: CryptoError.self) { try attempt() }
            // ncp/0 does not offer the PSS mechanisms: a PSS sign composes there over CKM_RSA_X_509
            // (rule 6) and gets the same parameter error; a PSS verify does not compose and is refused.
            #expect(error.code == (provider == "ncp/0" && !signs ? .mechanismNotSupported : .mechanismParamInvalid), "\(error)")
        }
    }
}

@Suite("Bad input: PSS salt lengths through a PKCS#11 module and sparcfp")
struct PSSSaltLengthModuleTests {
    @Test("a negative PSS salt length is a parameter error, never a trap (CK_ULONG of a negative)", arguments: [-1, Int.min])
    func module(saltLength: Int) throws {
        let fw = try SoftHSMToken.framework()
        let key = try fw.pinned(to: "gmp").generateRSAKeyPair(bits: 2048)
        let pss = PSSParameters(hash: .sha256, saltLength: saltLength)
        let error = try #require(throws: CryptoError.self) {
            try fw.pinned(to: SoftHSMToken.modulePath).sign(.sha256RSAPKCSPSS, key: key, data: [1, 2, 3], pss: pss)
        }
        #expect(error.code == .mechanismParamInvalid, "\(error)")
    }

    @Test("sparcfp refuses them too", arguments: [-1, Int.max])
    func sparcfp(saltLength: Int) throws {
        let fw = try CryptoFramework(platform: .t2000, policy: .inMemory(Policy())).pinned(to: "sparcfp")
        let key = try CryptoFramework(platform: .host, policy: .inMemory(Policy())).pinned(to: "gmp").generateRSAKeyPair(bits: 1024)
        let pss = PSSParameters(hash: .sha256, saltLength: saltLength)
        let error = try #require(throws: CryptoError.self) {
            try fw.verify(.sha256RSAPKCSPSS, key: key.publicKey, data: [1], signature: [UInt8](repeating: 1, count: 128), pss: pss)
        }
        #expect(error.code == .mechanismParamInvalid, "\(error)")
    }
}
