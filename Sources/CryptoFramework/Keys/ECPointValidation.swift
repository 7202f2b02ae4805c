import BigInt

/// Checks and decodes public EC points: every point the framework takes in,
/// as a key or as an ECDH peer value, passes here first, so a point is judged
/// the same way whoever computes with it.
///
/// BigInt is not constant time; it only ever sees public values here.
enum ECPointValidation {
    /// The canonical form of a public point on `curve` (04‖x‖y for the prime
    /// curves, the 32 bytes for the 25519 curves), or the error `code` with a
    /// message that says what is wrong with it. `what` names the value in messages
    /// (formatted only when the point is refused: this runs on every ECDH request).
    static func canonical(
        _ encoded: [UInt8], curve: ECCurve, code: CryptoError.Code = .keyInvalid,
        what: @autoclosure () -> String = "EC public key"
    ) throws -> [UInt8] {
        do {
            switch curve.family {
            case .weierstrass: return try primePoint(encoded, curve: curve)
            case .edwards: return try edwardsPoint(encoded)
            case .montgomery: return try montgomeryPoint(encoded)
            }
        } catch let problem as Problem {
            throw CryptoError(code, "\(what()): \(problem.text)")
        }
    }

    /// Why a point was refused (the caller adds the code and what the value was).
    struct Problem: Error {
        let text: String
        init(_ text: String) { self.text = text }
    }

    // MARK: Prime curves (SEC 1 v2 §2.3.4, §3.2.2.1)

    /// The arithmetic view of a prime curve's parameters, built once per curve.
    /// A class: handing it out per check is one reference, not a copy of its
    /// nine arrays (every ECDH peer's check gets it).
    final class PrimeField: Sendable {
        let p: BigUInt, a: BigUInt, b: BigUInt, n: BigUInt
        /// (p + 1) / 4: p ≡ 3 (mod 4) on all three curves, so √s = s^((p+1)/4) when s is a square.
        let squareRootExponent: BigUInt
        /// The on-curve test of an uncompressed point on fixed limbs (the hot path: every ECDH peer).
        let limbCheck: PrimeFieldCheck

        init(_ parameters: PrimeCurveParameters) {
            p = BigUInt(bigEndian: parameters.p)
            a = BigUInt(bigEndian: parameters.a)
            b = BigUInt(bigEndian: parameters.b)
            n = BigUInt(bigEndian: parameters.n)
            squareRootExponent = (p + 1) / 4
            // R² mod p for R = 2^(64·limbs), computed once per curve.
            let limbs = (parameters.p.count + 7) / 8
            let r2 = (BigUInt(1) << (2 * 64 * limbs)) % p
            limbCheck = PrimeFieldCheck(parameters, r2: [UInt8](r2.serialize()))
        }

        /// x³ + ax + b mod p.
        func rightHandSide(_ x: BigUInt) -> BigUInt {
            (x * x % p * x + a * x + b) % p
        }

        static let p256 = PrimeField(.p256)
        static let p384 = PrimeField(.p384)
        static let p521 = PrimeField(.p521)

        static func of(_ curve: ECCurve) -> PrimeField? {
            switch curve {
            case .p256: .p256
            case .p384: .p384
            case .p521: .p521
            case .ed25519, .x25519: nil
            }
        }
    }

    static func primePoint(_ encoded: [UInt8], curve: ECCurve) throws -> [UInt8] {
        guard let field = PrimeField.of(curve) else { throw Problem("\(curve) is not a prime curve") }
        let length = curve.fieldByteCount
        guard let prefix = encoded.first else { throw Problem("the point is empty") }
        switch prefix {
        case 0x00 where encoded.count == 1:
            throw Problem("the point is the identity (point at infinity), which is never a valid public key")
        case 0x04:
            guard encoded.count == 1 + 2 * length else {
                throw Problem("an uncompressed \(curve) point is \(1 + 2 * length) bytes (04‖x‖y), got \(encoded.count)")
            }
            switch field.limbCheck.check(x: encoded[1...length], y: encoded[(1 + length)...]) {
            case .onCurve: return encoded
            case .xNotBelowP: throw Problem("coordinate x is not below the field prime p of \(curve)")
            case .yNotBelowP: throw Problem("coordinate y is not below the field prime p of \(curve)")
            case .notOnCurve: throw Problem("the point (x, y) is not on \(curve): y² ≠ x³ + ax + b (mod p)")
            }
        case 0x02, 0x03:
            guard encoded.count == 1 + length else {
                throw Problem("a compressed \(curve) point is \(1 + length) bytes (0\(prefix)‖x), got \(encoded.count)")
            }
            let x = BigUInt(bigEndian: encoded[1...])
            guard x < field.p else { throw Problem("coordinate x is not below the field prime p of \(curve)") }
            let s = field.rightHandSide(x)
            var y = s.power(field.squareRootExponent, modulus: field.p)
            guard y * y % field.p == s else {
                throw Problem("no point of \(curve) has this x (x³ + ax + b is not a square mod p)")
            }
            if (y.words.first ?? 0) & 1 != BigUInt.Word(prefix & 1) {
                guard !y.isZero else { throw Problem("the compressed point asks for an odd y, but y = 0") }
                y = field.p - y
            }
            return [0x04] + fixedLength(x, length) + fixedLength(y, length)
        case 0x06, 0x07:
            throw Problem("the hybrid point form (0\(prefix)‖x‖y) is not accepted; use the uncompressed (04) or compressed (02/03) form")
        default:
            throw Problem(String(format: "unknown point encoding 0x%02x: expected 04 (uncompressed) or 02/03 (compressed), SEC 1 §2.3.3", prefix))
        }
    }

    /// `value` big-endian, left-padded to `length` bytes (it is below p, so it fits).
    static func fixedLength(_ value: BigUInt, _ length: Int) -> [UInt8] {
        let bytes = [UInt8](value.serialize())
        return [UInt8](repeating: 0, count: max(length - bytes.count, 0)) + bytes
    }

    // MARK: edwards25519 (RFC 8032 §5.1.3)

    /// p = 2^255 − 19 and d = −121665/121666 mod p (RFC 8032 §5.1).
    struct Edwards25519: Sendable {
        let p: BigUInt
        let d: BigUInt
        /// √−1 = 2^((p−1)/4) mod p, for the second square-root candidate (§5.1.3 step 3).
        let sqrtMinusOne: BigUInt

        init() {
            p = (BigUInt(1) << 255) - 19
            let inverse = BigUInt(121666).inverse(p)!  // p is prime: 121666 is invertible
            d = (p - BigUInt(121665)) * inverse % p
            sqrtMinusOne = BigUInt(2).power((p - 1) / 4, modulus: p)
        }

        static let shared = Edwards25519()

        /// P + Q in affine coordinates with the complete twisted-Edwards law (a = −1,
        /// d not a square: the denominators are never zero for points on the curve).
        func add(_ P: (x: BigUInt, y: BigUInt), _ Q: (x: BigUInt, y: BigUInt)) -> (x: BigUInt, y: BigUInt) {
            let xx = P.x * Q.x % p, yy = P.y * Q.y % p
            let t = d * xx % p * yy % p
            let x = (P.x * Q.y + P.y * Q.x) % p * (1 + t).inverse(p)!
            let y = (yy + xx) % p * ((1 + p - t) % p).inverse(p)!
            return (x % p, y % p)
        }
    }

    static func edwardsPoint(_ encoded: [UInt8]) throws -> [UInt8] {
        guard encoded.count == 32 else { throw Problem("an Ed25519 public key is 32 bytes, got \(encoded.count)") }
        let curve = Edwards25519.shared, p = curve.p
        var littleEndian = encoded
        let sign = littleEndian[31] >> 7
        littleEndian[31] &= 0x7F
        let y = BigUInt(bigEndian: littleEndian.reversed())
        guard y < p else { throw Problem("the encoded y is not below p = 2^255 − 19 (a non-canonical encoding)") }
        // x² = (y² − 1) / (d y² + 1) (§5.1.3 step 2); x = u v³ (u v⁷)^((p−5)/8) (step 3).
        let yy = y * y % p
        let u = (yy + p - 1) % p
        let v = (curve.d * yy + 1) % p
        let v3 = v * v % p * v % p
        var x = u * v3 % p * (u * v3 % p * v3 % p * v % p).power((p - 5) / 8, modulus: p) % p
        let vxx = v * x % p * x % p
        if vxx == u {
            // x is a square root
        } else if vxx == (p - u) % p {
            x = x * curve.sqrtMinusOne % p
        } else {
            throw Problem("the encoding is not a point of edwards25519 (no x satisfies the curve equation)")
        }
        if x.isZero && sign == 1 { throw Problem("the encoding asks for a negative x = 0 (RFC 8032 §5.1.3 step 4)") }
        if BigUInt.Word(sign) != (x.words.first ?? 0) & 1 { x = p - x }
        // [8]P = identity for the eight points of small order; such a key accepts forged signatures.
        var q = (x: x, y: y)
        for _ in 0..<3 { q = curve.add(q, q) }
        if q.x.isZero && q.y == 1 {
            throw Problem("the point has small order (it divides 8), which is never a valid Ed25519 public key")
        }
        return encoded
    }

    // MARK: curve25519 (RFC 7748 §5)

    /// The u-coordinates, mod p, of the points of order dividing 8 on curve25519
    /// and its twist: X25519 with any clamped scalar maps them to the all-zero
    /// secret (RFC 7748 §6.1). From cr.yp.to/ecdh.html ("How do I validate
    /// Curve25519 public keys?"): 0, 1, two points of order 8, and p − 1.
    static let smallOrderU: [BigUInt] = {
        let p = (BigUInt(1) << 255) - 19
        return [
            0, 1,
            BigUInt("325606250916557431795983626356110631294008115727848805560023387167927233504", radix: 10)!,
            BigUInt("39382357235489614581723060781553021112529911719440698176882885853963445705823", radix: 10)!,
            p - 1,
        ]
    }()

    /// The 32-byte little-endian encodings (top bit clear) whose u mod p is of
    /// small order: each u of ``smallOrderU`` and u + p where that is below
    /// 2^255. An encoding with its top bit cleared is below 2^255 < 2p, so its
    /// value mod p is one of these exactly when the encoding is one of these.
    static let smallOrderEncodings: [[UInt8]] = {
        let p = (BigUInt(1) << 255) - 19
        var encodings: [[UInt8]] = []
        for u in smallOrderU {
            for value in [u, u + p] where value < (BigUInt(1) << 255) {
                let bigEndian = fixedLength(value, 32)
                encodings.append(Array(bigEndian.reversed()))
            }
        }
        return encodings
    }()

    /// Any 32 bytes are a u-coordinate (the top bit is ignored and values of p
    /// and above are reduced, RFC 7748 §5); only the points of small order are
    /// refused, since they would give the all-zero shared secret. A comparison
    /// with each of those few encodings (top bit masked), with no copy, hash or
    /// arithmetic: this runs on every X25519 peer value. The value is public.
    static func montgomeryPoint(_ encoded: [UInt8]) throws -> [UInt8] {
        guard encoded.count == 32 else { throw Problem("an X25519 public key is 32 bytes, got \(encoded.count)") }
        let isSmallOrder = encoded.withUnsafeBufferPointer { value in
            smallOrderEncodings.contains { candidate in
                candidate.withUnsafeBufferPointer { c in
                    var difference = (value[31] & 0x7F) ^ c[31]
                    for i in 0..<31 { difference |= value[i] ^ c[i] }
                    return difference == 0
                }
            }
        }
        guard !isSmallOrder else {
            throw Problem("the point has small order; X25519 with it gives the all-zero shared secret (RFC 7748 §6.1)")
        }
        return encoded
    }
}

extension BigUInt {
    /// The big-endian unsigned value of `bytes`.
    init(bigEndian bytes: some Collection<UInt8>) {
        self = Array(bytes).withUnsafeBytes { BigUInt($0) }
    }
}
