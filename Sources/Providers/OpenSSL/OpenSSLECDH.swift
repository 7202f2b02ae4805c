internal import CLibCrypto
import CryptoFramework

/// CKM_ECDH1_DERIVE on the prime curves (ECDH, the x-coordinate of d·Q, SEC 1
/// §3.3.1) and on curve25519 (X25519, RFC 7748) over EVP_PKEY_derive, then
/// the framework's KDF step with libcrypto's digests.
struct OpenSSLECDH {
    let algorithms: FetchedAlgorithms

    func derive(privateKey: ECPrivateKey, peerPublicValue: [UInt8], parameters: ECDHParameters) throws -> SecureBytes {
        let curve = privateKey.curve
        let peer = try ECInputRules.checkDerive(privateKey: privateKey, peerPublicValue: peerPublicValue, parameters: parameters)
        let evp = try EVPKey.ec(privateKey)
        let z = try evp.contexts.withContext(.derive, make: {
            let context = try evp.makeContext()
            try OpenSSLFailure.check(EVP_PKEY_derive_init(context.pointer), "EVP_PKEY_derive_init")
            return context
        }) { context in
            // The peer: imported once per pooled context, then only its point
            // replaced (EVP_PKEY_set1_encoded_public_key: libcrypto decodes it,
            // checking it is on the curve, into the key it has), so a request
            // pays for no new EVP_PKEY, EC group or key-management fetch.
            let peerKey: EVPKey
            if let scratch = context.scratchPeer {
                try peer.point.withUnsafeBufferPointer {
                    try OpenSSLFailure.check(
                        EVP_PKEY_set1_encoded_public_key(scratch.pointer, $0.baseAddress, $0.count),
                        "EVP_PKEY_set1_encoded_public_key(\(curve))")
                }
                peerKey = scratch
            } else {
                peerKey = try EVPKey.ecPublic(curve: curve, point: peer.point)
                context.scratchPeer = peerKey
            }
            // (Re)sets the context's peer every time rather than relying on it keeping
            // a reference to the key just changed. The peer was validated by
            // ECInputRules (on the curve; cofactor 1, so in the group: SEC 1
            // §3.2.2.1): libcrypto's own check (0: skipped) would add a scalar
            // multiplication by n.
            try OpenSSLFailure.check(EVP_PKEY_derive_set_peer_ex(context.pointer, peerKey.pointer, 0), "EVP_PKEY_derive_set_peer_ex")
            return try SecureBytes(count: curve.fieldByteCount) { out in
                var length = out.count
                try OpenSSLFailure.check(
                    EVP_PKEY_derive(context.pointer, out.bindMemory(to: UInt8.self).baseAddress, &length), "EVP_PKEY_derive(\(curve))")
                guard length == out.count else {
                    throw CryptoError(.providerFailed, "openssl: \(curve) shared secret is \(length) bytes, not \(out.count)")
                }
            }
        }
        try ECInputRules.checkSharedSecret(z, curve: curve)
        return try ECDHKeyDerivation.derive(z, parameters: parameters) { hash, data in
            try algorithms.digest(hash).digest(secret: data)
        }
    }
}
