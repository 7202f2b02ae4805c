import CryptoFramework
import Foundation
import Providers
import Testing

@Suite("PKCS#11 module provider over SoftHSM2", .serialized)
struct PKCS11ProviderTests {
    static let module = SoftHSMToken.modulePath

    @Test("the module registers with the token's mechanisms, key sizes in bits")
    func registersTokenMechanisms() throws {
        let fw = try SoftHSMToken.framework()
        let d = try #require(fw.providers.first { $0.name == Self.module })
        #expect(d.kind == .pkcs11Module)
        for m: Mechanism in [.rsaPKCS, .sha256RSAPKCS, .rsaPKCSPSS, .rsaPKCSKeyPairGen, .dhPKCSKeyPairGen, .dhPKCSDerive, .sha256, .random] {
            #expect(d.info(for: m) != nil, "\(m) missing from \(d.mechanisms.map(\.mechanism))")
        }
        let rsa = try #require(d.info(for: .rsaPKCS))
        #expect(rsa.minKeyBits <= 1024 && rsa.maxKeyBits >= 4096)
        #expect(rsa.flags.contains([.sign, .verify]))
        #expect(!rsa.flags.contains(.hardware))
        #expect(d.summary.contains("token 'test'"))
    }
}
