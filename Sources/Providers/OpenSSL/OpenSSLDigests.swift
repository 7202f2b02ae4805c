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

    /// HMAC (RFC 2104) with this digest, on a copy of the prepared template;
    /// the output goes straight into a wiping buffer.
    func hmac(key: SecureBytes, _ data: SecureBytes) throws -> SecureBytes {
        guard let context = EVP_MAC_CTX_dup(hmacTemplate) else {
            throw OpenSSLFailure.error(.hostMemory, "EVP_MAC_CTX_dup(HMAC-\(hash))")
        }
        defer { EVP_MAC_CTX_free(context) }  // frees the keyed state too
        var length = 0
        let out = try SecureBytes(count: hash.digestLength) { o in
            let ok = key.withUnsafeBytes { k in
                data.withUnsafeBytes { input in
                    EVP_MAC_init(context, k.bindMemory(to: UInt8.self).baseAddress, k.count, nil) == 1
                        && EVP_MAC_update(context, input.bindMemory(to: UInt8.self).baseAddress, input.count) == 1
                        && EVP_MAC_final(context, o.bindMemory(to: UInt8.self).baseAddress, &length, o.count) == 1
                }
            }
            guard ok, length == o.count else { throw OpenSSLFailure.error(.providerFailed, "HMAC(\(hash))") }
        }
        return out
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
