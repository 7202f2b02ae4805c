import CryptoFramework
import Testing

/// Default selection under the platform's DeviceRanking (docs/DESIGN.md Selection
/// rule 2), on a platform of scripted providers: one device and two software.
@Suite("Selection: where devices rank against software")
struct DeviceRankingTests {
    static func framework(_ ranking: DeviceRanking, policy: Policy = Policy()) throws -> CryptoFramework {
        let platform = Platform(
            name: "ranking-test", clockHz: nil, softwarePriority: ["fast", "slow"], deviceRanking: ranking,
            makeProviders: {
                [ScriptedProvider("dev/0", mechanisms: [.digest()]), ScriptedProvider("slow", mechanisms: [.digest()]),
                 ScriptedProvider("fast", mechanisms: [.digest()])]
            })
        return try CryptoFramework(platform: platform, policy: .inMemory(policy))
    }

    @Test("hardware first: the device serves; software when the device is disabled")
    func hardwareFirst() throws {
        let fw = try Self.framework(.hardwareFirst)
        #expect(try fw.perform(.digest(.sha256, data: [1])).report.provider == "dev/0")
        #expect(fw.eligibleProviders(for: .sha256, operation: .digest, keyBits: nil) == ["dev/0", "fast", "slow"])
        var policy = Policy()
        policy.disable(provider: "dev/0", mechanisms: [.sha256])
        fw.setPolicy(policy)
        #expect(try fw.perform(.digest(.sha256, data: [1])).report.provider == "fast")
    }

    @Test("software first: the preferred software serves; the device only when no software may")
    func softwareFirst() throws {
        let fw = try Self.framework(.softwareFirst)
        #expect(try fw.perform(.digest(.sha256, data: [1])).report.provider == "fast")
        #expect(fw.eligibleProviders(for: .sha256, operation: .digest, keyBits: nil) == ["fast", "slow", "dev/0"])
        var policy = Policy()
        policy.disable(provider: "fast", mechanisms: [.sha256])
        policy.disable(provider: "slow", mechanisms: [.sha256])
        fw.setPolicy(policy)
        #expect(try fw.perform(.digest(.sha256, data: [1])).report.provider == "dev/0")
        // Disabling the device keeps its meaning: nothing is left.
        policy.disable(provider: "dev/0", mechanisms: [.sha256])
        fw.setPolicy(policy)
        #expect(throws: CryptoError.self) { try fw.perform(.digest(.sha256, data: [1])) }
    }

    @Test("the eligible list applies the CKF flag check: no provider lists sign for a digest mechanism")
    func eligibleChecksFlag() throws {
        let fw = try Self.framework(.softwareFirst)
        #expect(fw.eligibleProviders(for: .sha256, operation: .sign, keyBits: nil).isEmpty)
        #expect(try fw.pinned(to: "slow").eligibleProviders(for: .sha256, operation: .digest, keyBits: nil) == ["slow"])
    }
}
