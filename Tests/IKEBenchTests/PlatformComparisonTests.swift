import CryptoFramework
import IKEHarness
import IKEProtocol
import IKETestKit
import Providers
import Testing

/// `ikebench compare --platform t5220`'s table: the T1 beside the T2, each
/// cell one real negotiation on the emulated platform.
@Suite("compare --platform t5220: the T1 beside the T2")
struct PlatformComparisonTests {
    @Test("rows for t2000 and t5220: the T2 without ncp costs less than the T1 without ncp; n2cp only on the T2; the text says what IKEv2 awaits")
    func rows() async throws {
        let configuration = Configuration2007(rsaBits: 1024, group: 2, dhPrivate: .short)  // IKETestSupport.identities: RSA-1024
        let rows = try await PlatformComparison.rows(configuration, identities: IKETestSupport.identities)
        #expect(rows.map(\.platform) == ["t2000", "t5220"])
        let (t1, t2) = (rows[0], rows[1])
        #expect(t1.chip == "UltraSPARC T1" && t2.chip == "UltraSPARC T2")
        #expect(t1.withoutN2CPSeconds == nil && t1.withoutBothSeconds == nil)
        #expect(t1.withNCPSeconds > 0 && t2.withNCPSeconds > 0)
        #expect(t2.withoutNCPSeconds < t1.withoutNCPSeconds, "the T2's FGU per core at 6-cycle latencies")
        #expect(t1.withNCPSeconds < t1.withoutNCPSeconds && t2.withNCPSeconds < t2.withoutNCPSeconds)
        #expect(try #require(t2.withoutN2CPSeconds) > 0 && (try #require(t2.withoutBothSeconds)) > t2.withNCPSeconds)
        #expect(t1.nonCryptoSeconds == t2.nonCryptoSeconds && t1.nonCryptoSeconds > 0)
        let text = PlatformComparison.text(rows)
        #expect(text.contains("t2000   UltraSPARC T1") && text.contains("t5220   UltraSPARC T2"))
        #expect(text.contains(PlatformComparison.pendingIKEv2))
    }
}
