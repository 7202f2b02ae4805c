import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import IKEServer
import ProcessSupport
import Providers
import IKETestKit
import Testing

/// Timing of the served negotiations: the policy file changed while serving
/// (what `cryptoadm disable provider=ncp/0 all` writes) shows in the next
/// negotiations; --timing timed makes each negotiation last at least its modeled work.
@Suite("serve timing")
struct ServeTimingTests {
    /// The provider the framework picks for an RSA signature now (one real signature).
    static func signingProvider(_ framework: CryptoFramework) throws -> String {
        let request = CryptoRequest.sign(.rsaPKCS, key: IKETestSupport.identities.responder,
                                         data: [UInt8](repeating: 0x11, count: 20), pss: nil)
        return try framework.perform(request).report.provider
    }

    @Test("disabling ncp/0 in the policy file moves the next negotiations to sparcfp", .timeLimit(.minutes(2)))
    func policyChangeWhileServing() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("serve-policy-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("kcf.conf")
        let framework = try CryptoFramework(platform: .t2000, policy: .file(url))
        let d = ServiceDriver(framework: framework)
        _ = try await ResponderServiceTests.negotiate(d, d.initiator(suite: IKETestSupport.suite(2, .sha1, .des3)))
        let before = d.recorder.report(framework: framework, rsaBits: 1024, suite: IKETestSupport.suite())
        #expect(before.operations.contains { $0.name == "rsa-sign" && $0.provider == "ncp/0" })

        // The change cryptoadm makes, through the same store (locked, atomic rename).
        let ncp = framework.provider(named: "ncp/0")!.descriptor.mechanisms.map(\.mechanism)
        _ = try PolicyStore(url: url).update { $0.disable(provider: "ncp/0", mechanisms: ncp + [.random]) }
        // A running framework stats its file at most every 100 ms (Registry.checkIntervalNanoseconds):
        // wait (bounded) until it routes RSA signing away from ncp/0.
        _ = try await Polling.until(interval: 0.02) { try Self.signingProvider(framework) != "ncp/0" }
        #expect(try Self.signingProvider(framework) == "sparcfp")
        _ = try await ResponderServiceTests.negotiate(d, d.initiator(suite: IKETestSupport.suite(2, .sha1, .des3)))
        let after = d.recorder.report(framework: framework, rsaBits: 1024, suite: IKETestSupport.suite())
        #expect(after.negotiations == 2)
        #expect(after.operations.contains { $0.name == "rsa-sign" && $0.provider == "sparcfp" })
        #expect(after.operations.contains { $0.name == "rsa-sign" && $0.provider == "ncp/0" && $0.count == 1 })
        let modeled = try #require(after.modeledPhase1)
        #expect(modeled.p99 > modeled.p50, "the sparcfp negotiation models slower than the ncp/0 one")
    }

    @Test("--timing timed: a negotiation lasts at least the modeled time of its operations", .timeLimit(.minutes(2)))
    func timedHoldsModeledTime() async throws {
        let platform = Platform.t2000(timing: .timed(scale: 1))
        let framework = try CryptoFramework(platform: platform, policy: .inMemory(Policy()))
        // The providers of the timed platform hold each operation themselves.
        let d = ServiceDriver(framework: framework)
        _ = try await ResponderServiceTests.negotiate(d, d.initiator(suite: IKETestSupport.suite(2, .sha1, .des3)))
        let report = d.recorder.report(framework: framework, rsaBits: 1024, suite: IKETestSupport.suite())
        let modeled = try #require(report.modeledPhase1)
        // A lower bound only (holds make it at least this long); no upper bound on a shared machine.
        #expect(report.hostPhase1.p50 >= modeled.p50 * 0.99)
    }
}
