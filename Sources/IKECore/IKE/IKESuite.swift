import CryptoFramework

/// The one Phase I transform both sides use: cipher, PRF/hash, RSA-signature
/// authentication and the Oakley group (RFC 2409 Appendix A values).
public struct IKESuite: Sendable, Equatable, CustomStringConvertible {
    /// The negotiated hash; IKEv1's PRF is its HMAC (RFC 2409 §4).
    public enum PRF: String, Sendable, CaseIterable {
        case sha1, sha256
        /// Hash Algorithm attribute values (RFC 2409 Appendix A; SHA2-256 = 4, RFC 4868 §4 / IANA).
        public var attributeValue: UInt64 { self == .sha1 ? 2 : 4 }
        public var hashMechanism: Mechanism { self == .sha1 ? .sha1 : .sha256 }
        public var hmacMechanism: Mechanism { self == .sha1 ? .sha1HMAC : .sha256HMAC }
        public var outputBytes: Int { self == .sha1 ? 20 : 32 }
        init?(attribute: UInt64) {
            switch attribute {
            case 2: self = .sha1
            case 4: self = .sha256
            default: return nil
            }
        }
    }

    public enum Cipher: String, Sendable, CaseIterable {
        case aes128, des3 = "3des"
        /// Encryption Algorithm attribute values: 3DES-CBC 5 (RFC 2409), AES-CBC 7 (RFC 3602 §5).
        public var attributeValue: UInt64 { self == .aes128 ? 7 : 5 }
        public var mechanism: Mechanism { self == .aes128 ? .aesCBC : .des3CBC }
        public var keyBytes: Int { self == .aes128 ? 16 : 24 }
        public var blockSize: Int { self == .aes128 ? 16 : 8 }
    }

    /// Authentication Method 3: RSA signatures (RFC 2409 Appendix A).
    public static let rsaSignatures: UInt64 = 3
    /// Life Type 1 = seconds, 28800 s: the Phase I lifetime RFC 2409 §4 suggests.
    public static let lifetimeSeconds: UInt64 = 28_800

    public var group: DHGroup
    public var prf: PRF
    public var cipher: Cipher
    /// The length of the responder's DH private value, as its key-pair template
    /// would set CKA_VALUE_BITS; nil: none set, the provider's default (sparcfp
    /// on t2000 then draws one as long as the prime, as Solaris' softtoken).
    /// Not negotiated: each side chooses its own.
    public var dhPrivateBits: Int?

    public init(group: DHGroup, prf: PRF, cipher: Cipher, dhPrivateBits: Int? = nil) {
        self.group = group
        self.prf = prf
        self.cipher = cipher
        self.dhPrivateBits = dhPrivateBits
    }

    public var groupNumber: Int { group.number ?? 0 }

    public var description: String {
        "\(cipher.rawValue)/\(prf.rawValue)/group \(groupNumber)/RSA signatures"
    }

    /// The transform offered (and accepted) for this suite.
    public var transform: Transform {
        var attributes = [Attribute(.encryptionAlgorithm, cipher.attributeValue)]
        if cipher == .aes128 { attributes.append(Attribute(.keyLength, 128)) }
        attributes += [
            Attribute(.hashAlgorithm, prf.attributeValue),
            Attribute(.authenticationMethod, Self.rsaSignatures),
            Attribute(.groupDescription, UInt64(groupNumber)),
            Attribute(.lifeType, 1),
            Attribute(.lifeDuration, Self.lifetimeSeconds),
        ]
        return Transform(attributes: attributes)
    }

    public var securityAssociation: SecurityAssociation {
        SecurityAssociation(proposals: [Proposal(transforms: [transform])])
    }

    /// Whether `t` offers exactly this suite.
    public func matches(_ t: Transform) -> Bool {
        guard t.value(.encryptionAlgorithm) == cipher.attributeValue,
            t.value(.hashAlgorithm) == prf.attributeValue,
            t.value(.authenticationMethod) == Self.rsaSignatures,
            t.value(.groupDescription) == UInt64(groupNumber)
        else { return false }
        if cipher == .aes128 { return t.value(.keyLength) == 128 }
        return t.value(.keyLength) == nil
    }
}
