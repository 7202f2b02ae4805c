internal import CLibCrypto
import CryptoFramework

/// The one place a libcrypto failure becomes a ``CryptoError``: it drains the
/// thread's OpenSSL error queue so a stale entry never leaks into a later
/// operation, and keeps the library's own text for the message.
enum OpenSSLFailure {
    /// The error for a failed libcrypto call. The default code, CRYPTO_FAILED,
    /// is recoverable: the registry may take the request to another provider.
    static func error(_ code: CryptoError.Code = .providerFailed, _ what: String) -> CryptoError {
        let reasons = drainErrorQueue()
        let detail = reasons.isEmpty ? "" : " (" + reasons.joined(separator: "; ") + ")"
        return CryptoError(code, "openssl: \(what) failed\(detail)")
    }

    /// Throws unless a libcrypto call returned 1 (its success value almost everywhere).
    static func check(_ result: Int32, _ what: @autoclosure () -> String) throws {
        guard result == 1 else { throw error(.providerFailed, what()) }
    }

    /// Unwraps a pointer a libcrypto allocator or constructor returned.
    static func check<T>(_ pointer: T?, _ what: @autoclosure () -> String) throws -> T {
        guard let pointer else { throw error(.hostMemory, what()) }
        return pointer
    }

    /// Forgets queued errors a call left behind on an expected outcome
    /// (a signature that does not verify).
    static func clearErrorQueue() {
        ERR_clear_error()
    }

    private static func drainErrorQueue() -> [String] {
        var reasons: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            buffer.withUnsafeMutableBufferPointer { ERR_error_string_n(code, $0.baseAddress, $0.count) }
            reasons.append(String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return reasons
    }
}
