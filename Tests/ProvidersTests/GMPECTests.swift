import CryptoFramework
import Providers
import TestSupport
import Testing

/// The framework's own EC algorithms (``ECAlgorithms``) as gmp serves them:
/// RFC 6979's deterministic signatures as known answers, agreement with
/// openssl both ways, and the ladder's field-operation count independent of
/// the scalar. (Wycheproof's ECDSA and ECDH files run on gmp in
/// ``WycheproofECTests``; the differential suite includes it.)
@Suite("EC on gmp: the framework's own algorithms")
struct GMPECTests {
    static let framework = try! CryptoFramework(platform: .host, policy: .inMemory(Policy()))
    static let primeCurves: [ECCurve] = [.p256, .p384, .p521]

    static func view(_ name: String) throws -> CryptoFramework { try framework.pinned(to: name) }

    /// One signature of RFC 6979 appendix A.2: curve, private key x, hash, message, r, s.
    struct DeterministicVector: CustomStringConvertible, Sendable {
        let curve: ECCurve
        let x: String
        let hash: HashAlgorithm
        let message: String
        let r: String
        let s: String
        var description: String { "\(curve) \(hash) \"\(message)\"" }
    }

    static let x256 = "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721"
    static let x384 = "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5"
    static let x521 = "00FAD06DAA62BA3B25D2FB40133DA757205DE67F5BB0018FEE8C86E1B68C7E75CAA896EB32F1F47C70855836A6D16FCC1466F6D8FBEC67DB89EC0C08B0E996B83538"

    // RFC 6979 A.2.5 (P-256), A.2.6 (P-384), A.2.7 (P-521).
    static let rfc6979: [DeterministicVector] = [
        .init(curve: .p256, x: x256, hash: .sha256, message: "sample",
              r: "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
              s: "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"),
        .init(curve: .p256, x: x256, hash: .sha256, message: "test",
              r: "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
              s: "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083"),
        .init(curve: .p256, x: x256, hash: .sha1, message: "sample",
              r: "61340C88C3AAEBEB4F6D667F672CA9759A6CCAA9FA8811313039EE4A35471D32",
              s: "6D7F147DAC089441BB2E2FE8F7A3FA264B9C475098FDCF6E00D7C996E1B8B7EB"),
        .init(curve: .p256, x: x256, hash: .sha512, message: "test",
              r: "461D93F31B6540894788FD206C07CFA0CC35F46FA3C91816FFF1040AD1581A04",
              s: "39AF9F15DE0DB8D97E72719C74820D304CE5226E32DEDAE67519E840D1194E55"),
        .init(curve: .p384, x: x384, hash: .sha256, message: "sample",
              r: "21B13D1E013C7FA1392D03C5F99AF8B30C570C6F98D4EA8E354B63A21D3DAA33BDE1E888E63355D92FA2B3C36D8FB2CD",
              s: "F3AA443FB107745BF4BD77CB3891674632068A10CA67E3D45DB2266FA7D1FEEBEFDC63ECCD1AC42EC0CB8668A4FA0AB0"),
        .init(curve: .p384, x: x384, hash: .sha256, message: "test",
              r: "6D6DEFAC9AB64DABAFE36C6BF510352A4CC27001263638E5B16D9BB51D451559F918EEDAF2293BE5B475CC8F0188636B",
              s: "2D46F3BECBCC523D5F1A1256BF0C9B024D879BA9E838144C8BA6BAEB4B53B47D51AB373F9845C0514EEFB14024787265"),
        .init(curve: .p384, x: x384, hash: .sha384, message: "sample",
              r: "94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE46",
              s: "99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8"),
        .init(curve: .p521, x: x521, hash: .sha256, message: "sample",
              r: "01511BB4D675114FE266FC4372B87682BAECC01D3CC62CF2303C92B3526012659D16876E25C7C1E57648F23B73564D67F61C6F14D527D54972810421E7D87589E1A7",
              s: "004A171143A83163D6DF460AAF61522695F207A58B95C0644D87E52AA1A347916E4F7A72930B1BC06DBE22CE3F58264AFD23704CBB63B29B931F7DE6C9D949A7ECFC"),
        .init(curve: .p521, x: x521, hash: .sha256, message: "test",
              r: "000E871C4A14F993C6C7369501900C4BC1E9C7B0B4BA44E04868B30B41D8071042EB28C4C250411D0CE08CD197E4188EA4876F279F90B3D8D74A3C76E6F1E4656AA8",
              s: "00CD52DBAA33B063C3A6CD8058A1FB0A46A4754B034FCC644766CA14DA8CA5CA9FDE00E88C1AD60CCBA759025299079D7A427EC3CC5B619BFBC828E7769BCD694E86"),
        .init(curve: .p521, x: x521, hash: .sha512, message: "test",
              r: "013E99020ABF5CEE7525D16B69B229652AB6BDF2AFFCAEF38773B4B7D08725F10CDB93482FDCC54EDCEE91ECA4166B2A7C6265EF0CE2BD7051B7CEF945BABD47EE6D",
              s: "01FBD0013C674AA79CB39849527916CE301C66EA7CE8B80682786AD60F98F7E78A19CA69EFF5C57400E3B3A0AD66CE0978214D13BAF4E9AC60752F7B155E2DE4DCE3"),
    ]

    @Test("RFC 6979 A.2.5–A.2.7: gmp's deterministic signatures are the published ones, on the hashed and the raw mechanism",
          arguments: rfc6979)
    func deterministicSignatures(vector: DeterministicVector) throws {
        let gmp = try Self.view("gmp")
        let key = try ECPrivateKey(curve: vector.curve, scalar: SecureBytes([UInt8](hex: vector.x)))
        let message = Array(vector.message.utf8)
        let expected = (vector.r + vector.s).lowercased()
        let hashed = try #require(Mechanism.ecdsaMechanisms.first { ECSignatureScheme($0) == .ecdsaHashed(vector.hash) })
        #expect(try gmp.sign(hashed, key: key, data: message).hex == expected)
        // CKM_ECDSA over the same hash: its length picks the same HMAC hash for the nonce.
        let digest = try Self.framework.digest(vector.hash.digestMechanism, data: message)
        #expect(try gmp.sign(.ecdsa, key: key, data: digest).hex == expected)
    }

    @Test("gmp signs and openssl verifies, openssl signs and gmp verifies, every ECDSA mechanism", arguments: primeCurves)
    func crossSignatures(curve: ECCurve) throws {
        let (gmp, openssl) = (try Self.view("gmp"), try Self.view("openssl"))
        let message = Array("signed by one, verified by the other".utf8)
        for (signer, verifier) in [(gmp, openssl), (openssl, gmp)] {
            let key = try signer.generateECKeyPair(curve: curve)
            let publicKey = try #require(key.publicKey)
            for mechanism in Mechanism.ecdsaMechanisms {
                let data = mechanism == .ecdsa ? try openssl.digest(.sha384, data: message) : message
                let signature = try signer.sign(mechanism, key: key, data: data)
                #expect(signature.count == 2 * curve.fieldByteCount)
                #expect(try verifier.verify(mechanism, key: publicKey, data: data, signature: signature), "\(curve) \(mechanism)")
                var tampered = signature
                tampered[0] ^= 0x01
                #expect(try !verifier.verify(mechanism, key: publicKey, data: data, signature: tampered), "\(curve) \(mechanism)")
            }
        }
    }

    @Test("ECDH: gmp and openssl derive the same secret with every KDF, gmp's key pairs included", arguments: primeCurves)
    func crossDerive(curve: ECCurve) throws {
        let (gmp, openssl) = (try Self.view("gmp"), try Self.view("openssl"))
        let ours = try gmp.generateECKeyPair(curve: curve)
        let theirs = try openssl.generateECKeyPair(curve: curve)
        let kdfs: [ECDHParameters] = [.null, ECDHParameters(kdf: .x963(.sha256), sharedData: [1, 2, 3], length: 48)]
        for parameters in kdfs {
            let a = try gmp.deriveECDH(privateKey: ours, peerPublicValue: try #require(theirs.publicKey).compressedPoint, parameters: parameters)
            let b = try openssl.deriveECDH(privateKey: theirs, peerPublicValue: try #require(ours.publicKey).point, parameters: parameters)
            let c = try openssl.deriveECDH(privateKey: ours, peerPublicValue: try #require(theirs.publicKey).point, parameters: parameters)
            #expect(a == b && a == c, "\(curve) \(parameters.kdf)")
        }
    }

    @Test("a private key whose public key is not its own is refused by gmp as by openssl")
    func mismatchedPublicKey() throws {
        let gmp = try Self.view("gmp")
        let one = try gmp.generateECKeyPair(curve: .p256)
        let other = try gmp.generateECKeyPair(curve: .p256)
        let mixed = try ECPrivateKey(curve: .p256, scalar: one.scalar, publicKey: other.publicKey)
        expectCryptoError(.keyInvalid, mentioning: "do not belong together") { _ = try gmp.sign(.ecdsaSHA256, key: mixed, data: [1]) }
    }

    /// Scalars as different as can be: 1, n − 1, a single high bit, a random one.
    static func scalars(_ curve: ECCurve) throws -> [[UInt8]] {
        let order = try #require(curve.primeCurve?.n)
        var nMinus1 = order
        nMinus1[nMinus1.count - 1] -= 1  // n is odd
        let one = [UInt8](repeating: 0, count: order.count - 1) + [1]
        let lowWeight = [UInt8](repeating: 0, count: order.count - 2) + [0x80, 0]
        let random = try framework.generateECKeyPair(curve: curve).scalar.bytes
        return [one, nMinus1, lowWeight, random]
    }

    @Test("the ladder performs the same field operations whatever the scalar (the count form of 'no secret-dependent branch')",
          arguments: primeCurves)
    func constantOperationCount(curve: ECCurve) throws {
        let gmp = try Self.view("gmp")
        let peer = try #require(try Self.framework.generateECKeyPair(curve: curve).publicKey)
        var works: [ECFieldWork] = []
        for scalar in try Self.scalars(curve) {
            let key = try ECPrivateKey(curve: curve, scalar: SecureBytes(scalar))
            let request = CryptoRequest.deriveECDH(privateKey: key, peerPublicValue: peer.point, parameters: .null)
            let reported = try gmp.perform(request)
            works.append(try #require(reported.report.work.tally(ECFieldWork.self)))
            #expect(reported.report.counts["ec.mul"] == works.last?.multiplications)
            #expect(reported.report.counts["ec.sqr"] == works.last?.squarings)
        }
        let bits = 8 * curve.fieldByteCount
        // Per ladder step: RCB16 addition (12M + 2m_b, 29a) and doubling (5M + 3S + 2m_b, 21a), three swaps;
        // then one inversion and two products.
        let expected = ECFieldWork(multiplications: bits * 24 + 2, squarings: bits * 3, additions: bits * 50, swaps: 3 * bits + 3, inversions: 1)
        #expect(works.allSatisfy { $0 == expected }, "\(works)")
    }

    @Test("the default residue arithmetic (an engine that overrides none of it) computes the same ECDH as openssl")
    func defaultFieldArithmetic() throws {
        let algorithms = ECAlgorithms(engine: DefaultFieldEngine())
        let openssl = try Self.view("openssl")
        let (a, b) = (try openssl.generateECKeyPair(curve: .p256), try openssl.generateECKeyPair(curve: .p256))
        let ours = try algorithms.derive(
            privateKey: a, peerPublicValue: try #require(b.publicKey).point, parameters: .null,
            secretHash: GMPDigest.digest(_:secret:), context: OperationContext())
        #expect(try ours == openssl.deriveECDH(privateKey: b, peerPublicValue: try #require(a.publicKey).point))
    }
}

/// GMP's general arithmetic with none of the residue operations overridden:
/// the protocol's defaults (``BignumEngine`` in BignumEngine+Field.swift) under test.
private struct DefaultFieldEngine: BignumEngine {
    let gmp = GMPEngine()
    var identifier: String { "default-field" }
    func number(bigEndian bytes: [UInt8]) -> GMPInteger { gmp.number(bigEndian: bytes) }
    func number(secret: SecureBytes) -> GMPInteger { gmp.number(secret: secret) }
    func number(_ value: UInt) -> GMPInteger { gmp.number(value) }
    func bigEndianBytes(_ x: GMPInteger, length: Int) throws -> [UInt8] { try gmp.bigEndianBytes(x, length: length) }
    func secureBytes(_ x: GMPInteger, length: Int?) throws -> SecureBytes { try gmp.secureBytes(x, length: length) }
    func bitLength(_ x: GMPInteger) -> Int { gmp.bitLength(x) }
    func compare(_ a: GMPInteger, _ b: GMPInteger) -> Int { gmp.compare(a, b) }
    func add(_ a: GMPInteger, _ b: GMPInteger) -> GMPInteger { gmp.add(a, b) }
    func subtract(_ a: GMPInteger, _ b: GMPInteger) -> GMPInteger { gmp.subtract(a, b) }
    func multiply(_ a: GMPInteger, _ b: GMPInteger) -> GMPInteger { gmp.multiply(a, b) }
    func quotient(_ a: GMPInteger, _ b: GMPInteger) -> GMPInteger { gmp.quotient(a, b) }
    func remainder(_ a: GMPInteger, _ m: GMPInteger) -> GMPInteger { gmp.remainder(a, m) }
    func mulMod(_ a: GMPInteger, _ b: GMPInteger, _ m: GMPInteger) -> GMPInteger { gmp.mulMod(a, b, m) }
    func invMod(_ a: GMPInteger, _ m: GMPInteger) -> GMPInteger? { gmp.invMod(a, m) }
    func gcd(_ a: GMPInteger, _ b: GMPInteger) -> GMPInteger { gmp.gcd(a, b) }
    func modExp(_ base: GMPInteger, _ exponent: GMPInteger, _ modulus: GMPInteger, secret: Bool, context: OperationContext) throws -> GMPInteger {
        try gmp.modExp(base, exponent, modulus, secret: secret, context: context)
    }
    func isProbablePrime(_ x: GMPInteger) -> Bool { gmp.isProbablePrime(x) }
    func fillRandom(_ buffer: UnsafeMutableRawBufferPointer) throws { try gmp.fillRandom(buffer) }
}
