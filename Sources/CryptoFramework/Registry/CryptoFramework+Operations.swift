// Typed forms of `perform`: one synchronous and one async function per
// operation, both built on the same request and result unpacking.

extension CryptoFramework {
    /// Signs `data` with `mechanism` (CKM_RSA_PKCS signs the bytes as given, as IKEv1 does).
    public func sign(_ mechanism: Mechanism, key: RSAPrivateKey, data: [UInt8], pss: PSSParameters? = nil) throws -> [UInt8] {
        try ResultUnpacking.bytes(perform(.sign(mechanism, key: key, data: data, pss: pss)).value)
    }
    public func sign(_ mechanism: Mechanism, key: RSAPrivateKey, data: [UInt8], pss: PSSParameters? = nil) async throws -> [UInt8] {
        try ResultUnpacking.bytes(await perform(.sign(mechanism, key: key, data: data, pss: pss)).value)
    }

    /// True when `signature` is valid; false when it is well-formed but wrong.
    /// Throws `signatureLengthRange` for a signature of the wrong length.
    public func verify(_ mechanism: Mechanism, key: RSAPublicKey, data: [UInt8], signature: [UInt8], pss: PSSParameters? = nil) throws -> Bool {
        try ResultUnpacking.verified(perform(.verify(mechanism, key: key, data: data, signature: signature, pss: pss)).value)
    }
    public func verify(_ mechanism: Mechanism, key: RSAPublicKey, data: [UInt8], signature: [UInt8], pss: PSSParameters? = nil) async throws -> Bool {
        try ResultUnpacking.verified(await perform(.verify(mechanism, key: key, data: data, signature: signature, pss: pss)).value)
    }

    public func digest(_ mechanism: Mechanism, data: [UInt8]) throws -> [UInt8] {
        try ResultUnpacking.bytes(perform(.digest(mechanism, data: data)).value)
    }
    public func digest(_ mechanism: Mechanism, data: [UInt8]) async throws -> [UInt8] {
        try ResultUnpacking.bytes(await perform(.digest(mechanism, data: data)).value)
    }

    /// HMAC of `data` under `key` (CKM_SHA_1_HMAC, CKM_SHA256_HMAC …), kept in
    /// a wiping buffer: as a PRF its output is key material.
    public func mac(_ mechanism: Mechanism, key: SecureBytes, data: SecureBytes) throws -> SecureBytes {
        try ResultUnpacking.secret(perform(.mac(mechanism, key: key, data: data)).value)
    }
    public func mac(_ mechanism: Mechanism, key: SecureBytes, data: SecureBytes) async throws -> SecureBytes {
        try ResultUnpacking.secret(await perform(.mac(mechanism, key: key, data: data)).value)
    }

    /// CBC encryption without padding (data must be whole blocks).
    public func encrypt(_ mechanism: Mechanism, key: SecureBytes, iv: [UInt8], data: [UInt8]) throws -> [UInt8] {
        try ResultUnpacking.bytes(perform(.encrypt(mechanism, key: key, iv: iv, data: data)).value)
    }
    public func encrypt(_ mechanism: Mechanism, key: SecureBytes, iv: [UInt8], data: [UInt8]) async throws -> [UInt8] {
        try ResultUnpacking.bytes(await perform(.encrypt(mechanism, key: key, iv: iv, data: data)).value)
    }

    /// CBC decryption without padding (data must be whole blocks).
    public func decrypt(_ mechanism: Mechanism, key: SecureBytes, iv: [UInt8], data: [UInt8]) throws -> [UInt8] {
        try ResultUnpacking.bytes(perform(.decrypt(mechanism, key: key, iv: iv, data: data)).value)
    }
    public func decrypt(_ mechanism: Mechanism, key: SecureBytes, iv: [UInt8], data: [UInt8]) async throws -> [UInt8] {
        try ResultUnpacking.bytes(await perform(.decrypt(mechanism, key: key, iv: iv, data: data)).value)
    }

    /// A new RSA key pair (CKM_RSA_PKCS_KEY_PAIR_GEN); the public exponent defaults to 65537.
    public func generateRSAKeyPair(bits: Int, publicExponent: [UInt8] = [0x01, 0x00, 0x01]) throws -> RSAPrivateKey {
        try ResultUnpacking.rsaKeyPair(perform(.generateRSAKeyPair(bits: bits, publicExponent: publicExponent)).value)
    }
    public func generateRSAKeyPair(bits: Int, publicExponent: [UInt8] = [0x01, 0x00, 0x01]) async throws -> RSAPrivateKey {
        try ResultUnpacking.rsaKeyPair(await perform(.generateRSAKeyPair(bits: bits, publicExponent: publicExponent)).value)
    }

    /// A DH key pair in `group` (CKM_DH_PKCS_KEY_PAIR_GEN). `privateBits` nil:
    /// twice the group's strength; `group.bits`: a full-length exponent.
    public func generateDHKeyPair(group: DHGroup, privateBits: Int? = nil) throws -> DHKeyPair {
        try ResultUnpacking.dhKeyPair(perform(.generateDHKeyPair(group: group, privateBits: privateBits)).value)
    }
    public func generateDHKeyPair(group: DHGroup, privateBits: Int? = nil) async throws -> DHKeyPair {
        try ResultUnpacking.dhKeyPair(await perform(.generateDHKeyPair(group: group, privateBits: privateBits)).value)
    }

    /// The shared secret g^xy (CKM_DH_PKCS_DERIVE), as many bytes as the prime.
    /// The peer's value must lie in 2...p−2.
    public func deriveDH(privateKey: DHPrivateKey, peerPublicValue: [UInt8]) throws -> SecureBytes {
        try ResultUnpacking.secret(perform(.deriveDH(privateKey: privateKey, peerPublicValue: peerPublicValue)).value)
    }
    public func deriveDH(privateKey: DHPrivateKey, peerPublicValue: [UInt8]) async throws -> SecureBytes {
        try ResultUnpacking.secret(await perform(.deriveDH(privateKey: privateKey, peerPublicValue: peerPublicValue)).value)
    }

    /// `count` random bytes from the `random` pseudo-mechanism.
    public func random(count: Int) throws -> [UInt8] {
        try ResultUnpacking.bytes(perform(.random(count: count)).value)
    }
    public func random(count: Int) async throws -> [UInt8] {
        try ResultUnpacking.bytes(await perform(.random(count: count)).value)
    }
}

/// Takes the expected value out of a provider's result; a provider that returns
/// the wrong kind of result is a device error, never a crash.
enum ResultUnpacking {
    static func bytes(_ r: CryptoResult) throws -> [UInt8] {
        switch r {
        case .bytes(let b): return b
        case .secret(let s): return s.bytes
        default: throw mismatch(r, "bytes")
        }
    }
    static func secret(_ r: CryptoResult) throws -> SecureBytes {
        if case .secret(let s) = r { return s }
        throw mismatch(r, "a secret")
    }
    static func verified(_ r: CryptoResult) throws -> Bool {
        if case .verified(let v) = r { return v }
        throw mismatch(r, "a verification result")
    }
    static func rsaKeyPair(_ r: CryptoResult) throws -> RSAPrivateKey {
        if case .rsaKeyPair(let k) = r { return k }
        throw mismatch(r, "an RSA key pair")
    }
    static func dhKeyPair(_ r: CryptoResult) throws -> DHKeyPair {
        if case .dhKeyPair(let k) = r { return k }
        throw mismatch(r, "a DH key pair")
    }
    private static func mismatch(_ r: CryptoResult, _ expected: String) -> CryptoError {
        CryptoError(.deviceError, "provider returned \(r) where \(expected) was expected")
    }
}
