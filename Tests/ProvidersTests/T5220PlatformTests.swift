import CryptoFramework
import Providers
import TestSupport
import Testing

/// The t5220 platform (UltraSPARC T2): every provider's answer against
/// openssl's, the counts its cost models charge, and the policy falling back.
@Suite("t5220: the UltraSPARC T2's providers")
struct T5220PlatformTests {
    static let openssl = NCPTestSupport.checker

    static func t5220(_ policy: Policy = Policy()) throws -> CryptoFramework {
        try CryptoFramework(platform: .t5220(timing: .fast), policy: .inMemory(policy))
    }

    static func pinned(_ name: String) throws -> CryptoFramework { try t5220().pinned(to: name) }

    @Test("the platform builds sparcfp, ncp/0 (with EC), n2cp/0 and n2rng/0 on the T2's chip value; the T1's ncp has no EC")
    func providers() throws {
        let fw = try Self.t5220()
        #expect(fw.providers.map(\.name) == ["sparcfp", "ncp/0", "n2cp/0", "n2rng/0"])
        #expect(fw.platform.chip == .ultraSPARCT2)
        let chip = ChipModel.ultraSPARCT2
        #expect(chip.strands == 64 && chip.floatingPointUnits == 8 && chip.strandsPerFloatingPointUnit == 8)
        #expect(chip.cryptoUnits.count == 8 && chip.cryptoUnits.strandsPerUnit == 8 && chip.cryptoUnits.jobQueueEntries == 512)
        #expect(chip.streamUnits?.count == 8 && chip.streamUnits?.queueEntries == 32 && chip.streamUnits?.maxJobBytes == 65_536)
        #expect(ChipModel.ultraSPARCT1.strandsPerFloatingPointUnit == 32 && ChipModel.ultraSPARCT1.streamUnits == nil)
        let ncp = try #require(fw.provider(named: "ncp/0"))
        for m in [Mechanism.ecdsa, .ecdh1Derive, .ecKeyPairGen] {
            #expect(ncp.descriptor.info(for: m)?.flags.contains(.hardware) == true, "\(m.name)")
            #expect(NCPProvider(chip: .ultraSPARCT1).descriptor.info(for: m) == nil, "\(m.name) on the T1")
        }
        #expect(ncp.descriptor.info(for: .ecdsaSHA256) == nil, "hashed ECDSA is composed, not registered")
    }

    // MARK: ncp/0

    @Test("ncp/0: RSA signatures are openssl's; verify agrees; DH agrees with openssl on both sides")
    func ncpRSAAndDH() throws {
        let ncp = try Self.pinned("ncp/0")
        let key = NCPTestSupport.key
        let data = NCPTestSupport.message(3)
        let signature = try ncp.sign(.rsaPKCS, key: key, data: data)
        #expect(signature == (try Self.openssl.sign(.rsaPKCS, key: key, data: data)))
        #expect(try ncp.verify(.rsaPKCS, key: key.publicKey, data: data, signature: signature))
        #expect(try !ncp.verify(.rsaPKCS, key: key.publicKey, data: NCPTestSupport.message(4), signature: signature))
        let mine = try ncp.generateDHKeyPair(group: .modp14, privateBits: 256)
        let theirs = try Self.openssl.generateDHKeyPair(group: .modp14, privateBits: 256)
        let a = try ncp.deriveDH(privateKey: mine.privateKey, peerPublicValue: theirs.publicValue)
        let b = try Self.openssl.deriveDH(privateKey: theirs.privateKey, peerPublicValue: mine.publicValue)
        #expect(a == b)
    }

    @Test("ncp/0: raw ECDSA verifies on openssl and openssl's verifies on ncp/0; a changed hash is false",
          arguments: [ECCurve.p256, .p384, .p521])
    func ncpECDSA(curve: ECCurve) throws {
        let ncp = try Self.pinned("ncp/0")
        let key = try Self.openssl.generateECKeyPair(curve: curve)
        let publicKey = try #require(key.publicKey)
        let hash = try Self.openssl.digest(.sha256, data: Array("the T2's MAU does EC".utf8))
        let signature = try ncp.sign(.ecdsa, key: key, data: hash)
        #expect(try Self.openssl.verify(.ecdsa, key: publicKey, data: hash, signature: signature))
        let theirs = try Self.openssl.sign(.ecdsa, key: key, data: hash)
        #expect(try ncp.verify(.ecdsa, key: publicKey, data: hash, signature: theirs))
        var other = hash
        other[0] ^= 1
        #expect(try !ncp.verify(.ecdsa, key: publicKey, data: other, signature: theirs))
    }

    @Test("ncp/0: ECDH and key pairs agree with openssl", arguments: [ECCurve.p256, .p384, .p521])
    func ncpECDH(curve: ECCurve) throws {
        let ncp = try Self.pinned("ncp/0")
        let mine = try ncp.generateECKeyPair(curve: curve)
        let theirs = try Self.openssl.generateECKeyPair(curve: curve)
        let a = try ncp.deriveECDH(privateKey: mine, peerPublicValue: try #require(theirs.publicKey).point)
        let b = try Self.openssl.deriveECDH(privateKey: theirs, peerPublicValue: try #require(mine.publicKey).point)
        #expect(a == b)
    }

    @Test("ncp/0 charges exactly the field operations the framework's EC performed: one MAU job, its Montgomery multiplies")
    func ncpECCounts() throws {
        let fw = try Self.t5220()
        let key = try Self.openssl.generateECKeyPair(curve: .p256)
        let hash = [UInt8](repeating: 0x42, count: 32)
        // The first use checks the private key against its public key (d·G) and caches the check
        // in the key's handles; the measured requests below both find it done.
        _ = try fw.pinned(to: "ncp/0").perform(.signEC(.ecdsa, key: key, data: hash))
        let reported = try fw.pinned(to: "ncp/0").perform(.signEC(.ecdsa, key: key, data: hash))
        // The same request on gmp: RFC 6979 nonces, so the very same field operations.
        let host = try CryptoFramework(platform: .host, policy: .inMemory(Policy())).pinned(to: "gmp")
        let reference = try host.perform(.signEC(.ecdsa, key: key, data: hash))
        #expect(try reported.value.bytes == reference.value.bytes)
        let mul = try #require(reference.report.counts["ec.mul"]) + (try #require(reference.report.counts["ec.sqr"]))
        let inv = try #require(reference.report.counts["ec.inv"])
        // Fermat inversions, each charged as the exponentiation by P-256's p − 2
        // (p = 2²⁵⁶ − 2²²⁴ + 2¹⁹² + 2⁹⁶ − 1: 129 set bits, p − 2 has 128): 256 squarings and 128 multiplies.
        let pMinus2 = (bits: 256, ones: 128)
        #expect(reported.report.counts["ncp.mau.jobs"] == 1)
        #expect(reported.report.counts["ncp.mau.montmul"] == mul + inv * (pMinus2.bits + pMinus2.ones))
        #expect(reported.report.provider == "ncp/0" && (reported.report.modeledSeconds ?? 0) > 0)
        let ncp = try #require(fw.provider(named: "ncp/0") as? NCPProvider)
        #expect(ncp.statistics.algorithms[.ecdsaSign] == 2)
    }

    @Test("CKM_ECDSA_SHA256 composes on t5220: sparcfp's SHA-256 and ncp/0's CKM_ECDSA; openssl verifies it")
    func composedECDSA() throws {
        let fw = try Self.t5220()
        let key = try Self.openssl.generateECKeyPair(curve: .p256)
        let data = Array("hash-and-sign, rule 6".utf8)
        let reported = try fw.perform(.signEC(.ecdsaSHA256, key: key, data: data))
        #expect(reported.report.provider == "ncp/0")
        let halves = try #require(reported.report.composedWith)
        #expect(halves.rawMechanism == .ecdsa && halves.digestProvider == "sparcfp")
        #expect(try Self.openssl.verify(.ecdsaSHA256, key: try #require(key.publicKey), data: data, signature: reported.value.bytes))
    }

    // MARK: n2cp/0

    @Test("n2cp/0: AES-CBC, 3DES-CBC, SHA-1/256 and their HMACs give openssl's answers")
    func n2cpAnswers() throws {
        let n2cp = try Self.pinned("n2cp/0")
        let data = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        for (mechanism, keyBytes, iv) in [(Mechanism.aesCBC, 16, 16), (.aesCBC, 32, 16), (.des3CBC, 24, 8)] {
            let key = SecureBytes((0..<keyBytes).map { UInt8($0 + 1) })
            let ivBytes = [UInt8](repeating: 9, count: iv)
            let sealed = try n2cp.encrypt(mechanism, key: key, iv: ivBytes, data: data)
            #expect(sealed == (try Self.openssl.encrypt(mechanism, key: key, iv: ivBytes, data: data)), "\(mechanism.name) \(keyBytes)")
            #expect(try n2cp.decrypt(mechanism, key: key, iv: ivBytes, data: sealed) == data)
        }
        for mechanism in [Mechanism.sha1, .sha256] {
            #expect(try n2cp.digest(mechanism, data: data) == Self.openssl.digest(mechanism, data: data))
        }
        let key = SecureBytes(Array("n2cp hmac key".utf8))
        for mechanism in [Mechanism.sha1HMAC, .sha256HMAC] {
            #expect(try n2cp.mac(mechanism, key: key, data: SecureBytes(data)) == Self.openssl.mac(mechanism, key: key, data: SecureBytes(data)))
        }
    }

    @Test("n2cp/0 serves AES-CTR (n2cp.h's isCTR) with openssl's answers, for 128- and 256-bit keys and a partial last block")
    func n2cpCTR() throws {
        let fw = try Self.t5220()
        #expect(fw.providers.first { $0.name == "n2cp/0" }?.info(for: .aesCTR)?.flags.contains(.hardware) == true)
        let n2cp = try fw.pinned(to: "n2cp/0")
        let data = (0..<1001).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        for keyBytes in [16, 32] {
            let key = SecureBytes((0..<keyBytes).map { UInt8($0 + 3) })
            let counter = CipherParameters.counter([UInt8](repeating: 0x5a, count: 12) + [0, 0, 0, 1], bits: 32)
            let reported = try n2cp.perform(.encrypt(.aesCTR, key: key, parameters: counter, data: data))
            let sealed = try reported.value.bytes
            #expect(reported.report.provider == "n2cp/0")
            #expect(sealed == (try Self.openssl.encrypt(.aesCTR, key: key, parameters: counter, data: data)), "AES-\(keyBytes * 8)-CTR")
            #expect(try n2cp.decrypt(.aesCTR, key: key, parameters: counter, data: sealed) == data)
        }
        // Hardware first: an unpinned request goes to n2cp/0.
        let key = SecureBytes([UInt8](repeating: 1, count: 16))
        let counter = CipherParameters.counter([UInt8](repeating: 0, count: 16), bits: 128)
        #expect(try fw.perform(.encrypt(.aesCTR, key: key, parameters: counter, data: [1, 2, 3])).report.provider == "n2cp/0")
    }

    @Test("n2cp/0 streams AES-CTR and AES-CBC on libcrypto's contexts: nothing gathered, each Update one job on a control-word queue, the stream counted once; openssl's answer")
    func n2cpStreams() throws {
        let fw = try Self.t5220()
        let n2cp = try fw.pinned(to: "n2cp/0")
        let key = SecureBytes((0..<16).map { UInt8($0 + 1) })
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let cases: [(Mechanism, CipherParameters, Int)] = [
            (.aesCTR, .counter([UInt8](repeating: 0xa5, count: 12) + [0, 0, 0, 1], bits: 32), 1000),
            (.aesCBC, .iv([UInt8](repeating: 9, count: 16)), 992),
        ]
        for (mechanism, parameters, length) in cases {
            let input = Array(data[..<length])
            let stream = try n2cp.beginStream(.encrypt(mechanism, key: key, parameters: parameters))
            #expect(stream.isIncremental, "\(mechanism.name) streams")
            var out = try stream.update(Array(input[..<100]))
            #expect(out.count == (mechanism == .aesCTR ? 100 : 96), "\(mechanism.name): the first part's output at once")
            out += try stream.update(Array(input[100...]))
            let end = try stream.finish()
            out += end.value
            #expect(end.report.provider == "n2cp/0")
            #expect(end.report.counts["n2cp.jobs"] == 2, "\(mechanism.name): one job per Update, \(end.report.counts)")
            #expect(out == (try Self.openssl.encrypt(mechanism, key: key, parameters: parameters, data: input)), "\(mechanism.name)")
            let back = try n2cp.beginStream(.decrypt(mechanism, key: key, parameters: parameters))
            var plain = try back.update(Array(out[..<33]))
            plain += try back.update(Array(out[33...]))
            plain += try back.finish().value
            #expect(plain == input, "\(mechanism.name) decrypts in parts")
        }
        let provider = try #require(fw.provider(named: "n2cp/0"))
        let algorithms = try #require(provider.kstats.first { $0.name == "n2cp0.algorithms" })
        #expect(algorithms.counters["aes"] == 4)
        #expect(provider.load == 0)
    }

    @Test("n2cp/0 streams SHA-1/256 and their HMACs: each Update one job over the blocks it completes, Finish one more for the padded tail; openssl's answer")
    func n2cpDigestStreams() throws {
        let fw = try Self.t5220()
        let n2cp = try fw.pinned(to: "n2cp/0")
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 11) }
        let key = SecureBytes(Array("n2cp stream key".utf8))
        let requests: [StreamRequest] = [.digest(.sha1), .digest(.sha256), .mac(.sha1HMAC, key: key), .mac(.sha256HMAC, key: key)]
        for request in requests {
            let stream = try n2cp.beginStream(request)
            #expect(stream.isIncremental, "\(request.mechanism.name) streams")
            for cut in [(0, 10), (10, 130), (130, 1000)] { #expect(try stream.update(Array(data[cut.0..<cut.1])).isEmpty) }
            let end = try stream.finish()
            #expect(end.report.provider == "n2cp/0")
            #expect(end.report.counts["n2cp.jobs"] == 4, "\(request.mechanism.name): three Updates and Finish, \(end.report.counts)")
            let whole = try Self.openssl.perform(request.request(data: data)).value.bytes
            #expect(end.value == whole, "\(request.mechanism.name)")
        }
    }

    @Test("t2000 offers no AES-CTR or AES-GCM: Solaris 10's aes provider registered ECB and CBC only")
    func t2000HasNoCTR() throws {
        let fw = try CryptoFramework(platform: .t2000(timing: .fast), policy: .inMemory(Policy()))
        #expect(fw.providers.allSatisfy { $0.info(for: .aesCTR) == nil && $0.info(for: .aesGCM) == nil })
        expectCryptoError(.mechanismNotSupported, mentioning: "CKM_AES_CTR") {
            _ = try fw.encrypt(.aesCTR, key: SecureBytes([UInt8](repeating: 1, count: 16)),
                               parameters: .counter([UInt8](repeating: 0, count: 16), bits: 128), data: [1])
        }
    }

    @Test("n2cp/0 splits input above 64 KB into jobs and counts them; its kstats count the algorithm")
    func n2cpJobs() throws {
        let fw = try Self.t5220()
        let data = [UInt8](repeating: 0xA5, count: 65_536 * 2 + 1)
        let reported = try fw.pinned(to: "n2cp/0").perform(.digest(.sha256, data: data))
        #expect(try reported.value.bytes == Self.openssl.digest(.sha256, data: data))
        #expect(reported.report.counts["n2cp.jobs"] == 3)
        let n2cp = try #require(fw.provider(named: "n2cp/0"))
        let algorithms = try #require(n2cp.kstats.first { $0.name == "n2cp0.algorithms" })
        #expect(algorithms.counters["sha256"] == 1)
        #expect(n2cp.load == 0)
    }

    @Test("n2cp/0: a full control-word queue answers busy, and the framework overflows the request to software")
    func n2cpQueueFull() async throws {
        var chip = ChipModel.ultraSPARCT2
        chip.streamUnits?.count = 1
        chip.streamUnits?.queueEntries = 1
        // A hold long enough to observe (a 64 KB 3DES job is ≈ 1 ms modeled; × 300 ≈ 0.3 s).
        let n2cp = try #require(N2CPProvider(chip: chip, mode: .timed(scale: 300), libcrypto: OpenSSLProvider()))
        let platform = Platform(name: "n2cp-test", chip: chip, softwarePriority: ["openssl"],
                                makeProviders: { [n2cp, OpenSSLProvider()] })
        let fw = try CryptoFramework(platform: platform, policy: .inMemory(Policy()))
        let key = SecureBytes([UInt8](repeating: 3, count: 24))
        let iv = [UInt8](repeating: 0, count: 8)
        let data = [UInt8](repeating: 1, count: 65_536)
        let first = Task { try await fw.perform(.encrypt(.des3CBC, key: key, iv: iv, data: data)) }
        let deadline = ContinuousClock.now + .seconds(30)
        while n2cp.load == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        #expect(n2cp.load == 1)
        let second = try await fw.perform(.encrypt(.des3CBC, key: key, iv: iv, data: data))
        #expect(second.report.provider == "openssl")
        #expect(second.report.failovers.map(\.provider) == ["n2cp/0"])
        #expect(second.report.failovers.first?.error.code == .busy)
        let answer = try await first.value
        #expect(answer.report.provider == "n2cp/0")
        #expect(try answer.value.bytes == second.value.bytes)
    }

    // MARK: n2rng/0 and sparcfp

    @Test("n2rng/0 serves random bytes and counts them")
    func n2rng() throws {
        let fw = try Self.t5220()
        let a = try fw.random(count: 32)
        let b = try fw.random(count: 32)
        #expect(a.count == 32 && a != b)
        let n2rng = try #require(fw.provider(named: "n2rng/0"))
        #expect(fw.stats(for: "n2rng/0")?.served == ["random": 2])
        #expect(n2rng.kstats.first?.counters == ["rngjobs": 2, "rngbytes": 64])
    }

    @Test("sparcfp on the T2: openssl's RSA signature, charged on the T2's per-core FGU for less modeled time than on the T1")
    func sparcfpOnT2() throws {
        let key = NCPTestSupport.key
        let data = NCPTestSupport.message(5)
        let t2 = try Self.pinned("sparcfp").perform(.sign(.rsaPKCS, key: key, data: data, pss: nil))
        let t1 = try CryptoFramework(platform: .t2000(timing: .fast), policy: .inMemory(Policy())).pinned(to: "sparcfp")
            .perform(.sign(.rsaPKCS, key: key, data: data, pss: nil))
        #expect(try t2.value.bytes == Self.openssl.sign(.rsaPKCS, key: key, data: data))
        let t2Seconds = try #require(t2.report.modeledSeconds)
        let t1Seconds = try #require(t1.report.modeledSeconds)
        #expect(t2Seconds < t1Seconds, "T2 \(t2Seconds) s, T1 \(t1Seconds) s: same instruction counts at 6-cycle FP latencies and 1.4 GHz")
        #expect(t2.report.counts["sparcfp.modexp"] == t1.report.counts["sparcfp.modexp"])
    }

    // MARK: Policy

    @Test("ncp/0 disabled: RSA, DH and raw ECDSA fall back to sparcfp with answers openssl agrees with")
    func ncpDisabledFallsBack() throws {
        var policy = Policy()
        let ncpMechanisms = NCPProvider.mechanisms(for: .ultraSPARCT2).map(\.mechanism)
        policy.disable(provider: "ncp/0", mechanisms: ncpMechanisms + [.random])
        let fw = try Self.t5220(policy)
        let key = NCPTestSupport.key
        let data = NCPTestSupport.message(6)
        let reported = try fw.perform(.sign(.rsaPKCS, key: key, data: data, pss: nil))
        #expect(reported.report.provider == "sparcfp")
        #expect(try reported.value.bytes == Self.openssl.sign(.rsaPKCS, key: key, data: data))
        let theirs = try Self.openssl.generateDHKeyPair(group: .modp2, privateBits: 160)
        let mine = try fw.perform(.generateDHKeyPair(group: .modp2, privateBits: 160))
        #expect(mine.report.provider == "sparcfp")
        let pair = try mine.value.dhKeyPair
        #expect(try fw.deriveDH(privateKey: pair.privateKey, peerPublicValue: theirs.publicValue)
                == Self.openssl.deriveDH(privateKey: theirs.privateKey, peerPublicValue: pair.publicValue))
        // Raw ECDSA falls back to sparcfp's software ECC (MPIFieldCost), an answer openssl verifies.
        let ecKey = try Self.openssl.generateECKeyPair(curve: .p256)
        let hash = [UInt8](repeating: 1, count: 32)
        let signed = try fw.perform(.signEC(.ecdsa, key: ecKey, data: hash))
        #expect(signed.report.provider == "sparcfp")
        #expect(try Self.openssl.verify(.ecdsa, key: try #require(ecKey.publicKey), data: hash, signature: signed.value.bytes))
    }

    @Test("n2cp/0 and n2rng/0 disabled: ciphers, digests, HMACs and random go to sparcfp with the same answers")
    func n2cpDisabledFallsBack() throws {
        var policy = Policy()
        policy.disable(provider: "n2cp/0", mechanisms: N2CPProvider.mechanisms.map(\.mechanism) + [.random])
        policy.disable(provider: "n2rng/0", mechanisms: [.random])
        let fw = try Self.t5220(policy)
        let key = SecureBytes([UInt8](repeating: 7, count: 16))
        let iv = [UInt8](repeating: 1, count: 16)
        let data = [UInt8](repeating: 2, count: 64)
        let sealed = try fw.perform(.encrypt(.aesCBC, key: key, iv: iv, data: data))
        #expect(sealed.report.provider == "sparcfp")
        #expect(try sealed.value.bytes == Self.openssl.encrypt(.aesCBC, key: key, iv: iv, data: data))
        let digest = try fw.perform(.digest(.sha1, data: data))
        #expect(digest.report.provider == "sparcfp")
        #expect(try fw.perform(.random(count: 16)).report.provider == "sparcfp")
        // Enabled again (a new policy), n2cp/0 serves as before.
        let again = try Self.t5220()
        #expect(try again.perform(.digest(.sha1, data: data)).report.provider == "n2cp/0")
    }
}
