import CryptoFramework
import IKEProtocol
import IKEHarness
import Providers
import IKETestKit
import Testing

@Suite("IKE Main Mode negotiations")
struct NegotiationTests {
    static let combos: [(Int, IKESuite.PRF, IKESuite.Cipher)] =
        [1, 2, 5, 14].flatMap { g in IKESuite.PRF.allCases.flatMap { p in IKESuite.Cipher.allCases.map { (g, p, $0) } } }

    static let t5220 = try! CryptoFramework(platform: .t5220(timing: .fast), policy: .inMemory(Policy()))

    @Test("end to end on host, t2000 and t5220", arguments: ["host", "t2000", "t5220"])
    func everyGroupPRFCipher(platform: String) async throws {
        let fw = platform == "host" ? IKETestSupport.host : platform == "t2000" ? IKETestSupport.t2000 : Self.t5220
        for (g, p, c) in Self.combos {
            let n = MainModeNegotiation(suite: IKETestSupport.suite(g, p, c), responderFramework: fw,
                                        initiatorFramework: IKETestSupport.initiatorFramework,
                                        identities: IKETestSupport.identities, rttSeconds: 0.001)
            let outcome = try await n.run()
            let names = Set(outcome.records.map(\.name))
            // Main Mode's eight operations (the others are IKEv2's: EC signatures, the SK integrity MAC).
            #expect(names == Set(IKEOperationName.allCases).subtracting([.ecSign, .ecVerify, .integrity]), "group \(g) \(p) \(c)")
            #expect(outcome.hostNanoseconds > 0)
            if platform == "t5220" {
                // The T2's units serve: public-key work on ncp/0, the PRF, hashes and ciphers on n2cp/0, random on n2rng/0.
                let providers = Set(outcome.records.map(\.provider))
                #expect(providers.isSubset(of: ["ncp/0", "n2cp/0", "n2rng/0", "sparcfp"]) && providers.contains("ncp/0")
                        && providers.contains("n2cp/0"), "group \(g) \(p) \(c): \(providers)")
            }
            if platform != "host" {
                // Every step has a modeled time; the modeled Phase I includes 2 × RTT.
                let m = try #require(outcome.modeledSeconds)
                #expect(outcome.records.allSatisfy { $0.modeledSeconds != nil })
                #expect(m > 0.002)
            } else {
                #expect(outcome.modeledSeconds == nil)
            }
        }
    }

    @Test("groups 15 and 16 on host", arguments: [15, 16])
    func largeGroups(group: Int) async throws {
        let n = MainModeNegotiation(suite: IKETestSupport.suite(group, .sha256, .aes128), responderFramework: IKETestSupport.host,
                                    initiatorFramework: IKETestSupport.initiatorFramework, identities: IKETestSupport.identities)
        let outcome = try await n.run()
        #expect(outcome.records.count(where: { $0.name == .dhGenerate }) == 1)
    }

    @Test("t2000 without ncp/0: the public-key operations fall to sparcfp")
    func t2000WithoutNCP() async throws {
        var policy = Policy()
        policy.disable(provider: "ncp/0", mechanisms: [.rsaPKCS, .rsaX509, .dhPKCSKeyPairGen, .dhPKCSDerive, .random])
        let fw = try CryptoFramework(platform: .t2000, policy: .inMemory(policy))
        let n = MainModeNegotiation(suite: IKETestSupport.suite(), responderFramework: fw,
                                    initiatorFramework: IKETestSupport.initiatorFramework, identities: IKETestSupport.identities)
        let outcome = try await n.run()
        #expect(outcome.records.allSatisfy { $0.provider == "sparcfp" })
        let withNCP = try await MainModeNegotiation(
            suite: IKETestSupport.suite(), responderFramework: IKETestSupport.t2000,
            initiatorFramework: IKETestSupport.initiatorFramework, identities: IKETestSupport.identities).run()
        #expect(withNCP.records.filter { $0.name == .rsaSign }.allSatisfy { $0.provider == "ncp/0" })
        #expect(try #require(outcome.modeledSeconds) > 10 * (try #require(withNCP.modeledSeconds)))
    }

    @Test("a CERT payload in message 5 is accepted")
    func certificatePayload() async throws {
        var pair = IKETestSupport.Pair(suite: IKETestSupport.suite())
        pair.fault = .includeCertificate
        try await pair.run()
        #expect(await pair.responder.state == .established)
        #expect(pair.initiator.isEstablished)
    }

    @Test("the responder's report counts every operation once")
    func operationCounts() async throws {
        let outcome = try await MainModeNegotiation(
            suite: IKETestSupport.suite(2, .sha1, .des3), responderFramework: IKETestSupport.host,
            initiatorFramework: IKETestSupport.initiatorFramework, identities: IKETestSupport.identities).run()
        let count = { (n: IKEOperationName) in outcome.records.count { $0.name == n } }
        #expect(count(.dhGenerate) == 1 && count(.dhDerive) == 1 && count(.rsaVerify) == 1 && count(.rsaSign) == 1)
        #expect(count(.encrypt) == 1 && count(.decrypt) == 1 && count(.hash) == 1)
        // SKEYID, _d, _a, _e, K1, K2 (3DES needs 24 bytes from SHA-1's 20), HASH_I, HASH_R.
        #expect(count(.prf) == 8)
    }
}
