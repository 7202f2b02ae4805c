internal import CLibCrypto
import CryptoFramework

/// CKM_SHA* digests and CKM_SHA*_HMAC over a fetched EVP_MD.
extension FetchedDigest {
    func digest(_ data: [UInt8]) throws -> [UInt8] {
        let size = hash.digestLength
        var ok: Int32 = 0
        let out = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var length: UInt32 = 0
            ok = data.withUnsafeBytes { EVP_Digest($0.baseAddress, $0.count, buffer.baseAddress, &length, pointer, nil) }
            // On failure the bytes are not the digest; zeroed, they are never read.
            if ok != 1 || Int(length) != size {
                buffer.initialize(repeating: 0)
                ok = 0
            }
            count = size
        }
        try OpenSSLFailure.check(ok, "EVP_Digest(\(hash))")
        return out
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

extension HashAlgorithm {
    /// The hash behind a CKM_SHA* digest mechanism.
    init?(digestMechanism mechanism: Mechanism) {
        guard let hash = Self.byDigestMechanism.first(where: { $0.value == mechanism.value })?.hash else { return nil }
        self = hash
    }

    /// The hash behind a CKM_SHA*_HMAC mechanism.
    init?(hmacMechanism mechanism: Mechanism) {
        guard let hash = Self.byHMACMechanism.first(where: { $0.value == mechanism.value })?.hash else { return nil }
        self = hash
    }

    // Built once: `allCases` is a new array on every call, and these run per request.
    private static let byDigestMechanism = allCases.map { (value: $0.digestMechanism.value, hash: $0) }
    private static let byHMACMechanism = allCases.map { (value: $0.hmacMechanism.value, hash: $0) }
}
