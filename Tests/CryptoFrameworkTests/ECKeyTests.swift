import BigInt
import CryptoFramework
import Foundation
import TestSupport
import Testing

private let primeCurves: [ECCurve] = [.p256, .p384, .p521]

@Suite("EC curves: parameters and point validation")
struct ECCurveTests {
    @Test("parameters have the field's length, G is on the curve, n is odd and below p", arguments: primeCurves)
    func parameters(curve: ECCurve) throws {
        let parameters = try #require(curve.primeCurve)
        for value in [parameters.p, parameters.a, parameters.b, parameters.gx, parameters.gy, parameters.n] {
            #expect(value.count == curve.fieldByteCount)
        }
        let p = BigUInt(Data(parameters.p)), a = BigUInt(Data(parameters.a)), b = BigUInt(Data(parameters.b))
        let x = BigUInt(Data(parameters.gx)), y = BigUInt(Data(parameters.gy)), n = BigUInt(Data(parameters.n))
        #expect((a + 3) % p == 0, "a = −3")
        #expect(p % 4 == 3, "p ≡ 3 (mod 4): square roots by one exponentiation")
        #expect((y * y) % p == (x * x * x + a * x + b) % p)
        #expect(n < p && n % 2 == 1)
        #expect(8 * parameters.p.count - parameters.p[0].leadingZeroBitCount == curve.keyBits)
        let g = try ECPublicKey(curve: curve, point: parameters.generator)
        #expect(g.point == parameters.generator && g.x == parameters.gx && g.y == parameters.gy)
        #expect(curve.signatureByteCount == 2 * curve.fieldByteCount)
        #expect(curve.publicKeyByteCount == 1 + 2 * curve.fieldByteCount)
    }

    @Test("OIDs and names find their curves")
    func names() {
        #expect(ECCurve(oid: "1.2.840.10045.3.1.7") == .p256)
        #expect(ECCurve(oid: "1.3.132.0.34") == .p384)
        #expect(ECCurve(oid: "1.3.132.0.35") == .p521)
        #expect(ECCurve(oid: "1.3.101.112") == .ed25519)
        #expect(ECCurve(oid: "1.3.101.110") == .x25519)
        #expect(ECCurve(oid: "1.3.132.0.10") == nil)
        #expect(ECCurve(name: "prime256v1") == .p256 && ECCurve(name: "secp521r1") == .p521 && ECCurve(name: "ED25519") == .ed25519)
        #expect(ECCurve.allCases.map(\.keyBits) == [256, 384, 521, 256, 256])
        #expect(ECCurve.allCases.map(\.keyPairMechanism) == [.ecKeyPairGen, .ecKeyPairGen, .ecKeyPairGen, .ecEdwardsKeyPairGen, .ecMontgomeryKeyPairGen])
    }

    @Test("a compressed point decompresses to the uncompressed one, both parities", arguments: primeCurves)
    func compression(curve: ECCurve) throws {
        let parameters = try #require(curve.primeCurve)
        let g = try ECPublicKey(curve: curve, point: parameters.generator)
        #expect(try ECPublicKey(curve: curve, point: g.compressedPoint) == g)
        // −G has the same x and the other parity.
        let p = BigUInt(Data(parameters.p)), y = BigUInt(Data(parameters.gy))
        let minusY = [UInt8](p - y == 0 ? Data() : (p - y).serialize())
        let negated = try ECPublicKey(curve: curve, point: [0x04] + parameters.gx + [UInt8](repeating: 0, count: curve.fieldByteCount - minusY.count) + minusY)
        #expect(negated.compressedPoint[0] != g.compressedPoint[0])
        #expect(try ECPublicKey(curve: curve, point: negated.compressedPoint) == negated)
    }

    @Test("bad prime-curve points are refused with what is wrong", arguments: primeCurves)
    func badPrimePoints(curve: ECCurve) throws {
        let parameters = try #require(curve.primeCurve)
        let length = curve.fieldByteCount
        var offCurve = parameters.generator
        offCurve[offCurve.count - 1] ^= 1
        let cases: [([UInt8], String)] = [
            ([], "empty"),
            ([0x00], "identity"),
            (offCurve, "not on"),
            ([0x04] + parameters.p + parameters.gy, "x is not below"),
            ([0x04] + parameters.gx + parameters.p, "y is not below"),
            ([0x04] + [UInt8](repeating: 0, count: 2 * length), "not on"),
            (Array(parameters.generator.dropLast()), "uncompressed"),
            (parameters.generator + [0], "uncompressed"),
            ([0x06] + parameters.gx + parameters.gy, "hybrid"),
            ([0x07] + parameters.gx + parameters.gy, "hybrid"),
            ([0x05] + parameters.gx, "unknown point encoding"),
            ([0x02] + parameters.gx + [0], "compressed"),
            ([0x02] + parameters.p, "x is not below"),
        ]
        for (point, fragment) in cases {
            expectCryptoError(.keyInvalid, mentioning: fragment) { _ = try ECPublicKey(curve: curve, point: point) }
        }
    }

    @Test("a compressed x with no point is refused")
    func compressedNonSquare() {
        // x = 1 on P-256: 1 − 3 + b is not a square mod p.
        expectCryptoError(.keyInvalid, mentioning: "not a square") {
            _ = try ECPublicKey(curve: .p256, point: [0x02] + [UInt8](repeating: 0, count: 31) + [1])
        }
    }

    @Test("Ed25519 public keys: non-canonical, not a point, small order are refused")
    func ed25519Points() throws {
        let p = try [UInt8](hex: "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed")
        let identity: [UInt8] = [1] + [UInt8](repeating: 0, count: 31)
        // (0, −1), order 2: y = p − 1.
        let minusOne = [UInt8]((p.reversed()).enumerated().map { $0.offset == 0 ? $0.element - 1 : $0.element })
        let orderEight = try [UInt8](hex: "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")
        let cases: [([UInt8], String)] = [
            (Array(p.reversed()), "non-canonical"),
            ([2] + [UInt8](repeating: 0, count: 31), "not a point"),
            (identity, "small order"),
            (minusOne, "small order"),
            (orderEight, "small order"),
            ([UInt8](repeating: 0, count: 31), "32 bytes"),
            (identity.map { $0 } + [0], "32 bytes"),
        ]
        for (point, fragment) in cases {
            expectCryptoError(.keyInvalid, mentioning: fragment) { _ = try ECPublicKey(curve: .ed25519, point: point) }
        }
        let key = try ECPublicKey(pemRepresentation: KeyFixture.text("ed25519.spki.pem"))
        #expect(key.curve == .ed25519 && key.point.count == 32)
    }

    @Test("X25519 public keys: only the points of small order are refused")
    func x25519Points() throws {
        let zero = [UInt8](repeating: 0, count: 32)
        let one: [UInt8] = [1] + [UInt8](repeating: 0, count: 31)
        let orderEight = try [UInt8](hex: "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")
        // p − 1 and p + 1 (= 1 after reduction), little-endian; the top bit is ignored.
        let pMinusOne = try [UInt8](hex: "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
        let pPlusOne = try [UInt8](hex: "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
        var zeroHighBit = zero
        zeroHighBit[31] = 0x80
        for point in [zero, one, orderEight, pMinusOne, pPlusOne, zeroHighBit] {
            expectCryptoError(.keyInvalid, mentioning: "small order") { _ = try ECPublicKey(curve: .x25519, point: point) }
        }
        // Any other value is a u-coordinate: nine, a non-canonical p + 2, one with the high bit set.
        let nine: [UInt8] = [9] + [UInt8](repeating: 0, count: 31)
        var nineHighBit = nine
        nineHighBit[31] = 0x80
        let pPlusTwo = try [UInt8](hex: "efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
        for point in [nine, nineHighBit, pPlusTwo] {
            #expect(try ECPublicKey(curve: .x25519, point: point).point == point)
        }
    }
}

@Suite("EC private keys: scalar range, checked in constant time")
struct ECScalarTests {
    static func order(_ curve: ECCurve) -> [UInt8] { curve.primeCurve!.n }

    static func adding(_ value: [UInt8], _ delta: Int) -> [UInt8] {
        var big = BigInt(BigUInt(Data(value))) + BigInt(delta)
        if big < 0 { big = 0 }
        let bytes = [UInt8](BigUInt(big).serialize())
        return [UInt8](repeating: 0, count: max(value.count - bytes.count, 0)) + bytes
    }

    @Test("1 and n − 1 are keys; 0, n, n + 1 and all-ones are not", arguments: primeCurves)
    func range(curve: ECCurve) throws {
        let n = Self.order(curve), length = curve.fieldByteCount
        let one = [UInt8](repeating: 0, count: length - 1) + [1]
        for good in [one, Self.adding(n, -1), [UInt8](repeating: 0, count: length - 1) + [7], [1]] {
            let key = try ECPrivateKey(curve: curve, scalar: SecureBytes(good))
            #expect(key.scalar.count == length)
            #expect(key.scalar.bytes == [UInt8](repeating: 0, count: length - good.count) + good)
        }
        for bad in [[UInt8](repeating: 0, count: length), n, Self.adding(n, 1), [UInt8](repeating: 0xFF, count: length), [0]] {
            expectCryptoError(.keyInvalid, mentioning: "outside 1...n−1") { _ = try ECPrivateKey(curve: curve, scalar: SecureBytes(bad)) }
        }
        expectCryptoError(.keyInvalid, mentioning: "empty") { _ = try ECPrivateKey(curve: curve, scalar: SecureBytes([UInt8]())) }
    }

    @Test("a longer scalar may only add leading zeros (a DER sign byte)", arguments: primeCurves)
    func longer(curve: ECCurve) throws {
        let value = Self.adding(Self.order(curve), -2)
        let key = try ECPrivateKey(curve: curve, scalar: SecureBytes([0, 0] + value))
        #expect(key.scalar.bytes == value)
        expectCryptoError(.keyInvalid, mentioning: "must fit") { _ = try ECPrivateKey(curve: curve, scalar: SecureBytes([1] + value)) }
    }

    @Test("25519 private keys are exactly 32 bytes, any value", arguments: [ECCurve.ed25519, .x25519])
    func curve25519(curve: ECCurve) throws {
        for value in [[UInt8](repeating: 0, count: 32), [UInt8](repeating: 0xFF, count: 32)] {
            #expect(try ECPrivateKey(curve: curve, scalar: SecureBytes(value)).scalar.bytes == value)
        }
        for count in [0, 31, 33] {
            expectCryptoError(.keyInvalid, mentioning: "32 bytes") {
                _ = try ECPrivateKey(curve: curve, scalar: SecureBytes([UInt8](repeating: 1, count: count)))
            }
        }
    }

    @Test("a public key on another curve is refused")
    func otherCurvePublicKey() throws {
        let x = try ECPublicKey(pemRepresentation: KeyFixture.text("x25519.spki.pem"))
        expectCryptoError(.keyInvalid, mentioning: "X25519") {
            _ = try ECPrivateKey(curve: .p256, scalar: SecureBytes([1]), publicKey: x)
        }
    }
}

@Suite("EC key DER/PEM import and export")
struct ECKeyDERTests {
    @Test("P-256: every openssl form parses to the same key, and export is openssl's byte for byte")
    func p256() throws {
        let forms = [
            try ECPrivateKey(derRepresentation: KeyFixture.bytes("ec-p256.pkcs8.der")),
            try ECPrivateKey(derRepresentation: KeyFixture.bytes("ec-p256.sec1.der")),
            try ECPrivateKey(pemRepresentation: KeyFixture.text("ec-p256.pkcs8.pem")),
            try ECPrivateKey(pemRepresentation: KeyFixture.text("ec-p256.sec1.pem")),
        ]
        let scalar = try [UInt8](hex: "6d2fc851ae06063a08389a279dddd8d4f39e44e09be266dd407a962ed5040689")
        let point = try [UInt8](hex: "044dbf0b8c35f1885ff070cb61d30cac33e0267ae068444228f6194d74354984d56d14266dec267cb88ed569f2740bbe8f9929ef71e305498233e33fc34c54ad8e")
        let spki = try ECPublicKey(derRepresentation: KeyFixture.bytes("ec-p256.spki.der"))
        #expect(spki.curve == .p256 && spki.point == point)
        for key in forms {
            #expect(key.curve == .p256 && key.scalar.bytes == scalar && key.publicKey == spki)
        }
        let key = forms[0]
        #expect(key.derRepresentation == (try KeyFixture.bytes("ec-p256.pkcs8.der")))
        #expect(key.sec1DERRepresentation == (try KeyFixture.bytes("ec-p256.sec1.der")))
        #expect(key.pemRepresentation == (try KeyFixture.text("ec-p256.pkcs8.pem")))
        #expect(key.sec1PEMRepresentation == (try KeyFixture.text("ec-p256.sec1.pem")))
        #expect(spki.derRepresentation == (try KeyFixture.bytes("ec-p256.spki.der")))
        #expect(spki.pemRepresentation == (try KeyFixture.text("ec-p256.spki.pem")))
        #expect(try ECPublicKey(pemRepresentation: KeyFixture.text("ec-p256.spki.pem")) == spki)
        // A compressed SPKI is the same key; it is written back uncompressed.
        let compressed = try ECPublicKey(pemRepresentation: KeyFixture.text("ec-p256.spki-compressed.pem"))
        #expect(compressed == spki && compressed.compressedPoint.count == 33)
    }

    @Test("P-384 and P-521: PKCS#8, SEC 1 and SPKI agree and round-trip", arguments: [384, 521])
    func otherPrimeCurves(bits: Int) throws {
        let name = "ec-p\(bits)"
        let pkcs8 = try ECPrivateKey(pemRepresentation: KeyFixture.text("\(name).pkcs8.pem"))
        let sec1 = try ECPrivateKey(pemRepresentation: KeyFixture.text("\(name).sec1.pem"))
        let spki = try ECPublicKey(pemRepresentation: KeyFixture.text("\(name).spki.pem"))
        #expect(pkcs8.curve.keyBits == bits && pkcs8.scalar == sec1.scalar && pkcs8.publicKey == spki && sec1.publicKey == spki)
        #expect(pkcs8.pemRepresentation == (try KeyFixture.text("\(name).pkcs8.pem")))
        #expect(sec1.sec1PEMRepresentation == (try KeyFixture.text("\(name).sec1.pem")))
        #expect(spki.pemRepresentation == (try KeyFixture.text("\(name).spki.pem")))
        let again = try ECPrivateKey(derRepresentation: try #require(pkcs8.sec1DERRepresentation))
        #expect(again.scalar == pkcs8.scalar && again.publicKey == spki)
    }

    @Test("Ed25519 and X25519: RFC 8410 PKCS#8 and SPKI, byte for byte", arguments: ["ed25519", "x25519"])
    func curve25519(name: String) throws {
        let key = try ECPrivateKey(pemRepresentation: KeyFixture.text("\(name).pkcs8.pem"))
        let spki = try ECPublicKey(pemRepresentation: KeyFixture.text("\(name).spki.pem"))
        #expect(key.curve == spki.curve && key.curve == (name == "ed25519" ? .ed25519 : .x25519))
        #expect(key.publicKey == nil, "openssl writes these PKCS#8 keys without the public key")
        #expect(key.scalar.count == 32 && key.sec1DERRepresentation == nil)
        #expect(key.pemRepresentation == (try KeyFixture.text("\(name).pkcs8.pem")))
        #expect(spki.pemRepresentation == (try KeyFixture.text("\(name).spki.pem")))
        if name == "ed25519" {
            #expect(key.derRepresentation == (try KeyFixture.bytes("ed25519.pkcs8.der")))
        }
    }

    @Test("a PKCS#8 v2 key carries its public key; the ECPrivateKey's own must agree")
    func oneAsymmetricKey() throws {
        let key = try ECPrivateKey(pemRepresentation: KeyFixture.text("ed25519.pkcs8.pem"))
        let spki = try ECPublicKey(pemRepresentation: KeyFixture.text("ed25519.spki.pem"))
        let algorithm = tlv(0x30, [0x06, 0x03, 0x2B, 0x65, 0x70])
        let v2 = tlv(0x30, [0x02, 0x01, 0x01] + algorithm + tlv(0x04, tlv(0x04, key.scalar.bytes)) + tlv(0x81, [0] + spki.point))
        #expect(try ECPrivateKey(derRepresentation: v2).publicKey == spki)
        let v0WithPublicKey = tlv(0x30, [0x02, 0x01, 0x00] + algorithm + tlv(0x04, tlv(0x04, key.scalar.bytes)) + tlv(0x81, [0] + spki.point))
        expectKeyInvalid(mentioning: "unexpected element") { _ = try ECPrivateKey(derRepresentation: v0WithPublicKey) }

        let p256 = try ECPrivateKey(pemRepresentation: KeyFixture.text("ec-p256.pkcs8.pem"))
        let other = try ECPublicKey(curve: .p256, point: try #require(ECCurve.p256.primeCurve).generator)
        var der = p256.derRepresentation
        der = Array(der.dropFirst(3))  // SEQUENCE header (0x30 0x81 len)
        let mismatch = tlv(0x30, [UInt8](der) + tlv(0x81, [0] + other.point))
        let withVersion1 = [UInt8](mismatch.prefix(3)) + [0x02, 0x01, 0x01] + mismatch.dropFirst(6)
        expectKeyInvalid(mentioning: "differs") { _ = try ECPrivateKey(derRepresentation: withVersion1) }
    }

    @Test("keys that must be refused say why")
    func refusals() throws {
        expectKeyInvalid(mentioning: "specifiedCurve") { _ = try ECPrivateKey(pemRepresentation: KeyFixture.text("ec-p256.explicit.sec1.pem")) }
        expectKeyInvalid(mentioning: "secp256k1") { _ = try ECPrivateKey(pemRepresentation: KeyFixture.text("ec-secp256k1.pkcs8.pem")) }
        expectKeyInvalid(mentioning: "secp256k1") { _ = try ECPublicKey(pemRepresentation: KeyFixture.text("ec-secp256k1.spki.pem")) }
        expectKeyInvalid(mentioning: "rsaEncryption") { _ = try ECPublicKey(pemRepresentation: KeyFixture.text("rsa1024.spki.pem")) }
        expectKeyInvalid(mentioning: "rsaEncryption") { _ = try ECPrivateKey(pemRepresentation: KeyFixture.text("rsa1024.pkcs8.pem")) }
        expectKeyInvalid(mentioning: "not a public key") { _ = try ECPublicKey(pemRepresentation: KeyFixture.text("ec-p256.pkcs8.pem")) }
        expectKeyInvalid(mentioning: "not a private key") { _ = try ECPrivateKey(pemRepresentation: KeyFixture.text("ec-p256.spki.pem")) }
        expectKeyInvalid(mentioning: "encrypted") { _ = try ECPrivateKey(pemRepresentation: KeyFixture.text("rsa1024.encrypted-pkcs8.pem")) }
        expectKeyInvalid(mentioning: "RSA PRIVATE KEY") { _ = try ECPrivateKey(pemRepresentation: KeyFixture.text("rsa1024.pkcs1.pem")) }

        let der = try KeyFixture.bytes("ec-p256.pkcs8.der")
        expectKeyInvalid(mentioning: "empty") { _ = try ECPrivateKey(derRepresentation: [UInt8]()) }
        expectKeyInvalid(mentioning: "truncated") { _ = try ECPrivateKey(derRepresentation: der.dropLast(5)) }
        expectKeyInvalid(mentioning: "trailing") { _ = try ECPrivateKey(derRepresentation: der + [0]) }
        let spki = try KeyFixture.bytes("ec-p256.spki.der")
        expectKeyInvalid(mentioning: "truncated") { _ = try ECPublicKey(derRepresentation: spki.dropLast(1)) }
        var offCurve = spki
        offCurve[offCurve.count - 1] ^= 1
        expectKeyInvalid(mentioning: "not on") { _ = try ECPublicKey(derRepresentation: offCurve) }
        var wrongCurve = spki
        let curveOIDEnd = try #require(wrongCurve.indices.first { wrongCurve[$0...].starts(with: [0x3D, 0x03, 0x01, 0x07]) }) + 3
        wrongCurve[curveOIDEnd] = 0x08  // 1.2.840.10045.3.1.7 → .8
        expectKeyInvalid(mentioning: "not supported") { _ = try ECPublicKey(derRepresentation: wrongCurve) }

        // Hand-built SEC 1 keys: no curve, version 2, scalar 0, a curve that differs from PKCS#8's.
        let scalar = try [UInt8](hex: "6d2fc851ae06063a08389a279dddd8d4f39e44e09be266dd407a962ed5040689")
        let p256OID: [UInt8] = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
        let p384OID: [UInt8] = [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22]
        expectKeyInvalid(mentioning: "does not name its curve") {
            _ = try ECPrivateKey(derRepresentation: tlv(0x30, [0x02, 0x01, 0x01] + tlv(0x04, scalar)))
        }
        expectKeyInvalid(mentioning: "version 2") {
            _ = try ECPrivateKey(derRepresentation: tlv(0x30, [0x02, 0x01, 0x02] + tlv(0x04, scalar) + tlv(0xA0, p256OID)))
        }
        expectKeyInvalid(mentioning: "outside 1...n−1") {
            _ = try ECPrivateKey(derRepresentation: tlv(0x30, [0x02, 0x01, 0x01] + tlv(0x04, [UInt8](repeating: 0, count: 32)) + tlv(0xA0, p256OID)))
        }
        let ecAlgorithm = tlv(0x30, [0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01] + p256OID)
        let inner = tlv(0x30, [0x02, 0x01, 0x01] + tlv(0x04, scalar) + tlv(0xA0, p384OID))
        expectKeyInvalid(mentioning: "inside a PKCS#8 key for P-256") {
            _ = try ECPrivateKey(derRepresentation: tlv(0x30, [0x02, 0x01, 0x00] + ecAlgorithm + tlv(0x04, inner)))
        }
        let noParameters = tlv(0x30, [0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01])
        expectKeyInvalid(mentioning: "must carry the curve") {
            _ = try ECPublicKey(derRepresentation: tlv(0x30, noParameters + tlv(0x03, [0] + spki.suffix(65))))
        }
        expectKeyInvalid(mentioning: "implicitCurve") {
            _ = try ECPublicKey(derRepresentation: tlv(0x30, tlv(0x30, [0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x05, 0x00]) + tlv(0x03, [0] + spki.suffix(65))))
        }
        let edWithParameters = tlv(0x30, [0x06, 0x03, 0x2B, 0x65, 0x70, 0x05, 0x00])
        expectKeyInvalid(mentioning: "absent parameters") {
            _ = try ECPublicKey(derRepresentation: tlv(0x30, edWithParameters + tlv(0x03, [0] + [UInt8](repeating: 9, count: 32))))
        }
        expectKeyInvalid(mentioning: "unused bits") {
            _ = try ECPublicKey(derRepresentation: tlv(0x30, ecAlgorithm + tlv(0x03, [1] + spki.suffix(65))))
        }
    }
}
