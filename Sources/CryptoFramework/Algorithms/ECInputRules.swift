/// How an EC signature mechanism treats its data.
public enum ECSignatureScheme: Sendable, Hashable {
    /// CKM_ECDSA: the caller's hash, of any length (SEC 1 §4.1.3 step 5 keeps its leftmost bits).
    case ecdsa
    /// CKM_ECDSA_SHA*: the mechanism hashes the data first.
    case ecdsaHashed(HashAlgorithm)
    /// CKM_EDDSA: pure Ed25519 over the data (RFC 8032 §5.1.6).
    case eddsa

    public init?(_ mechanism: Mechanism) {
        // By value: matching `case .ecdsa` copies each catalogued Mechanism (its
        // name) to compare it, and every EC request asks this several times.
        switch mechanism.value {
        case Mechanism.ecdsa.value: self = .ecdsa
        case Mechanism.ecdsaSHA1.value: self = .ecdsaHashed(.sha1)
        case Mechanism.ecdsaSHA224.value: self = .ecdsaHashed(.sha224)
        case Mechanism.ecdsaSHA256.value: self = .ecdsaHashed(.sha256)
        case Mechanism.ecdsaSHA384.value: self = .ecdsaHashed(.sha384)
        case Mechanism.ecdsaSHA512.value: self = .ecdsaHashed(.sha512)
        case Mechanism.eddsa.value: self = .eddsa
        default: return nil
        }
    }

    /// The curve family the scheme signs on.
    public var family: ECCurve.Family { self == .eddsa ? .edwards : .weierstrass }
}

/// The one set of rules every EC request is held to, applied by the framework
/// before it selects a provider and by every built-in provider again on its
/// own path, so a bad input gets the same answer whoever serves it. The
/// order is PKCS#11's: mechanism against key first (C_SignInit), then data and
/// parameters, then the signature.
///
/// - A mechanism used with a key of the other family (CKM_ECDSA with an Ed25519
///   key, CKM_EDDSA with a P-256 key, ECDH with an Ed25519 key) → `keyInvalid`
///   (CKR_KEY_TYPE_INCONSISTENT).
/// - A signature of the wrong length (ECDSA: 2 × the field length, r‖s;
///   Ed25519: 64) → `signatureLengthRange`.
/// - A signature of the right length whose r or s is 0 or not below n (ECDSA,
///   SEC 1 §4.1.4 step 1), or whose S is not below L (Ed25519, RFC 8032 §5.1.7
///   step 1) → `false`, an invalid signature, as for RSA's out-of-range signature.
///   High s (n/2 < s < n) is a valid ECDSA signature and is not refused.
/// - An ECDH peer value that is not a valid point of the key's curve (as
///   ``ECPublicKey/init(curve:point:)`` judges it; for X25519 a point of small
///   order) → `dataInvalid`; parameters PKCS#11 does not allow (shared data
///   with CKD_NULL, a length outside the KDF's range) → `mechanismParamInvalid`.
/// - An all-zero shared secret (X25519 with a small-order point, RFC 7748 §6.1)
///   → `dataInvalid`, whichever provider computed it.
public enum ECInputRules {
    /// Refuses a key whose curve family the mechanism cannot use at all
    /// (CKR_KEY_TYPE_INCONSISTENT), before any question of which curves a
    /// provider serves: ECDSA and ECDH need a prime curve (ECDH also X25519),
    /// EdDSA an Edwards curve.
    public static func checkKeyFamily(_ mechanism: Mechanism, curve: ECCurve) throws {
        if let error = keyFamilyError(mechanism, curve: curve) { throw error }
    }

    /// The error ``checkKeyFamily(_:curve:)`` throws, or nil when the key fits the mechanism.
    public static func keyFamilyError(_ mechanism: Mechanism, curve: ECCurve) -> CryptoError? {
        if let scheme = ECSignatureScheme(mechanism), curve.family != scheme.family {
            let wanted = scheme == .eddsa ? "an Ed25519 key" : "a P-256, P-384 or P-521 key"
            return CryptoError(.keyInvalid, "\(mechanism) needs \(wanted), not \(curve)")
        }
        if mechanism.value == Mechanism.ecdh1Derive.value, curve.family == .edwards {
            return CryptoError(.keyInvalid, "CKM_ECDH1_DERIVE needs a P-256, P-384, P-521 or X25519 key, not \(curve) (sign with it instead)")
        }
        return nil
    }

    /// Checks the inputs of a sign request; returns the scheme.
    @discardableResult
    public static func checkSign(_ mechanism: Mechanism, curve: ECCurve) throws -> ECSignatureScheme {
        guard let scheme = ECSignatureScheme(mechanism) else {
            throw CryptoError(.mechanismInvalid, "\(mechanism) is not an EC signature mechanism")
        }
        try checkKeyFamily(mechanism, curve: curve)
        return scheme
    }

    /// Checks the inputs of a verify request: the sign rules, then the signature's length.
    @discardableResult
    public static func checkVerify(_ mechanism: Mechanism, curve: ECCurve, signature: [UInt8]) throws -> ECSignatureScheme {
        let scheme = try checkSign(mechanism, curve: curve)
        let expected = curve.signatureByteCount ?? 0
        guard signature.count == expected else {
            let form = scheme == .eddsa ? "R‖S" : "r‖s, each half \(curve.fieldByteCount) bytes"
            throw CryptoError(.signatureLengthRange, "\(curve) signature is \(signature.count) bytes; it must be exactly \(expected) (\(form))")
        }
        return scheme
    }

    /// Whether a signature of the right length has its integers in range:
    /// 1 ≤ r, s ≤ n − 1 (ECDSA); S < L (Ed25519). One that does not is an
    /// invalid signature (`false`), never an error.
    public static func hasIntegersInRange(_ signature: [UInt8], curve: ECCurve) -> Bool {
        if let order = curve.primeCurve?.n {
            let half = curve.fieldByteCount
            guard signature.count == 2 * half else { return false }
            return [signature[0..<half], signature[half...]].allSatisfy { value in
                value.contains { $0 != 0 } && DHRange.compare(Array(value), order) < 0
            }
        }
        if curve == .ed25519 {
            guard signature.count == 64 else { return false }
            // S is little-endian in the second half; compare big-endian against L.
            return DHRange.compare(Array(signature[32...].reversed()), ed25519GroupOrder) < 0
        }
        return false
    }

    /// L = 2^252 + 27742317777372353535851937790883648493, the order of
    /// edwards25519's base point (RFC 8032 §5.1), big-endian.
    public static let ed25519GroupOrder: [UInt8] = [
        0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x14, 0xde, 0xf9, 0xde, 0xa2, 0xf7, 0x9c, 0xd6, 0x58, 0x12, 0x63, 0x1a, 0x5c, 0xf5, 0xd3, 0xed,
    ]

    /// Checks an ECDH request: the key's family, the parameters, the peer's
    /// point. Returns the peer as a validated key (canonical point).
    @discardableResult
    public static func checkDerive(privateKey: ECPrivateKey, peerPublicValue: [UInt8], parameters: ECDHParameters) throws -> ECPublicKey {
        let curve = privateKey.curve
        try checkKeyFamily(.ecdh1Derive, curve: curve)
        _ = try parameters.outputLength(secretLength: curve.fieldByteCount)
        return try ECPublicKey(curve: curve, point: peerPublicValue, code: .dataInvalid, what: peerWhat(curve))
    }

    /// The same checks as ``checkDerive(privateKey:peerPublicValue:parameters:)``,
    /// returning the peer's canonical point as bytes (04‖x‖y; the 32 bytes for
    /// X25519) without making a key object: the request path of a provider that
    /// hands the point straight to its library. An uncompressed or X25519 value
    /// comes back as the same array, uncopied.
    public static func checkDerivePeer(privateKey: ECPrivateKey, peerPublicValue: [UInt8], parameters: ECDHParameters) throws -> [UInt8] {
        let curve = privateKey.curve
        try checkKeyFamily(.ecdh1Derive, curve: curve)
        _ = try parameters.outputLength(secretLength: curve.fieldByteCount)
        return try ECPointValidation.canonical(peerPublicValue, curve: curve, code: .dataInvalid, what: peerWhat(curve))
    }

    /// How a refused peer value is named in its error.
    static func peerWhat(_ curve: ECCurve) -> String { "ECDH peer public value on \(curve)" }

    /// The error every provider gives for a private key whose public key does
    /// not belong to it (found when the provider first uses the pair).
    public static func publicKeyMismatch(_ curve: ECCurve) -> CryptoError {
        CryptoError(.keyInvalid, "\(curve) private key and the public key given with it do not belong together")
    }

    /// Refuses an all-zero shared secret (X25519 with a point of small order, RFC 7748 §6.1).
    /// (A prime curve's x-coordinate may be zero: that secret is valid.)
    public static func checkSharedSecret(_ z: SecureBytes, curve: ECCurve) throws {
        guard curve.family == .montgomery else { return }
        let isZero = z.withUnsafeBytes { bytes in bytes.reduce(UInt8(0)) { $0 | $1 } == 0 }
        guard !isZero else { throw allZeroSharedSecret(curve) }
    }

    /// The error for an all-zero X25519 secret, for a provider whose library reports it itself.
    public static func allZeroSharedSecret(_ curve: ECCurve) -> CryptoError {
        CryptoError(.dataInvalid, "\(curve) shared secret is all zero: the peer's point has small order (RFC 7748 §6.1)")
    }
}
