/// The hash functions the RSA mechanisms are built on, with their DigestInfo
/// prefixes (RFC 8017 §9.2 note 1: DER of DigestInfo up to the digest octets).
public enum HashAlgorithm: String, Sendable, CaseIterable, Hashable {
    case sha1, sha224, sha256, sha384, sha512

    public var digestLength: Int {
        switch self {
        case .sha1: 20
        case .sha224: 28
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }

    /// The digest mechanism (CKM_SHA_1 …) computing this hash.
    public var digestMechanism: Mechanism {
        switch self {
        case .sha1: .sha1
        case .sha224: .sha224
        case .sha256: .sha256
        case .sha384: .sha384
        case .sha512: .sha512
        }
    }

    /// The HMAC mechanism over this hash.
    public var hmacMechanism: Mechanism {
        switch self {
        case .sha1: .sha1HMAC
        case .sha224: .sha224HMAC
        case .sha256: .sha256HMAC
        case .sha384: .sha384HMAC
        case .sha512: .sha512HMAC
        }
    }

    /// DER prefix of DigestInfo for this hash (RFC 8017 §9.2, note 1).
    public var digestInfoPrefix: [UInt8] {
        switch self {
        case .sha1:
            [0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14]
        case .sha224:
            [0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c]
        case .sha256:
            [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]
        case .sha384:
            [0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30]
        case .sha512:
            [0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40]
        }
    }

    /// DigestInfo(hash, digest), the input of CKM_RSA_PKCS for a hash mechanism.
    public func digestInfo(_ digest: [UInt8]) -> [UInt8] { digestInfoPrefix + digest }

    /// The hash whose digest has `length` bytes, used to pick defaults for raw CKM_RSA_PKCS_PSS.
    public init?(digestLength length: Int) {
        guard let match = HashAlgorithm.allCases.first(where: { $0.digestLength == length }) else { return nil }
        self = match
    }
}

/// How an RSA mechanism pads and whether it hashes first.
public enum RSAScheme: Sendable, Hashable {
    /// CKM_RSA_X_509: raw m^d, input at most the modulus length.
    case raw
    /// CKM_RSA_PKCS: PKCS#1 v1.5 type-1 padding over the caller's bytes (a DigestInfo or, in IKEv1, a raw hash).
    case pkcs1
    /// CKM_SHAx_RSA_PKCS: hash the data, wrap in DigestInfo, PKCS#1 v1.5.
    case pkcs1Hashed(HashAlgorithm)
    /// CKM_RSA_PKCS_PSS over a precomputed hash (hash chosen from its length unless parameters say).
    case pss
    /// CKM_SHAx_RSA_PKCS_PSS: hash then EMSA-PSS.
    case pssHashed(HashAlgorithm)

    public init?(_ mechanism: Mechanism) {
        switch mechanism {
        case .rsaX509: self = .raw
        case .rsaPKCS: self = .pkcs1
        case .sha1RSAPKCS: self = .pkcs1Hashed(.sha1)
        case .sha224RSAPKCS: self = .pkcs1Hashed(.sha224)
        case .sha256RSAPKCS: self = .pkcs1Hashed(.sha256)
        case .sha384RSAPKCS: self = .pkcs1Hashed(.sha384)
        case .sha512RSAPKCS: self = .pkcs1Hashed(.sha512)
        case .rsaPKCSPSS: self = .pss
        case .sha1RSAPKCSPSS: self = .pssHashed(.sha1)
        case .sha224RSAPKCSPSS: self = .pssHashed(.sha224)
        case .sha256RSAPKCSPSS: self = .pssHashed(.sha256)
        case .sha384RSAPKCSPSS: self = .pssHashed(.sha384)
        case .sha512RSAPKCSPSS: self = .pssHashed(.sha512)
        default: return nil
        }
    }
}

/// CK_RSA_PKCS_PSS_PARAMS: hash, MGF1 hash and salt length. The default for a
/// hashed PSS mechanism is MGF1 with the same hash and a salt as long as the hash.
public struct PSSParameters: Sendable, Hashable {
    public var hash: HashAlgorithm
    public var mgf1Hash: HashAlgorithm
    public var saltLength: Int

    public init(hash: HashAlgorithm, mgf1Hash: HashAlgorithm? = nil, saltLength: Int? = nil) {
        self.hash = hash
        self.mgf1Hash = mgf1Hash ?? hash
        self.saltLength = saltLength ?? hash.digestLength
    }
}

/// RSAES-OAEP's parameters (RFC 8017 §7.1, PKCS#11 CK_RSA_PKCS_OAEP_PARAMS):
/// the hash, MGF1's hash and the label (CKZ_DATA_SPECIFIED source data).
/// The defaults are RFC 8017's: SHA-1, MGF1 with SHA-1, an empty label.
public struct OAEPParameters: Sendable, Hashable {
    public var hash: HashAlgorithm
    public var mgf1Hash: HashAlgorithm
    public var label: [UInt8]

    public init(hash: HashAlgorithm = .sha1, mgf1Hash: HashAlgorithm? = nil, label: [UInt8] = []) {
        self.hash = hash
        self.mgf1Hash = mgf1Hash ?? hash
        self.label = label
    }
}

extension HashAlgorithm {
    /// The hash behind a CKM_SHA* digest mechanism.
    public init?(digestMechanism mechanism: Mechanism) {
        guard let hash = Self.byDigestMechanism.first(where: { $0.value == mechanism.value })?.hash else { return nil }
        self = hash
    }

    /// The hash behind a CKM_SHA*_HMAC mechanism.
    public init?(hmacMechanism mechanism: Mechanism) {
        guard let hash = Self.byHMACMechanism.first(where: { $0.value == mechanism.value })?.hash else { return nil }
        self = hash
    }

    // Built once: `allCases` is a new array on every call, and these run per request.
    private static let byDigestMechanism = allCases.map { (value: $0.digestMechanism.value, hash: $0) }
    private static let byHMACMechanism = allCases.map { (value: $0.hmacMechanism.value, hash: $0) }
}
