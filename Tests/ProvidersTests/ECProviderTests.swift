import CryptoFramework
import Providers
import TestSupport
import Testing

/// EC through the registry on the real providers: openssl (every curve) and
/// sodium (Ed25519, X25519), each checked against the other, selection by
/// declared curve, and the providers that serve no EC never chosen.
@Suite("EC on openssl and sodium")
struct ECProviderTests {
    static let framework = try! CryptoFramework(platform: .host, policy: .inMemory(Policy()))
    static let primeCurves: [ECCurve] = [.p256, .p384, .p521]

    static func view(_ name: String) throws -> CryptoFramework { try framework.pinned(to: name) }

    /// A host framework whose policy disables `mechanism` for `providers`.
    static func framework(disabling mechanism: Mechanism, for providers: String...) throws -> CryptoFramework {
        var policy = Policy()
        for provider in providers { policy[provider: provider] = ProviderPolicy(disabled: [mechanism]) }
        return try CryptoFramework(platform: .host, policy: .inMemory(policy))
    }

    @Test("ECDSA: every mechanism signs r‖s of twice the field length, and verifies", arguments: primeCurves)
    func ecdsa(curve: ECCurve) throws {
        let openssl = try Self.view("openssl")
        let key = try openssl.generateECKeyPair(curve: curve)
        let publicKey = try #require(key.publicKey)
        #expect(key.scalar.count == curve.fieldByteCount && publicKey.point.count == curve.publicKeyByteCount)
        let message = Array("the elliptic-curve foundation".utf8)
        for mechanism in Mechanism.ecdsaMechanisms {
            let data = mechanism == .ecdsa ? try openssl.digest(.sha256, data: message) : message
            let signature = try openssl.sign(mechanism, key: key, data: data)
            #expect(signature.count == 2 * curve.fieldByteCount, "\(mechanism)")
            #expect(try openssl.verify(mechanism, key: publicKey, data: data, signature: signature), "\(mechanism)")
            var tampered = signature
            tampered[tampered.count / 2] ^= 1
            #expect(try !openssl.verify(mechanism, key: publicKey, data: data, signature: tampered), "\(mechanism)")
            var otherData = data
            otherData[0] ^= 1  // (an appended byte would not do for CKM_ECDSA: a hash is cut to n's bits)
            #expect(try !openssl.verify(mechanism, key: publicKey, data: otherData, signature: signature), "\(mechanism)")
        }
        // CKM_ECDSA takes a hash of any length (SEC 1 truncates it to n's bits): empty, short, longer than n.
        for length in [0, 1, 20, 64, 200] {
            let data = [UInt8](repeating: 0xA5, count: length)
            let signature = try openssl.sign(.ecdsa, key: key, data: data)
            #expect(try openssl.verify(.ecdsa, key: publicKey, data: data, signature: signature), "\(length)-byte hash")
        }
        // Bytes past n's length do not count.
        let long = [UInt8](repeating: 0x3C, count: curve.fieldByteCount + 8)
        let signature = try openssl.sign(.ecdsa, key: key, data: long)
        #expect(try openssl.verify(.ecdsa, key: publicKey, data: long.dropLast(7) + [0, 1, 2, 3, 4, 5, 6], signature: signature))
    }

    @Test("a high-s ECDSA signature (n − s) is valid", arguments: primeCurves)
    func highS(curve: ECCurve) throws {
        let openssl = try Self.view("openssl")
        let key = try openssl.generateECKeyPair(curve: curve)
        let data = Array("malleable".utf8)
        let signature = try openssl.sign(.ecdsaSHA256, key: key, data: data)
        let half = curve.fieldByteCount
        let flipped = Array(signature[..<half]) + DifferentialCases.subtract(from: curve.primeCurve!.n, Array(signature[half...]))
        #expect(try openssl.verify(.ecdsaSHA256, key: try #require(key.publicKey), data: data, signature: flipped))
    }

    @Test("Ed25519: openssl and sodium sign identically and verify each other", arguments: ["openssl", "sodium"])
    func ed25519(generator: String) throws {
        let key = try Self.view(generator).generateECKeyPair(curve: .ed25519)
        let publicKey = try #require(key.publicKey)
        for length in [0, 1, 64, 1000] {
            let message = [UInt8](repeating: UInt8(length & 0xFF), count: length)
            let signatures = try ["openssl", "sodium"].map { try Self.view($0).sign(.eddsa, key: key, data: message) }
            #expect(signatures[0] == signatures[1], "Ed25519 is deterministic (RFC 8032)")
            #expect(signatures[0].count == 64)
            for verifier in ["openssl", "sodium"] {
                #expect(try Self.view(verifier).verify(.eddsa, key: publicKey, data: message, signature: signatures[0]))
                #expect(try !Self.view(verifier).verify(.eddsa, key: publicKey, data: message + [1], signature: signatures[0]))
            }
        }
    }

    @Test("Ed25519 keys read from PKCS#8 without a public key sign on both providers")
    func ed25519Imported() throws {
        let key = try Self.view("sodium").generateECKeyPair(curve: .ed25519)
        let bare = try ECPrivateKey(derRepresentation: key.derRepresentation)
        #expect(bare.publicKey == nil)
        let message = Array("imported".utf8)
        let a = try Self.view("openssl").sign(.eddsa, key: bare, data: message)
        let b = try Self.view("sodium").sign(.eddsa, key: bare, data: message)
        #expect(a == b)
        #expect(try Self.view("openssl").verify(.eddsa, key: try #require(key.publicKey), data: message, signature: b))
    }

    @Test("ECDH: both sides agree on every curve, with compressed peers too", arguments: [ECCurve.p256, .p384, .p521, .x25519])
    func agreement(curve: ECCurve) throws {
        let names = curve == .x25519 ? ["openssl", "sodium"] : ["openssl"]
        for a in names {
            for b in names {
                let alice = try Self.view(a).generateECKeyPair(curve: curve)
                let bob = try Self.view(b).generateECKeyPair(curve: curve)
                let alicePublic = try #require(alice.publicKey), bobPublic = try #require(bob.publicKey)
                let z1 = try Self.view(a).deriveECDH(privateKey: alice, peerPublicValue: bobPublic.point)
                let z2 = try Self.view(b).deriveECDH(privateKey: bob, peerPublicValue: alicePublic.point)
                #expect(z1 == z2 && z1.count == curve.fieldByteCount, "\(a) and \(b) on \(curve)")
                let z3 = try Self.view(a).deriveECDH(privateKey: alice, peerPublicValue: bobPublic.compressedPoint)
                #expect(z3 == z1)
            }
        }
    }

    @Test("one key against peers that change, repeat and fail: each derive uses its own peer", arguments: [ECCurve.p256, .x25519])
    func changingPeers(curve: ECCurve) throws {
        // openssl keeps each pooled derive context's last peer and sets a peer only
        // when the point differs; a refused point must not leave a stale one behind.
        let openssl = try #require(Self.framework.provider(named: "openssl"))
        let key = try Self.framework.generateECKeyPair(curve: curve)
        let peers = try (0..<2).map { _ in try #require(try Self.framework.generateECKeyPair(curve: curve).publicKey) }
        // The expected secrets, from another provider.
        let reference = try peers.map { peer -> SecureBytes in
            let other = curve == .x25519 ? "sodium" : "gmp"
            return try Self.view(other).deriveECDH(privateKey: key, peerPublicValue: peer.point)
        }
        var bad = peers[0].point
        bad[bad.count - 1] ^= 1
        if curve == .x25519 { bad = [UInt8](repeating: 0, count: 32) }  // u = 0: small order
        for (step, index) in [0, 0, 1, 0, -1, 0, 1, 1, -1, 1].enumerated() {
            if index < 0 {
                // Past the framework (it says it checked): libcrypto's own decode or
                // derive refuses the point, and the next request sets its peer afresh.
                let request = CryptoRequest.deriveECDH(privateKey: key, peerPublicValue: bad, parameters: .null)
                #expect(throws: CryptoError.self, "step \(step)") {
                    _ = try openssl.perform(request, context: OperationContext(inputsChecked: true))
                }
                #expect(throws: CryptoError.self, "step \(step)") { _ = try openssl.perform(request, context: OperationContext()) }
                continue
            }
            let z = try Self.view("openssl").deriveECDH(privateKey: key, peerPublicValue: peers[index].point)
            #expect(z == reference[index], "step \(step), peer \(index)")
            let direct = try openssl.perform(
                .deriveECDH(privateKey: key, peerPublicValue: peers[index].point, parameters: .null), context: OperationContext())
            #expect(try direct.secret == reference[index], "step \(step), peer \(index), direct")
        }
    }

    @Test("X9.63 KDFs: sodium and openssl derive the same bytes; CKD_NULL keeps Z's leading bytes")
    func kdf() throws {
        let alice = try Self.view("sodium").generateECKeyPair(curve: .x25519)
        let bob = try #require(try Self.view("openssl").generateECKeyPair(curve: .x25519).publicKey)
        let z = try Self.framework.deriveECDH(privateKey: alice, peerPublicValue: bob.point)
        for hash in [HashAlgorithm.sha256, .sha512] {
            for length in [1, 16, hash.digestLength, 3 * hash.digestLength + 5] {
                let parameters = ECDHParameters(kdf: .x963(hash), sharedData: Array("info".utf8), length: length)
                let values = try ["openssl", "sodium"].map {
                    try Self.view($0).deriveECDH(privateKey: alice, peerPublicValue: bob.point, parameters: parameters)
                }
                #expect(values[0] == values[1] && values[0].count == length, "\(hash), \(length) bytes")
            }
        }
        let prefix = try Self.framework.deriveECDH(privateKey: alice, peerPublicValue: bob.point, parameters: ECDHParameters(length: 10))
        #expect(prefix.bytes == Array(z.bytes.prefix(10)))
        // The default length of a KDF is one hash.
        let oneHash = try Self.framework.deriveECDH(privateKey: alice, peerPublicValue: bob.point, parameters: ECDHParameters(kdf: .x963(.sha1)))
        #expect(oneHash.count == 20)
    }

    @Test("a KDF sodium has no hash for fails over to openssl; pinned to sodium it says why")
    func kdfFailover() throws {
        let alice = try Self.view("sodium").generateECKeyPair(curve: .x25519)
        let bob = try #require(alice.publicKey)
        let parameters = ECDHParameters(kdf: .x963(.sha1), length: 32)
        var platform = Platform.host
        platform.softwarePriority = ["sodium", "openssl", "gmp"]
        let sodiumFirst = try CryptoFramework(platform: platform, policy: .inMemory(Policy()))
        let served = try sodiumFirst.perform(.deriveECDH(privateKey: alice, peerPublicValue: bob.point, parameters: parameters))
        #expect(served.report.provider == "openssl" && served.report.failovers.map(\.0) == ["sodium"])
        expectCryptoError(.mechanismInvalid, mentioning: "only over SHA-256 or SHA-512") {
            _ = try Self.view("sodium").deriveECDH(privateKey: alice, peerPublicValue: bob.point, parameters: parameters)
        }
    }

    @Test("bad ECDH parameters and peers get the framework's answer", arguments: ["openssl", "sodium"])
    func badDerive(provider: String) throws {
        let view = try Self.view(provider)
        let key = try view.generateECKeyPair(curve: .x25519)
        let peer = try #require(key.publicKey).point
        expectCryptoError(.mechanismParamInvalid, mentioning: "no shared data") {
            _ = try view.deriveECDH(privateKey: key, peerPublicValue: peer, parameters: ECDHParameters(sharedData: [1]))
        }
        for length in [0, 33] {
            expectCryptoError(.mechanismParamInvalid, mentioning: "CKD_NULL derives") {
                _ = try view.deriveECDH(privateKey: key, peerPublicValue: peer, parameters: ECDHParameters(length: length))
            }
        }
        expectCryptoError(.mechanismParamInvalid, mentioning: "derives 1...") {
            _ = try view.deriveECDH(privateKey: key, peerPublicValue: peer, parameters: ECDHParameters(kdf: .x963(.sha256), length: 0))
        }
        expectCryptoError(.dataInvalid, mentioning: "small order") {
            _ = try view.deriveECDH(privateKey: key, peerPublicValue: [UInt8](repeating: 0, count: 32))
        }
        expectCryptoError(.dataInvalid, mentioning: "32 bytes") {
            _ = try view.deriveECDH(privateKey: key, peerPublicValue: Array(peer.dropLast()))
        }
    }

    @Test("sodium is never chosen for a P-256 derive: its CKM_ECDH1_DERIVE declares X25519 only")
    func selectionByCurve() throws {
        #expect(Self.framework.eligibleProviders(for: .ecdh1Derive, operation: .derive, keyBits: 256, curve: .p256) == ["openssl", "gmp"])
        #expect(Self.framework.eligibleProviders(for: .ecdh1Derive, operation: .derive, keyBits: 256, curve: .x25519) == ["openssl", "sodium"])
        // sodium declares CKM_EDDSA preferred (Selection rule 2): auto signs Ed25519 there.
        #expect(Self.framework.eligibleProviders(for: .eddsa, operation: .sign, keyBits: 256, curve: .ed25519) == ["sodium", "openssl"])
        #expect(Self.framework.eligibleProviders(for: .ecEdwardsKeyPairGen, operation: .generateKeyPair, keyBits: 256, curve: .ed25519)
            == ["openssl", "sodium"])
        let ed = try Self.framework.generateECKeyPair(curve: .ed25519)
        #expect(try Self.framework.perform(.signEC(.eddsa, key: ed, data: [1, 2, 3])).report.provider == "sodium")
        #expect(Self.framework.eligibleProviders(for: .ecdsa, operation: .sign, keyBits: 521, curve: .p521) == ["openssl", "gmp"])

        let key = try Self.framework.generateECKeyPair(curve: .p256)
        let peer = try #require(try Self.framework.generateECKeyPair(curve: .p256).publicKey)
        // With openssl's and gmp's ECDH disabled, nobody is left: sodium's 256-bit range would fit, its curve does not.
        let noPrimeECDH = try Self.framework(disabling: .ecdh1Derive, for: "openssl", "gmp")
        expectCryptoError(.keySizeRange, mentioning: "on P-256 (sodium: X25519)") {
            _ = try noPrimeECDH.deriveECDH(privateKey: key, peerPublicValue: peer.point)
        }
        expectCryptoError(.keySizeRange, mentioning: "on P-256") {
            _ = try Self.view("sodium").deriveECDH(privateKey: key, peerPublicValue: peer.point)
        }
        let sodium = try #require(Self.framework.provider(named: "sodium"))
        expectCryptoError(.keySizeRange, mentioning: "X25519 only") {
            _ = try sodium.perform(.deriveECDH(privateKey: key, peerPublicValue: peer.point, parameters: .null), context: OperationContext())
        }
        // The X25519 derive goes to openssl first (software priority), and to sodium when openssl's is disabled.
        let x = try Self.framework.generateECKeyPair(curve: .x25519)
        let request = CryptoRequest.deriveECDH(privateKey: x, peerPublicValue: try #require(x.publicKey).point, parameters: .null)
        #expect(try Self.framework.perform(request).report.provider == "openssl")
        #expect(try noPrimeECDH.perform(request).report.provider == "sodium")
    }

    @Test("providers without EC (ncp/0 on host and t2000) are never selected and answer unsupported; t2000 has EC on P-256/P-384 only (sparcfp)")
    func noECElsewhere() throws {
        let key = try Self.framework.generateECKeyPair(curve: .p256)
        let p521 = try Self.framework.generateECKeyPair(curve: .p521)
        let requests: [CryptoRequest] = [
            .signEC(.ecdsaSHA256, key: key, data: [1]),
            .verifyEC(.ecdsaSHA256, key: try #require(key.publicKey), data: [1], signature: [UInt8](repeating: 1, count: 64)),
            .generateECKeyPair(curve: .p384), .generateECKeyPair(curve: .ed25519), .generateECKeyPair(curve: .x25519),
            .deriveECDH(privateKey: key, peerPublicValue: try #require(key.publicKey).point, parameters: .null),
        ]
        let t2000 = try CryptoFramework(platform: .t2000, policy: .inMemory(Policy()))
        for framework in [Self.framework, t2000] {
            let provider = try #require(framework.provider(named: "ncp/0"))
            #expect(!provider.descriptor.mechanisms.contains { $0.mechanism.name.hasPrefix("CKM_EC") || $0.mechanism == .eddsa })
            for request in requests {
                #expect(framework.eligibleProviders(for: request.mechanism, operation: request.requiredFlag, keyBits: request.keyBits, curve: request.curve).allSatisfy { $0 != "ncp/0" })
                expectCryptoError(.mechanismNotSupported, mentioning: "does not offer") { _ = try framework.pinned(to: "ncp/0").perform(request) }
                expectCryptoError(.mechanismInvalid, mentioning: "ncp/0") { _ = try provider.perform(request, context: OperationContext()) }
            }
        }
        // sparcfp models Solaris' software ECC on P-256 and P-384 (MPIFieldCost): P-521 is out of its
        // declared range, and the Edwards/Montgomery curves find no provider on t2000.
        for request in [CryptoRequest.generateECKeyPair(curve: .p521), .signEC(.ecdsaSHA512, key: p521, data: [1])] {
            expectCryptoError(.keySizeRange, mentioning: "sparcfp: 256...384") { _ = try t2000.perform(request) }
        }
        for request in [CryptoRequest.generateECKeyPair(curve: .ed25519), .generateECKeyPair(curve: .x25519)] {
            expectCryptoError(.mechanismNotSupported, mentioning: "no provider on platform t2000") { _ = try t2000.perform(request) }
        }
        for request in requests where request.curve == .p256 || request.curve == .p384 {
            #expect(t2000.eligibleProviders(for: request.mechanism, operation: request.requiredFlag, keyBits: request.keyBits, curve: request.curve) == ["sparcfp"])
        }
    }

    @Test("a mechanism of the other curve family is keyInvalid, pinned or direct", arguments: ["openssl", "sodium"])
    func wrongFamily(provider name: String) throws {
        let p256 = try Self.framework.generateECKeyPair(curve: .p256)
        let ed = try Self.framework.generateECKeyPair(curve: .ed25519)
        let provider = try #require(Self.framework.provider(named: name))
        let requests: [CryptoRequest] = [
            .signEC(.eddsa, key: p256, data: [1]),
            .deriveECDH(privateKey: ed, peerPublicValue: try #require(ed.publicKey).point, parameters: .null),
        ]
        for request in requests {
            expectCryptoError(.keyInvalid, mentioning: "needs") { _ = try Self.view(name).perform(request) }
            expectCryptoError(.keyInvalid, mentioning: "needs") { _ = try provider.perform(request, context: OperationContext()) }
            expectCryptoError(.keyInvalid, mentioning: "needs") { _ = try Self.framework.perform(request) }
        }
        expectCryptoError(.keyInvalid, mentioning: "needs a P-256") { _ = try Self.framework.sign(.ecdsa, key: ed, data: [1]) }
    }

    @Test("a private key given a public key that is not its own is refused by both providers", arguments: ["openssl", "sodium"])
    func mismatchedPair(provider: String) throws {
        let a = try Self.framework.generateECKeyPair(curve: .ed25519)
        let b = try Self.framework.generateECKeyPair(curve: .ed25519)
        let mixed = try ECPrivateKey(curve: .ed25519, scalar: a.scalar, publicKey: b.publicKey)
        expectCryptoError(.keyInvalid, mentioning: "do not belong together") { _ = try Self.view(provider).sign(.eddsa, key: mixed, data: [1]) }
        if provider == "openssl" {
            let p = try Self.framework.generateECKeyPair(curve: .p384)
            let q = try Self.framework.generateECKeyPair(curve: .p384)
            let mixedP = try ECPrivateKey(curve: .p384, scalar: p.scalar, publicKey: q.publicKey)
            expectCryptoError(.keyInvalid, mentioning: "do not belong together") { _ = try Self.view(provider).sign(.ecdsaSHA384, key: mixedP, data: [1]) }
        }
    }

    @Test("generated keys survive PKCS#8, SEC 1 and SPKI round trips and still work", arguments: ECCurve.allCases)
    func generatedKeyRoundTrip(curve: ECCurve) throws {
        let key = try Self.framework.generateECKeyPair(curve: curve)
        let publicKey = try #require(key.publicKey)
        let again = try ECPrivateKey(pemRepresentation: key.pemRepresentation)
        #expect(again.scalar == key.scalar)
        #expect(try ECPublicKey(pemRepresentation: publicKey.pemRepresentation) == publicKey)
        if let sec1 = key.sec1PEMRepresentation {
            #expect(try ECPrivateKey(pemRepresentation: sec1).publicKey == publicKey)
        }
        switch curve.family {
        case .weierstrass:
            let signature = try Self.framework.sign(.ecdsaSHA512, key: again, data: [7])
            #expect(try Self.framework.verify(.ecdsaSHA512, key: publicKey, data: [7], signature: signature))
        case .edwards:
            let signature = try Self.framework.sign(.eddsa, key: again, data: [7])
            #expect(try Self.framework.verify(.eddsa, key: publicKey, data: [7], signature: signature))
        case .montgomery:
            let other = try Self.framework.generateECKeyPair(curve: curve)
            #expect(try Self.framework.deriveECDH(privateKey: again, peerPublicValue: try #require(other.publicKey).point)
                == (try Self.framework.deriveECDH(privateKey: other, peerPublicValue: publicKey.point)))
        }
    }

    @Test("the async forms serve EC too")
    func asyncForms() async throws {
        let key = try await Self.framework.generateECKeyPair(curve: .p256)
        let signature = try await Self.framework.sign(.ecdsaSHA256, key: key, data: [1, 2, 3])
        #expect(try await Self.framework.verify(.ecdsaSHA256, key: try #require(key.publicKey), data: [1, 2, 3], signature: signature))
        let peer = try await Self.framework.generateECKeyPair(curve: .p256)
        let z = try await Self.framework.deriveECDH(privateKey: key, peerPublicValue: try #require(peer.publicKey).point)
        #expect(z.count == 32)
    }

    @Test("reports name the provider and the EC operation; kstats count them apart from RSA")
    func reports() throws {
        let framework = try CryptoFramework(platform: .host, policy: .inMemory(Policy()))
        let key = try framework.generateECKeyPair(curve: .ed25519)
        let signed = try framework.perform(.signEC(.eddsa, key: key, data: [1]))
        // Key generation by the platform's order (openssl), the signature on sodium (CKM_EDDSA preferred).
        #expect(signed.report.provider == "sodium" && signed.report.operation == "sign" && signed.report.mechanism == .eddsa)
        let stats = try #require(framework.stats(for: "openssl")), sodium = try #require(framework.stats(for: "sodium"))
        #expect(stats.served["generateECKeyPair"] == 1 && stats.served["signEC"] == nil && stats.served["sign"] == nil)
        #expect(sodium.served["signEC"] == 1 && sodium.served["sign"] == nil)
    }
}
