/// An RSA public key: modulus n and public exponent e, big-endian without
/// leading zeros. Import from SPKI or PKCS#1 DER/PEM (RSAKeyDER.swift).
public struct RSAPublicKey: Sendable, Hashable {
    public var modulus: [UInt8] { storage.modulus }
    public var publicExponent: [UInt8] { storage.publicExponent }
    /// Provider handles built from this key (shared by copies of the value).
    public var handles: KeyHandleCache { storage.handles }

    /// The fields in one object: a key travels in every request, and a copy
    /// (each `switch` over a request that binds it) then costs one retain, not one per field.
    private final class Storage: Sendable {
        let modulus: [UInt8]
        let publicExponent: [UInt8]
        let bits: Int
        let handles = KeyHandleCache()
        init(modulus: [UInt8], publicExponent: [UInt8], bits: Int) {
            self.modulus = modulus
            self.publicExponent = publicExponent
            self.bits = bits
        }
    }
    private let storage: Storage

    /// A key from its components. Throws `keyInvalid` for an even or tiny modulus,
    /// or an exponent that is even, below 3, or not below the modulus.
    public init(modulus: [UInt8], publicExponent: [UInt8]) throws {
        let n = Array(modulus.drop(while: { $0 == 0 }))
        let e = Array(publicExponent.drop(while: { $0 == 0 }))
        try RSAKeyCheck.checkPublic(n: n, e: e)
        storage = Storage(modulus: n, publicExponent: e, bits: RSAKeyCheck.bitLength(n))
    }

    /// Size of the modulus in bits, the key size the registry matches against
    /// provider ranges (computed once: every request reads it).
    public var bits: Int { storage.bits }
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
    public var publicKey: RSAPublicKey { storage.publicKey }
    public var privateExponent: SecureBytes { storage.privateExponent }
    public var prime1: SecureBytes { storage.prime1 }
    public var prime2: SecureBytes { storage.prime2 }
    public var exponent1: SecureBytes { storage.exponent1 }
    public var exponent2: SecureBytes { storage.exponent2 }
    public var coefficient: SecureBytes { storage.coefficient }
    /// Provider handles built from this key (shared by copies of the value).
    public var handles: KeyHandleCache { storage.handles }

    /// The components in one object, for the reason ``RSAPublicKey`` gives.
    private final class Storage: Sendable {
        let publicKey: RSAPublicKey
        let privateExponent: SecureBytes
        let prime1: SecureBytes
        let prime2: SecureBytes
        let exponent1: SecureBytes
        let exponent2: SecureBytes
        let coefficient: SecureBytes
        let handles = KeyHandleCache()
        init(
            publicKey: RSAPublicKey, privateExponent: SecureBytes, prime1: SecureBytes, prime2: SecureBytes,
            exponent1: SecureBytes, exponent2: SecureBytes, coefficient: SecureBytes
        ) {
            self.publicKey = publicKey
            self.privateExponent = privateExponent
            self.prime1 = prime1
            self.prime2 = prime2
            self.exponent1 = exponent1
            self.exponent2 = exponent2
            self.coefficient = coefficient
        }
    }
    private let storage: Storage

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
        storage = Storage(
            publicKey: pub, privateExponent: privateExponent, prime1: prime1, prime2: prime2,
            exponent1: exponent1, exponent2: exponent2, coefficient: coefficient)
    }

    public var bits: Int { publicKey.bits }
    public var modulus: [UInt8] { publicKey.modulus }
    public var publicExponent: [UInt8] { publicKey.publicExponent }
}
