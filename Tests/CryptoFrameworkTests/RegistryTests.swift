import CryptoFramework
import Foundation
import Testing

@Suite("Registry selection and failover (docs/DESIGN.md Selection rules 1-4)")
struct RegistryTests {
    @Test("hardware is preferred over software, software by priority")
    func hardwareFirstThenPriority() throws {
        let a = ScriptedProvider("alpha", mechanisms: [.digest()])
        let b = ScriptedProvider("beta", mechanisms: [.digest()])
        let fw1 = try CryptoFramework(platform: .scripted([a, b], priority: ["beta", "alpha"]), policy: .inMemory(Policy()))
        #expect(try fw1.whoDigests() == "beta")

        let hw = ScriptedProvider("dev/0", mechanisms: [.digest()])
        let fw2 = try CryptoFramework(platform: .scripted([a, hw, b]), policy: .inMemory(Policy()))
        #expect(fw2.providers.first { $0.name == "dev/0" }?.kind == .hardware)
        #expect(try fw2.whoDigests() == "dev/0")

        // A module that flags the mechanism CKF_HW is preferred like hardware.
        let module = ScriptedProvider("/opt/token.so", mechanisms: [.digest(hw: true)])
        let fw3 = try CryptoFramework(platform: .scripted([a, module]), policy: .inMemory(Policy()))
        #expect(try fw3.whoDigests() == "/opt/token.so")
    }

    @Test("among hardware providers the least loaded is chosen")
    func leastLoadedHardware() throws {
        let d0 = ScriptedProvider("dev/0", mechanisms: [.digest()])
        let d1 = ScriptedProvider("dev/1", mechanisms: [.digest()])
        let fw = try CryptoFramework(platform: .scripted([d0, d1]), policy: .inMemory(Policy()))
        d0.setLoad(7)
        d1.setLoad(2)
        #expect(try fw.whoDigests() == "dev/1")
        d1.setLoad(9)
        #expect(try fw.whoDigests() == "dev/0")
    }

    static let recoverable: [CryptoError.Code] = [.busy, .deviceError, .keySizeRange, .providerFailed, .mechanismInvalid, .hostMemory]

    @Test("a recoverable failure sends the request to the next provider", arguments: recoverable)
    func recoverableFailover(code: CryptoError.Code) throws {
        let hw = ScriptedProvider("dev/0", mechanisms: [.digest()])
        let sw = ScriptedProvider("soft", mechanisms: [.digest()])
        let fw = try CryptoFramework(platform: .scripted([hw, sw]), policy: .inMemory(Policy()))
        hw.fail(with: CryptoError(code, "injected"))
        let reported = try fw.perform(.digest(.sha256, data: []))
        #expect(reported.report.provider == "soft")
        #expect(reported.report.failovers.map(\.provider) == ["dev/0"])
        #expect(reported.report.failovers.first?.error.code == code)
        #expect(fw.stats(for: "dev/0")?.failovers == 1)
        #expect(fw.stats(for: "soft")?.completed == 1)
    }

    @Test("an unrecoverable error is returned at once, not retried")
    func unrecoverableIsNotRetried() throws {
        let hw = ScriptedProvider("dev/0", mechanisms: [.digest()])
        let sw = ScriptedProvider("soft", mechanisms: [.digest()])
        let fw = try CryptoFramework(platform: .scripted([hw, sw]), policy: .inMemory(Policy()))
        hw.fail(with: CryptoError(.dataLengthRange, "bad input"))
        #expect(throws: CryptoError(.dataLengthRange, "bad input")) { try fw.whoDigests() }
        #expect(sw.served == 0)
    }

    @Test("when every provider fails, the error names each provider tried")
    func allFailNamesEveryone() throws {
        let hw = ScriptedProvider("dev/0", mechanisms: [.digest()])
        let sw = ScriptedProvider("soft", mechanisms: [.digest()])
        let fw = try CryptoFramework(platform: .scripted([hw, sw]), policy: .inMemory(Policy()))
        hw.fail(with: CryptoError(.busy, "queue full"))
        sw.fail(with: CryptoError(.deviceError, "broken"))
        let error = try #require(throws: CryptoError.self) { try fw.whoDigests() }
        #expect(error.message.contains("dev/0"))
        #expect(error.message.contains("soft"))
        #expect(error.message.contains("queue full"))
        #expect(error.message.contains("CKM_SHA256"))
    }

    @Test("a FAILED provider is skipped, and selected again once repaired")
    func failedProviderSkipped() throws {
        let hw = ScriptedProvider("dev/0", mechanisms: [.digest()])
        let sw = ScriptedProvider("soft", mechanisms: [.digest()])
        let fw = try CryptoFramework(platform: .scripted([hw, sw]), policy: .inMemory(Policy()))
        hw.setFailed(true)
        #expect(try fw.whoDigests() == "soft")
        hw.setFailed(false)
        #expect(try fw.whoDigests() == "dev/0")
    }

    @Test("key-size ranges route requests, and no fit is a clear error")
    func keySizeRanges() throws {
        let hw = ScriptedProvider("dev/0", mechanisms: [.generateDH(512...2048)])
        let sw = ScriptedProvider("soft", mechanisms: [.generateDH(512...4096)])
        let fw = try CryptoFramework(platform: .scripted([hw, sw]), policy: .inMemory(Policy()))
        func who(_ group: DHGroup) throws -> String {
            let r = try fw.perform(.generateDHKeyPair(group: group, privateBits: nil))
            return r.report.provider
        }
        #expect(try who(.modp14) == "dev/0")
        #expect(try who(.modp15) == "soft")
        let error = try #require(throws: CryptoError.self) { try who(.modp18) }
        #expect(error.code == .keySizeRange)
        #expect(error.message.contains("8192-bit"))
        #expect(error.message.contains("dev/0: 512...2048"))
    }

    @Test("policy changes apply to the next request")
    func policyAppliesAtOnce() throws {
        let hw = ScriptedProvider("dev/0", mechanisms: [.digest(), .digest(.sha1)])
        let sw = ScriptedProvider("soft", mechanisms: [.digest(), .digest(.sha1)])
        let fw = try CryptoFramework(platform: .scripted([hw, sw]), policy: .inMemory(Policy()))
        #expect(try fw.whoDigests() == "dev/0")
        var policy = Policy()
        policy.disable(provider: "dev/0", mechanisms: [.sha256])
        fw.setPolicy(policy)
        #expect(try fw.whoDigests() == "soft")
        #expect(try fw.whoDigests(.sha1) == "dev/0")
        policy.disable(provider: "soft", mechanisms: [.sha256])
        fw.setPolicy(policy)
        let error = try #require(throws: CryptoError.self) { try fw.whoDigests() }
        #expect(error.code == .mechanismNotSupported)
        #expect(error.message.contains("disabled by policy"))
        policy.enable(provider: "dev/0", mechanisms: [.sha256])
        fw.setPolicy(policy)
        #expect(try fw.whoDigests() == "dev/0")
        policy.setUnloaded(true, provider: "soft")
        fw.setPolicy(policy)
        #expect(!fw.isActive(provider: "soft"))
    }

    @Test("pinned views use one provider, and unknown names are errors")
    func pinnedViews() throws {
        let hw = ScriptedProvider("dev/0", mechanisms: [.digest()])
        let sw = ScriptedProvider("soft", mechanisms: [.digest()])
        let fw = try CryptoFramework(platform: .scripted([hw, sw]), policy: .inMemory(Policy()))
        #expect(try fw.pinned(to: "soft").whoDigests() == "soft")
        let unknown = try #require(throws: CryptoError.self) { try fw.pinned(to: "nosuch") }
        #expect(unknown.code == .unknownProvider)
        let notOffered = try #require(throws: CryptoError.self) { try fw.pinned(to: "soft").whoDigests(.sha1) }
        #expect(notOffered.code == .mechanismNotSupported)
        hw.fail(with: CryptoError(.busy, "full"))
        // A pinned view does not fail over to other providers.
        #expect(throws: CryptoError.self) { try fw.pinned(to: "dev/0").whoDigests() }
    }

    @Test("Mechanism(name:) knows the catalog and rejects unknown names")
    func mechanismNames() {
        #expect(Mechanism(name: "CKM_SHA256_RSA_PKCS") == .sha256RSAPKCS)
        #expect(Mechanism(name: "CKM_SHA256_RSA_PKCS")?.value == 0x40)
        #expect(Mechanism(name: "CKM_DH_PKCS_DERIVE")?.value == 0x21)
        #expect(Mechanism(name: "random") == .random)
        #expect(Mechanism(name: "CKM_NOPE") == nil)
        #expect(Mechanism(name: "ckm_sha256") == nil)
        #expect(Set(Mechanism.catalog.map(\.value)).count == Mechanism.catalog.count)
    }
}
