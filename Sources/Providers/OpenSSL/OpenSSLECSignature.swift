internal import CLibCrypto
import CryptoFramework

/// ECDSA (CKM_ECDSA over the caller's hash, CKM_ECDSA_SHA* hashing first) and
/// Ed25519 (CKM_EDDSA) over libcrypto. libcrypto signs ECDSA with a fresh
/// random nonce in constant time; its signatures are DER (X9.62 ECDSA-Sig-Value)
/// and are converted to and from PKCS#11's r‖s here.
struct OpenSSLECSignature {
    let algorithms: FetchedAlgorithms

    func sign(_ mechanism: Mechanism, key: ECPrivateKey, data: [UInt8]) throws -> [UInt8] {
        let scheme = try ECInputRules.checkSign(mechanism, curve: key.curve)
        let evp = try EVPKey.ec(key)
        switch scheme {
        case .eddsa:
            return try ed25519Sign(evp, data: data)
        case .ecdsa, .ecdsaHashed:
            let hash = try self.hash(scheme, data)
            var der = [UInt8](repeating: 0, count: Int(EVP_PKEY_get_size(evp.pointer)))
            var length = der.count
            try evp.contexts.withContext(.ecdsaSign, make: {
                let context = try evp.makeContext()
                try OpenSSLFailure.check(EVP_PKEY_sign_init(context.pointer), "EVP_PKEY_sign_init")
                return context
            }) { context in
                let ok = hash.withUnsafeBufferPointer { tbs in
                    der.withUnsafeMutableBufferPointer { EVP_PKEY_sign(context.pointer, $0.baseAddress, &length, tbs.baseAddress, tbs.count) }
                }
                try OpenSSLFailure.check(ok, "ECDSA sign")
            }
            return try ECDSASignatureEncoding.rawSignature(fromDER: der.prefix(length), fieldLength: key.curve.fieldByteCount)
        }
    }

    func verify(_ mechanism: Mechanism, key: ECPublicKey, data: [UInt8], signature: [UInt8]) throws -> Bool {
        let scheme = try ECInputRules.checkVerify(mechanism, curve: key.curve, signature: signature)
        guard ECInputRules.hasIntegersInRange(signature, curve: key.curve) else { return false }
        let evp = try EVPKey.ec(key)
        switch scheme {
        case .eddsa:
            return try ed25519Verify(evp, data: data, signature: signature)
        case .ecdsa, .ecdsaHashed:
            let hash = try self.hash(scheme, data)
            let der = try ECDSASignatureEncoding.der(fromRawSignature: signature)
            let verdict = try evp.contexts.withContext(.ecdsaVerify, make: {
                let context = try evp.makeContext()
                try OpenSSLFailure.check(EVP_PKEY_verify_init(context.pointer), "EVP_PKEY_verify_init")
                return context
            }) { context in
                hash.withUnsafeBufferPointer { tbs in
                    der.withUnsafeBufferPointer { EVP_PKEY_verify(context.pointer, $0.baseAddress, $0.count, tbs.baseAddress, tbs.count) }
                }
            }
            // 1: valid; 0: a well-formed signature that does not verify; below 0: libcrypto failed.
            guard verdict >= 0 else { throw OpenSSLFailure.error(.providerFailed, "ECDSA verify") }
            OpenSSLFailure.clearErrorQueue()
            return verdict == 1
        }
    }

    /// What EVP_PKEY_sign/verify gets: the caller's hash, or the mechanism's hash of the data.
    private func hash(_ scheme: ECSignatureScheme, _ data: [UInt8]) throws -> [UInt8] {
        if case .ecdsaHashed(let algorithm) = scheme { return try algorithms.digest(algorithm).digest(data) }
        return data
    }

    // MARK: Ed25519

    // EdDSA is one-shot EVP_DigestSign with no digest (RFC 8032's hashing is
    // the algorithm's own). The EVP_MD_CTX is made per operation: OpenSSL 3.2
    // and later refuse a second one-shot call on a finalised context, so a
    // pooled one would need its set-up redone every time anyway.

    private func ed25519Sign(_ evp: EVPKey, data: [UInt8]) throws -> [UInt8] {
        let context = try DigestContext()
        try OpenSSLFailure.check(EVP_DigestSignInit_ex(context.pointer, nil, nil, nil, nil, evp.pointer, nil), "EVP_DigestSignInit_ex(Ed25519)")
        var signature = [UInt8](repeating: 0, count: 64)
        var length = signature.count
        let ok = data.withUnsafeBufferPointer { tbs in
            signature.withUnsafeMutableBufferPointer { EVP_DigestSign(context.pointer, $0.baseAddress, &length, tbs.baseAddress, tbs.count) }
        }
        try OpenSSLFailure.check(ok, "Ed25519 sign")
        guard length == 64 else { throw CryptoError(.providerFailed, "openssl: Ed25519 sign returned \(length) bytes, not 64") }
        return signature
    }

    private func ed25519Verify(_ evp: EVPKey, data: [UInt8], signature: [UInt8]) throws -> Bool {
        let context = try DigestContext()
        try OpenSSLFailure.check(EVP_DigestVerifyInit_ex(context.pointer, nil, nil, nil, nil, evp.pointer, nil), "EVP_DigestVerifyInit_ex(Ed25519)")
        let verdict = data.withUnsafeBufferPointer { tbs in
            signature.withUnsafeBufferPointer { EVP_DigestVerify(context.pointer, $0.baseAddress, $0.count, tbs.baseAddress, tbs.count) }
        }
        guard verdict >= 0 else { throw OpenSSLFailure.error(.providerFailed, "Ed25519 verify") }
        OpenSSLFailure.clearErrorQueue()
        return verdict == 1
    }
}

/// An owned EVP_MD_CTX, for one EdDSA operation.
final class DigestContext {
    let pointer: OpaquePointer

    init() throws {
        pointer = try OpenSSLFailure.check(EVP_MD_CTX_new(), "EVP_MD_CTX_new")
    }

    deinit { EVP_MD_CTX_free(pointer) }
}

/// PKCS#11's r‖s (each half left-padded to the field length) to and from
/// X9.62's ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }, through
/// libcrypto's ECDSA_SIG, which owns the DER rules (minimal INTEGERs, a 00
/// sign byte before a high bit).
enum ECDSASignatureEncoding {
    static func rawSignature(fromDER der: ArraySlice<UInt8>, fieldLength: Int) throws -> [UInt8] {
        let parsed = Array(der).withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        guard let signature = parsed else { throw OpenSSLFailure.error(.providerFailed, "d2i_ECDSA_SIG") }
        defer { ECDSA_SIG_free(signature) }
        var r: OpaquePointer? = nil, s: OpaquePointer? = nil
        ECDSA_SIG_get0(signature, &r, &s)
        guard let r, let s else { throw CryptoError(.providerFailed, "openssl: ECDSA signature without r or s") }
        var out = [UInt8](repeating: 0, count: 2 * fieldLength)
        let written = out.withUnsafeMutableBufferPointer { buffer in
            (BN_bn2binpad(r, buffer.baseAddress, Int32(fieldLength)), BN_bn2binpad(s, buffer.baseAddress! + fieldLength, Int32(fieldLength)))
        }
        // BN_bn2binpad fails (−1) when a value does not fit the field length.
        guard written.0 == Int32(fieldLength), written.1 == Int32(fieldLength) else {
            throw CryptoError(.providerFailed, "openssl: ECDSA signature half longer than the \(fieldLength)-byte field")
        }
        return out
    }

    static func der(fromRawSignature raw: [UInt8]) throws -> [UInt8] {
        let half = raw.count / 2
        let signature = try OpenSSLFailure.check(ECDSA_SIG_new(), "ECDSA_SIG_new")
        defer { ECDSA_SIG_free(signature) }
        let (r, s) = raw.withUnsafeBufferPointer { buffer in
            (BN_bin2bn(buffer.baseAddress, Int32(half), nil), BN_bin2bn(buffer.baseAddress! + half, Int32(half), nil))
        }
        guard let r, let s, ECDSA_SIG_set0(signature, r, s) == 1 else {  // set0 takes ownership of both on success
            if let r { BN_free(r) }
            if let s { BN_free(s) }
            throw OpenSSLFailure.error(.hostMemory, "ECDSA_SIG_set0")
        }
        let length = i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else { throw OpenSSLFailure.error(.providerFailed, "i2d_ECDSA_SIG") }
        var out = [UInt8](repeating: 0, count: Int(length))
        let written = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_ECDSA_SIG(signature, &cursor)
        }
        guard written == length else { throw OpenSSLFailure.error(.providerFailed, "i2d_ECDSA_SIG") }
        return out
    }
}
