internal import CPKCS11

/// The attributes the module knows, per object class: a template naming any
/// other type is CKR_ATTRIBUTE_TYPE_INVALID, and reading one answers the same
/// with the length set to CK_UNAVAILABLE_INFORMATION (pkcs11-tool reads
/// CKA_UNIQUE_ID and vendor types this way).
enum AttributeCatalog {
    enum Kind { case bool, ulong, bytes }

    /// Values that are key material: kept in wiping buffers, encrypted in the
    /// keystore, and unreadable when the key is sensitive or unextractable.
    static func isSecret(_ type: CK_ATTRIBUTE_TYPE, objectClass: CK_OBJECT_CLASS) -> Bool {
        switch type {
        case CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT:
            return true
        case CKA_VALUE:
            return objectClass == CKO_PRIVATE_KEY || objectClass == CKO_SECRET_KEY
        default:
            return false
        }
    }

    static func kind(_ type: CK_ATTRIBUTE_TYPE) -> Kind {
        if booleans.contains(type) { return .bool }
        if ulongs.contains(type) { return .ulong }
        return .bytes
    }

    /// Whether `type` belongs to an object of `objectClass` (and `keyType` for keys).
    static func isValid(_ type: CK_ATTRIBUTE_TYPE, objectClass: CK_OBJECT_CLASS, keyType: CK_KEY_TYPE?) -> Bool {
        if common.contains(type) { return true }
        switch objectClass {
        case CKO_DATA:
            return [CKA_APPLICATION, CKA_OBJECT_ID, CKA_VALUE].contains(type)
        case CKO_CERTIFICATE:
            return certificate.contains(type)
        case CKO_PUBLIC_KEY:
            return key.contains(type) || publicKey.contains(type) || keyTypeSpecific(type, keyType, isPrivate: false)
        case CKO_PRIVATE_KEY:
            return key.contains(type) || privateKey.contains(type) || keyTypeSpecific(type, keyType, isPrivate: true)
        case CKO_SECRET_KEY:
            return key.contains(type) || secretKey.contains(type)
        default:
            return false
        }
    }

    private static func keyTypeSpecific(_ type: CK_ATTRIBUTE_TYPE, _ keyType: CK_KEY_TYPE?, isPrivate: Bool) -> Bool {
        switch keyType {
        case CKK_RSA:
            let pub: Set<CK_ATTRIBUTE_TYPE> = [CKA_MODULUS, CKA_PUBLIC_EXPONENT]
            if isPrivate { return pub.contains(type) || rsaPrivate.contains(type) }
            return pub.contains(type) || type == CKA_MODULUS_BITS
        case CKK_DH:
            let domain: Set<CK_ATTRIBUTE_TYPE> = [CKA_PRIME, CKA_BASE, CKA_VALUE]
            return domain.contains(type) || (isPrivate && type == CKA_VALUE_BITS)
        case let ec? where ECKeyObject.keyTypes.contains(ec):
            // v2.40 §2.3.3–4, v3.0 §2.3.5–8: the curve on both halves, the point
            // on the public key, the secret (scalar or 25519 private key) as CKA_VALUE.
            return type == CKA_EC_PARAMS || type == (isPrivate ? CKA_VALUE : CKA_EC_POINT)
        default:
            return false
        }
    }

    static let common: Set<CK_ATTRIBUTE_TYPE> = [
        CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_LABEL, CKA_MODIFIABLE, CKA_COPYABLE, CKA_DESTROYABLE,
    ]
    static let certificate: Set<CK_ATTRIBUTE_TYPE> = [
        CKA_CERTIFICATE_TYPE, CKA_TRUSTED, CKA_CERTIFICATE_CATEGORY, CKA_CHECK_VALUE, CKA_START_DATE, CKA_END_DATE,
        CKA_SUBJECT, CKA_ID, CKA_ISSUER, CKA_SERIAL_NUMBER, CKA_VALUE, CKA_URL,
        CKA_HASH_OF_SUBJECT_PUBLIC_KEY, CKA_HASH_OF_ISSUER_PUBLIC_KEY, CKA_JAVA_MIDP_SECURITY_DOMAIN,
        CKA_NAME_HASH_ALGORITHM, CKA_PUBLIC_KEY_INFO,
    ]
    static let key: Set<CK_ATTRIBUTE_TYPE> = [
        CKA_KEY_TYPE, CKA_ID, CKA_START_DATE, CKA_END_DATE, CKA_DERIVE, CKA_LOCAL, CKA_KEY_GEN_MECHANISM,
        CKA_ALLOWED_MECHANISMS,
    ]
    static let publicKey: Set<CK_ATTRIBUTE_TYPE> = [
        CKA_SUBJECT, CKA_ENCRYPT, CKA_VERIFY, CKA_VERIFY_RECOVER, CKA_WRAP, CKA_TRUSTED, CKA_PUBLIC_KEY_INFO,
    ]
    static let privateKey: Set<CK_ATTRIBUTE_TYPE> = [
        CKA_SUBJECT, CKA_SENSITIVE, CKA_DECRYPT, CKA_SIGN, CKA_SIGN_RECOVER, CKA_UNWRAP, CKA_EXTRACTABLE,
        CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE, CKA_WRAP_WITH_TRUSTED, CKA_ALWAYS_AUTHENTICATE, CKA_PUBLIC_KEY_INFO,
    ]
    static let secretKey: Set<CK_ATTRIBUTE_TYPE> = [
        CKA_SENSITIVE, CKA_ENCRYPT, CKA_DECRYPT, CKA_SIGN, CKA_VERIFY, CKA_WRAP, CKA_UNWRAP, CKA_EXTRACTABLE,
        CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE, CKA_CHECK_VALUE, CKA_WRAP_WITH_TRUSTED, CKA_TRUSTED,
        CKA_VALUE, CKA_VALUE_LEN,
    ]
    static let rsaPrivate: Set<CK_ATTRIBUTE_TYPE> = [
        CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT,
    ]

    static let booleans: Set<CK_ATTRIBUTE_TYPE> = [
        CKA_TOKEN, CKA_PRIVATE, CKA_MODIFIABLE, CKA_COPYABLE, CKA_DESTROYABLE, CKA_TRUSTED, CKA_DERIVE, CKA_LOCAL,
        CKA_ENCRYPT, CKA_VERIFY, CKA_VERIFY_RECOVER, CKA_WRAP, CKA_SENSITIVE, CKA_DECRYPT, CKA_SIGN,
        CKA_SIGN_RECOVER, CKA_UNWRAP, CKA_EXTRACTABLE, CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE,
        CKA_WRAP_WITH_TRUSTED, CKA_ALWAYS_AUTHENTICATE,
    ]
    static let ulongs: Set<CK_ATTRIBUTE_TYPE> = [
        CKA_CLASS, CKA_KEY_TYPE, CKA_CERTIFICATE_TYPE, CKA_CERTIFICATE_CATEGORY, CKA_MODULUS_BITS,
        CKA_VALUE_BITS, CKA_VALUE_LEN, CKA_KEY_GEN_MECHANISM, CKA_JAVA_MIDP_SECURITY_DOMAIN, CKA_NAME_HASH_ALGORITHM,
    ]
    /// Set by the module, never by a template.
    static let readOnly: Set<CK_ATTRIBUTE_TYPE> = [
        CKA_LOCAL, CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE, CKA_KEY_GEN_MECHANISM,
    ]
}
