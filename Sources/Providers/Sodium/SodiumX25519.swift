internal import CSodium
import CryptoFramework

/// X25519 (RFC 7748 §5) with libsodium's crypto_scalarmult_curve25519.
enum SodiumX25519 {
    /// A random 32-byte private key (clamped when used) and its public key, X25519(k, 9).
    static func generate() throws -> ECPrivateKey {
        let scalar = try SecureBytes(count: Int(crypto_scalarmult_curve25519_SCALARBYTES)) { k in
            randombytes_buf(k.baseAddress!, k.count)
        }
        var publicKey = [UInt8](repeating: 0, count: Int(crypto_scalarmult_curve25519_BYTES))
        let ok = scalar.withUnsafeBytes { k in crypto_scalarmult_curve25519_base(&publicKey, k.fixedSizeBytes) }
        guard ok == 0 else { throw CryptoError(.providerFailed, "sodium: crypto_scalarmult_curve25519_base failed") }
        return try ECPrivateKey(curve: .x25519, scalar: scalar, publicKey: try ECPublicKey(curve: .x25519, point: publicKey))
    }

    /// `inputsChecked`: the framework has already validated this request
    /// (``OperationContext/inputsChecked``), the peer's point included, so it
    /// is not checked twice; libsodium refuses an all-zero result itself.
    static func derive(privateKey: ECPrivateKey, peerPublicValue: [UInt8], parameters: ECDHParameters,
                       inputsChecked: Bool = false) throws -> SecureBytes {
        let point = inputsChecked
            ? peerPublicValue
            : try ECInputRules.checkDerivePeer(privateKey: privateKey, peerPublicValue: peerPublicValue, parameters: parameters)
        // libsodium reads 32 bytes whatever it is given: kept even on the checked path.
        guard point.count == Int(crypto_scalarmult_curve25519_BYTES), privateKey.curve == .x25519 else {
            throw CryptoError(.dataInvalid, "sodium: X25519 needs an X25519 key and a 32-byte peer value, not \(privateKey.curve) and \(point.count) bytes")
        }
        if case .x963(let hash) = parameters.kdf, digest(hash) == nil {
            // Recoverable: the registry takes the request to a provider with that hash.
            throw CryptoError(.mechanismInvalid, "sodium computes \(parameters.kdf) only over SHA-256 or SHA-512, not \(hash)")
        }
        let z = try SecureBytes(count: Int(crypto_scalarmult_curve25519_BYTES)) { q in
            let ok = privateKey.scalar.withUnsafeBytes { k in
                crypto_scalarmult_curve25519(q.fixedSizeBytes, k.fixedSizeBytes, point)
            }
            // −1: the result is all zero (libsodium checks it, RFC 7748 §6.1).
            guard ok == 0 else { throw ECInputRules.allZeroSharedSecret(.x25519) }
        }
        try ECInputRules.checkSharedSecret(z, curve: .x25519)
        return try ECDHKeyDerivation.derive(z, parameters: parameters) { hash, data in
            guard let digest = digest(hash) else { throw CryptoError(.mechanismInvalid, "sodium has no \(hash)") }
            return try digest(data)
        }
    }

    /// libsodium's SHA-256 and SHA-512, into wiping buffers.
    static func digest(_ hash: HashAlgorithm) -> ((SecureBytes) throws -> SecureBytes)? {
        switch hash {
        case .sha256:
            return { data in
                try SecureBytes(count: Int(crypto_hash_sha256_BYTES)) { out in
                    _ = data.withUnsafeBytes { crypto_hash_sha256(out.fixedSizeBytes, $0.fixedSizeBytes, UInt64($0.count)) }
                }
            }
        case .sha512:
            return { data in
                try SecureBytes(count: Int(crypto_hash_sha512_BYTES)) { out in
                    _ = data.withUnsafeBytes { crypto_hash_sha512(out.fixedSizeBytes, $0.fixedSizeBytes, UInt64($0.count)) }
                }
            }
        case .sha1, .sha224, .sha384:
            return nil
        }
    }
}
