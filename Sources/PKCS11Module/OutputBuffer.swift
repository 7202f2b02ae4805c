internal import CPKCS11

/// PKCS#11's two-call output protocol (v2.40 §5.2), in one place: a NULL
/// buffer asks for the length; a short one is CKR_BUFFER_TOO_SMALL with the
/// length set; otherwise the bytes are copied and the length set to theirs.
enum OutputBuffer {
    enum Outcome {
        /// The caller only learned the length (the operation stays active).
        case lengthOnly
        /// The buffer is too small (the operation stays active).
        case tooSmall
        case written
    }

    /// The length check alone, for callers that must know before computing.
    static func check(
        needed: Int, buffer: UnsafeMutablePointer<CK_BYTE>?, length: UnsafeMutablePointer<CK_ULONG>?
    ) throws(CryptokiError) -> Outcome {
        guard let length else { throw .argumentsBad }
        let capacity = length.pointee
        length.pointee = CK_ULONG(needed)
        guard buffer != nil else { return .lengthOnly }
        guard capacity >= CK_ULONG(needed) else { throw CryptokiError(CKR_BUFFER_TOO_SMALL) }
        return .written
    }

    /// Writes `bytes` under the protocol; returns whether they were written.
    @discardableResult
    static func write(
        _ bytes: [UInt8], to buffer: UnsafeMutablePointer<CK_BYTE>?, length: UnsafeMutablePointer<CK_ULONG>?
    ) throws(CryptokiError) -> Bool {
        guard try check(needed: bytes.count, buffer: buffer, length: length) == .written, let buffer else { return false }
        bytes.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { buffer.update(from: base, count: source.count) }
        }
        return true
    }

    /// Copies a fixed-width, blank-padded PKCS#11 string (labels, descriptions).
    static func blankPadded<T>(_ text: String, into field: inout T) {
        withUnsafeMutableBytes(of: &field) { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0x20)
            for (i, byte) in text.utf8.prefix(raw.count).enumerated() { raw[i] = byte }
        }
    }
}
