import CryptoFramework
import Testing
@testable import cryptoadm

/// A provider that two platforms register is listed once (ncp/0 on host and
/// t2000): no platform registers one twice yet, so the merge is tested on descriptors.
@Suite("cryptoadm's provider catalog")
struct ProviderCatalogTests {
    @Test("one entry per name: union of mechanisms, widest key range, union of flags")
    func mergesByName() {
        let host = ProviderDescriptor(name: "ncp/0", summary: "host", mechanisms: [
            MechanismInfo(.rsaPKCS, minKeyBits: 512, maxKeyBits: 2048, flags: [.hardware, .sign]),
            MechanismInfo(.dhPKCSDerive, minKeyBits: 512, maxKeyBits: 2048, flags: [.derive]),
        ])
        let t2000 = ProviderDescriptor(name: "ncp/0", summary: "t2000", mechanisms: [
            MechanismInfo(.rsaPKCS, minKeyBits: 384, maxKeyBits: 1024, flags: [.hardware, .verify]),
            MechanismInfo(.rsaX509, minKeyBits: 512, maxKeyBits: 2048, flags: [.sign]),
        ])
        let other = ProviderDescriptor(name: "sparcfp", summary: "", mechanisms: [])
        let catalog = ProviderCatalog(providers: [host, other, t2000])
        #expect(catalog.providers.map(\.name) == ["ncp/0", "sparcfp"])
        let ncp = catalog.provider(named: "ncp/0")!
        #expect(ncp.summary == "host")
        #expect(ncp.mechanisms.map(\.mechanism) == [.rsaPKCS, .rsaX509, .dhPKCSDerive])
        let rsa = ncp.info(for: .rsaPKCS)!
        #expect(rsa.minKeyBits == 384 && rsa.maxKeyBits == 2048)
        #expect(rsa.flags == [.hardware, .sign, .verify])
    }
}
