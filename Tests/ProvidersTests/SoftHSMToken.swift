import CryptoFramework
import Foundation
import ProcessSupport
import Providers
import TestSupport
import Testing

/// SoftHSM2 tokens for this test process, made once in a temporary directory
/// (SOFTHSM2_CONF points there before the module is first loaded: SoftHSM
/// reads it in C_Initialize, once per process). Two tokens: `test` (user PIN
/// 1234), which the tests log in to, and `other` (user PIN 4321), which only
/// the wrong-PIN test tries, so its login state is never shared.
/// SoftHSM2 missing is a failure with a clear message, never a silent skip.
enum SoftHSMToken {
    static let modulePath = "/usr/lib/softhsm/libsofthsm2.so"

    struct Setup: Sendable {
        let directory: URL
        let pinFile: String
        let otherPinFile: String
        let wrongPinFile: String
    }

    static let setup: Result<Setup, SetupError> = {
        do { return .success(try make()) } catch let e as SetupError { return .failure(e) } catch {
            return .failure(SetupError(description: "SoftHSM2 token set-up failed: \(error)"))
        }
    }()

    struct SetupError: Error, CustomStringConvertible {
        let description: String
    }

    /// The token set-up, or a recorded failure naming what to install.
    static func require() throws -> Setup {
        switch setup {
        case .success(let s): return s
        case .failure(let e): throw e
        }
    }

    static func policy(pinFile: String? = nil, token: String? = "test", disabled: Set<Mechanism> = []) throws -> Policy {
        let s = try require()
        var policy = Policy()
        policy[provider: modulePath] = ProviderPolicy(disabled: disabled, pinFile: pinFile ?? s.pinFile, tokenLabel: token)
        return policy
    }

    /// A host framework with the module installed (token `test`, logged in).
    static func framework() throws -> CryptoFramework {
        let fw = try CryptoFramework(platform: .host, policy: .inMemory(try policy()))
        if let error = fw.loadError(provider: modulePath) { throw error }
        return fw
    }

    private static func make() throws -> Setup {
        guard FileManager.default.fileExists(atPath: modulePath) else {
            throw SetupError(description: "SoftHSM2 is not installed (\(modulePath) is missing): install it with `sudo apt-get install -y softhsm2` or run `make deps` as root")
        }
        guard let util = ["/usr/bin/softhsm2-util", "/usr/local/bin/softhsm2-util"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw SetupError(description: "softhsm2-util is not installed: `sudo apt-get install -y softhsm2`")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cf-softhsm-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let tokens = dir.appendingPathComponent("tokens")
        try FileManager.default.createDirectory(at: tokens, withIntermediateDirectories: true)
        let conf = dir.appendingPathComponent("softhsm2.conf")
        try "directories.tokendir = \(tokens.path)\nobjectstore.backend = file\nlog.level = ERROR\n".write(to: conf, atomically: true, encoding: .utf8)
        setenv("SOFTHSM2_CONF", conf.path, 1)
        for (label, pin) in [("test", "1234"), ("other", "4321")] {
            try run(util, ["--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", "5678"], conf: conf.path)
        }
        func pinFile(_ name: String, _ pin: String) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try (pin + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o600)
            return path
        }
        return Setup(
            directory: dir, pinFile: try pinFile("test.pin", "1234"), otherPinFile: try pinFile("other.pin", "4321"),
            wrongPinFile: try pinFile("wrong.pin", "9999"))
    }

    static func run(_ tool: String, _ arguments: [String], conf: String) throws {
        var command = Command(tool, arguments, environment: ["SOFTHSM2_CONF": conf])
        command.preloadsSanitizerRuntime = false  // SoftHSM2's utility never loads our module
        do {
            try ChildProcess.check(command)
        } catch {
            throw SetupError(description: "\(error)")
        }
    }
}

/// Fake modules for the load-failure tests.
enum FakeModules {
    /// Builds Fixtures/failing_initialize_module.c into a shared library in a temporary directory.
    static func failingInitialize() throws -> String {
        try FakePKCS11Module.build("failing_initialize_module.c", as: "libfailinit.so")
    }

    /// Builds Fixtures/incomplete_function_list_module.c (C_Initialize succeeds, C_GetInfo is NULL).
    static func incompleteFunctionList() throws -> String {
        try FakePKCS11Module.build("incomplete_function_list_module.c", as: "libincomplete.so")
    }

    /// A text file named like a library.
    static func textFile() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cf-text-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).so").path
        try "this is not a shared library\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A real shared library that is not a PKCS#11 module.
    static var libc: String {
        ["/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6", "/usr/lib64/libc.so.6"]
            .first { FileManager.default.fileExists(atPath: $0) } ?? "/lib/x86_64-linux-gnu/libc.so.6"
    }
}
