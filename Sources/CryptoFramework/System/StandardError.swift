#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The package's one writer of diagnostics: text straight to file descriptor 2,
/// unbuffered and without Foundation, so a library running inside someone
/// else's process (the PKCS#11 module) and the command-line tools report the same way.
public enum StandardError {
    public static func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return  // stderr closed or full: a diagnostic is not worth failing for
                }
            }
        }
    }
}
