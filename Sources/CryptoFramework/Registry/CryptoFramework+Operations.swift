// Typed forms of `perform`: one synchronous and one async function per
// operation, both built on the same request and result unpacking.

extension CryptoFramework {
    /// Signs `data` with `mechanism` (CKM_RSA_PKCS signs the bytes as given, as IKEv1 does).
    public func sign(_ mechanism: Mechanism, key: RSAPrivateKey, data: [UInt8], pss: PSSParameters? = nil) throws -> [UInt8] {
        try perform(.sign(mechanism, key: key, data: data, pss: pss)).value.bytes
    }
    public func sign(_ mechanism: Mechanism, key: RSAPrivateKey, data: [UInt8], pss: PSSParameters? = nil) async throws -> [UInt8] {
        try await perform(.sign(mechanism, key: key, data: data, pss: pss)).value.bytes
    }

    /// True when `signature` is valid; false when it is well-formed but wrong.
    /// Throws `signatureLengthRange` for a signature of the wrong length.
    public func verify(_ mechanism: Mechanism, key: RSAPublicKey, data: [UInt8], signature: [UInt8], pss: PSSParameters? = nil) throws -> Bool {
        try perform(.verify(mechanism, key: key, data: data, signature: signature, pss: pss)).value.verified
    }
    public func verify(_ mechanism: Mechanism, key: RSAPublicKey, data: [UInt8], signature: [UInt8], pss: PSSParameters? = nil) async throws -> Bool {
        try await perform(.verify(mechanism, key: key, data: data, signature: signature, pss: pss)).value.verified
    }

    public func digest(_ mechanism: Mechanism, data: [UInt8]) throws -> [UInt8] {
        try perform(.digest(mechanism, data: data)).value.bytes
    }
    public func digest(_ mechanism: Mechanism, data: [UInt8]) async throws -> [UInt8] {
        try await perform(.digest(mechanism, data: data)).value.bytes
    }

    /// HMAC of `data` under `key` (CKM_SHA_1_HMAC, CKM_SHA256_HMAC …), kept in
    /// a wiping buffer: as a PRF its output is key material.
    public func mac(_ mechanism: Mechanism, key: SecureBytes, data: SecureBytes) throws -> SecureBytes {
        try perform(.mac(mechanism, key: key, data: data)).value.secret
    }
    public func mac(_ mechanism: Mechanism, key: SecureBytes, data: SecureBytes) async throws -> SecureBytes {
        try await perform(.mac(mechanism, key: key, data: data)).value.secret
    }

    /// CBC encryption without padding (data must be whole blocks).
    public func encrypt(_ mechanism: Mechanism, key: SecureBytes, iv: [UInt8], data: [UInt8]) throws -> [UInt8] {
        try perform(.encrypt(mechanism, key: key, parameters: .iv(iv), data: data)).value.bytes
    }
    public func encrypt(_ mechanism: Mechanism, key: SecureBytes, iv: [UInt8], data: [UInt8]) async throws -> [UInt8] {
        try await perform(.encrypt(mechanism, key: key, parameters: .iv(iv), data: data)).value.bytes
    }

    /// CBC decryption without padding (data must be whole blocks).
    public func decrypt(_ mechanism: Mechanism, key: SecureBytes, iv: [UInt8], data: [UInt8]) throws -> [UInt8] {
        try perform(.decrypt(mechanism, key: key, parameters: .iv(iv), data: data)).value.bytes
    }
    public func decrypt(_ mechanism: Mechanism, key: SecureBytes, iv: [UInt8], data: [UInt8]) async throws -> [UInt8] {
        try await perform(.decrypt(mechanism, key: key, parameters: .iv(iv), data: data)).value.bytes
    }

    /// Encryption in any block-cipher mode (``CipherParameters``): ECB, CBC, CTR, GCM (ciphertext ‖ tag).
    public func encrypt(_ mechanism: Mechanism, key: SecureBytes, parameters: CipherParameters, data: [UInt8]) throws -> [UInt8] {
        try perform(.encrypt(mechanism, key: key, parameters: parameters, data: data)).value.bytes
    }

    /// Decryption in any block-cipher mode; GCM takes ciphertext ‖ tag and
    /// throws ``CryptoError/Code/dataInvalid`` with no plaintext on a wrong tag.
    public func decrypt(_ mechanism: Mechanism, key: SecureBytes, parameters: CipherParameters, data: [UInt8]) throws -> [UInt8] {
        try perform(.decrypt(mechanism, key: key, parameters: parameters, data: data)).value.bytes
    }

    /// RSA encryption (CKM_RSA_PKCS, CKM_RSA_PKCS_OAEP with `oaep` or RFC 8017's
    /// defaults, CKM_RSA_X_509): a k-byte ciphertext.
    public func encrypt(_ mechanism: Mechanism, key: RSAPublicKey, data: [UInt8], oaep: OAEPParameters? = nil) throws -> [UInt8] {
        try perform(.encryptRSA(mechanism, key: key, data: data, oaep: oaep)).value.bytes
    }
    public func encrypt(_ mechanism: Mechanism, key: RSAPublicKey, data: [UInt8], oaep: OAEPParameters? = nil) async throws -> [UInt8] {
        try await perform(.encryptRSA(mechanism, key: key, data: data, oaep: oaep)).value.bytes
    }

    /// RSA decryption of a k-byte ciphertext into a wiping buffer. Any padding
    /// failure is the one `dataInvalid` ("RSA decryption error"), decided in constant time.
    public func decrypt(_ mechanism: Mechanism, key: RSAPrivateKey, data: [UInt8], oaep: OAEPParameters? = nil) throws -> SecureBytes {
        try perform(.decryptRSA(mechanism, key: key, data: data, oaep: oaep)).value.secret
    }
    public func decrypt(_ mechanism: Mechanism, key: RSAPrivateKey, data: [UInt8], oaep: OAEPParameters? = nil) async throws -> SecureBytes {
        try await perform(.decryptRSA(mechanism, key: key, data: data, oaep: oaep)).value.secret
    }

    /// A new RSA key pair (CKM_RSA_PKCS_KEY_PAIR_GEN); the public exponent defaults to 65537.
    public func generateRSAKeyPair(bits: Int, publicExponent: [UInt8] = [0x01, 0x00, 0x01]) throws -> RSAPrivateKey {
        try perform(.generateRSAKeyPair(bits: bits, publicExponent: publicExponent)).value.rsaKeyPair
    }
    public func generateRSAKeyPair(bits: Int, publicExponent: [UInt8] = [0x01, 0x00, 0x01]) async throws -> RSAPrivateKey {
        try await perform(.generateRSAKeyPair(bits: bits, publicExponent: publicExponent)).value.rsaKeyPair
    }

    /// A DH key pair in `group` (CKM_DH_PKCS_KEY_PAIR_GEN). `privateBits` nil:
    /// twice the group's strength; `group.bits`: a full-length exponent.
    public func generateDHKeyPair(group: DHGroup, privateBits: Int? = nil) throws -> DHKeyPair {
        try perform(.generateDHKeyPair(group: group, privateBits: privateBits)).value.dhKeyPair
    }
    public func generateDHKeyPair(group: DHGroup, privateBits: Int? = nil) async throws -> DHKeyPair {
        try await perform(.generateDHKeyPair(group: group, privateBits: privateBits)).value.dhKeyPair
    }

    /// The shared secret g^xy (CKM_DH_PKCS_DERIVE), as many bytes as the prime.
    /// The peer's value must lie in 2...p−2.
    public func deriveDH(privateKey: DHPrivateKey, peerPublicValue: [UInt8]) throws -> SecureBytes {
        try perform(.deriveDH(privateKey: privateKey, peerPublicValue: peerPublicValue)).value.secret
    }
    public func deriveDH(privateKey: DHPrivateKey, peerPublicValue: [UInt8]) async throws -> SecureBytes {
        try await perform(.deriveDH(privateKey: privateKey, peerPublicValue: peerPublicValue)).value.secret
    }

    /// Signs `data` with an EC key: CKM_ECDSA over a hash the caller computed,
    /// CKM_ECDSA_SHA* over the data, CKM_EDDSA (Ed25519) over the data. The
    /// signature is r‖s, each half as long as the field (ECDSA), or R‖S (Ed25519).
    public func sign(_ mechanism: Mechanism, key: ECPrivateKey, data: [UInt8]) throws -> [UInt8] {
        try perform(.signEC(mechanism, key: key, data: data)).value.bytes
    }
    public func sign(_ mechanism: Mechanism, key: ECPrivateKey, data: [UInt8]) async throws -> [UInt8] {
        try await perform(.signEC(mechanism, key: key, data: data)).value.bytes
    }

    /// True when the EC `signature` is valid; false when it is well-formed but
    /// wrong (r or s outside 1...n−1 included). Throws `signatureLengthRange`
    /// for a signature of the wrong length, `keyInvalid` for a mechanism of
    /// the other curve family.
    public func verify(_ mechanism: Mechanism, key: ECPublicKey, data: [UInt8], signature: [UInt8]) throws -> Bool {
        try perform(.verifyEC(mechanism, key: key, data: data, signature: signature)).value.verified
    }
    public func verify(_ mechanism: Mechanism, key: ECPublicKey, data: [UInt8], signature: [UInt8]) async throws -> Bool {
        try await perform(.verifyEC(mechanism, key: key, data: data, signature: signature)).value.verified
    }

    /// A new key pair on `curve`, its public key present (CKM_EC_KEY_PAIR_GEN,
    /// CKM_EC_EDWARDS_KEY_PAIR_GEN or CKM_EC_MONTGOMERY_KEY_PAIR_GEN, by the curve).
    public func generateECKeyPair(curve: ECCurve) throws -> ECPrivateKey {
        try perform(.generateECKeyPair(curve: curve)).value.ecKeyPair
    }
    public func generateECKeyPair(curve: ECCurve) async throws -> ECPrivateKey {
        try await perform(.generateECKeyPair(curve: curve)).value.ecKeyPair
    }

    /// ECDH (CKM_ECDH1_DERIVE) with the peer's point as bytes (uncompressed or
    /// compressed for the prime curves, 32 bytes for X25519), then the KDF of
    /// `parameters` (by default CKD_NULL: the shared x-coordinate or u, as long
    /// as the field). A peer that is not a valid point of the key's curve is
    /// `dataInvalid`.
    public func deriveECDH(privateKey: ECPrivateKey, peerPublicValue: [UInt8], parameters: ECDHParameters = .null) throws -> SecureBytes {
        try perform(.deriveECDH(privateKey: privateKey, peerPublicValue: peerPublicValue, parameters: parameters)).value.secret
    }
    public func deriveECDH(privateKey: ECPrivateKey, peerPublicValue: [UInt8], parameters: ECDHParameters = .null) async throws -> SecureBytes {
        try await perform(.deriveECDH(privateKey: privateKey, peerPublicValue: peerPublicValue, parameters: parameters)).value.secret
    }

    /// `count` random bytes from the `random` pseudo-mechanism.
    public func random(count: Int) throws -> [UInt8] {
        try perform(.random(count: count)).value.bytes
    }
    public func random(count: Int) async throws -> [UInt8] {
        try await perform(.random(count: count)).value.bytes
    }
}
