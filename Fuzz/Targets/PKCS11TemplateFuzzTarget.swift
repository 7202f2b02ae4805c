internal import CPKCS11
import PKCS11Module

/// The PKCS#11 module's template consumers, in this process, through its
/// CK_FUNCTION_LIST (the table any host gets from C_GetFunctionList): each
/// input is one template (``PKCS11TemplateFuzzInput``) given to C_CreateObject,
/// C_GenerateKeyPair or C_GenerateKey, then to C_FindObjectsInit and, on every
/// object of the session, to C_GetAttributeValue and C_SetAttributeValue.
/// Every call must answer a CKR_* PKCS#11 allows for that function; the
/// module runs on a keystore of its own in a temporary directory, with the
/// user logged in, so token and private objects are made too.
extension FuzzTarget {
    public static let pkcs11Template = FuzzTarget(name: "pkcs11-template") { input in
        switch PKCS11TemplateFuzzRun.shared {
        case .success(let module): return module.run(PKCS11TemplateFuzzInput(input))
        case .failure(let failure): return .unexpected("the module did not start: \(failure.what)")
        }
    }
}

/// An input decoded: which call makes an object, and the template.
///
/// Byte 0 picks the call (bits 0–1: C_CreateObject, C_GenerateKeyPair,
/// C_GenerateKey, none) and its mechanism (the bits above); byte 1 splits the
/// template between the public and private key of C_GenerateKeyPair. Then,
/// up to 32 attributes: a type byte (below 0xF0 one of ``knownTypes``, else
/// the next 4 bytes, little-endian, any type at all), a length byte (bits
/// 0–4 the value's length, 31 meaning the next byte holds it; bits 5–7 how
/// the attribute is passed, ``Passing``) and the value bytes.
struct PKCS11TemplateFuzzInput {
    enum Call { case createObject, generateKeyPair, generateKey, none }

    /// How an attribute's value reaches the module. Every pointer points into
    /// one buffer the target owns; a length that lies still ends inside it.
    enum Passing {
        case value
        /// pValue NULL with the length kept (a size query's shape, an error in a template).
        case nullValue
        /// The length claims more than the value: up to the next byte's count more, within the buffer.
        case longerThanValue(extra: Int)
        /// CK_UNAVAILABLE_INFORMATION as the length, with a pointer.
        case unavailableLength
        /// A zero length with a pointer.
        case empty
    }

    struct Attribute {
        var type: CK_ATTRIBUTE_TYPE
        var value: [UInt8]
        var passing: Passing
    }

    static let maxAttributes = 32

    /// The types pkcs11-tool, p11tool, libp11 and strongSwan put in their templates, and a few more.
    static let knownTypes: [CK_ATTRIBUTE_TYPE] = [
        CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_LABEL, CKA_APPLICATION, CKA_VALUE, CKA_OBJECT_ID, CKA_CERTIFICATE_TYPE,
        CKA_KEY_TYPE, CKA_SUBJECT, CKA_ID, CKA_SENSITIVE, CKA_ENCRYPT, CKA_DECRYPT, CKA_WRAP, CKA_UNWRAP, CKA_SIGN,
        CKA_SIGN_RECOVER, CKA_VERIFY, CKA_VERIFY_RECOVER, CKA_DERIVE, CKA_START_DATE, CKA_END_DATE, CKA_MODULUS,
        CKA_MODULUS_BITS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1,
        CKA_EXPONENT_2, CKA_COEFFICIENT, CKA_PRIME, CKA_SUBPRIME, CKA_BASE, CKA_VALUE_BITS, CKA_VALUE_LEN,
        CKA_EXTRACTABLE, CKA_LOCAL, CKA_NEVER_EXTRACTABLE, CKA_ALWAYS_SENSITIVE, CKA_KEY_GEN_MECHANISM, CKA_MODIFIABLE,
        CKA_COPYABLE, CKA_DESTROYABLE, CKA_EC_PARAMS, CKA_EC_POINT, CKA_ALWAYS_AUTHENTICATE, CKA_WRAP_WITH_TRUSTED,
        CKA_TRUSTED, CKA_ALLOWED_MECHANISMS, CKA_CHECK_VALUE, CKA_HW_FEATURE_TYPE,
    ].map { CK_ATTRIBUTE_TYPE($0) }

    static let keyPairMechanisms: [CK_MECHANISM_TYPE] = [CKM_RSA_PKCS_KEY_PAIR_GEN, CKM_DH_PKCS_KEY_PAIR_GEN, CKM_EC_KEY_PAIR_GEN, CKM_AES_KEY_GEN]
        .map { CK_MECHANISM_TYPE($0) }
    static let keyMechanisms: [CK_MECHANISM_TYPE] = [CKM_AES_KEY_GEN, CKM_DES3_KEY_GEN, CKM_GENERIC_SECRET_KEY_GEN, CKM_RSA_PKCS_KEY_PAIR_GEN]
        .map { CK_MECHANISM_TYPE($0) }

    var call: Call = .none
    var mechanism: CK_MECHANISM_TYPE = 0
    var publicCount = 0
    var attributes: [Attribute] = []

    init(_ input: [UInt8]) {
        var bytes = input[...]
        func next() -> UInt8? { bytes.popFirst() }
        guard let selector = next() else { return }
        switch selector & 3 {
        case 0: call = .createObject
        case 1:
            call = .generateKeyPair
            mechanism = Self.keyPairMechanisms[Int(selector >> 2) % Self.keyPairMechanisms.count]
        case 2:
            call = .generateKey
            mechanism = Self.keyMechanisms[Int(selector >> 2) % Self.keyMechanisms.count]
        default: call = .none
        }
        let split = Int(next() ?? 0)
        while attributes.count < Self.maxAttributes, let t = next() {
            var type = Self.knownTypes[Int(t) % Self.knownTypes.count]
            if t >= 0xF0 {
                type = 0
                for shift in stride(from: 0, to: 32, by: 8) { type |= CK_ATTRIBUTE_TYPE(next() ?? 0) << shift }
            }
            let l = next() ?? 0
            var count = Int(l & 0x1F)
            if count == 0x1F { count = Int(next() ?? 0) }
            let value = Array(bytes.prefix(count))
            bytes = bytes.dropFirst(count)
            let passing: Passing
            switch l >> 5 {
            case 4: passing = .nullValue
            case 5: passing = .longerThanValue(extra: Int(next() ?? 1))
            case 6: passing = .unavailableLength
            case 7: passing = .empty
            default: passing = .value
            }
            attributes.append(Attribute(type: type, value: value, passing: passing))
        }
        publicCount = split % (attributes.count + 1)
    }

    /// The template as the C array the module reads, in a buffer the target owns, for the time of `body`.
    /// For C_GetAttributeValue (`output`) a length is the size of the buffer the module may write:
    /// CK_UNAVAILABLE_INFORMATION then goes with a NULL pValue, as a caller's would that owns no such buffer.
    static func withTemplate<R>(_ attributes: some Collection<Attribute>, output: Bool = false,
                                _ body: (UnsafeMutablePointer<CK_ATTRIBUTE>?, CK_ULONG) -> R) -> R {
        let values = attributes.reduce(0) { $0 + $1.value.count }
        let slack = attributes.reduce(0) { if case .longerThanValue(let extra) = $1.passing { return $0 + extra } else { return $0 } }
        // Exactly as large as needed (plus one byte so an empty buffer has an address): ASan sees its end.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: values + slack + 1, alignment: 8)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0xA5)
        let array = UnsafeMutablePointer<CK_ATTRIBUTE>.allocate(capacity: max(1, attributes.count))
        defer { array.deallocate() }
        var offset = 0
        for (i, a) in attributes.enumerated() {
            let start = buffer.baseAddress! + offset
            a.value.withUnsafeBytes { if !$0.isEmpty { start.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
            offset += a.value.count
            let length: CK_ULONG
            var pointer: UnsafeMutableRawPointer? = start
            switch a.passing {
            case .value: length = CK_ULONG(a.value.count)
            case .nullValue: length = CK_ULONG(a.value.count); pointer = nil
            case .longerThanValue(let extra):
                offset += extra  // the slack after this value is its own: the claimed length ends inside the buffer
                length = CK_ULONG(a.value.count + extra)
            case .unavailableLength:
                length = PKCS11TemplateFuzzRun.unavailableInformation
                if output { pointer = nil }
            case .empty: length = 0
            }
            (array + i).initialize(to: CK_ATTRIBUTE(type: a.type, pValue: pointer, ulValueLen: length))
        }
        return body(attributes.isEmpty ? nil : array, CK_ULONG(attributes.count))
    }
}
