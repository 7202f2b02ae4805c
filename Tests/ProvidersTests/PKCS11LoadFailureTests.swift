import CryptoFramework
import Foundation
import ProcessSupport
import Providers
import Testing

/// Modules that cannot serve: each is a clear error from PKCS11Provider, and
/// a framework whose policy installs one starts anyway and lists it FAILED.
@Suite("PKCS#11 modules that fail to load", .serialized)
struct PKCS11LoadFailureTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let path: @Sendable () throws -> String
        var pinFile: (@Sendable (SoftHSMToken.Setup) -> String)? = nil
        var token: String? = nil
        let says: [String]
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "libc, a library without C_GetFunctionList", path: { FakeModules.libc },
             says: ["is not a PKCS#11 module", "no C_GetFunctionList"]),
        Case(label: "a text file", path: { try FakeModules.textFile() },
             says: ["is not a PKCS#11 module", "cannot be loaded as a shared library"]),
        Case(label: "a missing file", path: { "/nonexistent/libnothing.so" }, says: ["cannot load PKCS#11 module", "No such file"]),
        Case(label: "a module whose C_Initialize fails", path: { try FakeModules.failingInitialize() },
             says: ["C_Initialize", "CKR_GENERAL_ERROR"]),
        Case(label: "a module whose function list has NULL entries", path: { try FakeModules.incompleteFunctionList() },
             says: ["is not a usable PKCS#11 module", "no C_GetInfo"]),
        Case(label: "a token with a wrong PIN", path: { SoftHSMToken.modulePath }, pinFile: { $0.wrongPinFile }, token: "other",
             says: ["C_Login", "CKR_PIN_INCORRECT", "PIN"]),
        Case(label: "a token label that is not there", path: { SoftHSMToken.modulePath }, token: "nosuch",
             says: ["no token labelled 'nosuch'"]),
    ]

    @Test("clear error from the provider; the framework lists the module FAILED and serves on", arguments: cases)
    func failsClearly(_ c: Case) throws {
        let setup = try SoftHSMToken.require()
        let path = try c.path()
        let entry = ProviderPolicy(pinFile: c.pinFile?(setup), tokenLabel: c.token)
        do {
            _ = try PKCS11Provider(path: path, policy: entry)
            Issue.record("\(c.label) loaded")
        } catch let error as CryptoError {
            for phrase in c.says { #expect(error.message.contains(phrase), "\(error.message)") }
            #expect(error.message.contains(path))
        }
        var policy = Policy()
        policy[provider: path] = entry
        let fw = try CryptoFramework(platform: .host, policy: .inMemory(policy))
        let listed = try #require(fw.providers.first { $0.name == path })
        #expect(listed.mechanisms.isEmpty)
        #expect(listed.summary.hasPrefix("failed to load: "))
        #expect(fw.provider(named: path)?.isFailed == true)
        #expect(fw.loadError(provider: path) != nil)
        // Everything else still works.
        #expect(try fw.digest(.sha256, data: [1]).count == 32)
        #expect(throws: CryptoError.self) { try fw.pinned(to: path).random(count: 4) }
    }

    @Test("a pinfile others can read is refused")
    func pinFileModeChecked() throws {
        let setup = try SoftHSMToken.require()
        let loose = setup.directory.appendingPathComponent("loose.pin").path
        try "1234\n".write(toFile: loose, atomically: true, encoding: .utf8)
        chmod(loose, 0o644)
        #expect {
            try PKCS11Provider(path: SoftHSMToken.modulePath, policy: ProviderPolicy(pinFile: loose, tokenLabel: "test"))
        } throws: { ($0 as? CryptoError)?.message.contains("accessible to others") == true }
    }

    @Test("a platform without a module factory lists an installed module as failed")
    func platformWithoutModules() throws {
        var policy = Policy()
        policy[provider: SoftHSMToken.modulePath] = ProviderPolicy()
        let bare = Platform(name: "bare", clockHz: nil, softwarePriority: ["openssl"], makeProviders: { [OpenSSLProvider()] })
        let fw = try CryptoFramework(platform: bare, policy: .inMemory(policy))
        #expect(fw.loadError(provider: SoftHSMToken.modulePath)?.message.contains("cannot load PKCS#11 modules") == true)
    }

    @Test("uninstalling the module in a running framework stops it serving new requests")
    func uninstallApplies() throws {
        let fw = try SoftHSMToken.framework()
        #expect(try fw.pinned(to: SoftHSMToken.modulePath).random(count: 8).count == 8)
        var policy = fw.policy
        policy.removeEntry(provider: SoftHSMToken.modulePath)
        fw.setPolicy(policy)
        #expect(throws: CryptoError.self) { try fw.pinned(to: SoftHSMToken.modulePath).random(count: 8) }
    }

    @Test("a module installed in a running framework's policy file serves its next requests")
    func installApplies() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cf-live-install-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let conf = dir.appendingPathComponent("kcf.conf")
        // RSA raw signatures left to the module alone once it is there.
        try PolicyStore(url: conf).update { policy in
            for software in ["openssl", "gmp", "ncp/0"] { policy.disable(provider: software, mechanisms: [.rsaPKCS]) }
        }
        let fw = try CryptoFramework(platform: .host, policy: .file(conf))
        #expect(fw.provider(named: SoftHSMToken.modulePath) == nil)
        let key = try await CryptoFramework(platform: .host, policy: .inMemory(Policy())).generateRSAKeyPair(bits: 1024)
        let hash = [UInt8](repeating: 7, count: 20)
        #expect(throws: CryptoError.self) { try fw.sign(.rsaPKCS, key: key, data: hash) }

        let installed = try SoftHSMToken.policy()[provider: SoftHSMToken.modulePath]
        try PolicyStore(url: conf).update { $0[provider: SoftHSMToken.modulePath] = installed }
        // The framework looks at its file on a request: sign until one is served (polled, bounded).
        let served = try await Polling.value(interval: 0.02) {
            try? await fw.perform(.sign(.rsaPKCS, key: key, data: hash, pss: nil)).report.provider
        }
        #expect(served == SoftHSMToken.modulePath)
        #expect(fw.providers.contains { $0.name == SoftHSMToken.modulePath })
        #expect(fw.loadError(provider: SoftHSMToken.modulePath) == nil)
    }
}
