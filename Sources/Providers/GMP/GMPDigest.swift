internal import CLibCrypto
import CryptoFramework

/// The hashes the gmp provider's signatures and derivations need, computed
/// with libcrypto's one-shot EVP_Digest (GMP has no hash functions).
package enum GMPDigest {
    package static func digest(_ algorithm: HashAlgorithm, _ data: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: algorithm.digestLength)
        try data.withUnsafeBytes { input in
            try out.withUnsafeMutableBytes { try digest(algorithm, input, into: $0) }
        }
        return out
    }

    /// The digest of secret data straight into a wiping buffer (RFC 6979's HMAC, the ECDH KDF).
    package static func digest(_ algorithm: HashAlgorithm, secret data: SecureBytes) throws -> SecureBytes {
        try SecureBytes(count: algorithm.digestLength) { out in
            try data.withUnsafeBytes { try digest(algorithm, $0, into: out) }
        }
    }

    /// EVP_Digest of `input` into `out`, which is exactly the digest's length.
    private static func digest(_ algorithm: HashAlgorithm, _ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) throws {
        let md: OpaquePointer? =
            switch algorithm {
            case .sha1: EVP_sha1()
            case .sha224: EVP_sha224()
            case .sha256: EVP_sha256()
            case .sha384: EVP_sha384()
            case .sha512: EVP_sha512()
            }
        var length: UInt32 = 0
        let ok = EVP_Digest(input.baseAddress, input.count, out.bindMemory(to: UInt8.self).baseAddress, &length, md, nil)
        guard ok == 1, Int(length) == algorithm.digestLength, out.count == algorithm.digestLength else {
            throw CryptoError(.providerFailed, "gmp: libcrypto EVP_Digest failed for \(algorithm)")
        }
    }
}
