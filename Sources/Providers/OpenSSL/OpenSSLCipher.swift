internal import CLibCrypto
import CryptoFramework

/// An owned EVP_CIPHER_CTX, keyed for one operation in one mode (ECB, CBC,
/// CTR, GCM; no padding). One-request calls and multi-part streams run on it
/// alike, so both give the same bytes.
final class CipherContext {
    let pointer: OpaquePointer
    let cipher: FetchedCipher
    let encrypting: Bool
    /// GCM's tag length in bytes; nil for the other modes.
    let tagLength: Int?

    /// The framework has checked the parameters' shape (``CipherRules``); the
    /// key length is checked here, as `cipher` needs it.
    init(_ cipher: FetchedCipher, encrypting: Bool, key: SecureBytes, parameters: CipherParameters) throws {
        let pointer = try OpenSSLFailure.check(EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new")
        do {
            tagLength = try Self.key(pointer, cipher, encrypting: encrypting, key: key, parameters: parameters)
        } catch {
            EVP_CIPHER_CTX_free(pointer)
            throw error
        }
        self.pointer = pointer
        self.cipher = cipher
        self.encrypting = encrypting
    }

    /// Keys `pointer` (a new or reset EVP_CIPHER_CTX) for one operation of
    /// `cipher`, no padding, GCM's additional data fed; returns GCM's tag
    /// length (nil for the other modes).
    static func key(
        _ pointer: OpaquePointer, _ cipher: FetchedCipher, encrypting: Bool, key: SecureBytes, parameters: CipherParameters
    ) throws -> Int? {
        guard key.count == cipher.keyLength else {
            throw CryptoError(.keySizeRange, "\(cipher.name) needs a \(cipher.keyLength)-byte key, got \(key.count) bytes")
        }
        let iv: [UInt8]
        var gcm: GCMParameters?
        switch parameters {
        case .none: iv = []
        case .iv(let value): iv = value
        // libcrypto increments the whole 128-bit block; CipherRules refuses
        // any input that would carry out of the counter's bits, so within
        // what is served the two counters agree.
        case .counter(let block, _): iv = block
        case .gcm(let p): (iv, gcm) = (p.iv, p)
        }
        let mode = encrypting ? Int32(1) : 0
        if let gcm {
            try OpenSSLFailure.check(EVP_CipherInit_ex2(pointer, cipher.pointer, nil, nil, mode, nil), "EVP_CipherInit_ex2(\(cipher.name))")
            try OpenSSLFailure.check(EVP_CIPHER_CTX_ctrl(pointer, EVP_CTRL_AEAD_SET_IVLEN, Int32(gcm.iv.count), nil), "GCM IV length \(gcm.iv.count)")
        } else if !iv.isEmpty, iv.count != cipher.ivLength {
            throw CryptoError(.mechanismParamInvalid, "\(cipher.name) needs a \(cipher.ivLength)-byte IV, got \(iv.count) bytes")
        }
        let keyed = key.withUnsafeBytes { k in
            iv.withUnsafeBufferPointer { v in
                EVP_CipherInit_ex2(pointer, gcm == nil ? cipher.pointer : nil, k.bindMemory(to: UInt8.self).baseAddress,
                                   v.isEmpty ? nil : v.baseAddress, mode, nil)
            }
        }
        try OpenSSLFailure.check(keyed, "EVP_CipherInit_ex2(\(cipher.name))")
        try OpenSSLFailure.check(EVP_CIPHER_CTX_set_padding(pointer, 0), "EVP_CIPHER_CTX_set_padding")
        if let gcm, !gcm.additionalData.isEmpty {
            var ignored: Int32 = 0
            let ok = gcm.additionalData.withUnsafeBufferPointer {
                EVP_CipherUpdate(pointer, nil, &ignored, $0.baseAddress, Int32($0.count))
            }
            try OpenSSLFailure.check(ok, "GCM additional data")
        }
        return gcm?.tagLength
    }

    deinit { EVP_CIPHER_CTX_free(pointer) }  // also cleanses the key schedule

    /// The output for `input` (whole blocks for ECB/CBC; any length for CTR/GCM).
    func update(_ input: [UInt8]) throws -> [UInt8] {
        guard !input.isEmpty else { return [] }
        guard input.count <= Int(Int32.max) - cipher.blockSize else {
            throw CryptoError(.dataLengthRange, "\(cipher.name): one part is limited to \(Int32.max - Int32(cipher.blockSize)) bytes")
        }
        var out = [UInt8](repeating: 0, count: input.count + cipher.blockSize)
        var written: Int32 = 0
        let ok = out.withUnsafeMutableBufferPointer { o in
            input.withUnsafeBufferPointer { EVP_CipherUpdate(pointer, o.baseAddress, &written, $0.baseAddress, Int32($0.count)) }
        }
        try OpenSSLFailure.check(ok, "EVP_CipherUpdate(\(cipher.name))")
        out.removeLast(out.count - Int(written))
        return out
    }

    /// The last output: nothing for ECB/CBC/CTR, GCM encryption's tag. GCM
    /// decryption is finished by ``decryptGCM(_:)`` alone.
    func finish() throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: cipher.blockSize)
        var written: Int32 = 0
        let ok = out.withUnsafeMutableBufferPointer { EVP_CipherFinal_ex(pointer, $0.baseAddress, &written) }
        try OpenSSLFailure.check(ok, "EVP_CipherFinal_ex(\(cipher.name))")
        out.removeLast(out.count - Int(written))
        guard let tagLength, encrypting else { return out }
        var tag = [UInt8](repeating: 0, count: tagLength)
        let got = tag.withUnsafeMutableBytes { EVP_CIPHER_CTX_ctrl(pointer, EVP_CTRL_AEAD_GET_TAG, Int32(tagLength), $0.baseAddress) }
        try OpenSSLFailure.check(got, "GCM tag")
        return out + tag
    }

    /// GCM decryption of ciphertext ‖ tag: the plaintext only when the tag
    /// matches; otherwise the plaintext computed is wiped and the answer is
    /// CRYPTO_DATA_INVALID (libcrypto compares the tag in constant time).
    func decryptGCM(_ data: [UInt8]) throws -> [UInt8] {
        guard let tagLength, !encrypting, data.count >= tagLength else {
            throw CryptoError(.dataLengthRange, "\(cipher.name) decryption needs ciphertext ‖ tag")
        }
        var tag = Array(data.suffix(tagLength))
        let setTag = tag.withUnsafeMutableBytes { EVP_CIPHER_CTX_ctrl(pointer, EVP_CTRL_AEAD_SET_TAG, Int32(tagLength), $0.baseAddress) }
        try OpenSSLFailure.check(setTag, "GCM tag")
        var plaintext = try update(Array(data.dropLast(tagLength)))
        var extra = [UInt8](repeating: 0, count: cipher.blockSize)
        var written: Int32 = 0
        let ok = extra.withUnsafeMutableBufferPointer { EVP_CipherFinal_ex(pointer, $0.baseAddress, &written) }
        guard ok == 1 else {
            OpenSSLFailure.clearErrorQueue()
            plaintext.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
            throw CryptoError(.dataInvalid, "\(cipher.name): the tag does not match (wrong key, IV, additional data or tag, or altered ciphertext); no plaintext released")
        }
        return plaintext
    }
}

/// A multi-part cipher operation on a ``CipherContext``.
final class OpenSSLCipherStream: ProviderStream {
    private let context: CipherContext

    init(_ context: CipherContext) { self.context = context }

    func update(_ input: [UInt8]) throws -> [UInt8] { try context.update(input) }
    func finish() throws -> [UInt8] { try context.finish() }
}

/// An EVP_CIPHER_CTX kept in a ``FetchedCipher``'s pool between one-request
/// calls; used by one thread at a time (the pool hands it out exclusively).
final class CipherScratch: @unchecked Sendable {
    let pointer: OpaquePointer

    init() throws { pointer = try OpenSSLFailure.check(EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new") }

    deinit { EVP_CIPHER_CTX_free(pointer) }
}

extension FetchedCipher {
    /// One request: the whole input. GCM runs on a fresh ``CipherContext``
    /// (its tag handling is there); ECB, CBC and CTR on a pooled context,
    /// written into one output array. A fresh context and its object, and
    /// update's and finish's arrays joined into a third, made six allocations
    /// per call (an IKE SA makes four or five such calls); this makes two,
    /// the key schedule and the output. The context is reset (the key
    /// schedule freed with OPENSSL_clear_free, as EVP_CIPHER_CTX_free does)
    /// before it goes back to the pool, and is not kept after an error.
    func crypt(encrypt: Bool, key: SecureBytes, parameters: CipherParameters, data: [UInt8]) throws -> [UInt8] {
        if case .gcm = parameters {
            let context = try CipherContext(self, encrypting: encrypt, key: key, parameters: parameters)
            if !encrypt { return try context.decryptGCM(data) }
            return try context.update(data) + context.finish()
        }
        guard data.count <= Int(Int32.max) - blockSize else {
            throw CryptoError(.dataLengthRange, "\(name): one part is limited to \(Int32.max - Int32(blockSize)) bytes")
        }
        // Kept for the next request only when this one succeeded (ObjectPool.borrow).
        return try contexts.borrow(make: CipherScratch.init) { scratch in
            let pointer = scratch.pointer
            // The key schedule freed, cleansed, before another request can take the context.
            defer { EVP_CIPHER_CTX_reset(pointer) }
            _ = try CipherContext.key(pointer, self, encrypting: encrypt, key: key, parameters: parameters)
            // `repeating:count:` for [UInt8] is prespecialized in the standard library.
            var buffer = [UInt8](repeating: 0, count: data.count + blockSize)
            var written: Int32 = 0
            var last: Int32 = 0
            let ok = buffer.withUnsafeMutableBufferPointer { o in
                data.withUnsafeBufferPointer { input in
                    (input.isEmpty || EVP_CipherUpdate(pointer, o.baseAddress, &written, input.baseAddress, Int32(input.count)) == 1)
                        && EVP_CipherFinal_ex(pointer, o.baseAddress! + Int(written), &last) == 1
                }
            }
            guard ok else { throw OpenSSLFailure.error(.providerFailed, "EVP_CipherUpdate/Final(\(name))") }
            buffer.removeLast(buffer.count - Int(written) - Int(last))
            return buffer
        }
    }
}
