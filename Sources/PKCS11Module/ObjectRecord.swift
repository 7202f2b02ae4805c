internal import CPKCS11
import CryptoFramework

/// One PKCS#11 object: its attributes, with key material apart in wiping
/// buffers, and the framework key built from them (cached, so a signing loop
/// reuses the provider's imported key).
final class ObjectRecord: @unchecked Sendable {  // mutable fields change only under the module's lock
    private(set) var attributes: [CK_ATTRIBUTE_TYPE: [UInt8]]
    let secrets: [CK_ATTRIBUTE_TYPE: SecureBytes]
    /// The session that owns a session object; nil for a token object.
    var owner: CK_SESSION_HANDLE?
    /// The keystore file of a token object.
    var fileName: String?
    /// The framework key, built at creation (a malformed key never becomes an object).
    let key: KeyMaterial

    enum KeyMaterial: Sendable {
        case none
        case rsaPublic(RSAPublicKey)
        case rsaPrivate(RSAPrivateKey)
        case dhPublic(DHGroup, [UInt8])
        case dhPrivate(DHPrivateKey)
        case ecPublic(ECPublicKey)
        case ecPrivate(ECPrivateKey)
        case secret(SecureBytes)
    }

    init(attributes: [CK_ATTRIBUTE_TYPE: [UInt8]], secrets: [CK_ATTRIBUTE_TYPE: SecureBytes]) throws(CryptokiError) {
        self.attributes = attributes
        self.secrets = secrets
        self.key = try KeyMaterialBuilder.build(attributes: attributes, secrets: secrets)
    }

    var objectClass: CK_OBJECT_CLASS { ulong(CKA_CLASS) ?? CK_UNAVAILABLE_INFORMATION }
    var keyType: CK_KEY_TYPE? { ulong(CKA_KEY_TYPE) }
    var isToken: Bool { flag(CKA_TOKEN) }
    var isPrivate: Bool { flag(CKA_PRIVATE) }
    /// Key material may leave the module only when it is neither sensitive nor unextractable.
    var materialReadable: Bool { !flag(CKA_SENSITIVE) && (attributes[CKA_EXTRACTABLE].map { $0 != [0] } ?? true) }

    /// Whether CKA_ALLOWED_MECHANISMS lets this key serve `mechanism`: an
    /// empty or absent list allows every mechanism (v2.40 §4.7).
    func allows(_ mechanism: CK_MECHANISM_TYPE) -> Bool {
        guard let list = attributes[CKA_ALLOWED_MECHANISMS], !list.isEmpty else { return true }
        return AttributeValue.mechanismList(list).contains(mechanism)
    }

    func flag(_ type: CK_ATTRIBUTE_TYPE) -> Bool { attributes[type].map { $0.count == 1 && $0[0] != 0 } ?? false }

    func ulong(_ type: CK_ATTRIBUTE_TYPE) -> CK_ULONG? {
        attributes[type].flatMap { try? AttributeValue.ulong($0) }
    }

    /// What C_GetAttributeValue answers for one type.
    enum Lookup {
        case value([UInt8])
        case sensitive
        case invalid
    }

    func lookup(_ type: CK_ATTRIBUTE_TYPE) -> Lookup {
        if let value = attributes[type] { return .value(value) }
        if let secret = secrets[type] { return materialReadable ? .value(secret.bytes) : .sensitive }
        return .invalid
    }

    /// True when every attribute of `template` has exactly that value here
    /// (secret values never match: C_FindObjects must not reveal them).
    func matches(_ template: Template) -> Bool {
        template.order.allSatisfy { type in
            let wanted = template[type]!
            // A CK_BBOOL is stored as CK_TRUE/CK_FALSE; any nonzero byte asks for true.
            if AttributeCatalog.kind(type) == .bool, let flag = try? AttributeValue.bool(wanted) {
                return attributes[type] == AttributeValue.bool(flag)
            }
            return attributes[type] == wanted
        }
    }

    /// Puts attributes back after a change that could not be saved.
    func restore(_ saved: [CK_ATTRIBUTE_TYPE: [UInt8]]) { attributes = saved }

    /// C_SetAttributeValue: the attributes a caller may change after creation.
    func update(_ template: Template) throws(CryptokiError) {
        var changed = attributes
        for type in template.order {
            guard let value = template[type] else { continue }
            switch type {
            case CKA_LABEL, CKA_ID, CKA_SUBJECT, CKA_START_DATE, CKA_END_DATE, CKA_APPLICATION,
                // A data object's value and object identifier are ordinary attributes
                // (v2.40 §4.5 table 24 marks neither unmodifiable); a key's CKA_VALUE stays fixed.
                CKA_VALUE where objectClass == CKO_DATA, CKA_OBJECT_ID where objectClass == CKO_DATA:
                guard attributes[type] != nil else { throw .attributeTypeInvalid }
                guard flag(CKA_MODIFIABLE) else { throw .attributeReadOnly }
                changed[type] = value
            case CKA_SENSITIVE where attributes[type] != nil:
                // May only become true (PKCS#11 v2.40 §4.9, table 10 footnote 11).
                guard try AttributeValue.bool(value) || !flag(type) else { throw .attributeReadOnly }
                changed[type] = AttributeValue.bool(try AttributeValue.bool(value))
            case CKA_EXTRACTABLE where attributes[type] != nil:
                // May only become false (footnote 11).
                guard !(try AttributeValue.bool(value)) || flag(type) else { throw .attributeReadOnly }
                changed[type] = AttributeValue.bool(try AttributeValue.bool(value))
            default:
                if attributes[type] != nil || secrets[type] != nil { throw .attributeReadOnly }
                throw .attributeTypeInvalid
            }
        }
        attributes = changed
    }
}
