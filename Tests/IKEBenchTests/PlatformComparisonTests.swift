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
    @Test("rows for t2000 and t5220: the T2 without ncp costs less than the T1 without ncp; n2cp only on the T2; the text is the explanation table's")
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
        #expect(!text.contains("not built yet"))
    }

    @Test("IKEv2 ECDSA P-256 + ECP-256 rows: EC on the T2's ncp/0, on sparcfp's software ECC on the T1 and without ncp/0, each operation's provider named")
    func ikev2Rows() async throws {
        let keys = try await IKEv2SignatureKeys.ecdsa(curve: .p256, framework: IKETestSupport.initiatorFramework)
        let suite = try #require(IKEv2Suite(proposalName: PlatformComparison.ikev2Proposal))
        let rows = try await PlatformComparison.ikev2Rows(suite: suite, keys: keys, identities: IKETestSupport.identities,
                                                          nonCryptoSeconds: 0.1)
        #expect(rows.map(\.platform) == ["t2000", "t5220"])
        let (t1, t2) = (rows[0], rows[1])
        #expect(t1.authentication == "ECDSA P-256" && t1.proposal == "aes128-sha256-ecp256")
        // The T1: its MAU does no EC, so ECDH and ECDSA run on sparcfp with or without ncp/0.
        let t1With = try #require(t1.withNCP.seconds)
        let t1Without = try #require(t1.withoutNCP.seconds)
        #expect(t1With > 0 && t1Without > 0 && t1.withoutN2CP == nil)
        for cell in [t1.withNCP, t1.withoutNCP] {
            #expect(cell.servedBy.contains { $0.hasPrefix("dh-derive") && $0.contains("sparcfp") })
            #expect(cell.servedBy.contains { $0.hasPrefix("ec-sign") && $0.contains("sparcfp") })
        }
        // The T2: EC on ncp/0 (signing and ECDH), symmetric work on n2cp/0; without ncp/0 EC goes to sparcfp,
        // which costs more than the MAU and less than on the T1 (the T2's faster MULX and clock).
        let with = try #require(t2.withNCP.seconds)
        #expect(with > 0)
        #expect(t2.withNCP.servedBy.contains { $0.hasPrefix("dh-derive") && $0.contains("ncp/0") })
        #expect(t2.withNCP.servedBy.contains { $0.hasPrefix("ec-sign") && $0.contains("ncp/0") })
        #expect(t2.withNCP.servedBy.contains { $0.contains("n2cp/0") })
        let t2Without = try #require(t2.withoutNCP.seconds)
        #expect(t2.withoutNCP.servedBy.contains { $0.hasPrefix("ec-sign") && $0.contains("sparcfp") })
        #expect(t2Without > with && t2Without < t1Without)
        let withoutN2CP = try #require(t2.withoutN2CP?.seconds)
        #expect(withoutN2CP > 0)
        #expect(try #require(t2.withoutN2CP).servedBy.allSatisfy { !$0.contains("n2cp/0") })
        #expect(try #require(t2.withoutBoth?.seconds) > 0)
        let text = PlatformComparison.ikev2Text(rows)
        #expect(text.contains("t5220   UltraSPARC T2") && !text.contains("no provider") && text.contains("where each operation ran"))
        #expect(text.contains("t5220 with ncp: dh-generate"))
    }
}
