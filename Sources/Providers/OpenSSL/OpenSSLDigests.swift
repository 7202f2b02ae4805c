internal import CLibCrypto
import CryptoFramework

/// CKM_SHA* digests and CKM_SHA*_HMAC over a fetched EVP_MD.
extension FetchedDigest {
    func digest(_ data: [UInt8]) throws -> [UInt8] {
        let size = hash.digestLength
        // `repeating:count:` for [UInt8] is prespecialized in the standard
        // library; `unsafeUninitializedCapacity` looked its metadata up per call.
        var out = [UInt8](repeating: 0, count: size)
        var length: UInt32 = 0
        let ok = data.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { EVP_Digest(input.baseAddress, input.count, $0.baseAddress, &length, pointer, nil) }
        }
        try OpenSSLFailure.check(ok, "EVP_Digest(\(hash))")
        guard Int(length) == size else { throw OpenSSLFailure.error(.providerFailed, "EVP_Digest(\(hash)) wrote \(length) bytes") }
        return out
    }

    /// The digest of secret data straight into a wiping buffer (a KDF block).
    func digest(secret data: SecureBytes) throws -> SecureBytes {
        try SecureBytes(count: hash.digestLength) { out in
            var length: UInt32 = 0
            let ok = data.withUnsafeBytes { input in
                EVP_Digest(input.baseAddress, input.count, out.bindMemory(to: UInt8.self).baseAddress, &length, pointer, nil)
            }
            try OpenSSLFailure.check(ok, "EVP_Digest(\(hash))")
            guard Int(length) == out.count else { throw OpenSSLFailure.error(.providerFailed, "EVP_Digest(\(hash)) wrote \(length) bytes") }
        }
    }

    /// HMAC (RFC 2104) with this digest: H((K0 ^ opad) || H((K0 ^ ipad) || data)),
    /// the two hashes on one pooled EVP_MD_CTX; the output goes straight into
    /// a wiping buffer. A copy of the prepared EVP_MAC_CTX per request
    /// (EVP_MAC_CTX_dup, EVP_MAC_init with the key, free) made 11 allocations
    /// in libcrypto; this makes 2 (3 with a key longer than a block), one hash
    /// state per EVP_DigestInit_ex2. The padded key and the inner hash sit in
    /// stack scratch cleansed before return, and the context is reset (its
    /// state freed with OPENSSL_clear_free) before it goes back to the pool,
    /// as EVP_MAC_CTX_free did. The same answers as libcrypto's HMAC, which
    /// the streamed form (``OpenSSLHMACStream``) still uses: ProvidersTests'
    /// `OpenSSLHMACTests` compares the two over every key length around the block.
    func hmac(key: SecureBytes, _ data: SecureBytes) throws -> SecureBytes {
        let size = hash.digestLength
        let block = blockLength
        guard block >= size, size <= Int(EVP_MAX_MD_SIZE) else {
            throw OpenSSLFailure.error(.providerFailed, "HMAC(\(hash)): block \(block) shorter than the digest \(size)")
        }
        // Kept for the next request only when this one succeeded (ObjectPool.borrow).
        return try contexts.borrow(make: DigestScratch.init) { scratch in
            // The hash state (key-derived) is freed, cleansed, before another request can take the context.
            defer { EVP_MD_CTX_reset(scratch.pointer) }
            return try hmac(on: scratch.pointer, key: key, data, size: size, block: block)
        }
    }

    private func hmac(on context: OpaquePointer, key: SecureBytes, _ data: SecureBytes, size: Int, block: Int) throws -> SecureBytes {
        try SecureBytes(count: size) { o in
            try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: block + size) { buffer in
                let base = buffer.baseAddress!
                defer { OPENSSL_cleanse(base, block + size) }
                let pad = UnsafeMutableRawBufferPointer(start: base, count: block)
                let inner = UnsafeMutableRawBufferPointer(start: base + block, count: size)
                pad.initializeMemory(as: UInt8.self, repeating: 0)
                inner.initializeMemory(as: UInt8.self, repeating: 0)
                // K0: the key, hashed first when longer than a block, zero-padded.
                try key.withUnsafeBytes { k in
                    if k.count > block {
                        try digestParts(context, UnsafeRawBufferPointer(k), nil, into: UnsafeMutableRawBufferPointer(rebasing: pad[0..<size]))
                    } else if k.count > 0 {
                        pad.copyMemory(from: UnsafeRawBufferPointer(k))
                    }
                }
                for i in 0..<block { pad[i] ^= 0x36 }
                try data.withUnsafeBytes { input in
                    try digestParts(context, UnsafeRawBufferPointer(pad), UnsafeRawBufferPointer(input), into: inner)
                }
                for i in 0..<block { pad[i] ^= 0x36 ^ 0x5c }
                try digestParts(context, UnsafeRawBufferPointer(pad), UnsafeRawBufferPointer(inner), into: o)
            }
        }
    }

    /// One hash of `first` then `second` on `context`, exactly filling `output`.
    private func digestParts(
        _ context: OpaquePointer, _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer?,
        into output: UnsafeMutableRawBufferPointer
    ) throws {
        guard EVP_DigestInit_ex2(context, pointer, nil) == 1,
            EVP_DigestUpdate(context, first.baseAddress, first.count) == 1,
            second.map({ EVP_DigestUpdate(context, $0.baseAddress, $0.count) == 1 }) ?? true
        else { throw OpenSSLFailure.error(.providerFailed, "HMAC(\(hash)): EVP_Digest") }
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, output.bindMemory(to: UInt8.self).baseAddress, &length) == 1, Int(length) == output.count else {
            throw OpenSSLFailure.error(.providerFailed, "HMAC(\(hash)): EVP_DigestFinal_ex")
        }
    }
}

/// A multi-part digest on an EVP_MD_CTX.
final class OpenSSLDigestStream: ProviderStream {
    private let context: OpaquePointer
    private let digest: FetchedDigest

    init(_ digest: FetchedDigest) throws {
        context = try OpenSSLFailure.check(EVP_MD_CTX_new(), "EVP_MD_CTX_new")
        self.digest = digest
        guard EVP_DigestInit_ex2(context, digest.pointer, nil) == 1 else {
            EVP_MD_CTX_free(context)
            throw OpenSSLFailure.error(.providerFailed, "EVP_DigestInit_ex2(\(digest.hash))")
        }
    }

    deinit { EVP_MD_CTX_free(context) }

    func update(_ input: [UInt8]) throws -> [UInt8] {
        let ok = input.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        try OpenSSLFailure.check(ok, "EVP_DigestUpdate(\(digest.hash))")
        return []
    }

    func finish() throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: digest.hash.digestLength)
        var length: UInt32 = 0
        let ok = out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        try OpenSSLFailure.check(ok, "EVP_DigestFinal_ex(\(digest.hash))")
        guard Int(length) == out.count else { throw OpenSSLFailure.error(.providerFailed, "EVP_DigestFinal_ex(\(digest.hash)) wrote \(length) bytes") }
        return out
    }
}

/// A multi-part HMAC on a copy of the digest's prepared EVP_MAC_CTX, keyed
/// once; the context (and the keyed state in it) is freed with the stream.
final class OpenSSLHMACStream: ProviderStream {
    private let context: OpaquePointer
    private let digest: FetchedDigest

    init(_ digest: FetchedDigest, key: SecureBytes) throws {
        guard let context = EVP_MAC_CTX_dup(digest.hmacTemplate) else {
            throw OpenSSLFailure.error(.hostMemory, "EVP_MAC_CTX_dup(HMAC-\(digest.hash))")
        }
        self.context = context
        self.digest = digest
        let ok = key.withUnsafeBytes { EVP_MAC_init(context, $0.bindMemory(to: UInt8.self).baseAddress, $0.count, nil) }
        guard ok == 1 else {
            EVP_MAC_CTX_free(context)
            throw OpenSSLFailure.error(.providerFailed, "EVP_MAC_init(HMAC-\(digest.hash))")
        }
    }

    deinit { EVP_MAC_CTX_free(context) }

    func update(_ input: [UInt8]) throws -> [UInt8] {
        let ok = input.withUnsafeBufferPointer { EVP_MAC_update(context, $0.baseAddress, $0.count) }
        try OpenSSLFailure.check(ok, "EVP_MAC_update(HMAC-\(digest.hash))")
        return []
    }

    func finish() throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: digest.hash.digestLength)
        var length = 0
        let ok = out.withUnsafeMutableBufferPointer { EVP_MAC_final(context, $0.baseAddress, &length, $0.count) }
        guard ok == 1, length == out.count else { throw OpenSSLFailure.error(.providerFailed, "EVP_MAC_final(HMAC-\(digest.hash))") }
        return out
    }
}
