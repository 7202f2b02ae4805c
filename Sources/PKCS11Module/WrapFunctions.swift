package import CPKCS11
import CryptoFramework

/// C_WrapKey and C_UnwrapKey for secret keys: CKM_RSA_PKCS_OAEP and
/// CKM_RSA_PKCS with an RSA key pair, CKM_AES_KEY_WRAP and
/// CKM_AES_KEY_WRAP_PAD with an AES key. The wrapped key never leaves the
/// module in the clear: its value goes from its wiping buffer into the
/// framework's request and comes back encrypted; an unwrapped value goes
/// straight into the new object's wiping buffer.
extension Module {
    /// C_WrapKey (v2.40 §5.14): the wrapping key needs CKA_WRAP, the key
    /// CKA_EXTRACTABLE (else CKR_KEY_UNEXTRACTABLE); a key with
    /// CKA_WRAP_WITH_TRUSTED is wrapped only by a CKA_TRUSTED key (else
    /// CKR_KEY_NOT_WRAPPABLE). Two-call protocol on the wrapped length.
    package func wrapKey(
        _ session: CK_SESSION_HANDLE, _ mechanism: MechanismArgument, wrapping: CK_OBJECT_HANDLE, key: CK_OBJECT_HANDLE,
        _ out: UnsafeMutablePointer<CK_BYTE>?, _ length: UnsafeMutablePointer<CK_ULONG>?
    ) throws(CryptokiError) {
        guard length != nil else { throw .argumentsBad }
        let (call, wrapper, value) = try withState { (s) throws(CryptokiError) in
            _ = try s.session(session)
            _ = try s.mechanism(mechanism.type, flag: .wrap)
            let wrapper = try Self.wrappingKey(s, wrapping, usage: CKA_WRAP, mechanism: mechanism.type)
            let target = try s.object(key, invalid: .keyInvalid)
            guard target.objectClass == CKO_SECRET_KEY, let value = target.secrets[CKA_VALUE] else {
                throw CryptokiError(CKR_KEY_NOT_WRAPPABLE)
            }
            guard target.flag(CKA_EXTRACTABLE) else { throw CryptokiError(CKR_KEY_UNEXTRACTABLE) }
            if target.flag(CKA_WRAP_WITH_TRUSTED) && !wrapper.flag(CKA_TRUSTED) { throw CryptokiError(CKR_KEY_NOT_WRAPPABLE) }
            return (s.call, wrapper, value)
        }
        var data = value.bytes
        defer { data.wipe() }
        let (request, needed) = try Self.wrapRequest(mechanism, wrapper: wrapper, data: data)
        guard try OutputBuffer.check(needed: needed, buffer: out, length: length) == .written else { return }
        let wrapped = try call.bytes(request, function: "C_WrapKey", step: .wrap)
        try OutputBuffer.write(wrapped, to: out, length: length)
    }

    /// C_UnwrapKey (v2.40 §5.14): a secret key (CKO_SECRET_KEY, of the
    /// template's key type, generic by default) holding the unwrapped value;
    /// a template with CKA_VALUE is inconsistent. A wrapped key that fails its
    /// check is CKR_WRAPPED_KEY_INVALID, one of the wrong length CKR_WRAPPED_KEY_LEN_RANGE.
    package func unwrapKey(
        _ session: CK_SESSION_HANDLE, _ mechanism: MechanismArgument, unwrapping: CK_OBJECT_HANDLE, wrapped: [UInt8], _ template: Template
    ) throws(CryptokiError) -> CK_OBJECT_HANDLE {
        let (call, unwrapper) = try withState { (s) throws(CryptokiError) in
            _ = try s.session(session)
            _ = try s.mechanism(mechanism.type, flag: .unwrap)
            return (s.call, try Self.wrappingKey(s, unwrapping, usage: CKA_UNWRAP, mechanism: mechanism.type))
        }
        if let given = try template.ulong(CKA_CLASS), given != CKO_SECRET_KEY { throw .templateInconsistent }
        guard !template.contains(CKA_VALUE) else { throw .templateInconsistent }
        let keyType = try template.ulong(CKA_KEY_TYPE) ?? CKK_GENERIC_SECRET
        let request = try Self.unwrapRequest(mechanism, unwrapper: unwrapper, wrapped: wrapped)
        let value = try call.secret(request, function: "C_UnwrapKey", step: .unwrap)
        var keyTemplate = template
        keyTemplate[CKA_KEY_TYPE] = AttributeValue.ulong(keyType)
        let object = try ObjectBuilder(objectClass: CKO_SECRET_KEY, keyType: keyType, local: false)
            .build(keyTemplate, generatedSecrets: [CKA_VALUE: value])
        return try withState { (s) throws(CryptokiError) in try s.store(session, object) }
    }

    /// The wrapping or unwrapping key, with C_WrapKey's return values for its handle and type.
    private static func wrappingKey(
        _ s: ModuleState, _ handle: CK_OBJECT_HANDLE, usage: CK_ATTRIBUTE_TYPE, mechanism: CK_MECHANISM_TYPE
    ) throws(CryptokiError) -> ObjectRecord {
        let wrapping = usage == CKA_WRAP
        do {
            return try s.key(handle, usage: usage, mechanism: mechanism)
        } catch where error.rv == CKR_KEY_HANDLE_INVALID {
            throw CryptokiError(wrapping ? CKR_WRAPPING_KEY_HANDLE_INVALID : CKR_UNWRAPPING_KEY_HANDLE_INVALID)
        } catch where error.rv == CKR_KEY_TYPE_INCONSISTENT {
            throw CryptokiError(wrapping ? CKR_WRAPPING_KEY_TYPE_INCONSISTENT : CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT)
        }
    }

    private static func wrapRequest(
        _ argument: MechanismArgument, wrapper: ObjectRecord, data: [UInt8]
    ) throws(CryptokiError) -> (CryptoRequest, Int) {
        guard let mechanism = Mechanism(value: UInt64(argument.type)) else { throw .mechanismInvalid }
        switch mechanism {
        case .rsaPKCS, .rsaPKCSOAEP:
            guard case .rsaPublic(let pub) = wrapper.key else { throw CryptokiError(CKR_WRAPPING_KEY_TYPE_INCONSISTENT) }
            let oaep = try RSACipherOperation.oaepParameters(argument, mechanism: mechanism)
            return (.encryptRSA(mechanism, key: pub, data: data, oaep: oaep), pub.byteCount)
        case .aesKeyWrap, .aesKeyWrapPad:
            guard case .secret(let kek) = wrapper.key, wrapper.keyType == CKK_AES else {
                throw CryptokiError(CKR_WRAPPING_KEY_TYPE_INCONSISTENT)
            }
            return (.encrypt(mechanism, key: kek, iv: argument.parameter ?? [], data: data),
                    AESKeyWrap.wrappedLength(mechanism, count: data.count))
        default:
            throw .mechanismInvalid
        }
    }

    private static func unwrapRequest(
        _ argument: MechanismArgument, unwrapper: ObjectRecord, wrapped: [UInt8]
    ) throws(CryptokiError) -> CryptoRequest {
        guard let mechanism = Mechanism(value: UInt64(argument.type)) else { throw .mechanismInvalid }
        switch mechanism {
        case .rsaPKCS, .rsaPKCSOAEP:
            guard case .rsaPrivate(let key) = unwrapper.key else { throw CryptokiError(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT) }
            let oaep = try RSACipherOperation.oaepParameters(argument, mechanism: mechanism)
            return .decryptRSA(mechanism, key: key, data: wrapped, oaep: oaep)
        case .aesKeyWrap, .aesKeyWrapPad:
            guard case .secret(let kek) = unwrapper.key, unwrapper.keyType == CKK_AES else {
                throw CryptokiError(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT)
            }
            return .decrypt(mechanism, key: kek, iv: argument.parameter ?? [], data: wrapped)
        default:
            throw .mechanismInvalid
        }
    }
}

