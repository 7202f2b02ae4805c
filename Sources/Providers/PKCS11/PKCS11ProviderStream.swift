internal import CPKCS11
import CryptoFramework

/// Multi-part operations on the token as the token's own multi-part calls
/// (C_DigestUpdate, C_SignUpdate, C_EncryptUpdate …), so a stream through a
/// token is computed as it arrives rather than gathered for Finish.
///
/// Streamed: digests, HMACs, CTR both ways and GCM encryption. ECB and CBC
/// are not: the framework already sends them a request per Update (whole
/// blocks, the IV chained), and a token's padded modes would hold back blocks
/// the framework's own accounting expects. GCM decryption is never streamed
/// (the framework checks the tag before releasing plaintext).
extension PKCS11Provider {
    public func beginStream(_ request: StreamRequest, context: OperationContext) throws -> (any ProviderStream)? {
        switch request {
        case .digest(let mechanism):
            guard DigestAlgorithm(digestMechanism: mechanism) != nil else { return nil }
            return try PKCS11TokenStream(self, mechanism, .digest, key: nil) { session, _ in
                var ck = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(mechanism.value), pParameter: nil, ulParameterLen: 0)
                try library.check(functions.C_DigestInit(session, &ck), "C_DigestInit")
            }
        case .mac(let mechanism, let key):
            guard let hash = DigestAlgorithm(hmacMechanism: mechanism) else { return nil }
            return try PKCS11TokenStream(self, mechanism, .mac(length: hash.digestLength),
                                         key: (key, CK_KEY_TYPE(CKK_GENERIC_SECRET), CK_ATTRIBUTE_TYPE(CKA_SIGN))) { session, object in
                var ck = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(mechanism.value), pParameter: nil, ulParameterLen: 0)
                try library.check(functions.C_SignInit(session, &ck, object), "C_SignInit")
            }
        case .encrypt(let mechanism, let key, let parameters), .decrypt(let mechanism, let key, let parameters):
            let encrypting = if case .encrypt = request { true } else { false }
            switch parameters {
            case .counter: break
            case .gcm where encrypting: break
            default: return nil
            }
            try CipherRules.checkParameters(mechanism, parameters)
            let name = encrypting ? "C_EncryptInit" : "C_DecryptInit"
            guard let initialize = encrypting ? functions.C_EncryptInit : functions.C_DecryptInit,
                  (encrypting ? functions.C_EncryptUpdate : functions.C_DecryptUpdate) != nil,
                  (encrypting ? functions.C_EncryptFinal : functions.C_DecryptFinal) != nil
            else { return nil }  // a module without multi-part calls: the framework gathers
            let keyType = CK_KEY_TYPE(CipherRules.blockLength(mechanism) == 16 ? CKK_AES : CKK_DES3)
            let usage = CK_ATTRIBUTE_TYPE(encrypting ? CKA_ENCRYPT : CKA_DECRYPT)
            return try PKCS11TokenStream(self, mechanism, .cipher(encrypting: encrypting), key: (key, keyType, usage)) { session, object in
                try Self.withMechanism(mechanism, parameters) { ck in
                    try library.check(initialize(session, ck, object), name)
                }
            }
        }
    }
}

/// One multi-part operation in a session of the token held for its life, the
/// key (if any) a sensitive session object made in that session. Finish (or a
/// failure) destroys the object and returns the session to the pool; a stream
/// abandoned midway closes its session, which ends the token's operation.
final class PKCS11TokenStream: ProviderStream {
    enum Kind {
        case digest
        case mac(length: Int)
        case cipher(encrypting: Bool)
    }

    private let provider: PKCS11Provider
    private let mechanism: Mechanism
    private let kind: Kind
    private var session: CK_SESSION_HANDLE?
    private var object: CK_OBJECT_HANDLE?

    /// Checks a session out, makes the key object, and runs `initialize` (the C_*Init) in it.
    init(
        _ provider: PKCS11Provider, _ mechanism: Mechanism, _ kind: Kind,
        key: (SecureBytes, CK_KEY_TYPE, CK_ATTRIBUTE_TYPE)?,
        initialize: (CK_SESSION_HANDLE, CK_OBJECT_HANDLE) throws -> Void
    ) throws {
        self.provider = provider
        self.mechanism = mechanism
        self.kind = kind
        let session = try provider.token.checkOutSession()
        self.session = session
        do {
            if let (value, keyType, usage) = key {
                object = try provider.createSecretObject(value, keyType: keyType, usage: usage, in: session)
            }
            try initialize(session, object ?? CK_OBJECT_HANDLE(CK_INVALID_HANDLE))
        } catch {
            end(cleanly: false)
            throw error
        }
    }

    deinit {
        if session != nil { end(cleanly: false) }
    }

    private var functions: CK_FUNCTION_LIST { provider.functions }
    private var library: PKCS11Library { provider.library }

    private func live() throws -> CK_SESSION_HANDLE {
        guard let session else { throw CryptoError(.providerFailed, "the \(mechanism.name) stream on \(library.path) has ended") }
        return session
    }

    /// Destroys the key object; the session goes back to the pool after a
    /// completed operation, and is closed otherwise.
    private func end(cleanly: Bool) {
        guard let session else { return }
        if let object { _ = functions.C_DestroyObject(session, object) }
        object = nil
        self.session = nil
        if cleanly { provider.token.checkIn(session) } else { provider.token.discard(session) }
    }

    func update(_ input: [UInt8]) throws -> [UInt8] {
        let session = try live()
        do {
            var data = input
            switch kind {
            case .digest:
                try PKCS11Provider.withNonNull(&data) { try library.check(functions.C_DigestUpdate(session, $0, $1), "C_DigestUpdate") }
                return []
            case .mac:
                try PKCS11Provider.withNonNull(&data) { try library.check(functions.C_SignUpdate(session, $0, $1), "C_SignUpdate") }
                return []
            case .cipher(let encrypting):
                let name = encrypting ? "C_EncryptUpdate" : "C_DecryptUpdate"
                // CTR and GCM encryption give back as many bytes as they are given (ProviderStream's contract).
                var out = [UInt8](repeating: 0, count: input.count + 64)
                var length = CK_ULONG(out.count)
                let run = encrypting ? functions.C_EncryptUpdate! : functions.C_DecryptUpdate!
                let rv = try PKCS11Provider.withNonNull(&data) { pointer, count in
                    out.withUnsafeMutableBufferPointer { run(session, pointer, count, $0.baseAddress, &length) }
                }
                try library.check(rv, name)
                guard Int(length) == input.count else {
                    throw CryptoError(.deviceError, "\(name) (\(mechanism.name)) on \(library.path) returned \(length) bytes for \(input.count)")
                }
                return Array(out.prefix(Int(length)))
            }
        } catch {
            end(cleanly: false)
            throw error
        }
    }

    func finish() throws -> [UInt8] {
        let session = try live()
        do {
            var out = [UInt8](repeating: 0, count: 64)
            var length = CK_ULONG(out.count)
            switch kind {
            case .digest:
                try library.check(functions.C_DigestFinal(session, &out, &length), "C_DigestFinal")
            case .mac(let expected):
                try library.check(functions.C_SignFinal(session, &out, &length), "C_SignFinal")
                guard Int(length) == expected else {
                    throw CryptoError(.deviceError, "C_SignFinal on \(library.path) returned a \(length)-byte \(mechanism.name)")
                }
            case .cipher(let encrypting):
                let name = encrypting ? "C_EncryptFinal" : "C_DecryptFinal"
                let run = encrypting ? functions.C_EncryptFinal! : functions.C_DecryptFinal!
                try library.check(run(session, &out, &length), name)
            }
            guard Int(length) <= out.count else { throw CryptoError(.deviceError, "\(mechanism.name) on \(library.path) overran its buffer") }
            end(cleanly: true)
            return Array(out.prefix(Int(length)))
        } catch {
            end(cleanly: false)
            throw error
        }
    }
}
