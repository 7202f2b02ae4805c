internal import CSodium
import CryptoFramework

/// Ed25519 (RFC 8032 §5.1) with libsodium's crypto_sign_ed25519_*.
enum SodiumEd25519 {
    /// Where the 64-byte secret key libsodium signs with (seed ‖ public key) is cached behind a key.
    static let handleSlot = "sodium.ed25519"

    static func generate() throws -> ECPrivateKey {
        var publicKey = [UInt8](repeating: 0, count: Int(crypto_sign_ed25519_PUBLICKEYBYTES))
        let secretKey = try SecureBytes(count: Int(crypto_sign_ed25519_SECRETKEYBYTES)) { sk in
            guard crypto_sign_ed25519_keypair(&publicKey, sk.fixedSizeBytes) == 0 else {
                throw CryptoError(.providerFailed, "sodium: crypto_sign_ed25519_keypair failed")
            }
        }
        let key = try ECPrivateKey(
            curve: .ed25519, scalar: secretKey.prefix(Int(crypto_sign_ed25519_SEEDBYTES)),
            publicKey: try ECPublicKey(curve: .ed25519, point: publicKey))
        _ = key.handles.handle(handleSlot) { secretKey }
        return key
    }

    /// seed ‖ A from the 32-byte private key, built once per key; a public key
    /// given with the private key must be the one the seed gives.
    static func secretKey(_ key: ECPrivateKey) throws -> SecureBytes {
        try key.handles.handle(handleSlot) {
            var publicKey = [UInt8](repeating: 0, count: Int(crypto_sign_ed25519_PUBLICKEYBYTES))
            let secretKey = try SecureBytes(count: Int(crypto_sign_ed25519_SECRETKEYBYTES)) { sk in
                let ok = key.scalar.withUnsafeBytes { seed in
                    crypto_sign_ed25519_seed_keypair(&publicKey, sk.fixedSizeBytes, seed.fixedSizeBytes)
                }
                guard ok == 0 else { throw CryptoError(.providerFailed, "sodium: crypto_sign_ed25519_seed_keypair failed") }
            }
            if let given = key.publicKey, given.point != publicKey { throw ECInputRules.publicKeyMismatch(.ed25519) }
            return secretKey
        }
    }

    static func sign(key: ECPrivateKey, data: [UInt8]) throws -> [UInt8] {
        let secretKey = try secretKey(key)
        var signature = [UInt8](repeating: 0, count: Int(crypto_sign_ed25519_BYTES))
        let ok = secretKey.withUnsafeBytes { sk in
            crypto_sign_ed25519_detached(&signature, nil, data, UInt64(data.count), sk.fixedSizeBytes)
        }
        guard ok == 0 else { throw CryptoError(.providerFailed, "sodium: crypto_sign_ed25519_detached failed") }
        return signature
    }

    /// libsodium also refuses a non-canonical or small-order R; the framework
    /// has already refused such public keys and an S not below L.
    static func verify(key: ECPublicKey, data: [UInt8], signature: [UInt8]) -> Bool {
        crypto_sign_ed25519_verify_detached(signature, data, UInt64(data.count), key.point) == 0
    }
}
