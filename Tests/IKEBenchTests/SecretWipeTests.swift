import CryptoFramework
import IKEProtocol
import IKEHarness
import Providers
import IKETestKit
import Testing

/// Secrets are wiped when released: the audit inspects every SecureBytes
/// buffer after explicit_bzero, before the allocator gets it back.
@Suite("Secrets are wiped when released", .serialized)
struct SecretWipeTests {
    @Test("a released SecureBytes buffer is all zeros before it is freed")
    func releasedBufferIsZeroed() async throws {
        let tally = await SecureBytesWipeAudit.run {
            let secret = SecureBytes([UInt8](repeating: 0xA5, count: 333))
            #expect(secret.count == 333)
        }
        #expect(tally.lengths[333, default: 0] >= 1, "the 333-byte secret was seen on release: \(tally)")
        #expect(tally.notZeroed == 0)
    }

    @Test("the Main Mode key schedule: g^xy, its PRF inputs and SKEYID… are released only through wiping buffers")
    func keyScheduleWipes() async throws {
        let fw = IKETestSupport.host
        let suite = IKETestSupport.suite(2, .sha1, .des3)
        let group = try #require(DHGroup.ike(2))
        let mine = try await fw.generateDHKeyPair(group: group)
        let peer = try await fw.generateDHKeyPair(group: group)
        let values = MainModeExchangeValues(
            initiatorCookie: [UInt8](repeating: 1, count: 8), responderCookie: [UInt8](repeating: 2, count: 8),
            initiatorNonce: [UInt8](repeating: 3, count: 16), responderNonce: [UInt8](repeating: 4, count: 16),
            initiatorPublic: peer.publicValue, responderPublic: mine.publicValue, initiatorSA: [5, 6, 7])
        let tally = try await SecureBytesWipeAudit.run {
            let session = IKECryptoSession(framework: fw)
            let gxy = try await session.deriveDH(mine.privateKey, peer: peer.publicValue)
            let keys = try await MainModeKeyDerivation.derive(suite, values, sharedSecret: gxy, session: session)
            #expect(keys.skeyid.count == 20 && keys.cipherKey.count == 24)
        }
        #expect(tally.notZeroed == 0, "\(tally)")
        // g^xy (128 bytes in group 2) and the PRF inputs built around it — g^xy | CKY-I | CKY-R | 0
        // (145 bytes) and SKEYID_x | g^xy | CKY-I | CKY-R | n (165 bytes) — went through wiping buffers.
        #expect(tally.lengths[128, default: 0] >= 1, "g^xy: \(tally.lengths)")
        #expect(tally.lengths[145, default: 0] >= 1, "SKEYID_d input: \(tally.lengths)")
        #expect(tally.lengths[165, default: 0] >= 2, "SKEYID_a and _e inputs: \(tally.lengths)")
        // SKEYID, SKEYID_d/a/e and the Appendix B blocks: 20-byte SHA-1 PRF outputs.
        #expect(tally.lengths[20, default: 0] >= 6, "PRF outputs: \(tally.lengths)")
    }
}
