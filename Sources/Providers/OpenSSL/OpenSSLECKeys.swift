internal import CLibCrypto
import CryptoFramework

extension ECCurve {
    /// libcrypto's name for the group (OSSL_PKEY_PARAM_GROUP_NAME) of a prime curve.
    var openSSLGroupName: StaticString? {
        switch self {
        case .p256: "prime256v1"
        case .p384: "secp384r1"
        case .p521: "secp521r1"
        case .ed25519, .x25519: nil
        }
    }

    /// libcrypto's key type.
    var openSSLKeyType: String {
        switch self {
        case .p256, .p384, .p521: "EC"
        case .ed25519: "ED25519"
        case .x25519: "X25519"
        }
    }
}

// OSSL_PKEY_PARAM_* names (core_names.h): "group", "pub", "priv".
extension EVPKey {
    /// The private key's EVP_PKEY, imported on first use. When the key carries
    /// its public key, libcrypto checks once that the two belong together.
    static func ec(_ key: ECPrivateKey) throws -> EVPKey {
        try key.handles.handle(handleSlot) {
            let curve = key.curve
            if let group = curve.openSSLGroupName {
                var components: [Component] = [.utf8("group", group), .bigNumber("priv", try BigNumber(key.scalar))]
                if let publicKey = key.publicKey { components.append(.octets("pub", publicKey.point)) }
                let evp = try fromData(algorithm: "EC", selection: selectKeyPair, components)
                if key.publicKey != nil {
                    let context = try evp.makeContext()
                    guard EVP_PKEY_pairwise_check(context.pointer) == 1 else {
                        OpenSSLFailure.clearErrorQueue()
                        throw ECInputRules.publicKeyMismatch(curve)
                    }
                }
                return evp
            }
            let evp = try key.scalar.withUnsafeBytes { secret in
                try OpenSSLFailure.check(
                    EVP_PKEY_new_raw_private_key_ex(nil, curve.openSSLKeyType, nil, secret.bindMemory(to: UInt8.self).baseAddress, secret.count),
                    "EVP_PKEY_new_raw_private_key_ex(\(curve))")
            }
            let imported = EVPKey(owning: evp)
            if let publicKey = key.publicKey, try imported.rawPublicKey() != publicKey.point {
                throw ECInputRules.publicKeyMismatch(curve)
            }
            return imported
        }
    }

    /// The public key's EVP_PKEY, imported on first use.
    static func ec(_ key: ECPublicKey) throws -> EVPKey {
        try key.handles.handle(handleSlot) { try ecPublic(curve: key.curve, point: key.point) }
    }

    /// An EVP_PKEY for a validated point (an ECDH peer, not cached).
    static func ecPublic(curve: ECCurve, point: [UInt8]) throws -> EVPKey {
        if let group = curve.openSSLGroupName {
            return try fromData(algorithm: "EC", selection: selectPublicKey, [.utf8("group", group), .octets("pub", point)])
        }
        let evp = try point.withUnsafeBufferPointer {
            try OpenSSLFailure.check(
                EVP_PKEY_new_raw_public_key_ex(nil, curve.openSSLKeyType, nil, $0.baseAddress, $0.count),
                "EVP_PKEY_new_raw_public_key_ex(\(curve))")
        }
        return EVPKey(owning: evp)
    }

    /// The 32-byte public key of an Ed25519 or X25519 EVP_PKEY.
    func rawPublicKey() throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length = out.count
        try OpenSSLFailure.check(EVP_PKEY_get_raw_public_key(pointer, &out, &length), "EVP_PKEY_get_raw_public_key")
        return Array(out.prefix(length))
    }
}

/// CKM_EC_KEY_PAIR_GEN, CKM_EC_EDWARDS_KEY_PAIR_GEN and CKM_EC_MONTGOMERY_KEY_PAIR_GEN
/// over EVP_PKEY_generate.
enum OpenSSLECKeyGeneration {
    static func generate(_ curve: ECCurve) throws -> ECPrivateKey {
        let context = try EVPKeyContext(algorithm: curve.openSSLKeyType)
        try OpenSSLFailure.check(EVP_PKEY_keygen_init(context.pointer), "EVP_PKEY_keygen_init")
        if let group = curve.openSSLGroupName {
            try OpenSSLFailure.check(EVP_PKEY_CTX_set_group_name(context.pointer, "\(group)"), "EVP_PKEY_CTX_set_group_name(\(group))")
        }
        var generated: OpaquePointer? = nil
        guard EVP_PKEY_generate(context.pointer, &generated) == 1, let generated else {
            throw OpenSSLFailure.error(.providerFailed, "EVP_PKEY_generate (\(curve))")
        }
        let evp = EVPKey(owning: generated)
        let scalar: SecureBytes
        let point: [UInt8]
        if curve.family == .weierstrass {
            scalar = try evp.bigNumberParameter("priv", secret: true).secureBytes(paddedTo: curve.privateKeyByteCount)
            var out = [UInt8](repeating: 0, count: curve.publicKeyByteCount)
            var length = 0
            try OpenSSLFailure.check(EVP_PKEY_get_octet_string_param(evp.pointer, "pub", &out, out.count, &length), "EVP_PKEY_get_octet_string_param(pub)")
            point = Array(out.prefix(length))
        } else {
            scalar = try SecureBytes(count: curve.privateKeyByteCount) { buffer in
                var length = buffer.count
                try OpenSSLFailure.check(
                    EVP_PKEY_get_raw_private_key(evp.pointer, buffer.bindMemory(to: UInt8.self).baseAddress, &length),
                    "EVP_PKEY_get_raw_private_key")
                guard length == buffer.count else { throw OpenSSLFailure.error(.providerFailed, "EVP_PKEY_get_raw_private_key returned \(length) bytes") }
            }
            point = try evp.rawPublicKey()
        }
        let key = try ECPrivateKey(curve: curve, scalar: scalar, publicKey: try ECPublicKey(curve: curve, point: point))
        // The generated EVP_PKEY is this key: cache it so the first operation does not re-import.
        _ = key.handles.handle(EVPKey.handleSlot) { evp }
        return key
    }
}
