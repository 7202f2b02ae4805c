internal import CPKCS11
import CryptoFramework

#if canImport(Glibc)
import Glibc
#endif

/// A PKCS#11 attribute template that owns the memory its values point to:
/// every value is copied into a buffer freed (and wiped, since templates carry
/// key material) when the template goes away, so the pointers stay valid for
/// the whole C call.
final class PKCS11AttributeTemplate {
    private var attributes: [CK_ATTRIBUTE] = []
    private var buffers: [UnsafeMutableRawBufferPointer] = []

    init() {}

    deinit {
        for buffer in buffers {
            explicit_bzero(buffer.baseAddress!, buffer.count)  // allocated with at least 1 byte
            buffer.deallocate()
        }
    }

    func add(_ type: CK_ATTRIBUTE_TYPE, bytes: UnsafeRawBufferPointer) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        if bytes.count > 0 { buffer.copyMemory(from: bytes) }
        buffers.append(buffer)
        attributes.append(CK_ATTRIBUTE(type: type, pValue: buffer.baseAddress, ulValueLen: CK_ULONG(bytes.count)))
    }

    func add(_ type: CK_ATTRIBUTE_TYPE, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { add(type, bytes: $0) }
    }

    func add(_ type: CK_ATTRIBUTE_TYPE, _ secret: SecureBytes) {
        secret.withUnsafeBytes { add(type, bytes: $0) }
    }

    func add(_ type: CK_ATTRIBUTE_TYPE, ulong value: CK_ULONG) {
        withUnsafeBytes(of: value) { add(type, bytes: $0) }
    }

    func add(_ type: CK_ATTRIBUTE_TYPE, bool value: Bool) {
        withUnsafeBytes(of: CK_BBOOL(value ? CK_TRUE : CK_FALSE)) { add(type, bytes: $0) }
    }

    func withAttributes<R>(_ body: (UnsafeMutablePointer<CK_ATTRIBUTE>, CK_ULONG) throws -> R) rethrows -> R {
        try attributes.withUnsafeMutableBufferPointer { try body($0.baseAddress!, CK_ULONG($0.count)) }
    }
}
