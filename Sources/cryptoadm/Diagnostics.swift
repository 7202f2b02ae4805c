import CryptoFramework

/// Solaris cryptoadm's exit status (cryptoadm.h: SUCCESS, FAILURE, ERROR_USAGE).
enum ExitStatus {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 2
}

/// A failure to report as `cryptoadm: MESSAGE` with exit status 1.
struct AdminFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Warnings and errors go to standard error, unbuffered, as Solaris' cryptoerror(LOG_STDERR),
/// through the framework's one diagnostics writer.
extension StandardError {
    /// `cryptoadm: TEXT` on a line of its own.
    static func report(_ text: String) {
        write("cryptoadm: \(text)\n")
    }
}
