import CryptoFramework
import Providers
import Testing

/// Selection rule 6 on the real platforms: CKM_SHA256_RSA_PKCS on t2000 is a
/// software digest and CKM_RSA_PKCS on ncp/0, unless the policy, a failure or
/// the platform's ranking says otherwise.
@Suite("Selection rule 6: composed mechanisms on t2000 and host")
struct ComposedMechanismTests {
    static let key = NCPTestSupport.key
    static let data = Array("composed on the T1's MAUs".utf8)
    /// openssl's signature, the one deterministic PKCS#1 v1.5 answer.
    static let expected = try! NCPTestSupport.checker.sign(.sha256RSAPKCS, key: key, data: data)

    static func t2000(_ policy: Policy = Policy()) throws -> CryptoFramework {
        try CryptoFramework(platform: .t2000, policy: .inMemory(policy))
    }

    static func sign(_ fw: CryptoFramework, _ mechanism: Mechanism = .sha256RSAPKCS) throws -> Reported<CryptoResult> {
        try fw.perform(.sign(mechanism, key: key, data: data, pss: nil))
    }

    @Test("t2000: CKM_SHA256_RSA_PKCS signs on ncp/0 with the digest from sparcfp; the signature is openssl's; both halves are counted")
    func signComposedOnT2000() throws {
        let fw = try Self.t2000()
        let reported = try Self.sign(fw)
        #expect(try reported.value.bytes == Self.expected)
        let report = reported.report
        #expect(report.provider == "ncp/0")
        #expect(report.mechanism == .sha256RSAPKCS)
        let halves = try #require(report.composedWith)
        #expect(halves.rawMechanism == .rsaPKCS && halves.digestProvider == "sparcfp" && halves.digestMechanism == .sha256)
        #expect(report.failovers.isEmpty)
        let digestModeled = try #require(halves.digestModeledSeconds)
        let total = try #require(report.modeledSeconds)
        #expect(digestModeled > 0 && total > digestModeled, "the modeled time is both halves'")
        #expect(fw.stats(for: "ncp/0")?.served == ["sign": 1])
        #expect(fw.stats(for: "sparcfp")?.served == ["digest": 1], "the framework's rule 5 check is not counted")
        let ncp = try #require(fw.provider(named: "ncp/0") as? NCPProvider)
        #expect(ncp.statistics.algorithms[.rsaPrivate] == 1)
    }

    @Test("t2000: every CKM_SHA*_RSA_PKCS sparcfp can digest composes; the others go to sparcfp whole or nowhere",
          arguments: [Mechanism.sha1RSAPKCS, .sha224RSAPKCS, .sha256RSAPKCS, .sha384RSAPKCS, .sha512RSAPKCS])
    func everyHashOnT2000(mechanism: Mechanism) throws {
        let fw = try Self.t2000()
        let digest = MechanismComposition.of(mechanism)!.digest
        let digests = fw.eligibleProviders(for: digest, operation: .digest, keyBits: nil).contains("sparcfp")
        let whole = fw.eligibleProviders(for: mechanism, operation: .sign, keyBits: Self.key.bits)
        let expected = try NCPTestSupport.checker.sign(mechanism, key: Self.key, data: Self.data)
        guard digests || !whole.isEmpty else {
            #expect(throws: CryptoError.self) { try Self.sign(fw, mechanism) }
            return
        }
        let reported = try Self.sign(fw, mechanism)
        #expect(try reported.value.bytes == expected)
        #expect(reported.report.provider == (digests ? "ncp/0" : "sparcfp"))
    }

    @Test("t2000: verify composes likewise (CKM_RSA_PKCS's public operation on ncp/0); a wrong signature is false")
    func verifyComposedOnT2000() async throws {
        let fw = try Self.t2000()
        let good = try await fw.perform(.verify(.sha256RSAPKCS, key: Self.key.publicKey, data: Self.data, signature: Self.expected, pss: nil))
        #expect(try good.value.verified)
        #expect(good.report.provider == "ncp/0")
        #expect(good.report.composedWith?.digestProvider == "sparcfp")
        var wrong = Self.expected
        wrong[wrong.count - 1] ^= 1
        #expect(try await !fw.verify(.sha256RSAPKCS, key: Self.key.publicKey, data: Self.data, signature: wrong))
        #expect(fw.stats(for: "ncp/0")?.served == ["verify": 2])
    }

    @Test("t2000: the async path composes too")
    func asyncComposed() async throws {
        let fw = try Self.t2000()
        let reported = try await fw.perform(.sign(.sha256RSAPKCS, key: Self.key, data: Self.data, pss: nil))
        #expect(try reported.value.bytes == Self.expected)
        #expect(reported.report.provider == "ncp/0" && reported.report.composedWith != nil)
    }

    @Test("t2000: disabling CKM_RSA_PKCS on ncp/0, everything on ncp/0, or CKM_SHA256 on sparcfp sends the request to sparcfp whole",
          arguments: [
            [("ncp/0", [Mechanism.rsaPKCS])],
            [("ncp/0", NCPProvider.mechanisms.map(\.mechanism))],
            [("sparcfp", [Mechanism.sha256])],
          ])
    func policyDisablesComposition(disabled: [(String, [Mechanism])]) throws {
        var policy = Policy()
        for (provider, mechanisms) in disabled { policy.disable(provider: provider, mechanisms: mechanisms) }
        let fw = try Self.t2000(policy)
        let reported = try Self.sign(fw)
        #expect(try reported.value.bytes == Self.expected)
        #expect(reported.report.provider == "sparcfp")
        #expect(reported.report.composedWith == nil)
        #expect(fw.stats(for: "ncp/0")?.requests == 0)
    }

    @Test("t2000: a device error or a corrupted result (rule 5) on the raw half fails over to sparcfp whole, reported; repair composes again",
          arguments: ["job error", "corrupted result"])
    func deviceHalfFailsOver(fault: String) throws {
        let fw = try Self.t2000()
        let ncp = try #require(fw.provider(named: "ncp/0") as? NCPProvider)
        if fault == "job error" { ncp.faults.setJobErrorRate(1) } else { ncp.faults.corruptNextRSAPrivateResults(1) }
        let reported = try Self.sign(fw)
        #expect(try reported.value.bytes == Self.expected)
        #expect(reported.report.provider == "sparcfp" && reported.report.composedWith == nil)
        #expect(reported.report.failovers.map(\.provider) == ["ncp/0"])
        #expect(reported.report.failovers.first?.error.code == .deviceError)
        #expect(fw.stats(for: "ncp/0")?.failovers == 1)
        #expect(fw.stats(for: "ncp/0")?.resultCheckFailures == (fault == "job error" ? 0 : 1))
        ncp.faults.repair()
        #expect(try Self.sign(fw).report.provider == "ncp/0")
    }

    @Test("host: the unpinned request stays on openssl whole; with openssl and gmp disabled for it, ncp/0 composes with openssl's digest")
    func hostComposesOnlyWhenNothingServesWhole() throws {
        let host = try CryptoFramework(platform: .host, policy: .inMemory(Policy()))
        let whole = try Self.sign(host).report
        #expect(whole.provider == "openssl" && whole.composedWith == nil)

        var policy = Policy()
        for provider in ["openssl", "gmp"] { policy.disable(provider: provider, mechanisms: [Mechanism.sha256RSAPKCS]) }
        let restricted = try CryptoFramework(platform: .host, policy: .inMemory(policy))
        let reported = try Self.sign(restricted)
        #expect(try reported.value.bytes == Self.expected)
        #expect(reported.report.provider == "ncp/0")
        #expect(reported.report.composedWith?.digestProvider == "openssl")
    }

    @Test("a view pinned to ncp/0 composes with the preferred software digest (sparcfp on t2000, openssl on host); one pinned to software serves whole",
          arguments: [("t2000", "sparcfp"), ("host", "openssl")])
    func pinnedDeviceComposes(platform: String, digester: String) throws {
        let fw = try CryptoFramework(platform: try #require(Platform.named(platform)), policy: .inMemory(Policy()))
        let pinned = try fw.pinned(to: "ncp/0")
        let reported = try Self.sign(pinned)
        #expect(try reported.value.bytes == Self.expected)
        #expect(reported.report.provider == "ncp/0")
        #expect(reported.report.composedWith?.digestProvider == digester)
        let software = try Self.sign(try fw.pinned(to: digester)).report
        #expect(software.provider == digester && software.composedWith == nil)
    }

    @Test("a pinned ncp/0 view with CKM_RSA_PKCS disabled there cannot compose: the error names the mechanism")
    func pinnedDeviceDisabled() throws {
        var policy = Policy()
        policy.disable(provider: "ncp/0", mechanisms: [Mechanism.rsaPKCS])
        let pinned = try Self.t2000(policy).pinned(to: "ncp/0")
        let error = try #require(throws: CryptoError.self) { try Self.sign(pinned) }
        #expect(error.description.contains("CKM_SHA256_RSA_PKCS"))
    }
}
