import CryptoFramework
import Providers

/// The EC edge cases of the differential suite: ECInputRules fixes each
/// answer (docs/DESIGN.md "Elliptic curves").
extension DifferentialCases {
    /// a − b for big-endian values of one length, a ≥ b.
    static func subtract(from a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var out = a
        var borrow = 0
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            let difference = Int(a[i]) - Int(b[i]) - borrow
            out[i] = UInt8(truncatingIfNeeded: difference)
            borrow = difference < 0 ? 1 : 0
        }
        return out
    }

    // MARK: ECDSA

    /// Sign cases (the signatures are random: judged by whether they verify) and
    /// verify cases at every edge of r‖s for a prime-curve key.
    static func ecdsa(_ key: ECPrivateKey, reference: CryptoFramework) throws -> [DifferentialCase] {
        let curve = key.curve, pub = key.publicKey!, length = curve.fieldByteCount, n = curve.primeCurve!.n
        var cases: [DifferentialCase] = []
        let hashes: [(String, [UInt8])] = [
            ("empty hash", []), ("20-byte hash", [UInt8](repeating: 1, count: 20)), ("32-byte hash", [UInt8](repeating: 2, count: 32)),
            ("64-byte hash", [UInt8](repeating: 3, count: 64)), ("200-byte input", [UInt8](repeating: 4, count: 200)),
        ]
        for (name, data) in hashes {
            cases.append(DifferentialCase(name: "sign CKM_ECDSA \(curve), \(name)", request: .signEC(.ecdsa, key: key, data: data)))
        }
        for mechanism in Mechanism.ecdsaMechanisms where mechanism != .ecdsa {
            cases.append(DifferentialCase(name: "sign \(mechanism) \(curve)", request: .signEC(mechanism, key: key, data: Array("abc".utf8))))
        }
        let data = Array("abc".utf8)
        let good = try reference.sign(.ecdsaSHA256, key: key, data: data)
        let r = Array(good[..<length]), s = Array(good[length...])
        let zero = [UInt8](repeating: 0, count: length)
        let signatures: [(String, [UInt8], DifferentialOutcome)] = [
            ("valid", good, .verified(true)),
            ("high s (n − s), still valid", r + subtract(from: n, s), .verified(true)),
            ("r and s swapped", s + r, .verified(false)),
            ("empty", [], .error(.signatureLengthRange)),
            ("one byte short", Array(good.dropLast()), .error(.signatureLengthRange)),
            ("one byte long", good + [0], .error(.signatureLengthRange)),
            ("DER instead of r‖s", [0x30, UInt8(2 * length + 4), 0x02, UInt8(length)] + r + [0x02, UInt8(length)] + s, .error(.signatureLengthRange)),
            ("all zero", zero + zero, .verified(false)),
            ("r = 0", zero + s, .verified(false)),
            ("s = 0", r + zero, .verified(false)),
            ("r = n", n + s, .verified(false)),
            ("s = n", r + n, .verified(false)),
            ("r = n + 1", plusOne(n) + s, .verified(false)),
            ("all ff", [UInt8](repeating: 0xFF, count: 2 * length), .verified(false)),
            ("r = 1, s = 1", padded([1], to: length) + padded([1], to: length), .verified(false)),
            ("r = n − 1, s = n − 1", minusOne(n) + minusOne(n), .verified(false)),
        ]
        for (name, signature, expected) in signatures {
            cases.append(DifferentialCase(
                name: "verify CKM_ECDSA_SHA256 \(curve), signature \(name)",
                request: .verifyEC(.ecdsaSHA256, key: pub, data: data, signature: signature), expected: expected))
        }
        return cases
    }

    // MARK: Ed25519

    /// Sign cases (deterministic: openssl and sodium must give the same bytes)
    /// and verify cases at the edges of R‖S.
    static func eddsa(_ key: ECPrivateKey, reference: CryptoFramework) throws -> [DifferentialCase] {
        let pub = key.publicKey!
        var cases: [DifferentialCase] = []
        for (name, data) in [("empty", []), ("short", Array("abc".utf8)), ("long", [UInt8](repeating: 0x5A, count: 3000))] as [(String, [UInt8])] {
            cases.append(DifferentialCase(name: "sign CKM_EDDSA, data \(name)", request: .signEC(.eddsa, key: key, data: data)))
        }
        let data = Array("abc".utf8)
        let good = try reference.sign(.eddsa, key: key, data: data)
        let littleEndianL = Array(ECInputRules.ed25519GroupOrder.reversed())
        var flippedR = good
        flippedR[0] ^= 1
        var flippedS = good
        flippedS[40] ^= 1
        let signatures: [(String, [UInt8], DifferentialOutcome)] = [
            ("valid", good, .verified(true)),
            ("R with a bit flipped", flippedR, .verified(false)),
            ("S with a bit flipped", flippedS, .verified(false)),
            ("S = L", Array(good[..<32]) + littleEndianL, .verified(false)),
            ("S all ff", Array(good[..<32]) + [UInt8](repeating: 0xFF, count: 32), .verified(false)),
            ("all zero", [UInt8](repeating: 0, count: 64), .verified(false)),
            ("63 bytes", Array(good.dropLast()), .error(.signatureLengthRange)),
            ("65 bytes", good + [0], .error(.signatureLengthRange)),
            ("empty", [], .error(.signatureLengthRange)),
        ]
        for (name, signature, expected) in signatures {
            cases.append(DifferentialCase(
                name: "verify CKM_EDDSA, signature \(name)", request: .verifyEC(.eddsa, key: pub, data: data, signature: signature), expected: expected))
        }
        return cases
    }

    // MARK: ECDH

    /// Derive cases for `key` with peers at every edge the rules refuse, and KDF parameters.
    static func ecdh(_ key: ECPrivateKey, peer: ECPrivateKey) -> [DifferentialCase] {
        let curve = key.curve, point = peer.publicKey!.point
        var peers: [(String, [UInt8], CryptoError.Code?)] = [("valid", point, nil), ("empty", [], .dataInvalid)]
        if let parameters = curve.primeCurve {
            var offCurve = point
            offCurve[offCurve.count - 1] ^= 1
            peers += [
                ("valid, compressed", peer.publicKey!.compressedPoint, nil),
                ("identity (00)", [0], .dataInvalid),
                ("off the curve", offCurve, .dataInvalid),
                ("x = p", [0x04] + parameters.p + Array(point[(1 + curve.fieldByteCount)...]), .dataInvalid),
                ("hybrid form (06)", [0x06] + point.dropFirst(), .dataInvalid),
                ("one byte short", Array(point.dropLast()), .dataInvalid),
            ]
            if curve != .p384 { peers.append(("a point of P-384", ECCurve.p384.primeCurve!.generator, .dataInvalid)) }
        } else {
            var highBit = point
            highBit[31] |= 0x80
            peers += [
                ("high bit set (ignored, RFC 7748)", highBit, nil),
                ("zero (small order)", [UInt8](repeating: 0, count: 32), .dataInvalid),
                ("one (small order)", [1] + [UInt8](repeating: 0, count: 31), .dataInvalid),
                ("p − 1 (small order)", [0xEC] + [UInt8](repeating: 0xFF, count: 30) + [0x7F], .dataInvalid),
                ("31 bytes", Array(point.dropLast()), .dataInvalid),
            ]
        }
        var cases = peers.map { name, value, expected in
            DifferentialCase(
                name: "derive \(curve), peer \(name)",
                request: .deriveECDH(privateKey: key, peerPublicValue: value, parameters: .null), expected: expected.map { .error($0) })
        }
        let parameterCases: [(String, ECDHParameters, CryptoError.Code?)] = [
            ("CKD_NULL, 16 bytes", ECDHParameters(length: 16), nil),
            ("CKD_NULL with shared data", ECDHParameters(sharedData: [1]), .mechanismParamInvalid),
            ("CKD_NULL, 0 bytes", ECDHParameters(length: 0), .mechanismParamInvalid),
            ("CKD_NULL, one byte too many", ECDHParameters(length: curve.fieldByteCount + 1), .mechanismParamInvalid),
            ("CKD_SHA256_KDF, 80 bytes, shared data", ECDHParameters(kdf: .x963(.sha256), sharedData: Array("ike".utf8), length: 80), nil),
            ("CKD_SHA512_KDF", ECDHParameters(kdf: .x963(.sha512)), nil),
            ("CKD_SHA256_KDF, 0 bytes", ECDHParameters(kdf: .x963(.sha256), length: 0), .mechanismParamInvalid),
        ]
        cases += parameterCases.map { name, parameters, expected in
            DifferentialCase(
                name: "derive \(curve), \(name)",
                request: .deriveECDH(privateKey: key, peerPublicValue: point, parameters: parameters), expected: expected.map { .error($0) })
        }
        return cases
    }
}
