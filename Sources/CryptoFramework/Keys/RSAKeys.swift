/// An RSA public key: modulus n and public exponent e, big-endian without
/// leading zeros. Import from SPKI or PKCS#1 DER/PEM (RSAKeyDER.swift).
public struct RSAPublicKey: Sendable, Hashable {
    public let modulus: [UInt8]
    public let publicExponent: [UInt8]
    /// Provider handles built from this key (shared by copies of the value).
    public let handles: KeyHandleCache

    /// A key from its components. Throws `keyInvalid` for an even or tiny modulus,
    /// or an exponent that is even, below 3, or not below the modulus.
    public init(modulus: [UInt8], publicExponent: [UInt8]) throws {
        let n = Array(modulus.drop(while: { $0 == 0 }))
        let e = Array(publicExponent.drop(while: { $0 == 0 }))
        try RSAKeyCheck.checkPublic(n: n, e: e)
        self.modulus = n
        self.publicExponent = e
        self.bits = RSAKeyCheck.bitLength(n)
        self.handles = KeyHandleCache()
    }

    /// Size of the modulus in bits, the key size the registry matches against
    /// provider ranges (computed once: every request reads it).
    public let bits: Int
    /// Size of the modulus in bytes (the length of every signature).
    public var byteCount: Int { (bits + 7) / 8 }

    public static func == (lhs: RSAPublicKey, rhs: RSAPublicKey) -> Bool {
        lhs.modulus == rhs.modulus && lhs.publicExponent == rhs.publicExponent
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(modulus)
        hasher.combine(publicExponent)
    }
}

/// An RSA private key with its CRT components (PKCS#1 RSAPrivateKey). Secret
/// components live in wiping buffers.
public struct RSAPrivateKey: Sendable {
    public let publicKey: RSAPublicKey
    public let privateExponent: SecureBytes
    public let prime1: SecureBytes
    public let prime2: SecureBytes
    public let exponent1: SecureBytes
    public let exponent2: SecureBytes
    public let coefficient: SecureBytes
    /// Provider handles built from this key (shared by copies of the value).
    public let handles: KeyHandleCache

    /// A key from all its PKCS#1 components (big-endian). Checks the cheap
    /// consistency conditions (sizes, n = p·q is left to providers that hold a
    /// bignum: see `RSAKeyCheck`).
    public init(
        modulus: [UInt8], publicExponent: [UInt8], privateExponent: SecureBytes,
        prime1: SecureBytes, prime2: SecureBytes, exponent1: SecureBytes,
        exponent2: SecureBytes, coefficient: SecureBytes
    ) throws {
        let pub = try RSAPublicKey(modulus: modulus, publicExponent: publicExponent)
        try RSAKeyCheck.checkPrivate(
            public: pub, d: privateExponent, p: prime1, q: prime2,
            dp: exponent1, dq: exponent2, qinv: coefficient)
        self.publicKey = pub
        self.privateExponent = privateExponent
        self.prime1 = prime1
        self.prime2 = prime2
        self.exponent1 = exponent1
        self.exponent2 = exponent2
        self.coefficient = coefficient
        self.handles = KeyHandleCache()
    }

    public var bits: Int { publicKey.bits }
    public var modulus: [UInt8] { publicKey.modulus }
    public var publicExponent: [UInt8] { publicKey.publicExponent }
}
