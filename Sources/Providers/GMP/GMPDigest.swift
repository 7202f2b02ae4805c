internal import CLibCrypto
import CryptoFramework

/// The hashes the gmp provider's RSA signatures need, computed with
/// libcrypto's one-shot EVP_Digest (GMP has no hash functions).
package enum GMPDigest {
    package static func digest(_ algorithm: HashAlgorithm, _ data: [UInt8]) throws -> [UInt8] {
        let md: OpaquePointer? =
            switch algorithm {
            case .sha1: EVP_sha1()
            case .sha224: EVP_sha224()
            case .sha256: EVP_sha256()
            case .sha384: EVP_sha384()
            case .sha512: EVP_sha512()
            }
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = data.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &out, &length, md, nil)
        }
        guard ok == 1, Int(length) == algorithm.digestLength else {
            throw CryptoError(.providerFailed, "gmp: libcrypto EVP_Digest failed for \(algorithm)")
        }
        return Array(out.prefix(Int(length)))
    }
}
