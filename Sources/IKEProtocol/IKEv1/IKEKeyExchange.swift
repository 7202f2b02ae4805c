import CryptoFramework

/// The key exchange of a Phase I suite: a MODP group (RFC 2409 §6, RFC 3526)
/// or an elliptic-curve group (RFC 5903 ECP groups 19/20/21; Curve25519, group 31).
public enum IKEKeyExchange: Sendable, Equatable, CustomStringConvertible {
    case modp(DHGroup)
    case ec(ECCurve)

    /// The Group Description attribute value (IANA "IKE Attributes", Group
    /// Description): 19, 20, 21 for ECP-256/384/521 (RFC 5903 §8), 31 for
    /// Curve25519 (the number RFC 8031 §4 registered, which strongSwan uses for IKEv1 too).
    public var number: Int {
        switch self {
        case .modp(let group): group.number ?? 0
        case .ec(.p256): 19
        case .ec(.p384): 20
        case .ec(.p521): 21
        case .ec(.x25519): 31
        case .ec(.ed25519): 0  // signs only; never made by init(number:)
        }
    }

    /// The group with this number, or nil.
    public init?(number: Int) {
        switch number {
        case 19: self = .ec(.p256)
        case 20: self = .ec(.p384)
        case 21: self = .ec(.p521)
        case 31: self = .ec(.x25519)
        default:
            guard let group = DHGroup.ike(number) else { return nil }
            self = .modp(group)
        }
    }

    /// Bytes of a KE payload: the MODP value left-padded to the prime's length;
    /// x‖y, each as long as the field, for the ECP groups (RFC 5903 §7: no
    /// point-format octet); the 32-byte u-coordinate for Curve25519 (RFC 8031 §2).
    public var publicValueByteCount: Int {
        switch self {
        case .modp(let group): group.byteCount
        case .ec(let curve): curve.family == .weierstrass ? 2 * curve.fieldByteCount : 32
        }
    }

    /// strongSwan's keyword: modp1024 …, ecp256, ecp384, ecp521, curve25519.
    public var keyword: String {
        switch self {
        case .modp(let group): "modp\(group.byteCount * 8)"
        case .ec(.p256): "ecp256"
        case .ec(.p384): "ecp384"
        case .ec(.p521): "ecp521"
        case .ec(.x25519): "curve25519"
        case .ec(.ed25519): "ed25519"
        }
    }

    /// The group a strongSwan keyword or an Oakley number names.
    public init?(keyword: String) {
        let text = keyword.lowercased()
        let named: [String: IKEKeyExchange] = [
            "ecp256": .ec(.p256), "ecp384": .ec(.p384), "ecp521": .ec(.p521),
            "curve25519": .ec(.x25519), "x25519": .ec(.x25519),
        ]
        if let found = named[text] { self = found; return }
        if text.hasPrefix("modp") {
            let byBits = [768: 1, 1024: 2, 1536: 5, 2048: 14, 3072: 15, 4096: 16]
            guard let bits = Int(text.dropFirst(4)), let number = byBits[bits], let group = DHGroup.ike(number) else { return nil }
            self = .modp(group)
            return
        }
        guard let number = Int(text), let found = IKEKeyExchange(number: number) else { return nil }
        self = found
    }

    public var description: String { "group \(number) (\(keyword))" }
}

/// The Phase I authentication method (RFC 2409 Appendix A; RFC 4754 §3 for ECDSA).
public enum IKEAuthentication: UInt64, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// RSA signatures: PKCS #1 v1.5 over the raw HASH_I / HASH_R, without DigestInfo.
    case rsaSignatures = 3
    /// ECDSA with SHA-256 on P-256, SHA-384 on P-384, SHA-512 on P-521 (RFC 4754 §3):
    /// the signature is r‖s over HASH_I / HASH_R as the PRF computed them (strongSwan
    /// 5.9.8 signs them as they are, SIGN_ECDSA_WITH_NULL, so CKM_ECDSA here).
    case ecdsaP256 = 9
    case ecdsaP384 = 10
    case ecdsaP521 = 11

    /// The curve an ECDSA method signs on; nil for RSA.
    public var curve: ECCurve? {
        switch self {
        case .rsaSignatures: nil
        case .ecdsaP256: .p256
        case .ecdsaP384: .p384
        case .ecdsaP521: .p521
        }
    }

    /// The ECDSA method of a prime curve, or nil.
    public init?(ecdsaCurve curve: ECCurve) {
        guard let found = Self.allCases.first(where: { $0.curve == curve }) else { return nil }
        self = found
    }

    public var description: String {
        switch self {
        case .rsaSignatures: "RSA signatures"
        case .ecdsaP256: "ECDSA P-256"
        case .ecdsaP384: "ECDSA P-384"
        case .ecdsaP521: "ECDSA P-521"
        }
    }
}

/// A key that signs HASH_I or HASH_R.
public enum IKESigningKey: Sendable {
    case rsa(RSAPrivateKey)
    case ec(ECPrivateKey)

    /// The method this key authenticates with; nil for a curve IKEv1 cannot sign on (Ed25519, X25519).
    public var authentication: IKEAuthentication? {
        switch self {
        case .rsa: .rsaSignatures
        case .ec(let key): IKEAuthentication(ecdsaCurve: key.curve)
        }
    }

    /// The key's size in bits (RSA modulus, EC field).
    public var bits: Int {
        switch self {
        case .rsa(let key): key.publicKey.bits
        case .ec(let key): key.keyBits
        }
    }

    /// As reports name it: "RSA-2048", "ECDSA P-256".
    public var label: String {
        switch self {
        case .rsa(let key): "RSA-\(key.publicKey.bits)"
        case .ec(let key): "ECDSA \(key.curve)"
        }
    }
}

/// A key that may have signed a peer's HASH.
public enum IKEPublicKey: Sendable, Equatable {
    case rsa(RSAPublicKey)
    case ec(ECPublicKey)

    /// Whether a signature of the method `method` and `signatureBytes` long can be this key's.
    func fits(_ method: IKEAuthentication, signatureBytes: Int) -> Bool {
        switch (self, method.curve) {
        case (.rsa(let key), nil): key.byteCount == signatureBytes
        case (.ec(let key), let curve?): key.curve == curve && curve.signatureByteCount == signatureBytes
        default: false
        }
    }

    var summary: String {
        switch self {
        case .rsa(let key): "RSA-\(key.bits)"
        case .ec(let key): "ECDSA \(key.curve)"
        }
    }
}

/// One side's ephemeral key-exchange secret and the KE payload that goes with it.
public struct IKEKeyExchangePair: Sendable {
    public enum Secret: Sendable {
        case modp(DHPrivateKey)
        case ec(ECPrivateKey)
    }
    public let secret: Secret
    /// The KE payload's body (``IKEKeyExchange/publicValueByteCount`` bytes).
    public let publicValue: [UInt8]

    /// Whether the pair is of `exchange`'s group (MODP group or curve).
    public func isOf(_ exchange: IKEKeyExchange) -> Bool {
        switch (secret, exchange) {
        case (.modp(let key), .modp(let group)): key.group == group
        case (.ec(let key), .ec(let curve)): key.curve == curve
        default: false
        }
    }
}

extension IKECryptoSession {
    /// A key pair for the suite's group: MODP DH, or an EC key pair whose KE value is
    /// x‖y (RFC 5903 §7) or X25519's 32 bytes.
    public func generateKeyExchange(_ suite: IKESuite) async throws -> IKEKeyExchangePair {
        switch suite.keyExchange {
        case .modp(let group):
            let pair = try await generateDH(group, privateBits: suite.dhPrivateBits)
            return IKEKeyExchangePair(secret: .modp(pair.privateKey), publicValue: pair.publicValue)
        case .ec(let curve):
            let key = try await performRecorded(.dhGenerate, .generateECKeyPair(curve: curve), dataBytes: 0,
                                                keyBytes: curve.fieldByteCount) { try $0.ecKeyPair }
            guard let point = key.publicKey?.point else {
                throw ISAKMPError(.cryptoFailure, "the \(curve) key pair came back without its public key")
            }
            return IKEKeyExchangePair(secret: .ec(key), publicValue: Self.keyExchangeValue(point, curve: curve))
        }
    }

    /// The shared secret g^xy: for MODP the DH value; for the ECP groups the
    /// x-coordinate of the shared point (RFC 5903 §7), for Curve25519 X25519's
    /// output. The peer's value is validated (MODP: 2 ≤ y ≤ p−2; EC: a point of
    /// the curve, not the identity, not of small order, by the framework's
    /// point rules), and a value that fails is INVALID-KEY-INFORMATION.
    public func deriveKeyExchange(_ secret: IKEKeyExchangePair.Secret, peer: [UInt8]) async throws -> SecureBytes {
        switch secret {
        case .modp(let key):
            return try await deriveDH(key, peer: peer)
        case .ec(let key):
            let curve = key.curve
            let expected = IKEKeyExchange.ec(curve).publicValueByteCount
            guard peer.count == expected else {
                throw ISAKMPError(.invalidKeyInformation, "KE payload of \(peer.count) bytes; \(curve) values have \(expected)")
            }
            let point = curve.family == .weierstrass ? [0x04] + peer : peer
            return try await performRecorded(
                .dhDerive, .deriveECDH(privateKey: key, peerPublicValue: point, parameters: .null),
                dataBytes: peer.count, keyBytes: curve.fieldByteCount, invalidInput: .invalidKeyInformation
            ) { try $0.secret }
        }
    }

    /// The KE payload for a public point: x‖y without the 04 octet for a prime curve.
    static func keyExchangeValue(_ point: [UInt8], curve: ECCurve) -> [UInt8] {
        curve.family == .weierstrass ? Array(point.dropFirst()) : point
    }

    /// SIG over `hash` with `key` by `method`: CKM_RSA_PKCS over the raw hash, or CKM_ECDSA (r‖s).
    public func sign(_ hash: [UInt8], with key: IKESigningKey, method: IKEAuthentication) async throws -> [UInt8] {
        guard key.authentication == method else {
            throw ISAKMPError(.authenticationFailed, "the suite authenticates with \(method), but our key cannot sign that way")
        }
        switch key {
        case .rsa(let rsa):
            return try await sign(hash, key: rsa)
        case .ec(let ec):
            return try await performRecorded(.ecSign, .signEC(.ecdsa, key: ec, data: hash), dataBytes: hash.count,
                                             keyBytes: ec.curve.fieldByteCount) { try $0.bytes }
        }
    }

    /// Whether `signature` over `hash` is `key`'s (the caller has matched the key to the method).
    public func verify(_ hash: [UInt8], signature: [UInt8], key: IKEPublicKey) async throws -> Bool {
        switch key {
        case .rsa(let rsa):
            return try await verify(hash, signature: signature, key: rsa)
        case .ec(let ec):
            return try await performRecorded(.ecVerify, .verifyEC(.ecdsa, key: ec, data: hash, signature: signature),
                                             dataBytes: hash.count, keyBytes: ec.curve.fieldByteCount) { try $0.verified }
        }
    }
}
