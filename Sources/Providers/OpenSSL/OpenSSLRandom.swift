internal import CLibCrypto
import CryptoFramework

/// libcrypto's generator for the bytes the openssl provider's own padding
/// needs (RSA encryption's PS and OAEP seed): RAND_bytes, the public DRBG.
enum OpenSSLRandom {
    static func fill(_ buffer: UnsafeMutableRawBufferPointer) throws {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        var offset = 0
        while offset < buffer.count {  // RAND_bytes takes an Int32 count
            let chunk = min(buffer.count - offset, Int(Int32.max))
            guard RAND_bytes(base.assumingMemoryBound(to: UInt8.self) + offset, Int32(chunk)) == 1 else {
                throw OpenSSLFailure.error(.providerFailed, "RAND_bytes")
            }
            offset += chunk
        }
    }
}
