import CryptoFramework
import Foundation
import IKEHarness
import IKEProtocol
import IKETestKit
import Providers
import TestSupport
import Testing

/// `ikebench run --ike 2` in process: IKEv2 negotiations timed on the responder
/// through PhaseOneRun, with per-operation attribution and, on t2000, modeled time.
@Suite("IKEv2 in-process run")
struct IKEv2RunTests {
    @Test("run --ike 2 on host and t2000", arguments: ["host", "t2000"])
    func run(platform: String) async throws {
        let fw = platform == "host" ? IKETestSupport.host : IKETestSupport.t2000
        var workload = PhaseOneWorkload(suite: IKETestSupport.suite(14, .sha256, .aes128), rsaBits: 1024, negotiations: 3)
        workload.ikev2Suite = IKEv2Suite(proposalName: "aes128-sha256-modp2048")
        let report = try await PhaseOneRun.run(workload, framework: fw, identities: IKETestSupport.identities)
        #expect(report.negotiations == 3)
        let names = Set(report.operations.map(\.name))
        // IKEv2's operations: no IKEv1 hash (IV), the SK integrity MAC instead; KEYMAT for the child SA adds prf work.
        #expect(names.isSuperset(of: ["dh-generate", "dh-derive", "rsa-sign", "rsa-verify", "prf", "encrypt", "decrypt", "integrity"]))
        #expect(!names.contains("hash"))
        if platform == "t2000" {
            #expect(report.modeledPhase1 != nil)
            #expect(report.operations.contains { $0.name == "rsa-sign" && $0.provider == "ncp/0" })
        }
    }

    @Test("run --ike 2 with ECDSA P-256 + ECP-256 on t5220: the report names IKEv2, the proposal and the signatures, text and JSON")
    func ecdsaReport() async throws {
        let fw = try CryptoFramework(platform: .t5220, policy: .inMemory(Policy()))
        var workload = PhaseOneWorkload(suite: IKETestSupport.suite(14, .sha256, .aes128), rsaBits: 1024, negotiations: 2)
        workload.ikev2Suite = IKEv2Suite(proposalName: "aes128-sha256-ecp256")
        workload.ikev2Keys = try await IKEv2SignatureKeys.ecdsa(curve: .p256, framework: IKETestSupport.initiatorFramework)
        let report = try await PhaseOneRun.run(workload, framework: fw, identities: IKETestSupport.identities)
        #expect(report.ike == 2 && report.proposal == "aes128-sha256-ecp256" && report.authentication == "ECDSA P-256")
        #expect(report.group == 19 && report.prf == "sha256" && report.cipher == "aes128" && report.rsaBits == 0)
        #expect(report.operations.contains { $0.name == "ec-sign" && $0.provider.contains("ncp/0") })
        let text = ReportText.run(report)
        #expect(text.contains("IKEv2 (IKE_SA_INIT + IKE_AUTH, ECDSA P-256), proposal aes128-sha256-ecp256"))
        #expect(!text.contains("Main Mode") && !text.contains("Phase I"))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        #expect(json?["ike"] as? Int == 2 && json?["proposal"] as? String == "aes128-sha256-ecp256")
        #expect(json?["authentication"] as? String == "ECDSA P-256" && json?["group"] as? Int == 19)
    }

    @Test("run --ike 2 --ikev2-proposal aes256gcm16-prfsha384-ecp384 in process: GCM seals the SK payloads; t2000 has no GCM and says so")
    func gcm() async throws {
        var workload = PhaseOneWorkload(suite: IKETestSupport.suite(14, .sha256, .aes128), rsaBits: 1024, negotiations: 2)
        workload.ikev2Suite = IKEv2Suite(proposalName: "aes256gcm16-prfsha384-ecp384")
        let report = try await PhaseOneRun.run(workload, framework: IKETestSupport.host, identities: IKETestSupport.identities)
        #expect(report.negotiations == 2 && report.proposal == "aes256gcm16-prfsha384-ecp384" && report.cipher == "aes256gcm16")
        #expect(report.operations.contains { $0.name == "decrypt" && $0.mechanism == "CKM_AES_GCM" })
        #expect(report.operations.contains { $0.name == "encrypt" && $0.mechanism == "CKM_AES_GCM" })
        #expect(!report.operations.contains { $0.name == "integrity" })
        // The emulated T1 has no provider of CKM_AES_GCM: a clear refusal, not a fallback to another cipher.
        workload.ikev2Suite = IKEv2Suite(proposalName: "aes256gcm16-prfsha384-modp2048")
        do {
            _ = try await PhaseOneRun.run(workload, framework: IKETestSupport.t2000, identities: IKETestSupport.identities)
            Issue.record("GCM ran on t2000")
        } catch {
            #expect("\(error)".contains("CKM_AES_GCM"), "\(error)")
        }
    }

    @Test("compare --ike 2 in process on t2000: RSA + MODP-2048 with ncp/0 and without; modeled time grows without it, the header stays IKEv2")
    func compareWithoutNCP() async throws {
        var workload = PhaseOneWorkload(suite: IKETestSupport.suite(14, .sha256, .aes128), rsaBits: 1024, negotiations: 1)
        workload.ikev2Suite = IKEv2Suite(proposalName: "aes128-sha256-modp2048")
        let with = try await PhaseOneRun.run(workload, framework: IKETestSupport.t2000, identities: IKETestSupport.identities)
        let without = try await PhaseOneRun.run(workload, framework: try NCPDisabled.framework(like: IKETestSupport.t2000),
                                                identities: IKETestSupport.identities)
        #expect(try #require(without.modeledPhase1).p50 > (try #require(with.modeledPhase1)).p50)
        #expect(without.operations.allSatisfy { $0.provider != "ncp/0" })
        let text = ReportText.compare(CompareReport(baseline: with, withoutNCP: without))
        #expect(text.contains("IKE SA p50") && text.contains("2007 T2000 (IKEv1 MM)") && !text.contains("Main Mode, RSA"))
    }
}
