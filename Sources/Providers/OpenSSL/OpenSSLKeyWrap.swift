internal import CLibCrypto
import CryptoFramework

/// CKM_AES_KEY_WRAP and CKM_AES_KEY_WRAP_PAD on libcrypto's wrap ciphers
/// (AES-n-WRAP, RFC 3394; AES-n-WRAP-PAD, RFC 5649), fetched once.
enum OpenSSLKeyWrap {
    /// By mechanism and key length in bytes.
    static let ciphers: [Mechanism: [Int: FetchedCipher]] = {
        var table: [Mechanism: [Int: FetchedCipher]] = [:]
        for (mechanism, suffix) in [(Mechanism.aesKeyWrap, "WRAP"), (.aesKeyWrapPad, "WRAP-PAD")] {
            var byKey: [Int: FetchedCipher] = [:]
            for bytes in [16, 24, 32] { byKey[bytes] = FetchedCipher("AES-\(bytes * 8)-\(suffix)") }
            table[mechanism] = byKey
        }
        return table
    }()

    /// Wraps (`wrap`) or unwraps `data` under `key`; the inputs passed ``AESKeyWrap/check(_:key:iv:data:wrapping:)``.
    /// A failed integrity check on unwrap is `dataInvalid`.
    static func crypt(_ mechanism: Mechanism, wrap: Bool, key: SecureBytes, iv: [UInt8], data: [UInt8]) throws -> [UInt8] {
        try AESKeyWrap.check(mechanism, key: key, iv: iv, data: data, wrapping: wrap)
        guard let cipher = ciphers[mechanism]?[key.count] else {
            throw CryptoError(.providerFailed, "openssl: \(mechanism.name) with a \(key.count * 8)-bit key is not available in this libcrypto")
        }
        let context = try WrapCipherContext()
        // Wrap-mode ciphers refuse to initialise without this flag (evp_enc.c).
        EVP_CIPHER_CTX_set_flags(context.pointer, Int32(EVP_CIPHER_CTX_FLAG_WRAP_ALLOW))
        let initialized = key.withUnsafeBytes { k in
            iv.withUnsafeBufferPointer { v in
                EVP_CipherInit_ex2(context.pointer, cipher.pointer, k.bindMemory(to: UInt8.self).baseAddress,
                                   iv.isEmpty ? nil : v.baseAddress, wrap ? 1 : 0, nil)
            }
        }
        try OpenSSLFailure.check(initialized, "EVP_CipherInit_ex2(\(cipher.name))")
        var out = [UInt8](repeating: 0, count: data.count + 16)
        var written: Int32 = 0
        let ok = out.withUnsafeMutableBufferPointer { o in
            data.withUnsafeBufferPointer { d in EVP_CipherUpdate(context.pointer, o.baseAddress, &written, d.baseAddress, Int32(d.count)) }
        }
        guard ok == 1, written >= 0 else {
            defer { out.wipe() }
            guard wrap else {
                OpenSSLFailure.clearErrorQueue()
                throw CryptoError(.dataInvalid, "\(mechanism.name): the wrapped key failed its integrity check")
            }
            throw OpenSSLFailure.error(.providerFailed, "EVP_CipherUpdate(\(cipher.name))")
        }
        let result = Array(out.prefix(Int(written)))
        out.wipe()
        return result
    }
}


/// An owned EVP_CIPHER_CTX for one wrap or unwrap (the wrap modes are set up by hand).
private final class WrapCipherContext {
    let pointer: OpaquePointer

    init() throws {
        pointer = try OpenSSLFailure.check(EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new")
    }

    deinit { EVP_CIPHER_CTX_free(pointer) }  // also cleanses the key schedule
}
