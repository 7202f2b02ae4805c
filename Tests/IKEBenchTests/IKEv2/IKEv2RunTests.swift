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
}
