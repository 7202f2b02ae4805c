/// A PKCS#11 mechanism: its CKM_ name and numeric value, as applications ask for it.
///
/// Values are those of PKCS#11 v2.40 (`pkcs11t.h`), and of v3.0 for the
/// Edwards and Montgomery curves. The one pseudo-mechanism,
/// ``random``, stands for a provider's random number generator, as in Solaris'
/// `cryptoadm` (`disable provider=ncp/0 random`).
public struct Mechanism: Hashable, Sendable, CustomStringConvertible, Comparable {
    public let name: String
    public let value: UInt64

    init(_ name: String, _ value: UInt64) {
        self.name = name
        self.value = value
    }

    /// The catalogued mechanism called `name` (case-sensitive, as PKCS#11 spells it),
    /// or nil when the name is unknown.
    public init?(name: String) {
        guard let known = Mechanism.byName[name] else { return nil }
        self = known
    }

    /// The catalogued mechanism with PKCS#11 value `value`, or nil.
    public init?(value: UInt64) {
        guard let known = Mechanism.byValue[value] else { return nil }
        self = known
    }

    public var description: String { name }

    public static func < (lhs: Mechanism, rhs: Mechanism) -> Bool {
        lhs.value < rhs.value
    }

    // The value identifies a mechanism (names are unique per value); hashing the
    // value alone keeps registry look-ups off the string.
    public static func == (lhs: Mechanism, rhs: Mechanism) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }

    /// True for the `random` pseudo-mechanism, which no PKCS#11 module lists by CKM value.
    public var isPseudo: Bool { self == .random }

    // MARK: RSA
    public static let rsaPKCSKeyPairGen = Mechanism("CKM_RSA_PKCS_KEY_PAIR_GEN", 0x0000)
    public static let rsaPKCS = Mechanism("CKM_RSA_PKCS", 0x0001)
    public static let rsaX509 = Mechanism("CKM_RSA_X_509", 0x0003)
    /// MD5 then PKCS#1 v1.5 (RFC 8017 §9.2). No provider lists it: the PKCS#11
    /// module composes it from CKM_MD5 and CKM_RSA_PKCS (docs/pkcs11-module.md).
    public static let md5RSAPKCS = Mechanism("CKM_MD5_RSA_PKCS", 0x0005)
    public static let sha1RSAPKCS = Mechanism("CKM_SHA1_RSA_PKCS", 0x0006)
    /// RSAES-OAEP (RFC 8017 §7.1) encryption and decryption.
    public static let rsaPKCSOAEP = Mechanism("CKM_RSA_PKCS_OAEP", 0x0009)
    public static let rsaPKCSPSS = Mechanism("CKM_RSA_PKCS_PSS", 0x000D)
    public static let sha1RSAPKCSPSS = Mechanism("CKM_SHA1_RSA_PKCS_PSS", 0x000E)
    public static let sha256RSAPKCS = Mechanism("CKM_SHA256_RSA_PKCS", 0x0040)
    public static let sha384RSAPKCS = Mechanism("CKM_SHA384_RSA_PKCS", 0x0041)
    public static let sha512RSAPKCS = Mechanism("CKM_SHA512_RSA_PKCS", 0x0042)
    public static let sha256RSAPKCSPSS = Mechanism("CKM_SHA256_RSA_PKCS_PSS", 0x0043)
    public static let sha384RSAPKCSPSS = Mechanism("CKM_SHA384_RSA_PKCS_PSS", 0x0044)
    public static let sha512RSAPKCSPSS = Mechanism("CKM_SHA512_RSA_PKCS_PSS", 0x0045)
    public static let sha224RSAPKCS = Mechanism("CKM_SHA224_RSA_PKCS", 0x0046)
    public static let sha224RSAPKCSPSS = Mechanism("CKM_SHA224_RSA_PKCS_PSS", 0x0047)

    // MARK: Diffie-Hellman (PKCS#3)
    public static let dhPKCSKeyPairGen = Mechanism("CKM_DH_PKCS_KEY_PAIR_GEN", 0x0020)
    public static let dhPKCSDerive = Mechanism("CKM_DH_PKCS_DERIVE", 0x0021)

    // MARK: Elliptic curves (PKCS#11 v2.40 §2.3; v3.0 §6.3 for Edwards and Montgomery)
    /// Key pairs on the prime curves (v2.40's CKM_EC_KEY_PAIR_GEN, formerly CKM_ECDSA_KEY_PAIR_GEN).
    public static let ecKeyPairGen = Mechanism("CKM_EC_KEY_PAIR_GEN", 0x1040)
    /// ECDSA over a hash the caller computed (any length; truncated to the order's bits, SEC 1 §4.1.3 step 5).
    public static let ecdsa = Mechanism("CKM_ECDSA", 0x1041)
    public static let ecdsaSHA1 = Mechanism("CKM_ECDSA_SHA1", 0x1042)
    public static let ecdsaSHA224 = Mechanism("CKM_ECDSA_SHA224", 0x1043)
    public static let ecdsaSHA256 = Mechanism("CKM_ECDSA_SHA256", 0x1044)
    public static let ecdsaSHA384 = Mechanism("CKM_ECDSA_SHA384", 0x1045)
    public static let ecdsaSHA512 = Mechanism("CKM_ECDSA_SHA512", 0x1046)
    /// ECDH (ANSI X9.63) on the prime curves, X25519 on curve25519 (v3.0).
    public static let ecdh1Derive = Mechanism("CKM_ECDH1_DERIVE", 0x1050)
    /// Key pairs on edwards25519 (v3.0).
    public static let ecEdwardsKeyPairGen = Mechanism("CKM_EC_EDWARDS_KEY_PAIR_GEN", 0x1055)
    /// Key pairs on curve25519 (v3.0).
    public static let ecMontgomeryKeyPairGen = Mechanism("CKM_EC_MONTGOMERY_KEY_PAIR_GEN", 0x1056)
    /// Pure EdDSA, Ed25519 (v3.0, RFC 8032 §5.1).
    public static let eddsa = Mechanism("CKM_EDDSA", 0x1057)

    // MARK: Symmetric ciphers (v2.40 §2.8, §2.10; CKM_AES_GCM §2.11)
    public static let des3ECB = Mechanism("CKM_DES3_ECB", 0x0132)
    public static let des3CBC = Mechanism("CKM_DES3_CBC", 0x0133)
    public static let aesECB = Mechanism("CKM_AES_ECB", 0x1081)
    public static let aesCBC = Mechanism("CKM_AES_CBC", 0x1082)
    /// AES key wrap (RFC 3394) with the default IV, and with padding (RFC 5649).
    public static let aesKeyWrap = Mechanism("CKM_AES_KEY_WRAP", 0x2109)
    public static let aesKeyWrapPad = Mechanism("CKM_AES_KEY_WRAP_PAD", 0x210A)
    /// Counter mode (SP 800-38A §6.5) with CK_AES_CTR_PARAMS: the initial counter block and the counter field's width.
    public static let aesCTR = Mechanism("CKM_AES_CTR", 0x1086)
    /// Galois/counter mode (SP 800-38D) with CK_GCM_PARAMS: IV, additional data, tag length.
    public static let aesGCM = Mechanism("CKM_AES_GCM", 0x1087)

    // MARK: Digests and HMAC
    /// MD5 (RFC 1321): legacy, offered because Solaris' md5 provider offered it.
    public static let md5 = Mechanism("CKM_MD5", 0x0210)
    public static let md5HMAC = Mechanism("CKM_MD5_HMAC", 0x0211)
    public static let sha1 = Mechanism("CKM_SHA_1", 0x0220)
    public static let sha1HMAC = Mechanism("CKM_SHA_1_HMAC", 0x0221)
    public static let sha256 = Mechanism("CKM_SHA256", 0x0250)
    public static let sha256HMAC = Mechanism("CKM_SHA256_HMAC", 0x0251)
    public static let sha224 = Mechanism("CKM_SHA224", 0x0255)
    public static let sha224HMAC = Mechanism("CKM_SHA224_HMAC", 0x0256)
    public static let sha384 = Mechanism("CKM_SHA384", 0x0260)
    public static let sha384HMAC = Mechanism("CKM_SHA384_HMAC", 0x0261)
    public static let sha512 = Mechanism("CKM_SHA512", 0x0270)
    public static let sha512HMAC = Mechanism("CKM_SHA512_HMAC", 0x0271)

    /// The random-number pseudo-mechanism (not a PKCS#11 CKM; value in the vendor range).
    public static let random = Mechanism("random", 0x8000_0000_0000_0000)

    /// Every mechanism the framework knows, in PKCS#11 value order.
    public static let catalog: [Mechanism] = [
        .rsaPKCSKeyPairGen, .rsaPKCS, .rsaX509, .md5RSAPKCS, .sha1RSAPKCS, .rsaPKCSOAEP, .rsaPKCSPSS, .sha1RSAPKCSPSS,
        .dhPKCSKeyPairGen, .dhPKCSDerive,
        .sha256RSAPKCS, .sha384RSAPKCS, .sha512RSAPKCS,
        .sha256RSAPKCSPSS, .sha384RSAPKCSPSS, .sha512RSAPKCSPSS, .sha224RSAPKCS, .sha224RSAPKCSPSS,
        .des3ECB, .des3CBC, .md5, .md5HMAC,
        .sha1, .sha1HMAC, .sha256, .sha256HMAC, .sha224, .sha224HMAC,
        .sha384, .sha384HMAC, .sha512, .sha512HMAC,
        .ecKeyPairGen, .ecdsa, .ecdsaSHA1, .ecdsaSHA224, .ecdsaSHA256, .ecdsaSHA384, .ecdsaSHA512,
        .ecdh1Derive, .ecEdwardsKeyPairGen, .ecMontgomeryKeyPairGen, .eddsa,
        .aesECB, .aesCBC, .aesCTR, .aesGCM, .aesKeyWrap, .aesKeyWrapPad,
        .random,
    ].sorted()

    private static let byName: [String: Mechanism] = Dictionary(
        uniqueKeysWithValues: catalog.map { ($0.name, $0) })
    private static let byValue: [UInt64: Mechanism] = Dictionary(
        uniqueKeysWithValues: catalog.map { ($0.value, $0) })
}
