import CryptoFramework
import Foundation
import Providers
import Testing

/// The gmp provider: RSA for every mechanism it lists, its engine against
/// known answers, the private-result check, and DH.
@Suite struct GMPProviderTests {
    static let provider = GMPProvider()
    static let engine = GMPEngine()
    static let rsa = RSAAlgorithms(engine: GMPEngine())
    static let hex = GMPTestSupport.bytes(hex:)

    /// Keys generated once per test run by the provider itself.
    static let keys: [Int: RSAPrivateKey] = {
        var keys: [Int: RSAPrivateKey] = [:]
        for bits in [1024, 2048] {
            guard case .rsaKeyPair(let key)? = try? provider.perform(
                .generateRSAKeyPair(bits: bits, publicExponent: []), context: OperationContext())
            else { continue }
            keys[bits] = key
        }
        return keys
    }()

    static let signatureMechanisms = provider.descriptor.mechanisms
        .map(\.mechanism).filter { RSAScheme($0) != nil }

    /// Data a mechanism signs: a hash for raw PSS, a DigestInfo for CKM_RSA_PKCS, a message otherwise.
    static func data(for mechanism: Mechanism) -> [UInt8] {
        let message = Array("IKE Phase I responder".utf8)
        switch RSAScheme(mechanism)! {
        case .pss: return GMPTestSupport.digest(.sha256, message)
        case .pkcs1: return HashAlgorithm.sha1.digestInfo(GMPTestSupport.digest(.sha1, message))
        case .raw: return [0x00, 0x42] + message
        default: return message
        }
    }

    func sign(_ mechanism: Mechanism, _ key: RSAPrivateKey, _ data: [UInt8]) throws -> [UInt8] {
        guard case .bytes(let signature) = try Self.provider.perform(
            .sign(mechanism, key: key, data: data, pss: nil), context: OperationContext())
        else { throw CryptoError(.dataInvalid, "sign returned no bytes") }
        return signature
    }

    func verify(_ mechanism: Mechanism, _ key: RSAPublicKey, _ data: [UInt8], _ signature: [UInt8]) throws -> Bool {
        guard case .verified(let ok) = try Self.provider.perform(
            .verify(mechanism, key: key, data: data, signature: signature, pss: nil), context: OperationContext())
        else { throw CryptoError(.dataInvalid, "verify returned no answer") }
        return ok
    }

    // MARK: Descriptor and key generation

    @Test func descriptorListsTheMechanisms() {
        let descriptor = Self.provider.descriptor
        #expect(descriptor.name == "gmp")
        #expect(descriptor.kind == .software)
        #expect(Self.signatureMechanisms.count == 13)
        for mechanism in [Mechanism.rsaPKCSKeyPairGen, .dhPKCSKeyPairGen, .dhPKCSDerive, .rsaPKCSPSS] {
            let info = descriptor.info(for: mechanism)
            #expect(info?.minKeyBits == 512 && info?.maxKeyBits == 16384, "\(mechanism)")
        }
        #expect(descriptor.info(for: .sha256) == nil)
    }

    @Test func hostPlatformIncludesGMP() throws {
        #expect(try Platform.host.makeProviders().contains { $0.descriptor.name == "gmp" })
    }

    @Test func unsupportedRequestIsMechanismInvalid() {
        let error = #expect(throws: CryptoError.self) {
            try Self.provider.perform(.digest(.sha256, data: [1]), context: OperationContext())
        }
        #expect(error?.code == .mechanismInvalid)
    }

    @Test(arguments: [1024, 2048])
    func generatedKeyHasExactSizeAndF4(bits: Int) throws {
        let key = try #require(Self.keys[bits])
        #expect(key.bits == bits)
        #expect(key.publicExponent == [0x01, 0x00, 0x01])
        // RSAPrivateKey's initialiser already checked p·q = n, the CRT values and e·d ≡ 1.
    }

    @Test func generatesOddSizeKeyWithExponent3() throws {
        let key = try Self.rsa.generateKeyPair(bits: 771, publicExponent: [3], context: OperationContext())
        #expect(key.bits == 771)
        #expect(key.publicExponent == [3])
    }

    // MARK: Sign and verify

    @Test(arguments: signatureMechanisms, [1024, 2048])
    func signVerifyRoundTrip(mechanism: Mechanism, bits: Int) throws {
        let key = try #require(Self.keys[bits])
        let data = Self.data(for: mechanism)
        if mechanism == .sha512RSAPKCSPSS && bits == 1024 {
            // RFC 8017 §9.1.1 step 3: emLen 128 < hLen 64 + sLen 64 + 2.
            let error = #expect(throws: CryptoError.self) { try sign(mechanism, key, data) }
            #expect(error?.code == .mechanismParamInvalid)
            return
        }
        let signature = try sign(mechanism, key, data)
        #expect(signature.count == key.publicKey.byteCount)
        #expect(try verify(mechanism, key.publicKey, data, signature))

        var tampered = signature
        tampered[tampered.count / 2] ^= 0x10
        #expect(try !verify(mechanism, key.publicKey, data, tampered))
        var otherData = data
        otherData[otherData.count - 1] ^= 0x01
        #expect(try !verify(mechanism, key.publicKey, otherData, signature))
    }

    /// Blinding uses a fresh r per call, yet the deterministic schemes give the
    /// same signature every time, equal to the textbook m^d mod n.
    @Test func blindingChangesNothingInTheOutput() throws {
        let key = try #require(Self.keys[1024])
        let data = Self.data(for: .sha256RSAPKCS)
        let first = try sign(.sha256RSAPKCS, key, data)
        for _ in 0..<4 { #expect(try sign(.sha256RSAPKCS, key, data) == first) }

        let em = try RSAPadding.pkcs1Type1(
            HashAlgorithm.sha256.digestInfo(GMPTestSupport.digest(.sha256, data)), length: key.publicKey.byteCount)
        let textbook = try Self.engine.modExp(
            Self.engine.number(bigEndian: em), Self.engine.number(secret: key.privateExponent),
            Self.engine.number(bigEndian: key.modulus), secret: true, context: OperationContext())
        #expect(try Self.engine.bigEndianBytes(textbook, length: key.publicKey.byteCount) == first)
    }

    /// Cached key numbers are shared read-only by concurrent signers.
    @Test func concurrentSignersShareTheKeyHandle() async throws {
        let key = try #require(Self.keys[1024])
        let data = Self.data(for: .sha1RSAPKCS)
        let expected = try sign(.sha1RSAPKCS, key, data)
        let results = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<8 {
                group.addTask { try GMPProviderTests().sign(.sha1RSAPKCS, key, data) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8 && results.allSatisfy { $0 == expected })
    }

    @Test func signatureNotBelowModulusIsFalse() throws {
        let key = try #require(Self.keys[1024])
        #expect(try !verify(.rsaX509, key.publicKey, [1], key.modulus))
        #expect(try !verify(.rsaX509, key.publicKey, [1], [UInt8](repeating: 0xFF, count: key.publicKey.byteCount)))
    }

    @Test func wrongSignatureLengthThrows() throws {
        let key = try #require(Self.keys[1024])
        let error = #expect(throws: CryptoError.self) {
            try verify(.sha256RSAPKCS, key.publicKey, [1], [UInt8](repeating: 1, count: 119))
        }
        #expect(error?.code == .signatureLengthRange)
    }

    @Test func rawPSSRejectsNonHashLength() throws {
        let key = try #require(Self.keys[1024])
        let error = #expect(throws: CryptoError.self) { try sign(.rsaPKCSPSS, key, [UInt8](repeating: 1, count: 33)) }
        #expect(error?.code == .dataLengthRange)
    }

    @Test func pkcs1InputTooLongForKey() throws {
        let key = try #require(Self.keys[1024])
        let error = #expect(throws: CryptoError.self) { try sign(.rsaPKCS, key, [UInt8](repeating: 1, count: 118)) }
        #expect(error?.code == .dataLengthRange)
    }

    // MARK: The private-result check

    /// The same key as a fresh value (its own handle cache) whose cached CRT
    /// numbers are corrupted: the signature must be withheld.
    @Test func corruptedKeyHandleCannotReleaseAWrongSignature() throws {
        let good = try #require(Self.keys[1024])
        let copy = try RSAPrivateKey(
            modulus: good.modulus, publicExponent: good.publicExponent, privateExponent: good.privateExponent,
            prime1: good.prime1, prime2: good.prime2, exponent1: good.exponent1, exponent2: good.exponent2,
            coefficient: good.coefficient)
        let numbers = Self.rsa.numbers(of: good)
        let corrupted = RSAPrivateNumbers(
            n: numbers.n, e: numbers.e, p: numbers.p, q: numbers.q,
            dp: Self.engine.add(numbers.dp, Self.engine.number(2)), dq: numbers.dq, qinv: numbers.qinv)
        _ = copy.handles.handle(Self.rsa.handleSlot) { corrupted }

        let error = #expect(throws: CryptoError.self) { try sign(.sha256RSAPKCS, copy, [1, 2, 3]) }
        #expect(error?.code == .deviceError)
        #expect(error?.isRecoverable == true)
    }

    @Test func checkFunctionRejectsAWrongResult() throws {
        let key = try #require(Self.keys[1024])
        let input = try RSAPadding.pkcs1Type1([1, 2, 3], length: key.publicKey.byteCount)
        let signature = try sign(.rsaPKCS, key, [1, 2, 3])
        try Self.rsa.checkPrivateResult(signature, input: input, publicKey: key.publicKey, context: OperationContext())

        var wrong = signature
        wrong[wrong.count - 1] ^= 1
        let error = #expect(throws: CryptoError.self) {
            try Self.rsa.checkPrivateResult(wrong, input: input, publicKey: key.publicKey, context: OperationContext())
        }
        #expect(error?.code == .deviceError)
    }

    // MARK: Wycheproof verification vectors

    struct VerifyFile: Decodable {
        struct Group: Decodable {
            struct Key: Decodable { let modulus: String; let publicExponent: String }
            struct Case: Decodable { let tcId: Int; let msg: String; let sig: String; let result: String }
            let publicKey: Key
            let sha: String
            let sLen: Int?
            let tests: [Case]
        }
        let testGroups: [Group]
    }

    @Test(arguments: [
        ("rsa_signature_2048_sha256_test", Mechanism.sha256RSAPKCS),
        ("rsa_signature_2048_sha384_test", Mechanism.sha384RSAPKCS),
        ("rsa_signature_2048_sha512_test", Mechanism.sha512RSAPKCS),
        ("rsa_pss_2048_sha256_mgf1_32_test", Mechanism.sha256RSAPKCSPSS),
    ])
    func wycheproofVerify(file: String, mechanism: Mechanism) throws {
        let url = try #require(Bundle.module.url(forResource: file, withExtension: "json", subdirectory: "Vectors"))
        let vectors = try JSONDecoder().decode(VerifyFile.self, from: Data(contentsOf: url))
        var checked = 0
        for group in vectors.testGroups {
            let key = try RSAPublicKey(
                modulus: Self.hex(group.publicKey.modulus), publicExponent: Self.hex(group.publicKey.publicExponent))
            for test in group.tests where test.result != "acceptable" {
                let accepted = (try? verify(mechanism, key, Self.hex(test.msg), Self.hex(test.sig))) ?? false
                #expect(accepted == (test.result == "valid"), "tcId \(test.tcId)")
                checked += 1
            }
        }
        #expect(checked > 0)
    }

    // MARK: Engine known answers (expected values from Python's pow())

    static let modulus = "a1184a9aef609d2be0c73240912bbc369ecf9d4dfe1075faf5ff73851c41c996224d19a6bdc3baf246b13ba795d4612904c74dfe09387e791c97d26e86e62a42068a0bf5ec997b93aab9e22f25255fda51eea6c5628dd5186689e8021c2eb300fc6d744a6b7861038b03894fc214d3a0d9b787aa884d9c50ed3d5aa23befdf37"
    static let base = "2a878087a85959f71f1af38fc888e473a687b3dfa58f60d607f552944dfab2145a204d430b59477fa1083dc26484beda168e505e7aba79f94abfa70dfbb738d5e8fd25d9c6f51857602612a0c3212fce86f0b30af9e91a5137da1654437ab2d395ae060a98687f66f180fe377fa70363da0115023c9a1ea9be0700fcb67055130c2fdc55bcda6436587"
    static let exponent = "b2a12071d22cd005a71a7e4d5c7b6a365e6ed52b4fa60e7e02d3ef6988b5a7ee19e99ed708c24f0fa8d32a81857ca7befdc6283868ee7028718fd3e5e1ccab96664db524c527d960475abe81b5b0fd2537ef7dcc1f69a515ca2fa55c001415e520f0433c95dff9a2aec32a01539537504c847634b481a7763c73acd9920acb2"
    static let power = "58fba13cdf4846b12e290240fd13ff67bb1440fb26a408f378be69e4e351af61e865d67eae544271040af4d5e0d8ed0449f56a428cba2741be48af780f68d1886f2161b493bf1b6eb865fbc5c058c5212083d0e0ef0cb09d1829e2503419eb822f4faf7f081596af1e83119baf674075c664b0973af4767960bba805809d003f"
    static let baseModModulus = "49613e5258aef2710d5bcf07ba71e84aab9310e826094f83a3cf735fcb350476711c5176ccfd5a3c6be15dd9b674669f8823d24c51c4dd6ef16052126bd6e78f90ea4211e08703e54add37532a3729dd7207b1b44c5a9622b208838e8897f92e10e372f7778b1fbf755bb8135b64b85d125245f6a42616aa7c91222b3f14f97e"

    func modExp(_ b: [UInt8], _ e: [UInt8], _ m: [UInt8], secret: Bool, length: Int) throws -> [UInt8] {
        let x = Self.engine
        return try x.bigEndianBytes(
            x.modExp(x.number(bigEndian: b), x.number(bigEndian: e), x.number(bigEndian: m),
                     secret: secret, context: OperationContext()),
            length: length)
    }

    @Test(arguments: [true, false])
    func modExpKnownAnswer(secret: Bool) throws {
        #expect(try modExp(Self.hex(Self.base), Self.hex(Self.exponent), Self.hex(Self.modulus), secret: secret, length: 128)
            == Self.hex(Self.power))
        // Exponent 1: the base reduced (mpz_powm_sec needs exponent > 0; 1 is its edge).
        #expect(try modExp(Self.hex(Self.base), [1], Self.hex(Self.modulus), secret: secret, length: 128)
            == Self.hex(Self.baseModModulus))
        // Exponent 0: 1, and 0 modulo 1.
        #expect(try modExp(Self.hex(Self.base), [], Self.hex(Self.modulus), secret: secret, length: 1) == [1])
        #expect(try modExp(Self.hex(Self.base), [0], [1], secret: secret, length: 1) == [0])
    }

    @Test func modExpEvenModulus() throws {
        // pow(base, 65537, 2**130) for a public exponent.
        let m = [UInt8]([4]) + [UInt8](repeating: 0, count: 16)
        #expect(try modExp(Self.hex(Self.base), [1, 0, 1], m, secret: false, length: 17)
            == Self.hex("17ea0e9b39a310c29525ef74d18ab6587"))
        // A secret exponent is never sent to the variable-time path.
        let error = #expect(throws: CryptoError.self) {
            try modExp(Self.hex(Self.base), [1, 0, 1], m, secret: true, length: 17)
        }
        #expect(error?.code == .argumentsBad)
    }

    @Test func engineConversionsAndPrimes() throws {
        let x = Self.engine
        #expect(try x.bigEndianBytes(x.number(bigEndian: [0, 0, 1, 2]), length: 4) == [0, 0, 1, 2])
        #expect(try x.secureBytes(x.number(bigEndian: [0, 0, 1, 2]), length: nil).bytes == [1, 2])
        #expect(throws: CryptoError.self) { try x.bigEndianBytes(x.number(bigEndian: [1, 2, 3]), length: 2) }
        #expect(x.bitLength(x.number(0)) == 0)
        #expect(x.isProbablePrime(x.number(bigEndian: DHGroup.ike(14)!.prime)))
        #expect(!x.isProbablePrime(x.number(bigEndian: Self.hex(Self.modulus))))
        #expect(x.invMod(x.number(6), x.number(9)) == nil)
        let r = try x.random(bits: 77, topBits: 2, odd: true)
        #expect(x.bitLength(r) == 77)
        let top = try x.bigEndianBytes(r, length: 10)
        #expect(top[0] & 0xF8 == 0x18)  // 77 bits: three unused bits clear, the top two set
        #expect(top[9] & 1 == 1)
    }
}
