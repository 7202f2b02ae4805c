internal import CLibCrypto
import CryptoFramework

/// The keystore's own cryptography, from libcrypto: PBKDF2-HMAC-SHA256 turns
/// a PIN into a key-encrypting key, AES-256-GCM seals the token's master key
/// under it and every private object under the master key. This protects data
/// at rest; it is not an operation a caller asked for, so it does not go
/// through the registry.
enum KeystoreCipher {
    static let keyLength = 32
    static let nonceLength = 12
    static let tagLength = 16
    static let saltLength = 16
    /// PBKDF2 iterations for new PINs (NIST SP 800-132 §5.2 asks for at least
    /// 1,000 and as many as is tolerable; a login costs about 50 ms here).
    static let defaultIterations = 100_000

    static func randomBytes(_ count: Int) throws(CryptokiError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else { throw .functionFailed }
        return bytes
    }

    static func randomSecret(_ count: Int) throws(CryptokiError) -> SecureBytes {
        do {
            return try SecureBytes(count: count) { buffer in
                guard RAND_bytes(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(count)) == 1 else {
                    throw CryptoError(.deviceError, "RAND_bytes failed")
                }
            }
        } catch { throw .functionFailed }
    }

    /// PBKDF2-HMAC-SHA256(pin, salt, iterations) → a 32-byte key.
    static func pinKey(pin: SecureBytes, salt: [UInt8], iterations: Int) throws(CryptokiError) -> SecureBytes {
        guard iterations > 0, iterations <= 100_000_000 else { throw .deviceError }
        do {
            return try SecureBytes(count: keyLength) { out in
                let ok = pin.withUnsafeBytes { p in
                    PKCS5_PBKDF2_HMAC(
                        (p.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self),
                        Int32(p.count), salt, Int32(salt.count), Int32(iterations), EVP_sha256(),
                        Int32(keyLength), out.baseAddress!.assumingMemoryBound(to: UInt8.self))
                }
                guard ok == 1 else { throw CryptoError(.deviceError, "PBKDF2 failed") }
            }
        } catch { throw .functionFailed }
    }

    /// nonce ‖ AES-256-GCM(key, nonce, aad; plaintext) ‖ tag.
    static func seal(_ plaintext: UnsafeRawBufferPointer, key: SecureBytes, aad: [UInt8]) throws(CryptokiError) -> [UInt8] {
        let nonce = try randomBytes(nonceLength)
        var out = nonce + [UInt8](repeating: 0, count: plaintext.count + tagLength)
        let ok = out.withUnsafeMutableBytes { buffer -> Bool in
            guard let ctx = EVP_CIPHER_CTX_new() else { return false }
            defer { EVP_CIPHER_CTX_free(ctx) }
            let body = buffer.baseAddress!.advanced(by: nonceLength).assumingMemoryBound(to: UInt8.self)
            var length: Int32 = 0
            let keyed = key.withUnsafeBytes { k in
                EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nil, k.baseAddress!.assumingMemoryBound(to: UInt8.self), nonce) == 1
            }
            guard keyed, EVP_EncryptUpdate(ctx, nil, &length, aad, Int32(aad.count)) == 1 else { return false }
            if plaintext.count > 0 {
                guard EVP_EncryptUpdate(ctx, body, &length, plaintext.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(plaintext.count)) == 1
                else { return false }
            }
            guard EVP_EncryptFinal_ex(ctx, body.advanced(by: Int(length)), &length) == 1 else { return false }
            return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(tagLength), body.advanced(by: plaintext.count)) == 1
        }
        guard ok else { throw .functionFailed }
        return out
    }

    /// The plaintext of `sealed`, or nil when the tag does not verify (wrong
    /// key, or a file changed on disk).
    static func open(_ sealed: ArraySlice<UInt8>, key: SecureBytes, aad: [UInt8]) -> SecureBytes? {
        guard sealed.count >= nonceLength + tagLength else { return nil }
        let sealed = Array(sealed)
        let bodyLength = sealed.count - nonceLength - tagLength
        return try? SecureBytes(count: bodyLength) { out in
            let ok = sealed.withUnsafeBytes { input -> Bool in
                guard let ctx = EVP_CIPHER_CTX_new() else { return false }
                defer { EVP_CIPHER_CTX_free(ctx) }
                let base = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
                var length: Int32 = 0
                let keyed = key.withUnsafeBytes { k in
                    EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nil, k.baseAddress!.assumingMemoryBound(to: UInt8.self), base) == 1
                }
                guard keyed, EVP_DecryptUpdate(ctx, nil, &length, aad, Int32(aad.count)) == 1 else { return false }
                let target = out.baseAddress?.assumingMemoryBound(to: UInt8.self)
                if bodyLength > 0 {
                    guard EVP_DecryptUpdate(ctx, target, &length, base + nonceLength, Int32(bodyLength)) == 1 else { return false }
                }
                let tag = UnsafeMutableRawPointer(mutating: base + nonceLength + bodyLength)
                guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Int32(tagLength), tag) == 1 else { return false }
                var scratch = [UInt8](repeating: 0, count: 16)
                return EVP_DecryptFinal_ex(ctx, &scratch, &length) == 1
            }
            guard ok else { throw CryptoError(.dataInvalid, "GCM tag mismatch") }
        }
    }
}
