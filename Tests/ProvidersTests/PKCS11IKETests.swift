import CryptoFramework
import IKEProtocol
import IKEHarness
import Providers
import Testing

@Suite("IKE Phase I with a PKCS#11 module serving RSA")
struct PKCS11IKETests {
    @Test("Main Mode negotiations sign and verify on SoftHSM2 when the policy leaves RSA to it")
    func negotiationsOnTheModule() async throws {
        var policy = try SoftHSMToken.policy()
        for software in ["openssl", "gmp", "ncp/0"] {
            policy.disable(provider: software, mechanisms: [.rsaPKCS])
        }
        let responder = try CryptoFramework(platform: .host, policy: .inMemory(policy))
        if let error = responder.loadError(provider: SoftHSMToken.modulePath) { throw error }
        let initiator = try MainModeNegotiation.initiatorFramework()
        let identities = try await IKEIdentities.generate(bits: 1024, framework: initiator)
        for cipher in [IKESuite.Cipher.aes128, .des3] {
            let outcome = try await MainModeNegotiation(
                suite: IKESuite(group: .modp2, prf: .sha1, cipher: cipher), responderFramework: responder,
                initiatorFramework: initiator, identities: identities
            ).run()
            let rsa = outcome.records.filter { $0.mechanism == .rsaPKCS }
            #expect(rsa.map(\.name) == [.rsaVerify, .rsaSign], "\(rsa.map(\.name))")
            #expect(rsa.allSatisfy { $0.provider == SoftHSMToken.modulePath }, "\(rsa.map(\.provider))")
        }
    }
}
