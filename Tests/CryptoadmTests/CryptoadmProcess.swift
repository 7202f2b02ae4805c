import Foundation
import ProcessSupport
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The built `cryptoadm` binary, run as a separate process (STYLE.md: tests run
/// the built binary and compare output and exit code).
enum CryptoadmBinary {
    /// `$CRYPTOADM_BINARY`, else `cryptoadm` in the build products directory
    /// the test bundle runs from (the test target depends on the executable, so
    /// `swift test` builds it there), else `.build/debug/cryptoadm` under the package.
    static let url: URL = {
        if let explicit = ProcessInfo.processInfo.environment["CRYPTOADM_BINARY"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        return BuildProducts.url(of: "cryptoadm")
    }()

    /// The package's root directory, from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// A `cryptoadm` process, its standard output and error captured apart.
final class CryptoadmProcess: Sendable {
    let child: ChildProcess

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        var command = Command(CryptoadmBinary.url.path, arguments)
        let scratch = FileManager.default.temporaryDirectory
        // Never fall back to the real user's policy file.
        command.environment["CRYPTOFRAMEWORK_CONF"] = scratch.appendingPathComponent("cryptoadm-no-such-\(UUID().uuidString)/kcf.conf").path
        // Nor at the real user's PKCS#11 keystore (`list -v` shows the module's token); a fixed
        // path keeps golden output stable.
        command.environment["CRYPTOFRAMEWORK_KEYSTORE"] = "/nonexistent/cryptoframework-test-keystore"
        command.environment["CRYPTOFRAMEWORK_PLATFORM"] = nil
        command.environment.merge(environment) { _, new in new }
        command.standardError = .capture
        command.preloadsSanitizerRuntime = false  // our own binary: the instrumented build carries its runtime
        child = try ChildProcess(command)
    }

    /// What it has written to standard error so far.
    var stderrSoFar: String { child.standardError }

    /// Blocks until it exits.
    func wait() -> ChildProcess.Outcome {
        child.waitForExit()
        return child.outcome!
    }
}

/// Runs `cryptoadm ARGUMENTS` to completion.
func cryptoadm(_ arguments: String..., environment: [String: String] = [:]) throws -> ChildProcess.Outcome {
    try CryptoadmProcess(arguments, environment: environment).wait()
}

/// A fresh directory for one test's kcf.conf.
func scratchConfig(_ contents: String? = nil) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cryptoadm-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent("kcf.conf")
    if let contents { try Data(contents.utf8).write(to: url) }
    return url
}
