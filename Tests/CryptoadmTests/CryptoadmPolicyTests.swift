import CryptoFramework
import Foundation
import ProcessSupport
import Providers
import Testing

/// What disable, enable, unload and refresh write, through the binary.
@Suite("cryptoadm changes the policy")
struct CryptoadmPolicyTests {
    func load(_ url: URL) throws -> Policy { try PolicyStore(url: url).load() }

    @Test("bare all includes random; mechanism=all does not")
    func allAndRandom() throws {
        let config = try scratchConfig()
        #expect(try cryptoadm("disable", "provider=sodium", "all", "--config", config.path).status == 0)
        // Everything sodium lists (Ed25519, X25519) and random.
        let sodium = Set(try SodiumProvider().descriptor.mechanisms.map(\.mechanism))
        #expect(sodium.contains(.random) && sodium.contains(.eddsa))
        #expect(try load(config)[provider: "sodium"].disabled == sodium)

        let openssl = try scratchConfig()
        #expect(try cryptoadm("disable", "provider=openssl", "mechanism=all", "--config", openssl.path).status == 0)
        let disabled = try load(openssl)[provider: "openssl"].disabled
        #expect(disabled.contains(.rsaPKCS) && disabled.contains(.sha256) && !disabled.contains(.random))
        // openssl offers no random: bare all disables the same set.
        #expect(try cryptoadm("disable", "provider=sodium", "random", "--config", openssl.path).status == 0)
        #expect(try load(openssl)[provider: "sodium"].disabled == [.random])
    }

    @Test("re-enabling everything removes the provider's line")
    func enableAllRemovesLine() throws {
        let config = try scratchConfig()
        #expect(try cryptoadm("disable", "provider=gmp", "mechanism=CKM_RSA_PKCS,CKM_DH_PKCS_DERIVE", "--config", config.path).status == 0)
        #expect(try String(contentsOf: config, encoding: .utf8).contains("gmp:disabledlist=CKM_RSA_PKCS,CKM_DH_PKCS_DERIVE\n"))
        let partial = try cryptoadm("enable", "provider=gmp", "mechanism=CKM_RSA_PKCS", "--config", config.path)
        #expect(partial.status == 0 && partial.standardError == "")
        #expect(try load(config)[provider: "gmp"].disabled == [.dhPKCSDerive])
        #expect(try cryptoadm("enable", "provider=gmp", "all", "--config", config.path).status == 0)
        let text = try String(contentsOf: config, encoding: .utf8)
        #expect(!text.contains("gmp"), "\(text)")
    }

    @Test("enable when nothing is disabled says so and succeeds")
    func enableNothingDisabled() throws {
        let config = try scratchConfig()
        let run = try cryptoadm("enable", "provider=openssl", "all", "--config", config.path)
        #expect(run.status == 0)
        #expect(run.standardError == "cryptoadm: all mechanisms are enabled already for openssl.\n")
    }

    @Test("enable warns about a mechanism that is not disabled")
    func enableNotDisabled() throws {
        let config = try scratchConfig("openssl:disabledlist=CKM_SHA256\n")
        let run = try cryptoadm("enable", "provider=openssl", "mechanism=CKM_SHA256,CKM_SHA512", "--config", config.path)
        #expect(run.status == 0)
        #expect(run.standardError == "cryptoadm: (Warning) CKM_SHA512 is either enabled already or not a valid mechanism for openssl\n")
        #expect(try load(config)[provider: "openssl"].disabled.isEmpty)
    }

    @Test("unload makes a software provider inactive; disable refuses it; refresh loads it again")
    func unloadAndRefresh() throws {
        let config = try scratchConfig("gmp:disabledlist=CKM_DH_PKCS_DERIVE\n")
        #expect(try cryptoadm("unload", "provider=gmp", "--config", config.path).status == 0)
        #expect(try load(config)[provider: "gmp"] == ProviderPolicy(disabled: [.dhPKCSDerive], unloaded: true))
        #expect(try cryptoadm("list", "--config", config.path).standardOutput.contains("\tgmp (inactive)\n"))

        let refused = try cryptoadm("disable", "provider=gmp", "mechanism=CKM_RSA_PKCS", "--config", config.path)
        #expect(refused.status == 1)
        #expect(refused.standardError == "cryptoadm: can not do disable on an unloaded software provider -- gmp.\n")

        #expect(try cryptoadm("refresh", "--config", config.path).status == 0)
        #expect(try load(config)[provider: "gmp"] == ProviderPolicy(disabled: [.dhPKCSDerive], unloaded: false))
        #expect(try cryptoadm("list", "--config", config.path).standardOutput.contains("\tgmp\n"))
    }

    @Test("without --config, $CRYPTOFRAMEWORK_CONF names the file")
    func environmentConfig() throws {
        let config = try scratchConfig()
        let run = try cryptoadm("disable", "provider=openssl", "mechanism=CKM_SHA256",
                                environment: ["CRYPTOFRAMEWORK_CONF": config.path])
        #expect(run.status == 0, "\(run)")
        #expect(try load(config)[provider: "openssl"].disabled == [.sha256])
    }

    @Test("a new framework honours what cryptoadm wrote")
    func newFrameworkObeys() throws {
        let config = try scratchConfig()
        #expect(try cryptoadm("disable", "provider=openssl", "mechanism=CKM_SHA256", "--config", config.path).status == 0)
        let fw = try CryptoFramework(platform: .host, policy: .file(config))
        #expect(throws: CryptoError.self) { try fw.pinned(to: "openssl").digest(.sha256, data: [1, 2, 3]) }
        #expect(try fw.digest(.sha1, data: [1]).count == 20)
    }
}
