import CryptoFramework
import Foundation
import ProcessSupport
import Testing

@Suite("A running framework follows its policy file")
struct PolicyReloadTests {
    func temporaryConf() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cf-reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("kcf.conf")
    }

    /// Requests until `who()` answers `expected` (polled, bounded); returns a fresh answer.
    func waitFor(_ expected: String, _ who: () throws -> String) async throws -> String {
        _ = try await Polling.until(interval: 0.02) { try who() == expected }
        return try who()
    }

    @Test("a change written by another writer applies to new requests without a restart")
    func changedFileApplies() async throws {
        let url = try temporaryConf()
        let hw = ScriptedProvider("dev/0", mechanisms: [.digest()])
        let sw = ScriptedProvider("soft", mechanisms: [.digest()])
        let fw = try CryptoFramework(platform: .scripted([hw, sw]), policy: .file(url))
        #expect(try fw.whoDigests() == "dev/0")

        try PolicyStore(url: url).update { $0.disable(provider: "dev/0", mechanisms: [.sha256]) }
        #expect(try await waitFor("soft") { try fw.whoDigests() } == "soft")

        try PolicyStore(url: url).update { $0.enable(provider: "dev/0", mechanisms: [.sha256]) }
        #expect(try await waitFor("dev/0") { try fw.whoDigests() } == "dev/0")
    }

    @Test("a malformed new file keeps the last good policy and reports where it is wrong")
    func malformedChangeIsNotApplied() async throws {
        let url = try temporaryConf()
        try PolicyStore(url: url).update { $0.disable(provider: "dev/0", mechanisms: [.sha256]) }
        let hw = ScriptedProvider("dev/0", mechanisms: [.digest()])
        let sw = ScriptedProvider("soft", mechanisms: [.digest()])
        let fw = try CryptoFramework(platform: .scripted([hw, sw]), policy: .file(url))
        #expect(try fw.whoDigests() == "soft")

        try "dev/0:disabledlist=CKM_NO_SUCH\n".write(to: url, atomically: true, encoding: .utf8)
        // Requests make the framework look at the file: poll with them (bounded).
        _ = try await Polling.until(interval: 0.02) {
            _ = try fw.whoDigests()
            return fw.policyLoadError != nil
        }
        let error = try #require(fw.policyLoadError)
        #expect(error.code == .policyInvalid)
        #expect(error.message.contains(":1:"))
        // Nothing was silently enabled.
        #expect(try fw.whoDigests() == "soft")
    }

    @Test("a malformed file at start-up is an error naming the line")
    func malformedAtStart() throws {
        let url = try temporaryConf()
        try "# ok\nopenssl:disabledlist=CKM_RSA_PKCS,\n".write(to: url, atomically: true, encoding: .utf8)
        let error = try #require(throws: CryptoError.self) {
            try CryptoFramework(platform: .scripted([]), policy: .file(url))
        }
        #expect(error.code == .policyInvalid)
        #expect(error.message.contains(":2:"))
    }
}
