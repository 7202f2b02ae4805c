import CryptoFramework
import IKEProtocol
import IKEHarness
import Providers
import IKETestKit
import Testing

/// Phase I negotiations running at once on one responder framework: the
/// concurrency suite `make sanitize` runs under ThreadSanitizer (shared
/// providers, key-handle caches, ncp/0's queues, the run's tallies).
@Suite("IKE Phase I: concurrent negotiations")
struct IKEConcurrencyTests {
    @Test("4 tasks × 3 negotiations on one framework, every negotiation counted once", arguments: ["host", "t2000"])
    func concurrentRun(platform: String) async throws {
        let fw = platform == "host" ? IKETestSupport.host : IKETestSupport.t2000
        let workload = PhaseOneWorkload(suite: IKETestSupport.suite(2, .sha1, .des3), rsaBits: 1024, negotiations: 12, concurrency: 4)
        let report = try await PhaseOneRun.run(workload, framework: fw, identities: IKETestSupport.identities)
        #expect(report.negotiations == 12)
        #expect(report.concurrency == 4)
        // Each negotiation does one DH generate on the responder: the tallies merged from four tasks add up.
        let dhGenerates = report.operations.filter { $0.name == IKEOperationName.dhGenerate.rawValue }.reduce(0) { $0 + $1.count }
        #expect(dhGenerates == 12, "\(report.operations.map { "\($0.name)@\($0.provider)×\($0.count)" })")
    }
}
