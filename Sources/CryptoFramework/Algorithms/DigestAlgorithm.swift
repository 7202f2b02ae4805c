/// The message digests served as PKCS#11 digest (CKM_MD5, CKM_SHA_1 …) and
/// HMAC (CKM_MD5_HMAC, CKM_SHA_1_HMAC …) mechanisms: the SHA family of
/// ``HashAlgorithm`` and MD5, which Solaris' md5 provider offered as a digest
/// and HMAC. The framework's signatures never hash with MD5; the PKCS#11
/// module composes CKM_MD5_RSA_PKCS from CKM_MD5 and CKM_RSA_PKCS over
/// ``digestInfo(_:)``.
public enum DigestAlgorithm: String, Sendable, CaseIterable, Hashable {
    case md5, sha1, sha224, sha256, sha384, sha512

    public init(_ hash: HashAlgorithm) {
        switch hash {
        case .sha1: self = .sha1
        case .sha224: self = .sha224
        case .sha256: self = .sha256
        case .sha384: self = .sha384
        case .sha512: self = .sha512
        }
    }

    /// The SHA hash this is, nil for MD5.
    public var hash: HashAlgorithm? {
        switch self {
        case .md5: nil
        case .sha1: .sha1
        case .sha224: .sha224
        case .sha256: .sha256
        case .sha384: .sha384
        case .sha512: .sha512
        }
    }

    public var digestLength: Int { hash?.digestLength ?? 16 }

    /// The compression function's block in bytes (RFC 1321 §3.4; FIPS 180-4 §1):
    /// HMAC's key block (RFC 2104 B) and the unit software cost models count.
    public var blockLength: Int {
        switch self {
        case .md5, .sha1, .sha224, .sha256: 64
        case .sha384, .sha512: 128
        }
    }

    /// Bytes of the length field the padding appends (8 for MD5/SHA-1/SHA-256, 16 for SHA-512).
    public var lengthFieldBytes: Int { blockLength / 8 }

    /// Blocks the compression function runs over for a message of `bytes`
    /// bytes: the message, the 0x80 byte and the length field, padded.
    public func blocks(forMessageBytes bytes: Int) -> Int {
        (bytes + 1 + lengthFieldBytes + blockLength - 1) / blockLength
    }

    public var digestMechanism: Mechanism { hash?.digestMechanism ?? .md5 }

    /// DER prefix of DigestInfo for this digest (RFC 8017 §9.2, note 1; MD5's
    /// algorithm is 1.2.840.113549.2.5 with NULL parameters).
    public var digestInfoPrefix: [UInt8] {
        hash?.digestInfoPrefix
            ?? [0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00, 0x04, 0x10]
    }

    /// DigestInfo(digest algorithm, digest), what CKM_RSA_PKCS signs for a hash-and-sign mechanism.
    public func digestInfo(_ digest: [UInt8]) -> [UInt8] { digestInfoPrefix + digest }
    public var hmacMechanism: Mechanism { hash?.hmacMechanism ?? .md5HMAC }

    /// The digest behind a digest mechanism (CKM_MD5, CKM_SHA_1 …).
    public init?(digestMechanism mechanism: Mechanism) {
        guard let found = Self.byDigest.first(where: { $0.value == mechanism.value }) else { return nil }
        self = found.algorithm
    }

    /// The digest behind an HMAC mechanism (CKM_MD5_HMAC, CKM_SHA_1_HMAC …).
    public init?(hmacMechanism mechanism: Mechanism) {
        guard let found = Self.byHMAC.first(where: { $0.value == mechanism.value }) else { return nil }
        self = found.algorithm
    }

    // Built once: `allCases` is a new array on every call, and these run per request.
    private static let byDigest = allCases.map { (value: $0.digestMechanism.value, algorithm: $0) }
    private static let byHMAC = allCases.map { (value: $0.hmacMechanism.value, algorithm: $0) }
}
