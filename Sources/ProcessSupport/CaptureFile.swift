internal import CProcessShims

#if canImport(Glibc)
import Glibc
#endif

/// A child's captured output stream: a temporary file unlinked as soon as it
/// is made, so only the open descriptors (ours and the child's) keep it.
final class CaptureFile: Sendable {
    let descriptor: Int32

    init() throws {
        let directory = (getenv("TMPDIR").map { String(cString: $0) }).flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(directory)/cf-child-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { CProcessShims_mkstemp_cloexec($0.baseAddress!) }
        guard fd >= 0 else {
            throw ChildProcess.Failure(description: "cannot make a capture file in \(directory): \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Everything written so far, as UTF-8 (invalid bytes repaired).
    var text: String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(bytes.count)) }
            if n > 0 {
                bytes += chunk[0..<n]
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
