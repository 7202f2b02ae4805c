import Foundation
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
        let fileManager = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["CRYPTOADM_BINARY"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        var directories: [URL] = [Bundle.main.bundleURL]
        if let executable = Bundle.main.executableURL { directories.append(executable.deletingLastPathComponent()) }
        directories += directories.map { $0.deletingLastPathComponent() }
        for directory in directories {
            let candidate = directory.appendingPathComponent("cryptoadm")
            if fileManager.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return packageRoot.appendingPathComponent(".build/debug/cryptoadm")
    }()

    /// The package's root directory, from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// One finished run: exit status and everything it wrote.
struct CryptoadmRun: CustomStringConvertible {
    let status: Int32
    let stdout: String
    let stderr: String

    var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// A `cryptoadm` process; output goes to temp files so neither pipe can fill and block it.
final class CryptoadmProcess {
    let process = Process()
    private let stdoutURL: URL
    private let stderrURL: URL

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        let scratch = FileManager.default.temporaryDirectory
        stdoutURL = scratch.appendingPathComponent("cryptoadm-out-\(UUID().uuidString)")
        stderrURL = scratch.appendingPathComponent("cryptoadm-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = CryptoadmBinary.url
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        // Never fall back to the real user's policy file.
        env["CRYPTOFRAMEWORK_CONF"] = scratch.appendingPathComponent("cryptoadm-no-such-\(UUID().uuidString)/kcf.conf").path
        // Nor at the real user's PKCS#11 keystore (`list -v` shows the module's token); a fixed
        // path keeps golden output stable.
        env["CRYPTOFRAMEWORK_KEYSTORE"] = "/nonexistent/cryptoframework-test-keystore"
        env["CRYPTOFRAMEWORK_PLATFORM"] = nil
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
    }

    /// What it has written to standard error so far.
    var stderrSoFar: String {
        (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
    }

    func wait() -> CryptoadmRun {
        process.waitUntilExit()
        defer {
            try? FileManager.default.removeItem(at: stdoutURL)
            try? FileManager.default.removeItem(at: stderrURL)
        }
        return CryptoadmRun(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "",
            stderr: stderrSoFar)
    }
}

/// Runs `cryptoadm ARGUMENTS` to completion.
func cryptoadm(_ arguments: String..., environment: [String: String] = [:]) throws -> CryptoadmRun {
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
