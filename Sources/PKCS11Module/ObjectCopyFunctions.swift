package import CPKCS11
import CryptoFramework

/// C_CopyObject, C_GetObjectSize and C_DigestKey: functions over an object
/// that already exists.
extension Module {
    /// C_DigestKey: a secret key's CKA_VALUE joins the active digest as if
    /// passed to C_DigestUpdate, without leaving the module (a sensitive key
    /// may be digested: only the digest comes out). Any other object is
    /// CKR_KEY_INDIGESTIBLE.
    package func digestKey(_ session: CK_SESSION_HANDLE, _ handle: CK_OBJECT_HANDLE) throws(CryptokiError) {
        let value = try withState { (s) throws(CryptokiError) -> SecureBytes in
            guard try s.session(session).digest != nil else { throw .operationNotInitialized }
            let object = try s.object(handle, invalid: .keyInvalid)
            guard object.objectClass == CKO_SECRET_KEY, let value = object.secrets[CKA_VALUE] else {
                throw CryptokiError(CKR_KEY_INDIGESTIBLE)
            }
            return value
        }
        try digestUpdate(session, value.bytes)
    }

    /// C_CopyObject (v2.40 §5.7): a new object with the original's attributes
    /// and key material, changed by `template` where a copy may change them.
    /// A key that is not CKA_COPYABLE is CKR_ACTION_PROHIBITED; the copy is
    /// kept as C_CreateObject keeps objects (a token copy needs a read-write
    /// session, a private one a login).
    package func copyObject(_ session: CK_SESSION_HANDLE, _ handle: CK_OBJECT_HANDLE, _ template: Template) throws(CryptokiError) -> CK_OBJECT_HANDLE {
        try withState { (s) throws(CryptokiError) in
            _ = try s.session(session)
            let original = try s.object(handle)
            guard original.flag(CKA_COPYABLE) || original.attributes[CKA_COPYABLE] == nil else {
                throw CryptokiError(CKR_ACTION_PROHIBITED)
            }
            let copy = try original.copy(changing: template)
            return try s.store(session, copy)
        }
    }

    /// C_GetObjectSize: the bytes the object's attributes and key material
    /// take (each type, its length and its value), a figure the module can
    /// answer for every object, as v2.40 §5.7 allows ("an approximation").
    package func objectSize(_ session: CK_SESSION_HANDLE, _ handle: CK_OBJECT_HANDLE) throws(CryptokiError) -> CK_ULONG {
        try withState { (s) throws(CryptokiError) in
            _ = try s.session(session)
            let object = try s.object(handle)
            let header = 2 * MemoryLayout<CK_ULONG>.size
            let plain = object.attributes.values.reduce(0) { $0 + header + $1.count }
            let secret = object.secrets.values.reduce(0) { $0 + header + $1.count }
            return CK_ULONG(plain + secret)
        }
    }
}

extension ObjectRecord {
    /// The attributes a copy's template may set (v2.40 §5.7 and §4.4 table 4
    /// footnote 8: those C_SetAttributeValue may change, and CKA_TOKEN,
    /// CKA_PRIVATE, CKA_MODIFIABLE, CKA_DESTROYABLE, CKA_COPYABLE (only to false)).
    func copy(changing template: Template) throws(CryptokiError) -> ObjectRecord {
        var values = attributes
        var rest = Template()
        for type in template.order {
            guard let value = template[type] else { continue }
            switch type {
            case CKA_TOKEN, CKA_PRIVATE, CKA_MODIFIABLE, CKA_DESTROYABLE:
                guard AttributeCatalog.isValid(type, objectClass: objectClass, keyType: keyType) else { throw .attributeTypeInvalid }
                values[type] = AttributeValue.bool(try AttributeValue.bool(value))
            case CKA_COPYABLE:
                guard !(try AttributeValue.bool(value)) else { throw .attributeReadOnly }
                values[type] = AttributeValue.bool(false)
            default:
                rest[type] = value
            }
        }
        // Key material is shared, not copied: a SecureBytes is immutable and wiped when its last holder goes.
        let copy = try ObjectRecord(attributes: values, secrets: secrets)
        try copy.update(rest)
        return copy
    }
}
