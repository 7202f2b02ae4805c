internal import CLibCrypto
import CryptoFramework

/// An owned EVP_CIPHER_CTX, one per operation.
final class CipherContext {
    let pointer: OpaquePointer

    init() throws {
        pointer = try OpenSSLFailure.check(EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new")
    }

    deinit { EVP_CIPHER_CTX_free(pointer) }  // also cleanses the key schedule
}

extension FetchedCipher {
    /// CBC without padding (CKM_AES_CBC, CKM_DES3_CBC): the data must be whole blocks.
    func crypt(encrypt: Bool, key: SecureBytes, iv: [UInt8], data: [UInt8]) throws -> [UInt8] {
        guard key.count == keyLength else {
            throw CryptoError(.keySizeRange, "\(name) needs a \(keyLength)-byte key, got \(key.count) bytes")
        }
        guard iv.count == ivLength else {
            throw CryptoError(.mechanismParamInvalid, "\(name) needs a \(ivLength)-byte IV, got \(iv.count) bytes")
        }
        guard data.count % blockSize == 0 else {
            throw CryptoError(.dataLengthRange, "\(name) without padding needs whole \(blockSize)-byte blocks, got \(data.count) bytes")
        }
        let context = try CipherContext()
        let initialized = key.withUnsafeBytes { k in
            iv.withUnsafeBufferPointer { v in
                EVP_CipherInit_ex2(context.pointer, pointer, k.bindMemory(to: UInt8.self).baseAddress, v.baseAddress,
                                   encrypt ? 1 : 0, nil)
            }
        }
        try OpenSSLFailure.check(initialized, "EVP_CipherInit_ex2(\(name))")
        try OpenSSLFailure.check(EVP_CIPHER_CTX_set_padding(context.pointer, 0), "EVP_CIPHER_CTX_set_padding")
        var out = [UInt8](repeating: 0, count: data.count + blockSize)
        var written: Int32 = 0
        var final: Int32 = 0
        let ok = out.withUnsafeMutableBufferPointer { o in
            data.withUnsafeBufferPointer { d -> Int32 in
                guard let base = o.baseAddress,
                    EVP_CipherUpdate(context.pointer, base, &written, d.baseAddress, Int32(d.count)) == 1
                else { return 0 }
                // `out` has room for one block past the data.
                return EVP_CipherFinal_ex(context.pointer, base + Int(written), &final)
            }
        }
        try OpenSSLFailure.check(ok, "EVP_Cipher(\(name))")
        return Array(out.prefix(Int(written + final)))
    }
}
