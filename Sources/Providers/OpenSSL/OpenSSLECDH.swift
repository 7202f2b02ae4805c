internal import CLibCrypto
import CryptoFramework

/// CKM_ECDH1_DERIVE on the prime curves (ECDH, the x-coordinate of d·Q, SEC 1
/// §3.3.1) and on curve25519 (X25519, RFC 7748) over EVP_PKEY_derive, then
/// the framework's KDF step with libcrypto's digests.
struct OpenSSLECDH {
    let algorithms: FetchedAlgorithms

    /// `inputsChecked`: the framework has already validated this request's
    /// peer point (``OperationContext/inputsChecked``), so it is not checked a
    /// second time here. libcrypto checks it once more whenever it decodes it
    /// (EC_POINT_oct2point → EC_POINT_set_affine_coordinates, which refuses a
    /// point off the curve, or one with a coordinate not below p): that decode
    /// cannot be skipped, so a point is never used unchecked.
    func derive(privateKey: ECPrivateKey, peerPublicValue: [UInt8], parameters: ECDHParameters,
                inputsChecked: Bool = false) throws -> SecureBytes {
        let curve = privateKey.curve
        let point = inputsChecked
            ? peerPublicValue
            : try ECInputRules.checkDerivePeer(privateKey: privateKey, peerPublicValue: peerPublicValue, parameters: parameters)
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
            // The same point as the context's last peer (the same bytes, which
            // libcrypto decoded and checked then, and the context still holds
            // that key) is derived against as it stands, as `openssl speed`
            // derives against its one peer: only a new point is decoded and set.
            if context.scratchPeerPoint != point {
                let peerKey: EVPKey
                if let scratch = context.scratchPeer {
                    // Forgotten first: should a step below fail, the next request sets its point afresh.
                    context.scratchPeerPoint = nil
                    try point.withUnsafeBufferPointer {
                        try OpenSSLFailure.check(
                            EVP_PKEY_set1_encoded_public_key(scratch.pointer, $0.baseAddress, $0.count),
                            "EVP_PKEY_set1_encoded_public_key(\(curve))")
                    }
                    peerKey = scratch
                } else {
                    peerKey = try EVPKey.ecPublic(curve: curve, point: point)
                    context.scratchPeer = peerKey
                }
                // (Re)sets the context's peer after its point changed rather than relying on
                // it seeing the change. The peer was validated (ECInputRules, by the framework
                // or above; cofactor 1, so in the group: SEC 1 §3.2.2.1) and decoded with
                // libcrypto's own on-curve check: its optional public-key check (0: skipped)
                // would add a scalar multiplication by n.
                try OpenSSLFailure.check(EVP_PKEY_derive_set_peer_ex(context.pointer, peerKey.pointer, 0), "EVP_PKEY_derive_set_peer_ex")
                context.scratchPeerPoint = point
            }
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
