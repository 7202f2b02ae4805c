internal import CPKCS11
import CryptoFramework

/// HMAC and the block-cipher modes on a token, one request at a time: the
/// secret key becomes a session object for the call (sensitive, not
/// extractable; its template is wiped) and is destroyed after it. The
/// framework's rules (``CipherRules``) are applied first, so a malformed
/// request gets the same answer as on every other provider.
extension PKCS11Provider {
    func mac(_ mechanism: Mechanism, key: SecureBytes, data: SecureBytes) throws -> SecureBytes {
        guard let hash = DigestAlgorithm(hmacMechanism: mechanism) else {
            throw CryptoError(.mechanismInvalid, "\(mechanism.name) is no HMAC mechanism")
        }
        var ck = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(mechanism.value), pParameter: nil, ulParameterLen: 0)
        return try withSecretObject(key, keyType: CK_KEY_TYPE(CKK_GENERIC_SECRET), usage: CK_ATTRIBUTE_TYPE(CKA_SIGN)) { session, object in
            try library.check(functions.C_SignInit(session, &ck, object), "C_SignInit")
            var length = CK_ULONG(hash.digestLength)
            return try SecureBytes(count: hash.digestLength) { out in
                try data.withUnsafeBytes { input in
                    try Self.withNonNull(input) { pointer, count in
                        try library.check(functions.C_Sign(session, pointer, count, out.bindMemory(to: UInt8.self).baseAddress, &length), "C_Sign")
                    }
                }
                guard Int(length) == hash.digestLength else {
                    throw CryptoError(.deviceError, "C_Sign on \(library.path) returned a \(length)-byte \(mechanism.name)")
                }
            }
        }
    }

    func crypt(_ mechanism: Mechanism, key: SecureBytes, parameters: CipherParameters, data: [UInt8], encrypting: Bool) throws -> [UInt8] {
        try CipherRules.checkData(mechanism, parameters, count: data.count, encrypting: encrypting)
        let keyType = CK_KEY_TYPE(CipherRules.blockLength(mechanism) == 16 ? CKK_AES : CKK_DES3)
        let usage = CK_ATTRIBUTE_TYPE(encrypting ? CKA_ENCRYPT : CKA_DECRYPT)
        return try Self.withMechanism(mechanism, parameters) { ck in
            try withSecretObject(key, keyType: keyType, usage: usage) { session, object in
                let name = encrypting ? "C_Encrypt" : "C_Decrypt"
                // A module may leave entries it does not implement NULL.
                guard let initialize = encrypting ? functions.C_EncryptInit : functions.C_DecryptInit,
                    let run = encrypting ? functions.C_Encrypt : functions.C_Decrypt
                else { throw CryptoError(.mechanismInvalid, "\(library.path) has no \(name)") }
                try library.check(initialize(session, ck, object), name + "Init")
                // ciphertext ‖ tag for GCM encryption; never more than the input otherwise.
                var out = [UInt8](repeating: 0, count: data.count + 64)
                var length = CK_ULONG(out.count)
                var input = data
                let rv = try Self.withNonNull(&input) { pointer, count in
                    out.withUnsafeMutableBufferPointer { run(session, pointer, count, $0.baseAddress, &length) }
                }
                // The framework checked every input's shape, so a GCM decryption
                // can fail only on its tag; SoftHSM2 2.6.1 answers that with
                // CKR_GENERAL_ERROR rather than CKR_ENCRYPTED_DATA_INVALID.
                if [CKR_ENCRYPTED_DATA_INVALID, CKR_GENERAL_ERROR].contains(rv), case .gcm = parameters, !encrypting {
                    throw CryptoError(.dataInvalid, "\(mechanism.name) on \(library.path): the tag does not match (the token answered \(PKCS11Failure.name(rv))); no plaintext released")
                }
                try library.check(rv, name)
                guard Int(length) <= out.count else { throw CryptoError(.deviceError, "\(name) on \(library.path) overran its buffer") }
                return Array(out.prefix(Int(length)))
            }
        }
    }

    /// `key` as a session secret-key object of `keyType` allowed `usage`, for `body` alone.
    private func withSecretObject<R>(
        _ key: SecureBytes, keyType: CK_KEY_TYPE, usage: CK_ATTRIBUTE_TYPE, _ body: (CK_SESSION_HANDLE, CK_OBJECT_HANDLE) throws -> R
    ) throws -> R {
        try token.withSession { session in
            let object = try createSecretObject(key, keyType: keyType, usage: usage, in: session)
            defer { _ = functions.C_DestroyObject(session, object) }
            return try body(session, object)
        }
    }

    /// `key` as a session secret-key object of `keyType` in `session`:
    /// sensitive, not extractable, allowed `usage` alone. The caller destroys it.
    func createSecretObject(_ key: SecureBytes, keyType: CK_KEY_TYPE, usage: CK_ATTRIBUTE_TYPE,
                            in session: CK_SESSION_HANDLE) throws -> CK_OBJECT_HANDLE {
        let t = Self.sessionKeyTemplate(CK_ULONG(CKO_SECRET_KEY), keyType: CK_ULONG(keyType))
        t.add(CK_ATTRIBUTE_TYPE(CKA_PRIVATE), bool: token.isLoggedIn)
        t.add(CK_ATTRIBUTE_TYPE(CKA_SENSITIVE), bool: true)
        t.add(CK_ATTRIBUTE_TYPE(CKA_EXTRACTABLE), bool: false)
        t.add(usage, bool: true)
        t.add(CK_ATTRIBUTE_TYPE(CKA_VALUE), key)
        var object: CK_OBJECT_HANDLE = 0
        try t.withAttributes { attributes, count in
            try library.check(functions.C_CreateObject(session, attributes, count, &object), "C_CreateObject")
        }
        return object
    }

    /// A pointer and length for data that may be empty: some tokens refuse a
    /// NULL pointer even with length 0 (SoftHSM2 answers CKR_ARGUMENTS_BAD).
    static func withNonNull<R>(_ input: UnsafeRawBufferPointer, _ body: (UnsafeMutablePointer<CK_BYTE>, CK_ULONG) throws -> R) throws -> R {
        if let base = input.baseAddress, input.count > 0 {
            return try body(UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: CK_BYTE.self)), CK_ULONG(input.count))
        }
        var empty: CK_BYTE = 0
        return try body(&empty, 0)
    }

    static func withNonNull<R>(_ input: inout [UInt8], _ body: (UnsafeMutablePointer<CK_BYTE>, CK_ULONG) throws -> R) throws -> R {
        try input.withUnsafeBytes { try withNonNull($0, body) }
    }

    /// The CK_MECHANISM for a cipher mode, its parameter laid out as PKCS#11
    /// defines it and alive for `body`: the IV (CBC), CK_AES_CTR_PARAMS, CK_GCM_PARAMS.
    static func withMechanism<R>(
        _ mechanism: Mechanism, _ parameters: CipherParameters, _ body: (UnsafeMutablePointer<CK_MECHANISM>) throws -> R
    ) throws -> R {
        var ck = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(mechanism.value), pParameter: nil, ulParameterLen: 0)
        switch parameters {
        case .none:
            return try body(&ck)
        case .iv(var iv):
            return try iv.withUnsafeMutableBytes { raw in
                ck.pParameter = raw.baseAddress
                ck.ulParameterLen = CK_ULONG(raw.count)
                return try body(&ck)
            }
        case .counter(let block, let bits):
            var p = CK_AES_CTR_PARAMS()
            p.ulCounterBits = CK_ULONG(bits)
            withUnsafeMutableBytes(of: &p.cb) { $0.copyBytes(from: block) }
            return try withUnsafeMutableBytes(of: &p) { raw in
                ck.pParameter = raw.baseAddress
                ck.ulParameterLen = CK_ULONG(raw.count)
                return try body(&ck)
            }
        case .gcm(let g):
            var iv = g.iv, aad = g.additionalData
            return try iv.withUnsafeMutableBufferPointer { ivBuffer in
                try aad.withUnsafeMutableBufferPointer { aadBuffer in
                    var p = CK_GCM_PARAMS(
                        pIv: ivBuffer.baseAddress, ulIvLen: CK_ULONG(ivBuffer.count), ulIvBits: CK_ULONG(ivBuffer.count * 8),
                        pAAD: aadBuffer.count > 0 ? aadBuffer.baseAddress : nil, ulAADLen: CK_ULONG(aadBuffer.count),
                        ulTagBits: CK_ULONG(g.tagBits))
                    return try withUnsafeMutableBytes(of: &p) { raw in
                        ck.pParameter = raw.baseAddress
                        ck.ulParameterLen = CK_ULONG(raw.count)
                        return try body(&ck)
                    }
                }
            }
        }
    }
}
