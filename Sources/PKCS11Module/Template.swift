package import CPKCS11
import CryptoFramework

/// An attribute template the caller passed in (C_CreateObject,
/// C_GenerateKeyPair, C_FindObjectsInit …), copied out of C memory once,
/// checked for NULL values, malformed lengths and duplicates. Values are
/// kept in wiping buffers: a template may carry key material (CKA_VALUE,
/// CKA_PRIVATE_EXPONENT …), which `secure(_:)` hands on without a plain copy.
package struct Template {
    private var values: [CK_ATTRIBUTE_TYPE: SecureBytes] = [:]
    /// Types in the caller's order (a find template matches all of them).
    private(set) var order: [CK_ATTRIBUTE_TYPE] = []

    init() {}

    /// Copies `count` attributes from `pointer`. A NULL array with a nonzero
    /// count, or a NULL value with a nonzero length, is CKR_ARGUMENTS_BAD; a
    /// type given twice is CKR_TEMPLATE_INCONSISTENT.
    package init(_ pointer: UnsafePointer<CK_ATTRIBUTE>?, count: CK_ULONG) throws(CryptokiError) {
        guard count > 0 else { return }
        guard let pointer, count < 4096 else { throw .argumentsBad }
        values.reserveCapacity(Int(count))
        order.reserveCapacity(Int(count))
        for attribute in UnsafeBufferPointer(start: pointer, count: Int(count)) {
            // Checked as a CK_ULONG first: CK_UNAVAILABLE_INFORMATION (which clients
            // put back into templates) and any length ≥ 2^63 would trap in Int(_:).
            guard attribute.ulValueLen < 1 << 24 else { throw .attributeValueInvalid }
            let length = Int(attribute.ulValueLen)
            var bytes = SecureBytes([])
            if length > 0 {
                guard let value = attribute.pValue else { throw .argumentsBad }
                bytes = SecureBytes(UnsafeRawBufferPointer(start: value, count: length))
            }
            guard values.updateValue(bytes, forKey: attribute.type) == nil else { throw .templateInconsistent }
            order.append(attribute.type)
        }
    }

    /// A value as a plain array: for attributes that are not key material.
    subscript(_ type: CK_ATTRIBUTE_TYPE) -> [UInt8]? {
        get { values[type]?.bytes }
        set {
            if let newValue {
                if values.updateValue(SecureBytes(newValue), forKey: type) == nil { order.append(type) }
            } else if values.removeValue(forKey: type) != nil {
                order.removeAll { $0 == type }
            }
        }
    }

    /// A value in its wiping buffer: for key material.
    func secure(_ type: CK_ATTRIBUTE_TYPE) -> SecureBytes? { values[type] }

    func contains(_ type: CK_ATTRIBUTE_TYPE) -> Bool { values[type] != nil }

    /// A CK_ULONG attribute; a value of the wrong size is CKR_ATTRIBUTE_VALUE_INVALID.
    func ulong(_ type: CK_ATTRIBUTE_TYPE) throws(CryptokiError) -> CK_ULONG? {
        guard let bytes = values[type]?.bytes else { return nil }
        return try AttributeValue.ulong(bytes)
    }

    /// A CK_BBOOL attribute; a value that is not one byte is CKR_ATTRIBUTE_VALUE_INVALID.
    func bool(_ type: CK_ATTRIBUTE_TYPE) throws(CryptokiError) -> Bool? {
        guard let bytes = values[type]?.bytes else { return nil }
        return try AttributeValue.bool(bytes)
    }
}

/// Encoding of the fixed-size attribute values, in the host's byte order as
/// PKCS#11 passes them.
enum AttributeValue {
    static func ulong(_ value: CK_ULONG) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }
    /// CK_TRUE or CK_FALSE, each one shared array: an object's two dozen flags allocate nothing.
    static func bool(_ value: Bool) -> [UInt8] { value ? trueBytes : falseBytes }
    private static let trueBytes: [UInt8] = [1]
    private static let falseBytes: [UInt8] = [0]

    static func ulong(_ bytes: [UInt8]) throws(CryptokiError) -> CK_ULONG {
        guard bytes.count == MemoryLayout<CK_ULONG>.size else { throw .attributeValueInvalid }
        return bytes.withUnsafeBytes { $0.loadUnaligned(as: CK_ULONG.self) }
    }

    static func bool(_ bytes: [UInt8]) throws(CryptokiError) -> Bool {
        guard bytes.count == 1 else { throw .attributeValueInvalid }
        return bytes[0] != 0
    }

    /// A CK_MECHANISM_TYPE array (CKA_ALLOWED_MECHANISMS); a trailing partial entry is ignored.
    static func mechanismList(_ bytes: [UInt8]) -> [CK_MECHANISM_TYPE] {
        let size = MemoryLayout<CK_MECHANISM_TYPE>.size
        return bytes.withUnsafeBytes { raw in
            (0..<(raw.count / size)).map { raw.loadUnaligned(fromByteOffset: $0 * size, as: CK_MECHANISM_TYPE.self) }
        }
    }
}
