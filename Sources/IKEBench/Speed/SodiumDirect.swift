internal import CSodium
import CryptoFramework

/// libsodium called directly, without the framework, for the speed table's
/// `sodium-direct` lines: what the framework's own path through the `sodium`
/// provider costs is the ratio of the two.
struct SodiumDirect: Sendable {
    enum Operation: Sendable { case ed25519Sign, ed25519Verify, x25519 }

    /// One operation of `kind` on fixed keys made here, as a closure for ``SpeedRunner``.
    static func workload(_ kind: Operation, message: [UInt8]) throws -> @Sendable () throws -> Void {
        guard sodium_init() >= 0 else { throw CryptoError(.providerFailed, "sodium_init failed") }
        var publicKey = [UInt8](repeating: 0, count: Int(crypto_sign_ed25519_PUBLICKEYBYTES))
        var secretKey = [UInt8](repeating: 0, count: Int(crypto_sign_ed25519_SECRETKEYBYTES))
        guard crypto_sign_ed25519_keypair(&publicKey, &secretKey) == 0 else {
            throw CryptoError(.providerFailed, "crypto_sign_ed25519_keypair failed")
        }
        var signature = [UInt8](repeating: 0, count: Int(crypto_sign_ed25519_BYTES))
        _ = crypto_sign_ed25519_detached(&signature, nil, message, UInt64(message.count), secretKey)
        let (pk, sk, sig) = (publicKey, secretKey, signature)
        switch kind {
        case .ed25519Sign:
            return {
                var out = [UInt8](repeating: 0, count: Int(crypto_sign_ed25519_BYTES))
                guard crypto_sign_ed25519_detached(&out, nil, message, UInt64(message.count), sk) == 0 else {
                    throw CryptoError(.providerFailed, "crypto_sign_ed25519_detached failed")
                }
            }
        case .ed25519Verify:
            return {
                guard crypto_sign_ed25519_verify_detached(sig, message, UInt64(message.count), pk) == 0 else {
                    throw CryptoError(.signatureInvalid, "speed: a valid Ed25519 signature did not verify")
                }
            }
        case .x25519:
            var scalar = [UInt8](repeating: 0, count: Int(crypto_scalarmult_curve25519_SCALARBYTES))
            randombytes_buf(&scalar, scalar.count)
            var peer = [UInt8](repeating: 0, count: Int(crypto_scalarmult_curve25519_BYTES))
            guard crypto_scalarmult_curve25519_base(&peer, scalar) == 0 else {
                throw CryptoError(.providerFailed, "crypto_scalarmult_curve25519_base failed")
            }
            randombytes_buf(&scalar, scalar.count)
            let (mine, theirs) = (scalar, peer)
            return {
                var shared = [UInt8](repeating: 0, count: Int(crypto_scalarmult_curve25519_BYTES))
                guard crypto_scalarmult_curve25519(&shared, mine, theirs) == 0 else {
                    throw CryptoError(.providerFailed, "crypto_scalarmult_curve25519 failed")
                }
            }
        }
    }
}
