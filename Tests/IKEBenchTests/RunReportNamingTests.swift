import CryptoFramework
import IKEHarness
import IKEProtocol
import IKETestKit
import Testing

/// What a report of `serve` or `run --peer` says authenticated IKEv1: our key, by kind.
@Suite("IKEv1 reports name the signing key")
struct RunReportNamingTests {
    @Test("an ECDSA key is named as one, not as 'RSA-256'; an RSA key keeps its size")
    func signerNamed() throws {
        let ec = try IKETestSupport.host.generateECKeyPair(curve: .p256)
        let ecReport = NegotiationRecorder().report(framework: IKETestSupport.host, rsaBits: 256, suite: IKETestSupport.suite(),
                                                   ikev1Signer: .ec(ec))
        #expect(ecReport.authentication == "ECDSA P-256" && ecReport.rsaBits == 0)
        #expect(ecReport.exchangeDescription.hasPrefix("IKE Phase I (Main Mode, ECDSA signatures), ECDSA P-256, group"),
                "\(ecReport.exchangeDescription)")
        let rsa = IKETestSupport.identities.responder
        let rsaReport = NegotiationRecorder().report(framework: IKETestSupport.host, rsaBits: rsa.publicKey.bits, suite: IKETestSupport.suite(),
                                                    ikev1Signer: .rsa(rsa))
        #expect(rsaReport.authentication == "RSA-\(rsa.publicKey.bits)" && rsaReport.rsaBits == rsa.publicKey.bits)
        #expect(rsaReport.exchangeDescription.hasPrefix("IKE Phase I (Main Mode, RSA signatures), RSA-\(rsa.publicKey.bits), group"))
    }
}
