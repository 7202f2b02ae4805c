import CLibCrypto
import Dispatch
import CryptoFramework
import Providers
import Testing

// Tests of the openssl provider called directly through `perform` (no registry).

private let provider = OpenSSLProvider()

private func run(_ request: CryptoRequest) throws -> CryptoResult {
    try provider.perform(request, context: OperationContext())
}

private func bytes(_ request: CryptoRequest) throws -> [UInt8] {
    guard case .bytes(let out) = try run(request) else { throw TestFailure("expected .bytes") }
    return out
}

private func verified(_ request: CryptoRequest) throws -> Bool {
    guard case .verified(let ok) = try run(request) else { throw TestFailure("expected .verified") }
    return ok
}

private struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` and returns the CryptoError code it threw.
private func errorCode(_ body: () throws -> Void) -> CryptoError.Code? {
    do {
        try body()
        return nil
    } catch let error as CryptoError {
        return error.code
    } catch {
        return nil
    }
}

private func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.filter { !$0.isWhitespace })
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

/// Keys generated once per run (RSA generation is the slow part of this suite).
private enum TestKeys {
    static let rsa1024 = Result { try generate(bits: 1024) }
    static let rsa2048 = Result { try generate(bits: 2048) }

    static func rsa(_ bits: Int) throws -> RSAPrivateKey {
        try (bits == 1024 ? rsa1024 : rsa2048).get()
    }

    private static func generate(bits: Int) throws -> RSAPrivateKey {
        guard case .rsaKeyPair(let key) = try run(.generateRSAKeyPair(bits: bits, publicExponent: [0x01, 0x00, 0x01])) else {
            throw TestFailure("expected .rsaKeyPair")
        }
        return key
    }
}

// MARK: RSA

private let rsaSignatureMechanisms: [Mechanism] = [
    .rsaPKCS, .rsaX509,
    .sha1RSAPKCS, .sha224RSAPKCS, .sha256RSAPKCS, .sha384RSAPKCS, .sha512RSAPKCS,
    .rsaPKCSPSS, .sha1RSAPKCSPSS, .sha224RSAPKCSPSS, .sha256RSAPKCSPSS, .sha384RSAPKCSPSS, .sha512RSAPKCSPSS,
]

/// Input suited to the mechanism: a full block below n for X.509, 36 bytes
/// (IKEv1's MD5‖SHA-1) for raw PKCS#1, a SHA-256 digest for raw PSS, a message otherwise.
private func signatureInput(_ mechanism: Mechanism, key: RSAPrivateKey) -> [UInt8] {
    switch mechanism {
    case .rsaX509: [0x00] + (1..<key.publicKey.byteCount).map { UInt8(truncatingIfNeeded: $0 &* 37) }
    case .rsaPKCS: (0..<36).map { UInt8($0) }
    case .rsaPKCSPSS: (0..<32).map { UInt8($0 &+ 100) }
    default: Array("IKE phase 1 responder".utf8)
    }
}

@Test("RSA sign/verify round trip, tampering and wrong lengths", arguments: rsaSignatureMechanisms, [1024, 2048])
func rsaRoundTrip(mechanism: Mechanism, bits: Int) throws {
    let key = try TestKeys.rsa(bits)
    let data = signatureInput(mechanism, key: key)
    if bits == 1024 && mechanism == .sha512RSAPKCSPSS {
        // emLen 128 < hLen 64 + sLen 64 + 2 (RFC 8017 §9.1.1): the default parameters do not fit.
        #expect(errorCode { _ = try bytes(.sign(mechanism, key: key, data: data, pss: nil)) } == .mechanismParamInvalid)
        return
    }
    let signature = try bytes(.sign(mechanism, key: key, data: data, pss: nil))
    #expect(signature.count == key.publicKey.byteCount)
    #expect(try verified(.verify(mechanism, key: key.publicKey, data: data, signature: signature, pss: nil)))

    var tampered = signature
    tampered[tampered.count / 2] ^= 0x01
    #expect(try verified(.verify(mechanism, key: key.publicKey, data: data, signature: tampered, pss: nil)) == false)

    var otherData = data
    otherData[otherData.count - 1] ^= 0x80
    #expect(try verified(.verify(mechanism, key: key.publicKey, data: otherData, signature: signature, pss: nil)) == false)

    #expect(errorCode {
        _ = try verified(.verify(mechanism, key: key.publicKey, data: data, signature: Array(signature.dropFirst(9)), pss: nil))
    } == .signatureLengthRange)
    #expect(errorCode {
        _ = try verified(.verify(mechanism, key: key.publicKey, data: data, signature: [0] + signature, pss: nil))
    } == .signatureLengthRange)
}

@Test("CKM_SHA256_RSA_PKCS equals CKM_RSA_PKCS over the DigestInfo (v1.5 is deterministic)")
func pkcs1HashedMatchesDigestInfo() throws {
    let key = try TestKeys.rsa(2048)
    let message = Array("abc".utf8)
    let digest = try bytes(.digest(.sha256, data: message))
    let hashed = try bytes(.sign(.sha256RSAPKCS, key: key, data: message, pss: nil))
    let raw = try bytes(.sign(.rsaPKCS, key: key, data: HashAlgorithm.sha256.digestInfo(digest), pss: nil))
    #expect(hashed == raw)
}

@Test("CKM_RSA_X_509 rejects input not below n; short input is left-padded")
func x509InputRange() throws {
    let key = try TestKeys.rsa(2048)
    let n = key.modulus
    #expect(errorCode { _ = try bytes(.sign(.rsaX509, key: key, data: n, pss: nil)) } == .dataInvalid)
    var above = n
    above[above.count - 1] &+= 2  // n is odd: n + 2 without carry unless the low byte is 0xFF
    if above[above.count - 1] > n[n.count - 1] {
        #expect(errorCode { _ = try bytes(.sign(.rsaX509, key: key, data: above, pss: nil)) } == .dataInvalid)
    }
    #expect(errorCode { _ = try bytes(.sign(.rsaX509, key: key, data: [0x01] + n, pss: nil)) } == .dataLengthRange)

    let short: [UInt8] = [0x12, 0x34]
    let signature = try bytes(.sign(.rsaX509, key: key, data: short, pss: nil))
    let padded = [UInt8](repeating: 0, count: key.publicKey.byteCount - 2) + short
    #expect(try verified(.verify(.rsaX509, key: key.publicKey, data: short, signature: signature, pss: nil)))
    #expect(try verified(.verify(.rsaX509, key: key.publicKey, data: padded, signature: signature, pss: nil)))
}

@Test("CKM_RSA_PKCS takes at most k − 11 bytes")
func pkcs1InputLength() throws {
    let key = try TestKeys.rsa(1024)
    let k = key.publicKey.byteCount
    _ = try bytes(.sign(.rsaPKCS, key: key, data: [UInt8](repeating: 7, count: k - 11), pss: nil))
    #expect(errorCode { _ = try bytes(.sign(.rsaPKCS, key: key, data: [UInt8](repeating: 7, count: k - 10), pss: nil)) }
        == .dataLengthRange)
}

@Test("PSS verification holds the salt length fixed")
func pssSaltLengthIsChecked() throws {
    let key = try TestKeys.rsa(2048)
    let message = Array("salted".utf8)
    let salt20 = PSSParameters(hash: .sha256, saltLength: 20)
    let signature = try bytes(.sign(.sha256RSAPKCSPSS, key: key, data: message, pss: salt20))
    #expect(try verified(.verify(.sha256RSAPKCSPSS, key: key.publicKey, data: message, signature: signature, pss: salt20)))
    // The default salt is the hash length (32), so a 20-byte salt must not verify.
    #expect(try verified(.verify(.sha256RSAPKCSPSS, key: key.publicKey, data: message, signature: signature, pss: nil)) == false)
    #expect(errorCode {
        _ = try bytes(.sign(.sha256RSAPKCSPSS, key: key, data: message, pss: PSSParameters(hash: .sha384)))
    } == .mechanismParamInvalid)
    // Raw PSS: the hash follows the data length; a length that is no digest is refused.
    #expect(errorCode { _ = try bytes(.sign(.rsaPKCSPSS, key: key, data: [UInt8](repeating: 1, count: 33), pss: nil)) }
        == .dataLengthRange)
}

@Test("RSA key generation: size range and exponent")
func rsaKeyGeneration() throws {
    #expect(errorCode { _ = try run(.generateRSAKeyPair(bits: 256, publicExponent: [1, 0, 1])) } == .keySizeRange)
    #expect(errorCode { _ = try run(.generateRSAKeyPair(bits: 1024, publicExponent: [4])) } == .mechanismParamInvalid)
    let key = try TestKeys.rsa(1024)
    #expect(key.bits == 1024)
    #expect(key.publicExponent == [0x01, 0x00, 0x01])
}

// MARK: Digests, HMAC, ciphers

@Test("SHA-1 and SHA-256 of \"abc\" (FIPS 180-2 Appendix A.1 / B.1)")
func digestKnownAnswers() throws {
    let abc = Array("abc".utf8)
    #expect(try bytes(.digest(.sha1, data: abc)) == hex("a9993e364706816aba3e25717850c26c9cd0d89d"))
    #expect(try bytes(.digest(.sha256, data: abc)) == hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
    for hash in HashAlgorithm.allCases {
        #expect(try bytes(.digest(hash.digestMechanism, data: abc)).count == hash.digestLength)
    }
}

@Test("HMAC-SHA256, RFC 4231 test case 2")
func hmacKnownAnswer() throws {
    guard case .secret(let secret) = try run(.mac(.sha256HMAC, key: SecureBytes(Array("Jefe".utf8)), data: SecureBytes(Array("what do ya want for nothing?".utf8))))
    else { throw TestFailure("expected .secret: a MAC is key material") }
    #expect(secret.bytes == hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"))
    #expect(errorCode { _ = try run(.mac(.sha256HMAC, key: SecureBytes([UInt8]()), data: SecureBytes([1]))) } == .keySizeRange)
}

@Test("AES-128-CBC, NIST SP 800-38A F.2.1/F.2.2 first two blocks")
func aesCBCKnownAnswer() throws {
    let key = SecureBytes(hex("2b7e151628aed2a6abf7158809cf4f3c"))
    let iv = hex("000102030405060708090a0b0c0d0e0f")
    let plain = hex("6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51")
    let cipher = hex("7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2")
    #expect(try bytes(.encrypt(.aesCBC, key: key, iv: iv, data: plain)) == cipher)
    #expect(try bytes(.decrypt(.aesCBC, key: key, iv: iv, data: cipher)) == plain)

    #expect(errorCode { _ = try run(.encrypt(.aesCBC, key: key, iv: iv, data: Array(plain.dropLast()))) } == .dataLengthRange)
    #expect(errorCode { _ = try run(.encrypt(.aesCBC, key: key, iv: Array(iv.dropLast()), data: plain)) } == .mechanismParamInvalid)
    #expect(errorCode { _ = try run(.encrypt(.aesCBC, key: SecureBytes([UInt8](repeating: 1, count: 20)), iv: iv, data: plain)) }
        == .keySizeRange)
}

@Test("3DES-CBC round trip and length checks")
func des3RoundTrip() throws {
    let key = SecureBytes((0..<24).map { UInt8($0 &* 11 &+ 1) })
    let iv: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
    let plain = Array("sixteen bytes!!!".utf8) + Array("eight by".utf8)
    let cipher = try bytes(.encrypt(.des3CBC, key: key, iv: iv, data: plain))
    #expect(cipher.count == plain.count && cipher != plain)
    #expect(try bytes(.decrypt(.des3CBC, key: key, iv: iv, data: cipher)) == plain)
    #expect(errorCode { _ = try run(.encrypt(.des3CBC, key: key, iv: iv, data: [1, 2, 3])) } == .dataLengthRange)
    #expect(errorCode { _ = try run(.encrypt(.des3CBC, key: key, iv: [1], data: plain)) } == .mechanismParamInvalid)
}

// MARK: Diffie-Hellman

private func dhKeyPair(_ group: DHGroup, privateBits: Int? = nil) throws -> DHKeyPair {
    guard case .dhKeyPair(let pair) = try run(.generateDHKeyPair(group: group, privateBits: privateBits)) else {
        throw TestFailure("expected .dhKeyPair")
    }
    return pair
}

private func dhSecret(_ key: DHPrivateKey, _ peer: [UInt8]) throws -> SecureBytes {
    guard case .secret(let z) = try run(.deriveDH(privateKey: key, peerPublicValue: peer)) else {
        throw TestFailure("expected .secret")
    }
    return z
}

@Test("DH: both sides agree", arguments: [1, 2, 5, 14, 15])
func dhAgreement(groupNumber: Int) throws {
    let group = try #require(DHGroup.ike(groupNumber))
    let alice = try dhKeyPair(group)
    let bob = try dhKeyPair(group, privateBits: groupNumber == 2 ? group.bits : nil)
    #expect(alice.publicValue.count == group.byteCount)
    #expect(bob.publicValue.count == group.byteCount)
    let za = try dhSecret(alice.privateKey, bob.publicValue)
    let zb = try dhSecret(bob.privateKey, alice.publicValue)
    #expect(za.count == group.byteCount)
    #expect(za == zb)
}

@Test("DH: private exponent length")
func dhPrivateBits() throws {
    let group = DHGroup.modp14
    let pair = try dhKeyPair(group, privateBits: 256)
    let x = pair.privateKey.value.bytes
    #expect(x.count == 32 && x[0] & 0x80 != 0)
    // The default exponent has exactly defaultPrivateBits bits (top bit set).
    let x2 = try dhKeyPair(group).privateKey.value.bytes
    let topBits = 8 - x2[0].leadingZeroBitCount
    #expect((x2.count - 1) * 8 + topBits == group.defaultPrivateBits)
    for bad in [0, 100, 159, group.bits + 1] {
        #expect(errorCode { _ = try dhKeyPair(group, privateBits: bad) } == .argumentsBad, "privateBits \(bad)")
    }
}

@Test("DH: out-of-range peer values are rejected")
func dhPeerRange() throws {
    let group = DHGroup.modp2
    let pair = try dhKeyPair(group)
    let p = group.prime
    var pMinus1 = p
    pMinus1[p.count - 1] -= 1  // p ends in 0xFF
    var pPlus1 = p  // p + 1: add with carry from the low end
    for i in pPlus1.indices.reversed() {
        pPlus1[i] &+= 1
        if pPlus1[i] != 0 { break }
    }
    let peers: [(String, [UInt8])] = [
        ("0", [0]), ("1", [1]), ("p − 1", pMinus1), ("p", p), ("above p", pPlus1),
        ("empty", []), ("over-long", [1] + p),
    ]
    for (name, peer) in peers {
        #expect(throws: CryptoError.self, "peer \(name)") { _ = try dhSecret(pair.privateKey, peer) }
    }
}

@Test("IKE group primes equal libcrypto's RFC 2409 / RFC 3526 constants")
func ikePrimesMatchLibcrypto() throws {
    let sources: [(DHGroup, (OpaquePointer?) -> OpaquePointer?)] = [
        (.modp1, BN_get_rfc2409_prime_768), (.modp2, BN_get_rfc2409_prime_1024),
        (.modp5, BN_get_rfc3526_prime_1536), (.modp14, BN_get_rfc3526_prime_2048),
        (.modp15, BN_get_rfc3526_prime_3072), (.modp16, BN_get_rfc3526_prime_4096),
        (.modp17, BN_get_rfc3526_prime_6144), (.modp18, BN_get_rfc3526_prime_8192),
    ]
    for (group, get) in sources {
        let bn = try #require(get(nil))
        defer { BN_free(bn) }
        var out = [UInt8](repeating: 0, count: Int(BN_num_bits(bn) + 7) / 8)
        _ = out.withUnsafeMutableBufferPointer { BN_bn2bin(bn, $0.baseAddress) }
        #expect(out == group.prime, "\(group)")
        #expect(group.generator == [2])
    }
}

// MARK: Provider

@Test("Unserved requests and the mechanism table")
func providerTable() throws {
    #expect(provider.descriptor.name == "openssl")
    #expect(provider.descriptor.kind == .software)
    #expect(provider.isFailed == false)
    #expect(provider.descriptor.info(for: .random) == nil)
    #expect(errorCode { _ = try run(.random(count: 16)) } == .mechanismInvalid)
    let dh = try #require(provider.descriptor.info(for: .dhPKCSDerive))
    #expect(dh.minKeyBits == 512 && dh.maxKeyBits == 10000 && dh.flags == .derive)
    let rsa = try #require(provider.descriptor.info(for: .sha256RSAPKCSPSS))
    #expect(rsa.minKeyBits == 512 && rsa.maxKeyBits == 16384 && rsa.flags == [.sign, .verify])
}

@Test("A private key rebuilt from its components (fresh import) signs like the generated one")
func rsaImportFromComponents() throws {
    let generated = try TestKeys.rsa(1024)
    let rebuilt = try RSAPrivateKey(
        modulus: generated.modulus, publicExponent: generated.publicExponent,
        privateExponent: generated.privateExponent, prime1: generated.prime1, prime2: generated.prime2,
        exponent1: generated.exponent1, exponent2: generated.exponent2, coefficient: generated.coefficient)
    let message = Array("deterministic".utf8)
    let a = try bytes(.sign(.sha256RSAPKCS, key: generated, data: message, pss: nil))
    let b = try bytes(.sign(.sha256RSAPKCS, key: rebuilt, data: message, pss: nil))
    #expect(a == b)
    // Hot loop: the second sign reuses the cached EVP_PKEY and must still be correct.
    #expect(try bytes(.sign(.sha256RSAPKCS, key: rebuilt, data: message, pss: nil)) == a)
}

@Test("Threads sharing one key share its pooled contexts and scratch: every answer is right")
func rsaPooledContextsUnderThreads() throws {
    let key = try TestKeys.rsa(1024)
    let messages = (0..<8).map { Array("message \($0)".utf8) }
    let signatures = try messages.map { try bytes(.sign(.rsaPKCS, key: key, data: $0, pss: nil)) }
    let wrong = Locked(0)
    // More threads than the pools keep (16): contexts and scratch are also made and dropped.
    DispatchQueue.concurrentPerform(iterations: 24) { thread in
        for round in 0..<40 {
            let i = (thread + round) % messages.count
            let tampered = round % 3 == 0
            var signature = signatures[i]
            if tampered { signature[signature.count / 2] ^= 0x10 }
            let answer = try? verified(.verify(.rsaPKCS, key: key.publicKey, data: messages[i], signature: signature, pss: nil))
            let signed = round % 8 == 0 ? try? bytes(.sign(.rsaPKCS, key: key, data: messages[i], pss: nil)) : signatures[i]
            if answer != !tampered || signed != signatures[i] { wrong.withLock { $0 += 1 } }
        }
    }
    #expect(wrong.withLock { $0 } == 0)
}
