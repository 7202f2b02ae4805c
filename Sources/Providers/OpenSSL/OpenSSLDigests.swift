internal import CLibCrypto
import CryptoFramework

/// CKM_SHA* digests and CKM_SHA*_HMAC over a fetched EVP_MD.
extension FetchedDigest {
    func digest(_ data: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = data.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { EVP_Digest(input.baseAddress, input.count, $0.baseAddress, &length, pointer, nil) }
        }
        try OpenSSLFailure.check(ok, "EVP_Digest(\(hash))")
        return Array(out.prefix(Int(length)))
    }

    /// HMAC (RFC 2104) with this digest.
    func hmac(key: SecureBytes, _ data: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = key.withUnsafeBytes { k in
            data.withUnsafeBytes { input in
                out.withUnsafeMutableBufferPointer {
                    HMAC(pointer, k.baseAddress, Int32(k.count), input.bindMemory(to: UInt8.self).baseAddress, input.count,
                         $0.baseAddress, &length)
                }
            }
        }
        guard result != nil else { throw OpenSSLFailure.error(.providerFailed, "HMAC(\(hash))") }
        return Array(out.prefix(Int(length)))
    }
}

extension HashAlgorithm {
    /// The hash behind a CKM_SHA* digest mechanism.
    init?(digestMechanism mechanism: Mechanism) {
        guard let hash = HashAlgorithm.allCases.first(where: { $0.digestMechanism == mechanism }) else { return nil }
        self = hash
    }

    /// The hash behind a CKM_SHA*_HMAC mechanism.
    init?(hmacMechanism mechanism: Mechanism) {
        guard let hash = HashAlgorithm.allCases.first(where: { $0.hmacMechanism == mechanism }) else { return nil }
        self = hash
    }
}
