/// A named elliptic curve: the three NIST prime curves for ECDSA and ECDH, and
/// the two 25519 curves for EdDSA and X25519.
///
/// A plain value (one byte), so a request's curve is copied into the selection
/// key without a reference.
public enum ECCurve: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// NIST P-256 (secp256r1, prime256v1): FIPS 186-4 §D.1.2.3, SEC 2 v2 §2.4.2.
    case p256
    /// NIST P-384 (secp384r1): FIPS 186-4 §D.1.2.4, SEC 2 v2 §2.5.1.
    case p384
    /// NIST P-521 (secp521r1): FIPS 186-4 §D.1.2.5, SEC 2 v2 §2.6.1.
    case p521
    /// edwards25519 as Ed25519 signs with it (RFC 8032 §5.1).
    case ed25519
    /// curve25519 as X25519 agrees keys on it (RFC 7748 §5).
    case x25519

    /// The form of the curve's equation, which decides the mechanisms it serves.
    public enum Family: Sendable, Hashable {
        /// y² = x³ + ax + b over F_p (ANSI X9.62, SEC 1): ECDSA and ECDH, CKM_EC_KEY_PAIR_GEN.
        case weierstrass
        /// −x² + y² = 1 + dx²y² (RFC 8032): EdDSA, CKM_EC_EDWARDS_KEY_PAIR_GEN.
        case edwards
        /// v² = u³ + Au² + u (RFC 7748): ECDH on u alone, CKM_EC_MONTGOMERY_KEY_PAIR_GEN.
        case montgomery
    }

    public var family: Family {
        switch self {
        case .p256, .p384, .p521: .weierstrass
        case .ed25519: .edwards
        case .x25519: .montgomery
        }
    }

    /// The name people use ("P-256", "Ed25519", "X25519").
    public var name: String {
        switch self {
        case .p256: "P-256"
        case .p384: "P-384"
        case .p521: "P-521"
        case .ed25519: "Ed25519"
        case .x25519: "X25519"
        }
    }

    public var description: String { name }

    /// The OID that names the curve in keys: namedCurve for the prime curves
    /// (RFC 5480 §2.1.1.1), the algorithm itself for the 25519 curves (RFC 8410 §3).
    public var oid: String {
        switch self {
        case .p256: "1.2.840.10045.3.1.7"  // secp256r1, RFC 5480 §2.1.1.1
        case .p384: "1.3.132.0.34"  // secp384r1
        case .p521: "1.3.132.0.35"  // secp521r1
        case .ed25519: "1.3.101.112"  // id-Ed25519, RFC 8410 §3
        case .x25519: "1.3.101.110"  // id-X25519
        }
    }

    /// The curve called `oid` (dotted decimal), or nil.
    public init?(oid: String) {
        guard let curve = ECCurve.allCases.first(where: { $0.oid == oid }) else { return nil }
        self = curve
    }

    /// The curve called `name` ("P-256", "secp256r1", "prime256v1", "Ed25519", …;
    /// case-insensitive), or nil.
    public init?(name: String) {
        let aliases: [String: ECCurve] = [
            "p-256": .p256, "p256": .p256, "secp256r1": .p256, "prime256v1": .p256,
            "p-384": .p384, "p384": .p384, "secp384r1": .p384,
            "p-521": .p521, "p521": .p521, "secp521r1": .p521,
            "ed25519": .ed25519, "edwards25519": .ed25519,
            "x25519": .x25519, "curve25519": .x25519,
        ]
        guard let curve = aliases[name.lowercased()] else { return nil }
        self = curve
    }

    /// Bytes of a field element: the length of a coordinate, of an ECDH shared
    /// secret and of each half of an ECDSA signature.
    public var fieldByteCount: Int {
        switch self {
        case .p256, .ed25519, .x25519: 32
        case .p384: 48
        case .p521: 66
        }
    }

    /// Bytes of a private key: a scalar below n for the prime curves (n has as
    /// many bytes as p on all three), the 32-byte secret of RFC 8032 §5.1.5 and
    /// RFC 7748 §5 for the 25519 curves.
    public var privateKeyByteCount: Int { fieldByteCount }

    /// The key size the registry matches against a provider's range, in bits:
    /// the field size of the prime curves, as PKCS#11 v2.40 §2.3 gives EC key
    /// sizes; 256 for the 25519 curves, as SoftHSM2 2.6.1 reports for
    /// CKM_EC_EDWARDS_KEY_PAIR_GEN and CKM_EDDSA (`pkcs11-tool -M`: keySize={256,456},
    /// the encoded key's length in bits). P-256 and X25519 thus share a size:
    /// the curve itself is matched too (``MechanismInfo/curves``).
    public var keyBits: Int {
        switch self {
        case .p256, .ed25519, .x25519: 256
        case .p384: 384
        case .p521: 521
        }
    }

    /// Bytes of a public key as the framework holds it: the uncompressed point
    /// 04‖x‖y (SEC 1 §2.3.3) for the prime curves, 32 bytes for the 25519 curves.
    public var publicKeyByteCount: Int {
        family == .weierstrass ? 1 + 2 * fieldByteCount : 32
    }

    /// Bytes of a signature: r‖s, each left-padded to the field length (PKCS#11
    /// v2.40 §2.3.1, IEEE P1363) for ECDSA; R‖S (RFC 8032 §5.1.6) for Ed25519;
    /// nil for X25519, which does not sign.
    public var signatureByteCount: Int? {
        switch family {
        case .weierstrass: 2 * fieldByteCount
        case .edwards: 64
        case .montgomery: nil
        }
    }

    /// The mechanism that generates key pairs on this curve.
    public var keyPairMechanism: Mechanism {
        switch family {
        case .weierstrass: .ecKeyPairGen
        case .edwards: .ecEdwardsKeyPairGen
        case .montgomery: .ecMontgomeryKeyPairGen
        }
    }

    /// p, a, b, G and n of a prime curve; nil for the 25519 curves.
    public var primeCurve: PrimeCurveParameters? {
        switch self {
        case .p256: .p256
        case .p384: .p384
        case .p521: .p521
        case .ed25519, .x25519: nil
        }
    }
}

/// A set of curves, as a provider's mechanism table declares them
/// (``MechanismInfo/curves``). One bit per ``ECCurve``.
public struct ECCurves: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public init(_ curve: ECCurve) { rawValue = 1 << curve.rawValue }

    public static let p256 = ECCurves(.p256)
    public static let p384 = ECCurves(.p384)
    public static let p521 = ECCurves(.p521)
    public static let ed25519 = ECCurves(.ed25519)
    public static let x25519 = ECCurves(.x25519)
    /// The three NIST prime curves.
    public static let prime: ECCurves = [.p256, .p384, .p521]

    public func contains(_ curve: ECCurve) -> Bool { contains(ECCurves(curve)) }

    /// The curves in the set, in declaration order.
    public var members: [ECCurve] { ECCurve.allCases.filter { contains($0) } }

    public var description: String { members.map(\.name).joined(separator: ", ") }
}

/// The domain parameters of a short-Weierstrass prime curve, big-endian and
/// each as long as p (FIPS 186-4 Appendix D.1.2; SEC 2 v2 §2). All three
/// curves have a = −3, cofactor 1 (every point on the curve other than the
/// identity has order n) and p ≡ 3 (mod 4).
public struct PrimeCurveParameters: Sendable, Hashable {
    public let p: [UInt8]
    public let a: [UInt8]
    public let b: [UInt8]
    public let gx: [UInt8]
    public let gy: [UInt8]
    /// The order of G.
    public let n: [UInt8]

    init(p: String, a: String, b: String, gx: String, gy: String, n: String) {
        func bytes(_ hex: String) -> [UInt8] {
            var out: [UInt8] = []
            var index = hex.startIndex
            while index < hex.endIndex {
                let next = hex.index(index, offsetBy: 2)
                out.append(UInt8(hex[index..<next], radix: 16)!)  // constants below: valid hex
                index = next
            }
            return out
        }
        (self.p, self.a, self.b, self.gx, self.gy, self.n) = (bytes(p), bytes(a), bytes(b), bytes(gx), bytes(gy), bytes(n))
    }

    /// The generator as an uncompressed point, 04‖Gx‖Gy.
    public var generator: [UInt8] { [0x04] + gx + gy }

    // FIPS 186-4 §D.1.2.3 (SEC 2 v2 §2.4.2, secp256r1).
    static let p256 = PrimeCurveParameters(
        p: "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
        a: "ffffffff00000001000000000000000000000000fffffffffffffffffffffffc",
        b: "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
        gx: "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
        gy: "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
        n: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")

    // FIPS 186-4 §D.1.2.4 (SEC 2 v2 §2.5.1, secp384r1).
    static let p384 = PrimeCurveParameters(
        p: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
        a: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffc",
        b: "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
        gx: "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7",
        gy: "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f",
        n: "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973")

    // FIPS 186-4 §D.1.2.5 (SEC 2 v2 §2.6.1, secp521r1); p = 2^521 − 1.
    static let p521 = PrimeCurveParameters(
        p: "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        a: "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffc",
        b: "0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00",
        gx: "00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66",
        gy: "011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650",
        n: "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409")
}
