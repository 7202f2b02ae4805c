import CryptoFramework
import Providers
import Testing

/// The Wycheproof RSA vectors on the t2000 platform's `sparcfp`, through the
/// same runners as every host provider (WycheproofTests).
@Suite("Wycheproof RSA vectors on sparcfp (t2000)")
struct SPARCFloatWycheproofTests {
    static let framework = try! CryptoFramework(platform: .t2000, policy: .inMemory(Policy()))

    @Test("PKCS#1 v1.5 verification vectors", arguments: WycheproofTests.pkcs1VerifyFiles)
    func pkcs1Verify(file: String) throws {
        try WycheproofTests.pkcs1Verify(file: file, providerName: "sparcfp", in: Self.framework)
    }

    @Test("PSS verification vectors (SHA-256, MGF1-SHA-256, salt 32)")
    func pssVerify() throws {
        try WycheproofTests.pssVerify(providerName: "sparcfp", in: Self.framework)
    }

    @Test("PKCS#1 v1.5 signature generation reproduces the exact signatures")
    func pkcs1Generate() throws {
        try WycheproofTests.pkcs1Generate(providerName: "sparcfp", in: Self.framework)
    }
}
