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
            // The DER goes to a stack buffer (an X9.62 ECDSA-Sig-Value is at most
            // EVP_PKEY_get_size bytes: 72 on P-256) and only r‖s is allocated.
            let capacity = Int(EVP_PKEY_get_size(evp.pointer))
            guard capacity > 0 else { throw OpenSSLFailure.error(.providerFailed, "EVP_PKEY_get_size (ECDSA)") }
            return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { der in
                var length = capacity
                try evp.contexts.withContext(.ecdsaSign, make: {
                    let context = try evp.makeContext()
                    try OpenSSLFailure.check(EVP_PKEY_sign_init(context.pointer), "EVP_PKEY_sign_init")
                    return context
                }) { (context: EVPKeyContext) in
                    let ok = hash.withUnsafeBufferPointer { tbs in
                        EVP_PKEY_sign(context.pointer, der.baseAddress, &length, tbs.baseAddress, tbs.count)
                    }
                    try OpenSSLFailure.check(ok, "ECDSA sign")
                }
                guard length <= capacity else { throw OpenSSLFailure.error(.providerFailed, "ECDSA sign wrote \(length) bytes into \(capacity)") }
                return try ECDSASignatureEncoding.rawSignature(
                    fromDER: UnsafeBufferPointer(rebasing: der[..<length]), fieldLength: key.curve.fieldByteCount)
            }
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
            }) { (context: EVPKeyContext) in
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
    // the algorithm's own). The EVP_MD_CTX comes from the key's pool: made and
    // initialised with the key once, then re-initialised before each use by
    // EVP_DigestSign/VerifyInit_ex with no key, which keeps the key and the
    // fetched signature implementation and only resets the operation (OpenSSL
    // 3.2 and later refuse a second one-shot call without it). A new context
    // per request cost its allocation, a key-management and signature fetch
    // and a key export check. Should a re-initialisation fail, the context is
    // initialised afresh with the key, so the answer never depends on it.

    private func ed25519Sign(_ evp: EVPKey, data: [UInt8]) throws -> [UInt8] {
        try evp.contexts.withDigestContext(.eddsaSign, make: { try DigestContext(verifying: false, evp) }) { (context: DigestContext) in
            try context.reinitialise(verifying: false, evp)
            // Signed into a stack buffer and copied out (see ECDSASignatureEncoding.rawSignature on why).
            return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { signature in
                var length = signature.count
                let ok = data.withUnsafeBufferPointer { tbs in
                    EVP_DigestSign(context.pointer, signature.baseAddress, &length, tbs.baseAddress, tbs.count)
                }
                try OpenSSLFailure.check(ok, "Ed25519 sign")
                guard length == 64 else { throw CryptoError(.providerFailed, "openssl: Ed25519 sign returned \(length) bytes, not 64") }
                return Array(UnsafeBufferPointer(signature))
            }
        }
    }

    private func ed25519Verify(_ evp: EVPKey, data: [UInt8], signature: [UInt8]) throws -> Bool {
        let verdict = try evp.contexts.withDigestContext(.eddsaVerify, make: { try DigestContext(verifying: true, evp) }) { (context: DigestContext) in
            try context.reinitialise(verifying: true, evp)
            return data.withUnsafeBufferPointer { tbs in
                signature.withUnsafeBufferPointer { EVP_DigestVerify(context.pointer, $0.baseAddress, $0.count, tbs.baseAddress, tbs.count) }
            }
        }
        guard verdict >= 0 else { throw OpenSSLFailure.error(.providerFailed, "Ed25519 verify") }
        OpenSSLFailure.clearErrorQueue()
        return verdict == 1
    }
}

/// An owned EVP_MD_CTX set up for EdDSA with one key, kept in that key's pool.
final class DigestContext: PooledContext, @unchecked Sendable {  // used by one thread at a time: EVPContextPool hands it out exclusively
    let pointer: OpaquePointer
    /// Whether the context has been initialised since its last one-shot call.
    private var fresh: Bool

    init(verifying: Bool, _ evp: EVPKey) throws {
        pointer = try OpenSSLFailure.check(EVP_MD_CTX_new(), "EVP_MD_CTX_new")
        fresh = false
        super.init()
        try initialise(verifying: verifying, evp.pointer)
        fresh = true
    }

    /// Ready for one EVP_DigestSign/EVP_DigestVerify with the key it was made for.
    func reinitialise(verifying: Bool, _ evp: EVPKey) throws {
        defer { fresh = false }
        if fresh { return }
        // No key: libcrypto re-initialises the operation on the context's own key.
        if (try? initialise(verifying: verifying, nil)) != nil { return }
        OpenSSLFailure.clearErrorQueue()
        try initialise(verifying: verifying, evp.pointer)
    }

    private func initialise(verifying: Bool, _ key: OpaquePointer?) throws {
        if verifying {
            try OpenSSLFailure.check(EVP_DigestVerifyInit_ex(pointer, nil, nil, nil, nil, key, nil), "EVP_DigestVerifyInit_ex(Ed25519)")
        } else {
            try OpenSSLFailure.check(EVP_DigestSignInit_ex(pointer, nil, nil, nil, nil, key, nil), "EVP_DigestSignInit_ex(Ed25519)")
        }
    }

    deinit { EVP_MD_CTX_free(pointer) }
}

/// PKCS#11's r‖s (each half left-padded to the field length) to and from
/// X9.62's ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } in DER
/// (X.690 §8.3, §10.1: minimal INTEGERs, a 00 sign byte before a high bit,
/// the definite length in its shortest form). Done here on the bytes, with
/// no allocation beyond the result: through libcrypto's ECDSA_SIG (d2i/i2d,
/// two BIGNUMs and the ASN.1 template engine) the conversion cost about a
/// microsecond per signature, a tenth of a P-256 sign.
enum ECDSASignatureEncoding {
    /// r‖s from the DER libcrypto wrote; anything but a well-formed pair of
    /// non-negative INTEGERs that fit the field is `providerFailed`.
    static func rawSignature(fromDER der: ArraySlice<UInt8>, fieldLength: Int) throws -> [UInt8] {
        try der.withUnsafeBufferPointer { try rawSignature(fromDER: $0, fieldLength: fieldLength) }
    }

    /// r‖s from the DER in `d` (see the array form).
    static func rawSignature(fromDER d: UnsafeBufferPointer<UInt8>, fieldLength: Int) throws -> [UInt8] {
        // Written on the stack, then copied into the result: an array made
        // empty and filled in place (`[UInt8](repeating:count:)`,
        // `Array(unsafeUninitializedCapacity:)`) was allocated through the
        // unspecialised array buffer, which looks the storage type up in the
        // runtime's generic metadata cache on every call; the copy from a
        // buffer is specialised.
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * fieldLength) { o in
            try rawSignature(fromDER: d, fieldLength: fieldLength, into: o)
            return Array(UnsafeBufferPointer(o))
        }
    }

    /// Writes r‖s from the DER in `d` into `o` (2 × `fieldLength` bytes).
    private static func rawSignature(fromDER d: UnsafeBufferPointer<UInt8>, fieldLength: Int, into o: UnsafeMutableBufferPointer<UInt8>) throws {
        func malformed(_ what: String) -> CryptoError {
            CryptoError(.providerFailed, "openssl: ECDSA signature DER \(what)")
        }
        o.initialize(repeating: 0)
        guard d.count >= 2, d[0] == 0x30 else { throw malformed("is not a SEQUENCE") }
        var at: Int
        let bodyLength: Int
        if d[1] < 0x80 {
            bodyLength = Int(d[1])
            at = 2
        } else if d[1] == 0x81, d.count >= 3, d[2] >= 0x80 {
            bodyLength = Int(d[2])
            at = 3
        } else {
            throw malformed("has a length form DER does not allow")
        }
        guard at + bodyLength == d.count else { throw malformed("length does not match its \(d.count) bytes") }
        for half in 0..<2 {
            guard at + 2 <= d.count, d[at] == 0x02, d[at + 1] < 0x80 else { throw malformed("half \(half + 1) is not a short INTEGER") }
            let length = Int(d[at + 1])
            var start = at + 2
            let end = start + length
            guard length > 0, end <= d.count, d[start] & 0x80 == 0 else { throw malformed("half \(half + 1) is empty, cut short or negative") }
            while start < end - 1, d[start] == 0 { start += 1 }
            let significant = end - start
            guard significant <= fieldLength else {
                throw CryptoError(.providerFailed, "openssl: ECDSA signature half longer than the \(fieldLength)-byte field")
            }
            let base = half * fieldLength + fieldLength - significant
            for i in 0..<significant { o[base + i] = d[start + i] }
            at = end
        }
        guard at == d.count else { throw malformed("has bytes after s") }
    }

    /// The DER of r‖s (two halves of equal length, neither zero: the range check comes first).
    static func der(fromRawSignature raw: [UInt8]) throws -> [UInt8] {
        let half = raw.count / 2
        // 2 × (2 + half + 1) ≤ 255 keeps the body's one-byte long-form length (P-521: half 66).
        guard half > 0, half <= 124 else { throw CryptoError(.providerFailed, "openssl: no ECDSA signature of \(raw.count) bytes") }
        return raw.withUnsafeBufferPointer { r in
            // Each INTEGER: its first significant byte (the last one if all are zero), a 00 before a high bit.
            func span(_ from: Int) -> (start: Int, pad: Int) {
                var start = from
                while start < from + half - 1, r[start] == 0 { start += 1 }
                return (start, r[start] & 0x80 != 0 ? 1 : 0)
            }
            let halves = [span(0), span(half)]
            let contents = halves.enumerated().map { i, h in (i + 1) * half - h.start + h.pad }
            let body = contents.reduce(0) { $0 + 2 + $1 }
            var out: [UInt8] = body < 0x80 ? [0x30, UInt8(body)] : [0x30, 0x81, UInt8(body)]
            out.reserveCapacity(out.count + body)
            for (i, h) in halves.enumerated() {
                out.append(0x02)
                out.append(UInt8(contents[i]))
                if h.pad == 1 { out.append(0) }
                out.append(contentsOf: r[h.start..<((i + 1) * half)])
            }
            return out
        }
    }
}
