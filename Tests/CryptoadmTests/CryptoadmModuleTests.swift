import Foundation
import ProcessSupport
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// install / uninstall / list of PKCS#11 modules, running the built binary
/// against a SoftHSM2 token made in a temporary directory (SOFTHSM2_CONF is
/// passed to each cryptoadm run). SoftHSM2 missing is a failure that says
/// what to install, never a skip.
@Suite("cryptoadm and PKCS#11 modules (SoftHSM2)")
struct CryptoadmModuleTests {
    static let module = "/usr/lib/softhsm/libsofthsm2.so"

    struct Token {
        let directory: URL
        let environment: [String: String]
        let pinFile: String
        let wrongPinFile: String
    }

    /// A fresh token `test` (user PIN 1234) for one test.
    static func token() throws -> Token {
        guard FileManager.default.fileExists(atPath: module), FileManager.default.isExecutableFile(atPath: "/usr/bin/softhsm2-util") else {
            Issue.record("SoftHSM2 is not installed (\(module), /usr/bin/softhsm2-util): `sudo apt-get install -y softhsm2` or `make deps` as root")
            throw CancellationError()
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cryptoadm-hsm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("tokens"), withIntermediateDirectories: true)
        let conf = dir.appendingPathComponent("softhsm2.conf").path
        try "directories.tokendir = \(dir.path)/tokens\nobjectstore.backend = file\nlog.level = ERROR\n".write(toFile: conf, atomically: true, encoding: .utf8)
        var initToken = Command("/usr/bin/softhsm2-util", ["--init-token", "--free", "--label", "test", "--pin", "1234", "--so-pin", "5678"],
                                environment: ["SOFTHSM2_CONF": conf])
        initToken.preloadsSanitizerRuntime = false  // SoftHSM2's utility never loads our module
        try ChildProcess.check(initToken)
        func pin(_ name: String, _ value: String) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try "\(value)\n".write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o600)
            return path
        }
        return Token(directory: dir, environment: ["SOFTHSM2_CONF": conf], pinFile: try pin("pin", "1234"), wrongPinFile: try pin("bad", "0000"))
    }

    static func bytes(_ url: URL) -> Data? { try? Data(contentsOf: url) }

    @Test("install, list (-m, -v, -p), disable/enable, uninstall")
    func lifecycle() throws {
        let t = try Self.token()
        let conf = try scratchConfig("gmp:disabledlist=CKM_DH_PKCS_DERIVE\n")
        let env = t.environment
        var run = try cryptoadm("install", "provider=\(Self.module)", "pinfile=\(t.pinFile)", "token=test", "--config", conf.path, environment: env)
        #expect(run.status == 0, "\(run)")
        let text = try String(contentsOf: conf, encoding: .utf8)
        #expect(text.contains("\(Self.module):pinfile=\(t.pinFile);token=test\n"))
        #expect(!text.contains("1234"), "the PIN never reaches kcf.conf")

        run = try cryptoadm("list", "--config", conf.path, environment: env)
        #expect(run.status == 0)
        #expect(run.standardOutput.hasPrefix("\nUser-level providers:\nProvider: \(Self.module)\n\nSoftware providers:\n"), "\(run)")

        run = try cryptoadm("list", "-m", "provider=\(Self.module)", "--config", conf.path, environment: env)
        #expect(run.standardOutput.hasPrefix("Provider: \(Self.module)\nMechanisms:\nCKM_RSA_PKCS_KEY_PAIR_GEN    \nCKM_RSA_PKCS                 \n"), "\(run)")

        run = try cryptoadm("list", "-v", "--config", conf.path, environment: env)
        for line in ["Provider: \(Self.module)", "Number of slots: 2", "Slot #1", "Description: SoftHSM slot ID", "Manufacturer: SoftHSM project",
                     "PKCS#11 Version: 2.40", "Token Present: True", "Slot Flags: CKF_TOKEN_PRESENT ", "Token Label: test",
                     "Manufacturer ID: SoftHSM project", "Model: SoftHSM v2", "Serial Number: ", "PIN Min Length: 4",
                     "Flags: CKF_RNG CKF_LOGIN_REQUIRED CKF_USER_PIN_INITIALIZED"] {
            #expect(run.standardOutput.contains("\n" + line), "missing \(line): \(run)")
        }

        run = try cryptoadm("list", "-mv", "provider=\(Self.module)", "mechanism=CKM_RSA_PKCS", "--config", conf.path, environment: env)
        // Encrypt and decrypt too: the token's CKM_RSA_X_509 under the framework's padding.
        #expect(run.standardOutput.contains("CKM_RSA_PKCS                 512  16384 .  X  X  .  X  .  X  .  .  .  .  .  .  ."), "\(run)")

        run = try cryptoadm("disable", "provider=\(Self.module)", "mechanism=CKM_RSA_PKCS_PSS,CKM_NOPE", "--config", conf.path, environment: env)
        #expect(run.status == 1)
        #expect(run.standardError.contains("(Warning) CKM_NOPE is not a valid mechanism for \(Self.module)."))
        run = try cryptoadm("list", "-p", "provider=\(Self.module)", "--config", conf.path, environment: env)
        #expect(run.standardOutput == "\(Self.module): all mechanisms are enabled, except CKM_RSA_PKCS_PSS. random is enabled.\n", "\(run)")
        run = try cryptoadm("enable", "provider=\(Self.module)", "all", "--config", conf.path, environment: env)
        #expect(run.status == 0)
        #expect(try String(contentsOf: conf, encoding: .utf8).contains("\(Self.module):pinfile="), "enabling everything keeps the installation")

        run = try cryptoadm("uninstall", "provider=\(Self.module)", "--config", conf.path, environment: env)
        #expect(run.status == 0, "\(run)")
        let after = try String(contentsOf: conf, encoding: .utf8)
        #expect(!after.contains(Self.module) && after.contains("gmp:disabledlist=CKM_DH_PKCS_DERIVE"))
        run = try cryptoadm("uninstall", "provider=\(Self.module)", "--config", conf.path, environment: env)
        #expect(run.status == 1 && run.standardError == "cryptoadm: \(Self.module) does not exist.\n", "\(run)")
    }

    @Test("install with mechanism=LIST enables only those")
    func installWithMechanisms() throws {
        let t = try Self.token()
        let conf = try scratchConfig()
        let run = try cryptoadm("install", "provider=\(Self.module)", "mechanism=CKM_RSA_PKCS,CKM_SHA256_RSA_PKCS", "pinfile=\(t.pinFile)",
                                "--config", conf.path, environment: t.environment)
        #expect(run.status == 0, "\(run)")
        let p = try cryptoadm("list", "-p", "provider=\(Self.module)", "--config", conf.path, environment: t.environment)
        #expect(p.standardOutput.hasPrefix("\(Self.module): all mechanisms are enabled, except CKM_RSA_PKCS_KEY_PAIR_GEN,CKM_RSA_X_509,"), "\(p)")
        #expect(!p.standardOutput.contains("CKM_RSA_PKCS,") && !p.standardOutput.contains("CKM_SHA256_RSA_PKCS,"))
        #expect(p.standardOutput.hasSuffix("random is enabled.\n"))
        let again = try cryptoadm("install", "provider=\(Self.module)", "--config", conf.path, environment: t.environment)
        #expect(again.status == 1 && again.standardError.contains("is installed already"), "\(again)")
    }

    static func failingInitializeModule() throws -> String {
        try FakePKCS11Module.build("failing_initialize_module.c", as: "libfailinit.so")
    }

    @Test("a file that is not a module, a failing C_Initialize, a wrong PIN: exit 1, a clear message, kcf.conf untouched")
    func refusedInstalls() throws {
        let t = try Self.token()
        let text = FileManager.default.temporaryDirectory.appendingPathComponent("cryptoadm-text-\(UUID().uuidString).so")
        try "not a library\n".write(to: text, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["provider=/lib/x86_64-linux-gnu/libc.so.6"], "has no C_GetFunctionList symbol"),
            (["provider=\(text.path)"], "cannot be loaded as a shared library"),
            (["provider=\(try Self.failingInitializeModule())"], "C_Initialize"),
            (["provider=\(Self.module)", "pinfile=\(t.wrongPinFile)"], "CKR_PIN_INCORRECT"),
            (["provider=\(Self.module)", "token=absent"], "no token labelled 'absent'"),
            (["provider=\(Self.module)", "pinfile=\(t.directory.path)/missing"], "cannot read pinfile"),
        ]
        for (operands, says) in cases {
            let conf = try scratchConfig("# mine\nsparcfp:unload\n")
            let before = Self.bytes(conf)
            let run = try cryptoadm(["install"] + operands + ["--config", conf.path], environment: t.environment)
            #expect(run.status == 1, "\(operands): \(run)")
            #expect(run.standardError.hasPrefix("cryptoadm: failed to install ") && run.standardError.contains(says), "\(operands): \(run)")
            #expect(Self.bytes(conf) == before, "\(operands): kcf.conf changed")
        }
        for operands in [["provider=\(Self.module)", "pin=1234"], ["provider=lib.so"], ["provider=\(Self.module)", "pinfile=relative"]] {
            let conf = try scratchConfig()
            let run = try cryptoadm(["install"] + operands + ["--config", conf.path], environment: t.environment)
            #expect(run.status == 2, "\(operands): \(run)")
            #expect(Self.bytes(conf) == nil)
        }
    }

    @Test("list names an installed module that no longer loads, and says why")
    func listShowsFailedModule() throws {
        let t = try Self.token()
        let conf = try scratchConfig("/nonexistent/libgone.so:\n")
        let run = try cryptoadm("list", "--config", conf.path, environment: t.environment)
        #expect(run.status == 0)
        #expect(run.standardOutput.contains("Provider: /nonexistent/libgone.so (failed to load: /nonexistent/libgone.so: cannot load PKCS#11 module: No such file or directory)"), "\(run)")
    }
}

private func cryptoadm(_ arguments: [String], environment: [String: String]) throws -> ChildProcess.Outcome {
    try CryptoadmProcess(arguments, environment: environment).wait()
}
