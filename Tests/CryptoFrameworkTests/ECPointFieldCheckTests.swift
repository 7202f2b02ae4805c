import BigInt
@testable import CryptoFramework
import Testing
import TestSupport

/// The limb arithmetic that judges every uncompressed prime-curve point
/// (PrimeFieldCheck) agrees with the curve equation computed in BigInt, on
/// points of the curve and on values that are not, on all three curves.
@Suite("EC point validation on limbs agrees with BigInt")
struct ECPointFieldCheckTests {
    func bytes(_ v: BigUInt, _ length: Int) -> [UInt8] {
        let b = [UInt8](v.serialize())
        return [UInt8](repeating: 0, count: length - b.count) + b
    }

    @Test("multiples of G are on the curve; (x, y + k), (x + k, y) and random pairs agree with y² = x³ + ax + b", arguments: [ECCurve.p256, .p384, .p521])
    func agreesWithBigInt(curve: ECCurve) throws {
        let params = try #require(curve.primeCurve)
        let field = try #require(ECPointValidation.PrimeField.of(curve))
        let length = curve.fieldByteCount
        var rng = SplitMix64(seed: 0xEC0 + UInt64(length))
        func random() -> BigUInt {
            var v = BigUInt(0)
            for _ in 0..<length { v = (v << 8) | BigUInt(UInt8.random(in: 0...255, using: &rng)) }
            return v % field.p
        }
        func verdict(_ x: BigUInt, _ y: BigUInt) -> Bool {
            let check = field.limbCheck.check(x: bytes(x, length)[...], y: bytes(y, length)[...])
            return check == .onCurve
        }
        let (gx, gy) = (BigUInt(bigEndian: params.gx), BigUInt(bigEndian: params.gy))
        #expect(verdict(gx, gy))
        #expect(verdict(gx, field.p - gy))  // −G
        for k in 1...20 {
            let kk = BigUInt(k)
            #expect(!verdict(gx, (gy + kk) % field.p) && !verdict((gx + kk) % field.p, gy))
        }
        for _ in 0..<200 {
            let (x, y) = (random(), random())
            #expect(verdict(x, y) == (y * y % field.p == field.rightHandSide(x)))
        }
        // Coordinates at and above p are refused as such.
        #expect(field.limbCheck.check(x: bytes(field.p, length)[...], y: bytes(gy, length)[...]) == .xNotBelowP)
        #expect(field.limbCheck.check(x: bytes(gx, length)[...], y: bytes(field.p, length)[...]) == .yNotBelowP)
        let maximum = [UInt8](repeating: 0xFF, count: length)
        #expect(field.limbCheck.check(x: maximum[...], y: bytes(gy, length)[...]) == .xNotBelowP)
    }

    @Test("the X25519 small-order set holds the masked encodings of u and u + p below 2^255")
    func x25519Encodings() throws {
        #expect(ECPointValidation.smallOrderEncodings.count == 7)
        // u = 1 with the ignored top bit set, and u = p + 1: both refused.
        var one = [UInt8](repeating: 0, count: 32); one[0] = 1
        var oneTopBit = one; oneTopBit[31] = 0x80
        let pPlusOne: [UInt8] = [0xEE] + [UInt8](repeating: 0xFF, count: 30) + [0x7F]
        for encoding in [one, oneTopBit, pPlusOne] {
            #expect(throws: CryptoError.self) { _ = try ECPublicKey(curve: .x25519, point: encoding) }
        }
        var nine = [UInt8](repeating: 0, count: 32); nine[0] = 9  // the base point
        #expect(try ECPublicKey(curve: .x25519, point: nine).point == nine)
    }
}
