import CryptoFramework
import Foundation
import ProcessSupport
import Providers
import Testing

/// docs/DESIGN.md: what cryptoadm writes is what every process of the framework
/// obeys, and a running framework applies it to its next requests.
@Suite("cryptoadm end to end")
struct CryptoadmEndToEndTests {
    @Test("a running framework serving RSA signatures moves to gmp after `cryptoadm disable provider=openssl`")
    // CKM_SHA256_RSA_PKCS: offered by openssl and gmp, not by the ncp/0 device (which would otherwise serve first).
    func runningFrameworkFollows() async throws {
        let config = try scratchConfig()
        let fw = try CryptoFramework(platform: .host, policy: .file(config))
        let key = try await fw.pinned(to: "openssl").generateRSAKeyPair(bits: 1024)
        let message = Array("IKE Phase I".utf8)
        func whoSigns() throws -> String {
            let reported = try fw.perform(.sign(.sha256RSAPKCS, key: key, data: message, pss: nil))
            return reported.report.provider
        }
        #expect(try whoSigns() == "openssl")

        let run = try cryptoadm("disable", "provider=openssl", "mechanism=CKM_SHA256_RSA_PKCS", "--config", config.path)
        #expect(run.status == 0, "\(run)")

        // The framework notices the new file on a following request; allow a
        // shared machine a generous bound rather than asserting a time.
        #expect(try await Polling.until(interval: 0.02) { try whoSigns() == "gmp" })
        #expect(try whoSigns() == "gmp")

        #expect(try cryptoadm("enable", "provider=openssl", "all", "--config", config.path).status == 0)
        #expect(try await Polling.until(interval: 0.02) { try whoSigns() == "openssl" })
    }
}
