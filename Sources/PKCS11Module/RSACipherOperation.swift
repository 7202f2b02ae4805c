internal import CPKCS11
import CryptoFramework

/// An active C_Encrypt*/C_Decrypt* with CKM_RSA_X_509, CKM_RSA_PKCS or
/// CKM_RSA_PKCS_OAEP: one framework request (``CryptoRequest/encryptRSA(_:key:data:oaep:)``
/// or ``CryptoRequest/decryptRSA(_:key:data:oaep:)``) at C_Encrypt/C_Decrypt or
/// at Final, Update parts gathered until then (RSA takes one block).
struct RSACipherOperation: GatheringOperation {
    enum Key {
        case encrypting(RSAPublicKey)
        case decrypting(RSAPrivateKey)
    }

    let mechanism: Mechanism
    let oaep: OAEPParameters?
    let key: Key
    var data: [UInt8] = []
    var multiPart = false

    /// Whether the mechanism is one of RSA encryption's.
    static func serves(_ type: CK_MECHANISM_TYPE) -> Bool {
        RSAEncryption.mechanisms.contains { CK_MECHANISM_TYPE($0.value) == type }
    }

    init(_ argument: MechanismArgument, object: ObjectRecord, state: ModuleState, encrypting: Bool) throws(CryptokiError) {
        guard let mechanism = Mechanism(value: UInt64(argument.type)), RSAEncryption.mechanisms.contains(mechanism) else {
            throw .mechanismInvalid
        }
        let entry = try state.mechanism(argument.type, flag: encrypting ? .encrypt : .decrypt)
        self.mechanism = mechanism
        switch (object.key, encrypting) {
        case (.rsaPublic(let k), true): key = .encrypting(k)
        case (.rsaPrivate(let k), false): key = .decrypting(k)
        default: throw .keyTypeInconsistent
        }
        guard (entry.minKeySize...max(entry.minKeySize, entry.maxKeySize)).contains(UInt(object.rsaBits)) else {
            throw CryptokiError(CKR_KEY_SIZE_RANGE)
        }
        oaep = try Self.oaepParameters(argument, mechanism: mechanism)
        // Parameters that cannot fit this key (OAEP with SHA-512 on a 1024-bit key) fail here, not at C_Encrypt.
        let pub: RSAPublicKey
        switch key {
        case .encrypting(let k): pub = k
        case .decrypting(let k): pub = k.publicKey
        }
        do {
            try RSAEncryption.checkDecrypt(mechanism, key: pub, ciphertext: [UInt8](repeating: 0, count: pub.byteCount), oaep: oaep)
        } catch {
            throw .mechanismParamInvalid
        }
    }

    var encrypting: Bool { if case .encrypting = key { true } else { false } }

    var byteCount: Int {
        switch key {
        case .encrypting(let k): k.byteCount
        case .decrypting(let k): k.publicKey.byteCount
        }
    }

    /// The output's length: k for a ciphertext; for a plaintext the most it can be.
    var outputBound: Int {
        guard !encrypting else { return byteCount }
        switch mechanism {
        case .rsaPKCS: return max(0, byteCount - 11)
        case .rsaPKCSOAEP: return max(0, byteCount - 2 * (oaep?.hash.digestLength ?? 20) - 2)
        default: return byteCount
        }
    }

    /// The request over `data`.
    func request(_ data: [UInt8]) -> CryptoRequest {
        switch key {
        case .encrypting(let k): .encryptRSA(mechanism, key: k, data: data, oaep: oaep)
        case .decrypting(let k): .decryptRSA(mechanism, key: k, data: data, oaep: oaep)
        }
    }

    /// CK_RSA_PKCS_OAEP_PARAMS (v2.40 §2.1.8) → the framework's parameters:
    /// required for CKM_RSA_PKCS_OAEP; the source must be CKZ_DATA_SPECIFIED
    /// (its data the label) or absent with no data; none for the other mechanisms.
    static func oaepParameters(_ argument: MechanismArgument, mechanism: Mechanism) throws(CryptokiError) -> OAEPParameters? {
        guard mechanism == .rsaPKCSOAEP else {
            guard argument.parameter == nil else { throw .mechanismParamInvalid }
            return nil
        }
        guard let p = try argument.structure(CK_RSA_PKCS_OAEP_PARAMS.self),
            let hash = HashMechanism.algorithm(p.hashAlg), let mgf = HashMechanism.mgf1(p.mgf)
        else { throw .mechanismParamInvalid }
        var label: [UInt8] = []
        if p.ulSourceDataLen > 0 {
            guard p.source == CK_RSA_PKCS_OAEP_SOURCE_TYPE(CKZ_DATA_SPECIFIED), let source = p.pSourceData,
                p.ulSourceDataLen < 1 << 20
            else { throw .mechanismParamInvalid }
            label = Array(UnsafeRawBufferPointer(start: source, count: Int(p.ulSourceDataLen)))
        } else {
            guard p.source == 0 || p.source == CK_RSA_PKCS_OAEP_SOURCE_TYPE(CKZ_DATA_SPECIFIED) else { throw .mechanismParamInvalid }
        }
        return OAEPParameters(hash: hash, mgf1Hash: mgf, label: label)
    }
}

/// The RSA half of C_EncryptInit … C_DecryptFinal (CipherFunctions routes here).
extension Module {
    func rsaCipherInit(_ session: CK_SESSION_HANDLE, _ mechanism: MechanismArgument, _ key: CK_OBJECT_HANDLE, encrypting: Bool) throws(CryptokiError) {
        try begin(session, Self.rsaField(encrypting), key: key) { (s) throws(CryptokiError) in
            try RSACipherOperation(
                mechanism, object: s.key(key, usage: encrypting ? CKA_ENCRYPT : CKA_DECRYPT, mechanism: mechanism.type),
                state: s, encrypting: encrypting)
        }
    }

    /// Whether an RSA operation is active in `session` for this direction.
    func rsaCipherActive(_ session: CK_SESSION_HANDLE, encrypting: Bool) -> Bool {
        (try? withState { (s) throws(CryptokiError) in try s.session(session)[keyPath: Self.rsaField(encrypting)] != nil }) ?? false
    }

    /// C_Encrypt/C_Decrypt (`step` single), Update (gathers, no output), Final.
    func rsaCipher(_ session: CK_SESSION_HANDLE, _ step: CipherStep, encrypting: Bool, _ out: UnsafeMutablePointer<CK_BYTE>?, _ length: UnsafeMutablePointer<CK_ULONG>?) throws(CryptokiError) {
        let field = Self.rsaField(encrypting)
        let data: [UInt8]
        switch step {
        case .update(let part):
            guard length != nil else { throw .argumentsBad }
            try gather(session, field, part)
            length!.pointee = 0
            return
        case .single(let input): data = input
        case .final: data = []
        }
        let (operation, call) = try active(session, field)
        let input: [UInt8]
        if case .single = step { input = data } else { input = operation.data }
        if out == nil || encrypting {
            guard try outputWanted(operation, singlePart: step.isSingle, needed: operation.outputBound, session, field, out, length)
            else { return }
        } else {
            // A plaintext's length is known only once decrypted: the buffer is judged against it below.
            guard length != nil, !step.isSingle || !operation.multiPart else {
                keep(nil, session, field)
                throw length == nil ? .argumentsBad : .operationActive
            }
        }
        let function = (encrypting ? "C_Encrypt" : "C_Decrypt") + (step.isSingle ? "" : "Final")
        let output: SecureBytes
        do throws(CryptokiError) {
            output = try call.perform(operation.request(input), function: function, step: encrypting ? .data : .decrypt) {
                try $0.keyMaterial()
            }
        } catch {
            keep(nil, session, field)
            throw error
        }
        // A plaintext shorter than the bound fits a buffer the bound would not: the two-call protocol on the real length.
        guard try OutputBuffer.write(output.bytes, to: out, length: length) else { return }
        keep(nil, session, field)
    }

    static func rsaField(_ encrypting: Bool) -> WritableKeyPath<Session, RSACipherOperation?> {
        encrypting ? \.encryptRSA : \.decryptRSA
    }
}

extension Module.CipherStep {
    var isSingle: Bool { if case .single = self { true } else { false } }
}
