import CryptoFramework

/// The one Phase I transform both sides use: cipher, PRF/hash, signature
/// authentication (RSA, or ECDSA per RFC 4754) and the group (RFC 2409
/// Appendix A values; RFC 5903's ECP groups, Curve25519).
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
        case aes128, aes256, des3 = "3des"
        /// Encryption Algorithm attribute values: 3DES-CBC 5 (RFC 2409), AES-CBC 7 (RFC 3602 §5).
        public var attributeValue: UInt64 { self == .des3 ? 5 : 7 }
        public var mechanism: Mechanism { self == .des3 ? .des3CBC : .aesCBC }
        public var keyBytes: Int {
            switch self {
            case .aes128: 16
            case .aes256: 32
            case .des3: 24
            }
        }
        public var blockSize: Int { self == .des3 ? 8 : 16 }
        /// The Key Length attribute AES carries (RFC 3602 §5: AES has a variable key length); nil for 3DES.
        public var keyLengthAttribute: UInt64? { self == .des3 ? nil : UInt64(keyBytes * 8) }
    }

    /// Authentication Method 3: RSA signatures (RFC 2409 Appendix A).
    public static let rsaSignatures: UInt64 = IKEAuthentication.rsaSignatures.rawValue
    /// Life Type 1 = seconds, 28800 s: the Phase I lifetime RFC 2409 §4 suggests.
    public static let lifetimeSeconds: UInt64 = 28_800

    /// The key exchange: a MODP group, or an ECP / Curve25519 group.
    public var keyExchange: IKEKeyExchange
    public var prf: PRF
    public var cipher: Cipher
    /// How both sides sign (the same method for both in IKEv1).
    public var authentication: IKEAuthentication
    /// The length of the responder's DH private value, as its key-pair template
    /// would set CKA_VALUE_BITS; nil: none set, the provider's default (sparcfp
    /// on t2000 then draws one as long as the prime, as Solaris' softtoken).
    /// Not negotiated: each side chooses its own. MODP groups only.
    public var dhPrivateBits: Int?

    public init(group: DHGroup, prf: PRF, cipher: Cipher, dhPrivateBits: Int? = nil,
                authentication: IKEAuthentication = .rsaSignatures) {
        self.keyExchange = .modp(group)
        self.prf = prf
        self.cipher = cipher
        self.authentication = authentication
        self.dhPrivateBits = dhPrivateBits
    }

    public init(keyExchange: IKEKeyExchange, prf: PRF, cipher: Cipher, authentication: IKEAuthentication = .rsaSignatures) {
        self.keyExchange = keyExchange
        self.prf = prf
        self.cipher = cipher
        self.authentication = authentication
    }

    /// The MODP group; nil for an EC group.
    public var group: DHGroup? {
        if case .modp(let group) = keyExchange { return group }
        return nil
    }

    public var groupNumber: Int { keyExchange.number }

    /// This suite with another authentication method (the one our key signs with).
    public func authenticated(by method: IKEAuthentication) -> IKESuite {
        var suite = self
        suite.authentication = method
        return suite
    }

    public var description: String {
        "\(cipher.rawValue)/\(prf.rawValue)/group \(groupNumber)/\(authentication)"
    }

    /// The transform offered (and accepted) for this suite.
    public var transform: Transform {
        var attributes = [Attribute(.encryptionAlgorithm, cipher.attributeValue)]
        if let bits = cipher.keyLengthAttribute { attributes.append(Attribute(.keyLength, bits)) }
        attributes += [
            Attribute(.hashAlgorithm, prf.attributeValue),
            Attribute(.authenticationMethod, authentication.rawValue),
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
            t.value(.authenticationMethod) == authentication.rawValue,
            t.value(.groupDescription) == UInt64(groupNumber)
        else { return false }
        return t.value(.keyLength) == cipher.keyLengthAttribute
    }

    /// strongSwan's proposal keyword for this suite, e.g. `aes128-sha256-modp2048`
    /// or `aes128-sha256-ecp256` (the authentication method is not part of it).
    public var proposalName: String {
        "\(cipher.rawValue)-\(prf.rawValue)-\(keyExchange.keyword)"
    }

    /// Parses a strongSwan-style proposal keyword: `CIPHER-HASH-GROUP` with CIPHER
    /// 3des, aes128 or aes256, HASH sha1 or sha256, GROUP modp768/1024/1536/2048/3072/4096,
    /// ecp256/384/521 or curve25519 (or the number: 1, 2, 5, 14, 15, 16, 19, 20, 21, 31).
    /// The suite authenticates with RSA signatures; ``authenticated(by:)`` changes that.
    public init?(proposalName: String) {
        let parts = proposalName.lowercased().split(separator: "-").map(String.init)
        guard parts.count == 3, let cipher = Cipher(rawValue: parts[0]), let prf = PRF(rawValue: parts[1]),
              let keyExchange = IKEKeyExchange(keyword: parts[2])
        else { return nil }
        self.init(keyExchange: keyExchange, prf: prf, cipher: cipher)
    }

    /// The suites a responder accepts by default: every cipher, hash and
    /// group of RFC 2409's mandatory and RFC 3526's common MODP groups we time
    /// (3DES, AES-128, AES-256; SHA-1, SHA-256; groups 2, 5, 14).
    public static var defaultResponderSuites: [IKESuite] {
        var all: [IKESuite] = []
        for cipher in [Cipher.aes128, .aes256, .des3] {
            for prf in [PRF.sha256, .sha1] {
                for group in [14, 5, 2] { all.append(IKESuite(group: DHGroup.ike(group)!, prf: prf, cipher: cipher)) }
            }
        }
        return all
    }
}
