import CryptoFramework
import Foundation
import Providers
import Testing

@Suite("PKCS#11 module provider over SoftHSM2", .serialized)
struct PKCS11ProviderTests {
    static let module = SoftHSMToken.modulePath

    @Test("the module registers with the token's mechanisms, key sizes in bits")
    func registersTokenMechanisms() throws {
        let fw = try SoftHSMToken.framework()
        let d = try #require(fw.providers.first { $0.name == Self.module })
        #expect(d.kind == .pkcs11Module)
        for m: Mechanism in [.rsaPKCS, .sha256RSAPKCS, .rsaPKCSPSS, .rsaPKCSKeyPairGen, .dhPKCSKeyPairGen, .dhPKCSDerive, .sha256, .random] {
            #expect(d.info(for: m) != nil, "\(m) missing from \(d.mechanisms.map(\.mechanism))")
        }
        let rsa = try #require(d.info(for: .rsaPKCS))
        #expect(rsa.minKeyBits <= 1024 && rsa.maxKeyBits >= 4096)
        #expect(rsa.flags.contains([.sign, .verify]))
        #expect(!rsa.flags.contains(.hardware))
        #expect(d.summary.contains("token 'test'"))
    }
}

extension PKCS11ProviderTests {
    static func keyPair(_ bits: Int = 2048) throws -> RSAPrivateKey {
        try CryptoFramework(platform: .host, policy: .inMemory(Policy())).pinned(to: "openssl")
            .generateRSAKeyPair(bits: bits)
    }

    @Test("signatures made by the module verify on openssl and back (PKCS#1 v1.5, PSS, raw)")
    func signVerifyInterop() throws {
        let fw = try SoftHSMToken.framework()
        let token = try fw.pinned(to: Self.module), openssl = try fw.pinned(to: "openssl")
        let key = try Self.keyPair()
        let message = Array("IKE Phase I".utf8)
        for m: Mechanism in [.sha256RSAPKCS, .sha1RSAPKCS, .sha512RSAPKCS] {
            let s1 = try token.sign(m, key: key, data: message)
            #expect(try openssl.verify(m, key: key.publicKey, data: message, signature: s1))
            let s2 = try openssl.sign(m, key: key, data: message)
            #expect(s1 == s2, "PKCS#1 v1.5 is deterministic")
            #expect(try token.verify(m, key: key.publicKey, data: message, signature: s2))
            var bad = s2
            bad[7] ^= 1
            #expect(try token.verify(m, key: key.publicKey, data: message, signature: bad) == false)
        }
        let pss = try token.sign(.sha256RSAPKCSPSS, key: key, data: message)
        #expect(try openssl.verify(.sha256RSAPKCSPSS, key: key.publicKey, data: message, signature: pss))
        #expect(try token.verify(.sha256RSAPKCSPSS, key: key.publicKey, data: message, signature: openssl.sign(.sha256RSAPKCSPSS, key: key, data: message)))
        #expect(throws: CryptoError.self) { try token.verify(.sha256RSAPKCS, key: key.publicKey, data: message, signature: [1, 2, 3]) }
    }

    @Test("IKE-style signatures: CKM_RSA_PKCS over a raw 20-byte hash, with the module serving RSA")
    func ikeStyleSignatures() throws {
        var policy = try SoftHSMToken.policy()
        // Only the module may sign and verify raw PKCS#1 here: ncp/0, openssl, gmp are disabled for it.
        for name in ["ncp/0", "openssl", "gmp"] { policy.disable(provider: name, mechanisms: [.rsaPKCS]) }
        let fw = try CryptoFramework(platform: .host, policy: .inMemory(policy))
        let openssl = try CryptoFramework(platform: .host, policy: .inMemory(Policy())).pinned(to: "openssl")
        let responder = try Self.keyPair(1024), initiator = try Self.keyPair(1024)
        for round in 0..<10 {
            let hashR = try fw.digest(.sha1, data: Array("HASH_R \(round)".utf8))
            #expect(hashR.count == 20)
            let signed = try fw.perform(.sign(.rsaPKCS, key: responder, data: hashR, pss: nil))
            #expect(signed.report.provider == Self.module)
            guard case .bytes(let sigR) = signed.value else { Issue.record("no signature"); return }
            #expect(try openssl.verify(.rsaPKCS, key: responder.publicKey, data: hashR, signature: sigR))
            let hashI = try fw.digest(.sha1, data: Array("HASH_I \(round)".utf8))
            let sigI = try openssl.sign(.rsaPKCS, key: initiator, data: hashI)
            let verified = try fw.perform(.verify(.rsaPKCS, key: initiator.publicKey, data: hashI, signature: sigI, pss: nil))
            #expect(verified.report.provider == Self.module)
            guard case .verified(let ok) = verified.value else { Issue.record("no verdict"); return }
            #expect(ok)
        }
    }

    @Test("Wycheproof PKCS#1 v1.5 verification vectors through the module", arguments: WycheproofTests.pkcs1VerifyFiles)
    func wycheproofPKCS1(file: String) throws {
        try WycheproofTests.pkcs1Verify(file: file, providerName: Self.module, in: SoftHSMToken.framework())
    }

    @Test("Wycheproof PSS verification vectors through the module")
    func wycheproofPSS() throws {
        try WycheproofTests.pssVerify(providerName: Self.module, in: SoftHSMToken.framework())
    }

    @Test("Wycheproof PKCS#1 v1.5 signature generation through the module")
    func wycheproofSigGen() throws {
        try WycheproofTests.pkcs1Generate(providerName: Self.module, in: SoftHSMToken.framework())
    }

    @Test("DH agreement between the module and gmp", arguments: [1, 2, 14])
    func dhWithGMP(groupNumber: Int) throws {
        let group = try #require(DHGroup.ike(groupNumber))
        let fw = try SoftHSMToken.framework()
        let token = try fw.pinned(to: Self.module), gmp = try fw.pinned(to: "gmp")
        // Group 1 runs enough agreements that some shared secrets start with a zero byte.
        for _ in 0..<(groupNumber == 1 ? 300 : 5) {
            let a = try token.generateDHKeyPair(group: group)
            let b = try gmp.generateDHKeyPair(group: group)
            #expect(a.publicValue.count == group.byteCount)
            let za = try token.deriveDH(privateKey: a.privateKey, peerPublicValue: b.publicValue)
            let zb = try gmp.deriveDH(privateKey: b.privateKey, peerPublicValue: a.publicValue)
            #expect(za == zb)
            #expect(za.count == group.byteCount)
            // The module also derives from a key it did not generate.
            #expect(try token.deriveDH(privateKey: b.privateKey, peerPublicValue: a.publicValue) == zb)
        }
        #expect(throws: CryptoError.self) { try token.deriveDH(privateKey: try token.generateDHKeyPair(group: group).privateKey, peerPublicValue: [1]) }
    }

    @Test("RSA key pairs generated on the token are exported whole and work elsewhere; random bytes")
    func generateAndRandom() throws {
        let fw = try SoftHSMToken.framework()
        let token = try fw.pinned(to: Self.module), openssl = try fw.pinned(to: "openssl")
        let key = try token.generateRSAKeyPair(bits: 2048)
        #expect(key.bits == 2048)
        let sig = try openssl.sign(.sha256RSAPKCS, key: key, data: [1, 2, 3])
        #expect(try token.verify(.sha256RSAPKCS, key: key.publicKey, data: [1, 2, 3], signature: sig))
        let r1 = try token.random(count: 64), r2 = try token.random(count: 64)
        #expect(r1.count == 64 && r1 != r2)
        #expect(try token.digest(.sha256, data: Array("abc".utf8)) == openssl.digest(.sha256, data: Array("abc".utf8)))
    }

    @Test("8 tasks × 200 operations through one module, no error")
    func concurrency() async throws {
        let fw = try SoftHSMToken.framework()
        let token = try fw.pinned(to: Self.module)
        let keys = try (0..<2).map { _ in try Self.keyPair(1024) }
        let group = DHGroup.ike(2)!
        let errors = await withTaskGroup(of: [String].self) { tasks in
            for t in 0..<8 {
                tasks.addTask {
                    var errors: [String] = []
                    for i in 0..<200 {
                        do {
                            let key = keys[(t + i) % keys.count]
                            let data = Array("task \(t) op \(i)".utf8)
                            switch i % 4 {
                            case 0, 1:
                                let sig = try await token.sign(.sha256RSAPKCS, key: key, data: data)
                                if try await !token.verify(.sha256RSAPKCS, key: key.publicKey, data: data, signature: sig) {
                                    errors.append("task \(t) op \(i): own signature did not verify")
                                }
                            case 2:
                                let a = try await token.generateDHKeyPair(group: group)
                                _ = try await token.deriveDH(privateKey: a.privateKey, peerPublicValue: a.publicValue)
                            default:
                                _ = try await token.random(count: 32)
                            }
                        } catch {
                            errors.append("task \(t) op \(i): \(error)")
                        }
                    }
                    return errors
                }
            }
            return await tasks.reduce(into: []) { $0 += $1 }
        }
        #expect(errors.isEmpty, "\(errors.prefix(5))")
        #expect(fw.stats(for: Self.module)?.completed ?? 0 >= 1600)
    }
}

extension PKCS11ProviderTests {
    @Test("EC on SoftHSM2 agrees with openssl: key pairs, ECDSA both ways, ECDH with CKD_NULL and a KDF, Ed25519; a mismatched pair is refused")
    func ellipticCurves() throws {
        let fw = try SoftHSMToken.framework()
        let token = try fw.pinned(to: Self.module), openssl = try fw.pinned(to: "openssl")
        let hash = [UInt8](repeating: 0x5a, count: 32)
        for curve in [ECCurve.p256, .p384, .p521] {
            let made = try token.generateECKeyPair(curve: curve)
            #expect(made.publicKey != nil && made.scalar.count == curve.privateKeyByteCount)
            let theirs = try openssl.generateECKeyPair(curve: curve)
            for key in [made, theirs] {
                let s1 = try token.sign(.ecdsa, key: key, data: hash)
                #expect(try openssl.verify(.ecdsa, key: key.publicKey!, data: hash, signature: s1), "\(curve)")
                let s2 = try openssl.sign(.ecdsa, key: key, data: hash)
                #expect(try token.verify(.ecdsa, key: key.publicKey!, data: hash, signature: s2), "\(curve)")
                var bad = s2
                bad[3] ^= 1
                #expect(try token.verify(.ecdsa, key: key.publicKey!, data: hash, signature: bad) == false)
            }
            for parameters in [ECDHParameters.null, ECDHParameters(kdf: .x963(.sha256), sharedData: [1, 2, 3], length: 40)] {
                let z1 = try token.deriveECDH(privateKey: made, peerPublicValue: theirs.publicKey!.point, parameters: parameters)
                let z2 = try openssl.deriveECDH(privateKey: theirs, peerPublicValue: made.publicKey!.point, parameters: parameters)
                #expect(z1.bytes == z2.bytes, "\(curve) \(parameters.kdf)")
            }
            // The scalar of one key with the point of another.
            let mismatched = try ECPrivateKey(curve: curve, scalar: made.scalar, publicKey: theirs.publicKey)
            #expect(throws: CryptoError.self) { try token.sign(.ecdsa, key: mismatched, data: hash) }
        }
        let ed = try token.generateECKeyPair(curve: .ed25519)
        let message = Array("Ed25519 on the token".utf8)
        let signature = try token.sign(.eddsa, key: ed, data: message)
        #expect(signature == (try openssl.sign(.eddsa, key: ed, data: message)), "Ed25519 is deterministic")
        #expect(try token.verify(.eddsa, key: ed.publicKey!, data: message, signature: signature))
    }
}
