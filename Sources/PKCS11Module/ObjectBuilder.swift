internal import CPKCS11
import CryptoFramework

/// Turns a caller's template (plus what the module generated) into an
/// object: every attribute checked against the catalogue, defaults filled
/// in, key material split off into wiping buffers.
struct ObjectBuilder {
    let objectClass: CK_OBJECT_CLASS
    let keyType: CK_KEY_TYPE?
    /// The mechanism that generated or derived the key (CKA_KEY_GEN_MECHANISM).
    var keyGenMechanism: CK_MECHANISM_TYPE? = nil
    /// True when the module generated the key itself (CKA_LOCAL).
    var local = false

    /// The object `template` describes, with `generated` values (the module's
    /// output, overriding the template's inputs such as CKA_MODULUS_BITS) and
    /// `generatedSecrets` (key material, kept in wiping buffers throughout).
    func build(
        _ template: Template, generated: [CK_ATTRIBUTE_TYPE: [UInt8]] = [:], generatedSecrets: [CK_ATTRIBUTE_TYPE: SecureBytes] = [:]
    ) throws(CryptokiError) -> ObjectRecord {
        if let given = try template.ulong(CKA_CLASS), given != objectClass { throw .templateInconsistent }
        if let given = try template.ulong(CKA_KEY_TYPE), given != keyType { throw .templateInconsistent }
        // Room for every attribute an object gets (a private key's defaults and
        // computed values are about 30): no rehash while filling (every C_DeriveKey makes one).
        var values: [CK_ATTRIBUTE_TYPE: [UInt8]] = Dictionary(minimumCapacity: 40)
        var secrets: [CK_ATTRIBUTE_TYPE: SecureBytes] = [:]
        for type in template.order {
            guard AttributeCatalog.isValid(type, objectClass: objectClass, keyType: keyType) else { throw .attributeTypeInvalid }
            guard !AttributeCatalog.readOnly.contains(type) else { throw .attributeReadOnly }
            if AttributeCatalog.isSecret(type, objectClass: objectClass), let secret = template.secure(type) {
                secrets[type] = secret
                continue
            }
            guard let value = template[type] else { continue }
            switch AttributeCatalog.kind(type) {
            // Any nonzero CK_BBOOL means true; it is kept as CK_TRUE, so a template
            // saying CK_TRUE finds the object and C_GetAttributeValue answers CK_TRUE.
            case .bool: values[type] = AttributeValue.bool(try AttributeValue.bool(value))
            case .ulong: values[type] = AttributeValue.ulong(try AttributeValue.ulong(value))
            case .bytes: values[type] = value
            }
        }
        for (type, value) in generated { values[type] = value }
        for (type, value) in generatedSecrets {
            secrets[type] = value
            values[type] = nil
        }
        values[CKA_CLASS] = AttributeValue.ulong(objectClass)
        if let keyType { values[CKA_KEY_TYPE] = AttributeValue.ulong(keyType) }
        try fillDefaults(&values, isToken: (try template.bool(CKA_TOKEN)) ?? false)
        let required = try Self.requiredAttributes(objectClass: objectClass, keyType: keyType)
        for type in required where (values[type]?.isEmpty ?? secrets[type]?.isEmpty ?? true) { throw .templateIncomplete }
        try fillComputed(&values, secretValueLength: secrets[CKA_VALUE]?.count, template: template)
        for (type, value) in values where AttributeCatalog.isSecret(type, objectClass: objectClass) {
            secrets[type] = SecureBytes(value)
            values[type] = nil
        }
        return try ObjectRecord(attributes: values, secrets: secrets)
    }

    private func fillDefaults(_ values: inout [CK_ATTRIBUTE_TYPE: [UInt8]], isToken: Bool) throws(CryptokiError) {
        func setDefault(_ type: CK_ATTRIBUTE_TYPE, _ value: [UInt8]) {
            if values[type] == nil { values[type] = value }
        }
        let yes = AttributeValue.bool(true), no = AttributeValue.bool(false)
        let isKeyWithMaterial = objectClass == CKO_PRIVATE_KEY || objectClass == CKO_SECRET_KEY
        setDefault(CKA_TOKEN, no)
        // Token keys are private unless the template says otherwise; session keys are
        // not, so a read-only session without login can use what it derives (strongSwan's DH).
        setDefault(CKA_PRIVATE, AttributeValue.bool(isKeyWithMaterial && isToken))
        setDefault(CKA_MODIFIABLE, yes)
        setDefault(CKA_COPYABLE, yes)
        setDefault(CKA_DESTROYABLE, yes)
        setDefault(CKA_LABEL, [])
        switch objectClass {
        case CKO_DATA:
            setDefault(CKA_APPLICATION, [])
            setDefault(CKA_OBJECT_ID, [])
            setDefault(CKA_VALUE, [])
        case CKO_CERTIFICATE:
            setDefault(CKA_TRUSTED, no)
            setDefault(CKA_CERTIFICATE_CATEGORY, AttributeValue.ulong(0))
            for type in [CKA_SUBJECT, CKA_ID, CKA_ISSUER, CKA_SERIAL_NUMBER, CKA_VALUE, CKA_START_DATE, CKA_END_DATE] {
                setDefault(type, [])
            }
        case CKO_PUBLIC_KEY, CKO_PRIVATE_KEY, CKO_SECRET_KEY:
            setDefault(CKA_ID, [])
            setDefault(CKA_START_DATE, [])
            setDefault(CKA_END_DATE, [])
            // CKA_DERIVE defaults to false (v2.40 §4.7) except on DH keys, which exist to derive.
            setDefault(CKA_DERIVE, AttributeValue.bool(keyType == CKK_DH))
            // An array of CK_MECHANISM_TYPE; empty: every mechanism (v2.40 §4.7).
            setDefault(CKA_ALLOWED_MECHANISMS, [])
            guard values[CKA_ALLOWED_MECHANISMS]!.count % MemoryLayout<CK_MECHANISM_TYPE>.size == 0 else {
                throw .attributeValueInvalid
            }
            values[CKA_LOCAL] = AttributeValue.bool(local)
            values[CKA_KEY_GEN_MECHANISM] = AttributeValue.ulong(keyGenMechanism ?? CK_UNAVAILABLE_INFORMATION)
            fillKeyDefaults(&values)
        default:
            throw .attributeValueInvalid  // CKA_CLASS names a class the module does not keep
        }
    }

    private func fillKeyDefaults(_ values: inout [CK_ATTRIBUTE_TYPE: [UInt8]]) {
        func setDefault(_ type: CK_ATTRIBUTE_TYPE, _ value: [UInt8]) {
            if values[type] == nil { values[type] = value }
        }
        let yes = AttributeValue.bool(true), no = AttributeValue.bool(false)
        let usage: [CK_ATTRIBUTE_TYPE]
        switch objectClass {
        case CKO_PUBLIC_KEY:
            setDefault(CKA_SUBJECT, [])
            setDefault(CKA_TRUSTED, no)
            setDefault(CKA_VERIFY_RECOVER, no)
            setDefault(CKA_WRAP, no)
            usage = [CKA_ENCRYPT, CKA_VERIFY]
        case CKO_PRIVATE_KEY:
            setDefault(CKA_SUBJECT, [])
            setDefault(CKA_SIGN_RECOVER, no)
            setDefault(CKA_UNWRAP, no)
            setDefault(CKA_ALWAYS_AUTHENTICATE, no)
            setDefault(CKA_WRAP_WITH_TRUSTED, no)
            usage = [CKA_DECRYPT, CKA_SIGN]
        default:
            setDefault(CKA_WRAP, no)
            setDefault(CKA_UNWRAP, no)
            setDefault(CKA_TRUSTED, no)
            setDefault(CKA_WRAP_WITH_TRUSTED, no)
            usage = [CKA_ENCRYPT, CKA_DECRYPT, CKA_SIGN, CKA_VERIFY]
        }
        for type in usage { setDefault(type, yes) }
        guard objectClass != CKO_PUBLIC_KEY else { return }
        setDefault(CKA_SENSITIVE, no)
        // v2.40 leaves CKA_EXTRACTABLE's default to the token, "may depend on the values of
        // other attributes": a sensitive key is unextractable unless the template says
        // otherwise, so it cannot be wrapped under a key whose holder can decrypt the
        // result (the Tookan attacks; SoftHSM2 defaults every key to unextractable).
        setDefault(CKA_EXTRACTABLE, values[CKA_SENSITIVE] == yes ? no : yes)
        let sensitive = values[CKA_SENSITIVE] == yes, extractable = values[CKA_EXTRACTABLE] == yes
        values[CKA_ALWAYS_SENSITIVE] = AttributeValue.bool(local && sensitive)
        values[CKA_NEVER_EXTRACTABLE] = AttributeValue.bool(local && !extractable)
    }

    /// Values derived from the key: CKA_MODULUS_BITS, CKA_EC_POINT in its DER
    /// form, CKA_VALUE_LEN (checked
    /// against the key type's lengths: AES 16, 24 or 32 bytes, DES3 24).
    private func fillComputed(
        _ values: inout [CK_ATTRIBUTE_TYPE: [UInt8]], secretValueLength: Int?, template: Template
    ) throws(CryptokiError) {
        if objectClass == CKO_PUBLIC_KEY, keyType == CKK_RSA, let modulus = values[CKA_MODULUS] {
            let n = modulus.drop(while: { $0 == 0 })
            let bits = n.isEmpty ? 0 : (n.count - 1) * 8 + (8 - n.first!.leadingZeroBitCount)
            values[CKA_MODULUS_BITS] = AttributeValue.ulong(CK_ULONG(bits))
        }
        if objectClass == CKO_PUBLIC_KEY, let keyType, ECKeyObject.keyTypes.contains(keyType),
            let parameters = values[CKA_EC_PARAMS], let point = values[CKA_EC_POINT]
        {
            // A raw point is accepted as SoftHSM2 accepts it; it is kept, and read
            // back, as the DER OCTET STRING clients expect (v2.40 §2.3.3).
            let key = try ECKeyObject.publicKey(try ECKeyObject.curve(parameters, keyType: keyType), point: point)
            if key.curve.pkcs11Point(point) == point { values[CKA_EC_POINT] = ECCurve.pkcs11PointAttribute(point) }
        }
        if objectClass == CKO_SECRET_KEY, let count = secretValueLength ?? values[CKA_VALUE]?.count {
            if let declared = try template.ulong(CKA_VALUE_LEN), declared != CK_ULONG(count) { throw .templateInconsistent }
            switch keyType {
            case CKK_AES: guard [16, 24, 32].contains(count) else { throw .attributeValueInvalid }
            case CKK_DES3: guard count == 24 else { throw .attributeValueInvalid }
            default: break
            }
            values[CKA_VALUE_LEN] = AttributeValue.ulong(CK_ULONG(count))
        }
    }

    /// The attributes without which the object is incomplete (PKCS#11 v2.40 §4, footnote 1):
    /// what an object of this class and key type must have; a class or key
    /// type the module does not keep is an error. The keystore checks files
    /// against the same list.
    static func requiredAttributes(objectClass: CK_OBJECT_CLASS, keyType: CK_KEY_TYPE?) throws(CryptokiError) -> [CK_ATTRIBUTE_TYPE] {
        switch (objectClass, keyType) {
        case (CKO_DATA, _): return []
        case (CKO_CERTIFICATE, _): return [CKA_CERTIFICATE_TYPE]
        case (CKO_PUBLIC_KEY, CKK_RSA): return [CKA_MODULUS, CKA_PUBLIC_EXPONENT]
        case (CKO_PRIVATE_KEY, CKK_RSA):
            return [CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2,
                    CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT]
        case (CKO_PUBLIC_KEY, CKK_DH), (CKO_PRIVATE_KEY, CKK_DH): return [CKA_PRIME, CKA_BASE, CKA_VALUE]
        case (CKO_PUBLIC_KEY, let ec?) where ECKeyObject.keyTypes.contains(ec): return [CKA_EC_PARAMS, CKA_EC_POINT]
        case (CKO_PRIVATE_KEY, let ec?) where ECKeyObject.keyTypes.contains(ec): return [CKA_EC_PARAMS, CKA_VALUE]
        case (CKO_SECRET_KEY, CKK_GENERIC_SECRET), (CKO_SECRET_KEY, CKK_AES), (CKO_SECRET_KEY, CKK_DES3):
            return [CKA_VALUE]
        case (CKO_PUBLIC_KEY, _), (CKO_PRIVATE_KEY, _), (CKO_SECRET_KEY, _):
            throw keyType == nil ? .templateIncomplete : .attributeValueInvalid  // a key type the module does not serve
        default:
            throw .attributeValueInvalid  // a class the module does not keep
        }
    }
}
