/// An EC public key: its curve and point. Import from SubjectPublicKeyInfo
/// DER/PEM (ECKeyDER.swift) or from the point's bytes.
///
/// The point is validated when the key is made (ECPointValidation.swift): on
/// the curve, coordinates below p, not the identity, for the prime curves; a
/// canonical point of edwards25519 that is not of small order for Ed25519; not
/// of small order for X25519. A compressed prime-curve point is decompressed.
public struct ECPublicKey: Sendable, Hashable {
    public var curve: ECCurve { storage.curve }
    /// The point as the framework holds it: uncompressed 04‖x‖y (SEC 1 §2.3.3)
    /// for the prime curves, the 32-byte encoding of RFC 8032 §5.1.2 / RFC 7748 §5
    /// for Ed25519 and X25519.
    public var point: [UInt8] { storage.point }
    /// Provider handles built from this key (shared by copies of the value).
    public var handles: KeyHandleCache { storage.handles }

    /// The fields in one object, for the reason ``RSAPublicKey`` gives.
    private final class Storage: Sendable {
        let curve: ECCurve
        let point: [UInt8]
        let handles = KeyHandleCache()
        init(curve: ECCurve, point: [UInt8]) {
            self.curve = curve
            self.point = point
        }
    }
    private let storage: Storage

    /// A key from a point's bytes: for the prime curves uncompressed (04‖x‖y)
    /// or compressed (02/03‖x); for the 25519 curves the 32 bytes. Throws
    /// `keyInvalid` with what is wrong for any other value (the hybrid form
    /// 06/07 included).
    public init(curve: ECCurve, point: some Collection<UInt8>) throws {
        try self.init(curve: curve, point: Array(point), code: .keyInvalid, what: "\(curve) public key")
    }

    /// The same check with the error `code` a request's peer value gets (`dataInvalid`).
    init(curve: ECCurve, point: [UInt8], code: CryptoError.Code, what: @autoclosure () -> String) throws {
        let canonical = try ECPointValidation.canonical(point, curve: curve, code: code, what: what())
        storage = Storage(curve: curve, point: canonical)
    }

    /// The key size the registry matches against provider ranges (``ECCurve/keyBits``).
    public var keyBits: Int { curve.keyBits }

    /// x of a prime-curve point, big-endian, as long as the field; nil for the 25519 curves.
    public var x: [UInt8]? {
        guard curve.family == .weierstrass else { return nil }
        return Array(point[1...curve.fieldByteCount])
    }

    /// y of a prime-curve point; nil for the 25519 curves.
    public var y: [UInt8]? {
        guard curve.family == .weierstrass else { return nil }
        return Array(point[(1 + curve.fieldByteCount)...])
    }

    /// The compressed form 02/03‖x (SEC 1 §2.3.3) of a prime-curve point; the
    /// 32 bytes themselves for the 25519 curves.
    public var compressedPoint: [UInt8] {
        guard curve.family == .weierstrass, let last = point.last else { return point }
        return [0x02 | (last & 1)] + point[1...curve.fieldByteCount]
    }

    public static func == (lhs: ECPublicKey, rhs: ECPublicKey) -> Bool {
        lhs.curve == rhs.curve && lhs.point == rhs.point
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(curve)
        hasher.combine(point)
    }
}

/// An EC private key: its curve, its secret in a wiping buffer, and its public
/// key when known.
///
/// The secret is the scalar d in 1...n−1, big-endian and as long as n, for the
/// prime curves (SEC 1 §3.2.1); the 32-byte private key of RFC 8032 §5.1.5
/// (the seed hashed into the scalar) for Ed25519, and of RFC 7748 §5 (clamped
/// when used) for X25519.
///
/// The public key is present when the key was generated or its encoding
/// carried one (SEC 1's publicKey, PKCS#8 v2's publicKey). The core does not
/// compute it: that is a scalar multiplication on the secret, which belongs to
/// a provider. A provider that uses both checks that they belong together.
public struct ECPrivateKey: Sendable {
    public var curve: ECCurve { storage.curve }
    public var scalar: SecureBytes { storage.scalar }
    public var publicKey: ECPublicKey? { storage.publicKey }
    /// Provider handles built from this key (shared by copies of the value).
    public var handles: KeyHandleCache { storage.handles }

    private final class Storage: Sendable {
        let curve: ECCurve
        let scalar: SecureBytes
        let publicKey: ECPublicKey?
        let handles = KeyHandleCache()
        init(curve: ECCurve, scalar: SecureBytes, publicKey: ECPublicKey?) {
            self.curve = curve
            self.scalar = scalar
            self.publicKey = publicKey
        }
    }
    private let storage: Storage

    /// A key from its secret (big-endian for the prime curves: shorter values
    /// are left-padded, longer ones may only add leading zeros; exactly 32
    /// bytes for the 25519 curves) and, optionally, its public key.
    ///
    /// Throws `keyInvalid` for a prime-curve scalar of 0 or not below n, a
    /// secret of the wrong length, or a public key on another curve. The range
    /// check runs in constant time: the secret never goes through BigInt.
    public init(curve: ECCurve, scalar: SecureBytes, publicKey: ECPublicKey? = nil) throws {
        if let publicKey, publicKey.curve != curve {
            throw CryptoError(.keyInvalid, "\(curve) private key given a public key on \(publicKey.curve)")
        }
        let normalized = try ECScalar.normalized(scalar, curve: curve)
        storage = Storage(curve: curve, scalar: normalized, publicKey: publicKey)
    }

    /// The key size the registry matches against provider ranges (``ECCurve/keyBits``).
    public var keyBits: Int { curve.keyBits }
}

/// Private-key checks done without branching on the secret.
enum ECScalar {
    static func normalized(_ scalar: SecureBytes, curve: ECCurve) throws -> SecureBytes {
        let length = curve.privateKeyByteCount
        guard let order = curve.primeCurve?.n else {
            guard scalar.count == length else {
                throw CryptoError(.keyInvalid, "an \(curve) private key is \(length) bytes, got \(scalar.count)")
            }
            return scalar
        }
        guard scalar.count > 0 else { throw CryptoError(.keyInvalid, "\(curve) private key is empty") }
        // Bytes beyond the field length may only be leading zeros (a DER INTEGER's sign byte, say).
        let excess = max(scalar.count - length, 0)
        let (fits, belowOrder, nonZero) = scalar.withUnsafeBytes { raw -> (Bool, Bool, Bool) in
            var high: UInt8 = 0
            for i in 0..<excess { high |= raw[i] }
            let value = raw[excess...]
            return (high == 0, isLess(value, than: order), isNonZero(value))
        }
        guard fits else {
            throw CryptoError(.keyInvalid, "\(curve) private key is \(scalar.count) bytes; the scalar must fit in \(length)")
        }
        guard nonZero, belowOrder else {
            throw CryptoError(.keyInvalid, "\(curve) private key is outside 1...n−1 (SEC 1 §3.2.1): zero, or not below the group order n")
        }
        return try SecureBytes(count: length) { out in
            scalar.withUnsafeBytes { raw in
                let value = raw[excess...]
                let pad = length - value.count
                for i in 0..<pad { out[i] = 0 }
                UnsafeMutableRawBufferPointer(rebasing: out[pad...]).copyMemory(from: UnsafeRawBufferPointer(rebasing: value))
            }
        }
    }

    /// value < bound, both big-endian (value at most as long as bound), in time
    /// that depends on the lengths only: a subtraction whose final borrow is the answer.
    static func isLess(_ value: Slice<UnsafeRawBufferPointer>, than bound: [UInt8]) -> Bool {
        var borrow = 0
        let offset = bound.count - value.count
        guard offset >= 0 else { return false }
        for i in stride(from: bound.count - 1, through: 0, by: -1) {
            let digit = i >= offset ? Int(value[value.startIndex + i - offset]) : 0
            borrow = ((digit - Int(bound[i]) - borrow) >> 8) & 1
        }
        return borrow == 1
    }

    static func isNonZero(_ value: Slice<UnsafeRawBufferPointer>) -> Bool {
        var any: UInt8 = 0
        for byte in value { any |= byte }
        return any != 0
    }
}
