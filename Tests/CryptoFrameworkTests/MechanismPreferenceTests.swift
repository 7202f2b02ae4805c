import CryptoFramework
import Testing

/// Selection rule 2 among software: a provider's declared `MechanismPreference`
/// for one mechanism ranks it before software the platform's order puts first,
/// for that mechanism only (docs/DESIGN.md, "Rule 2").
@Suite("Selection: declared mechanism preference among software")
struct MechanismPreferenceTests {
    /// "general" comes first in the platform's order; "special" declares CKM_SHA256 preferred.
    static func framework(ranking: DeviceRanking = .softwareFirst, policy: Policy = Policy()) throws -> CryptoFramework {
        let platform = Platform(
            name: "preference-test", clockHz: nil, softwarePriority: ["general", "special"], deviceRanking: ranking,
            makeProviders: {
                [ScriptedProvider("general", mechanisms: [.digest(.sha256), .digest(.sha1)]),
                 ScriptedProvider("special", mechanisms: [MechanismInfo.digest(.sha256).with(preference: .preferred), .digest(.sha1)]),
                 ScriptedProvider("dev/0", mechanisms: [.digest(.sha256, hw: true)])]
            })
        return try CryptoFramework(platform: platform, policy: .inMemory(policy))
    }

    @Test("the preferred entry serves its mechanism; the platform's order decides the others")
    func preferredFirst() throws {
        let fw = try Self.framework()
        #expect(try fw.whoDigests(.sha256) == "special")
        #expect(try fw.whoDigests(.sha1) == "general")
        #expect(fw.eligibleProviders(for: .sha256, operation: .digest, keyBits: nil) == ["special", "general", "dev/0"])
    }

    @Test("disabled or failed over, the preferred provider gives way to the next software; devices keep their rank")
    func givesWay() throws {
        var policy = Policy()
        policy.disable(provider: "special", mechanisms: [.sha256])
        #expect(try Self.framework(policy: policy).whoDigests(.sha256) == "general")
        // hardware first: the device still comes before any software, preferred or not.
        #expect(try Self.framework(ranking: .hardwareFirst).whoDigests(.sha256) == "dev/0")
        #expect(try Self.framework(ranking: .hardwareFirst).eligibleProviders(for: .sha256, operation: .digest, keyBits: nil)
            == ["dev/0", "special", "general"])
    }
}
