import CryptoFramework
import Testing

/// Layout tests of the RFC 8017 encodings. A stand-in "hash" (deterministic,
/// the right length, not cryptographic) keeps these tests free of any provider;
/// known answers with real SHA are in ProvidersTests/RSAPaddingKnownAnswerTests.
@Suite struct RSAPaddingTests {
    /// FNV-1a over the input, stretched to the digest length: enough to tell inputs apart.
    static func standInHash(_ algorithm: HashAlgorithm, _ data: [UInt8]) -> [UInt8] {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return (0..<algorithm.digestLength).map { i in
            state = (state ^ UInt64(i)) &* 0x100_0000_01b3
            return UInt8(truncatingIfNeeded: state >> 32)
        }
    }

    @Test func pkcs1Type1Layout() throws {
        let t = [UInt8](1...20)
        let em = try RSAPadding.pkcs1Type1(t, length: 64)
        #expect(em.count == 64)
        #expect(em[0] == 0x00 && em[1] == 0x01)
        #expect(em[2..<43].allSatisfy { $0 == 0xFF })  // PS: 64 − 20 − 3 = 41 bytes
        #expect(em[43] == 0x00)
        #expect(Array(em[44...]) == t)
    }

    @Test func pkcs1Type1AcceptsExactlyEightPaddingBytes() throws {
        let em = try RSAPadding.pkcs1Type1([UInt8](repeating: 7, count: 53), length: 64)
        #expect(Array(em[0..<11]) == [0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0])
    }

    @Test func pkcs1Type1TooLong() {
        let error = #expect(throws: CryptoError.self) {
            try RSAPadding.pkcs1Type1([UInt8](repeating: 7, count: 54), length: 64)
        }
        #expect(error?.code == .dataLengthRange)
    }

    @Test func mgf1ConcatenatesCounterBlocks() throws {
        let seed: [UInt8] = [9, 8, 7]
        let mask = try RSAPadding.mgf1(seed: seed, length: 50, hash: .sha1, using: Self.standInHash)
        let blocks = (0..<3).flatMap { c in Self.standInHash(.sha1, seed + [0, 0, 0, UInt8(c)]) }
        #expect(mask == Array(blocks.prefix(50)))
    }

    /// emBits around byte boundaries: 8·emLen − emBits leftmost bits are cleared.
    @Test(arguments: [1023, 1024, 1025, 2047])
    func pssEncodeLayoutAndVerify(emBits: Int) throws {
        let parameters = PSSParameters(hash: .sha256)
        let mHash = Self.standInHash(.sha256, [1, 2, 3])
        let salt = [UInt8](repeating: 0x5A, count: 32)
        let em = try RSAPadding.pssEncode(
            mHash: mHash, emBits: emBits, salt: salt, parameters: parameters, hash: Self.standInHash)
        #expect(em.count == (emBits + 7) / 8)
        #expect(em.last == 0xBC)
        let clearedBits = 8 * em.count - emBits
        #expect(em[0] >> (8 - clearedBits) == 0 || clearedBits == 0)
        #expect(try RSAPadding.pssVerify(mHash: mHash, em: em, emBits: emBits, parameters: parameters, hash: Self.standInHash))

        // Any single changed byte is rejected.
        for index in [0, 1, em.count / 2, em.count - 2, em.count - 1] {
            var bad = em
            bad[index] ^= 0x01
            #expect(try !RSAPadding.pssVerify(mHash: mHash, em: bad, emBits: emBits, parameters: parameters, hash: Self.standInHash))
        }
        // Another message hash is rejected.
        #expect(try !RSAPadding.pssVerify(
            mHash: Self.standInHash(.sha256, [4]), em: em, emBits: emBits, parameters: parameters, hash: Self.standInHash))
    }

    @Test func pssEncodeTooSmallForHashAndSalt() {
        // emLen 64 < hLen 64 + sLen 64 + 2.
        let error = #expect(throws: CryptoError.self) {
            try RSAPadding.pssEncode(
                mHash: [UInt8](repeating: 1, count: 64), emBits: 511, salt: [UInt8](repeating: 2, count: 64),
                parameters: PSSParameters(hash: .sha512), hash: Self.standInHash)
        }
        #expect(error?.code == .mechanismParamInvalid)
    }

    // MARK: RSASignatureVerifier with stand-in public operations

    /// A public key whose modulus is all ones (odd, `bits` long): every k-byte value but 0xFF…FF is below it.
    static func key(bits: Int) -> RSAPublicKey {
        try! RSAPublicKey(modulus: [UInt8](repeating: 0xFF, count: bits / 8), publicExponent: [1, 0, 1])
    }

    @Test func rawComparesWithLeftPaddedData() throws {
        let data: [UInt8] = [1, 2, 3]
        let signature = [UInt8](repeating: 0, count: 61) + data
        let identity: ([UInt8]) throws -> [UInt8] = { $0 }
        #expect(try RSASignatureVerifier.verify(
            scheme: .raw, key: Self.key(bits: 512), data: data, signature: signature, pss: nil,
            publicOperation: identity, hash: Self.standInHash))
        #expect(try !RSASignatureVerifier.verify(
            scheme: .raw, key: Self.key(bits: 512), data: [1, 2, 4], signature: signature, pss: nil,
            publicOperation: identity, hash: Self.standInHash))
    }

    @Test func pkcs1VerifiesByReencoding() throws {
        let data = [UInt8](repeating: 0xAB, count: 20)
        let encoded = try RSAPadding.pkcs1Type1(data, length: 64)
        #expect(try RSASignatureVerifier.verify(
            scheme: .pkcs1, key: Self.key(bits: 512), data: data, signature: encoded, pss: nil,
            publicOperation: { $0 }, hash: Self.standInHash))
    }

    @Test func wrongSignatureLengthThrows() {
        let error = #expect(throws: CryptoError.self) {
            try RSASignatureVerifier.verify(
                scheme: .pkcs1, key: Self.key(bits: 512), data: [1], signature: [UInt8](repeating: 1, count: 55), pss: nil,
                publicOperation: { $0 }, hash: Self.standInHash)
        }
        #expect(error?.code == .signatureLengthRange)
    }

    /// docs/rsa-input-rules.md, "Short signatures": up to 8 bytes short is the
    /// integer it encodes (a valid signature with leading zeros stripped verifies);
    /// 9 short, empty, or longer than k is a length error.
    @Test(arguments: [1, 2, 8])
    func signatureWithLeadingZerosStrippedVerifies(zeros: Int) throws {
        let k = 64
        let signature = [UInt8](repeating: 0, count: zeros) + [UInt8](repeating: 0x5A, count: k - zeros)
        let identity: ([UInt8]) throws -> [UInt8] = { $0 }
        // CKM_RSA_X_509 with the identity as the public operation: the data is the signature's value.
        let data = Array(signature.drop(while: { $0 == 0 }))
        #expect(try RSASignatureVerifier.verify(
            scheme: .raw, key: Self.key(bits: 512), data: data, signature: Array(signature.dropFirst(zeros)), pss: nil,
            publicOperation: identity, hash: Self.standInHash))
        #expect(try RSASignatureVerifier.verify(
            scheme: .raw, key: Self.key(bits: 512), data: data, signature: signature, pss: nil,
            publicOperation: identity, hash: Self.standInHash))
    }

    @Test(arguments: [0, 4, 55, 65, 72])
    func signatureOutsideTheLengthBoundIsALengthError(length: Int) {
        let error = #expect(throws: CryptoError.self) {
            try RSASignatureVerifier.verify(
                scheme: .raw, key: Self.key(bits: 512), data: [1], signature: [UInt8](repeating: 0, count: length), pss: nil,
                publicOperation: { $0 }, hash: Self.standInHash)
        }
        #expect(error?.code == .signatureLengthRange)
    }

    @Test func valueNotBelowModulusIsFalse() throws {
        #expect(try !RSASignatureVerifier.verify(
            scheme: .pkcs1, key: Self.key(bits: 512), data: [1], signature: [UInt8](repeating: 0xFF, count: 64), pss: nil,
            publicOperation: { _ in throw CryptoError(.dataInvalid, "not below n") }, hash: Self.standInHash))
    }

    @Test func rawPSSNeedsAHashLength() {
        let error = #expect(throws: CryptoError.self) {
            try RSASignatureVerifier.verify(
                scheme: .pss, key: Self.key(bits: 1024), data: [UInt8](repeating: 1, count: 33),
                signature: [UInt8](repeating: 1, count: 128), pss: nil,
                publicOperation: { $0 }, hash: Self.standInHash)
        }
        #expect(error?.code == .dataLengthRange)
        let mismatch = #expect(throws: CryptoError.self) {
            try RSASignatureVerifier.verify(
                scheme: .pss, key: Self.key(bits: 1024), data: [UInt8](repeating: 1, count: 32),
                signature: [UInt8](repeating: 1, count: 128), pss: PSSParameters(hash: .sha1),
                publicOperation: { $0 }, hash: Self.standInHash)
        }
        #expect(mismatch?.code == .dataLengthRange)
    }
}
