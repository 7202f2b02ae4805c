import CryptoFramework
import Providers
import Testing

/// Selection rule 6 for PSS on t2000: ncp/0 offers CKM_RSA_X_509 but no PSS,
/// so a PSS signature is the EMSA-PSS encoding on software (hash on sparcfp,
/// salt from the random mechanism) and the raw private operation on ncp/0. A
/// PSS verify cannot compose (CKM_RSA_X_509 verify returns no s^e) and is served whole.
@Suite("Selection rule 6: PSS signatures composed over CKM_RSA_X_509 on t2000")
struct ComposedPSSTests {
    static let key = NCPTestSupport.key
    static let message = Array("PSS composed on the T1's MAUs".utf8)

    static func t2000(_ policy: Policy = Policy()) throws -> CryptoFramework {
        try CryptoFramework(platform: .t2000, policy: .inMemory(policy))
    }

    /// The request for `mechanism`: CKM_RSA_PKCS_PSS signs the SHA-256 hash of the message.
    static func request(_ mechanism: Mechanism) throws -> (data: [UInt8], pss: PSSParameters) {
        guard mechanism == .rsaPKCSPSS else {
            let hash = try #require(MechanismComposition.of(mechanism).flatMap { HashAlgorithm(digestMechanism: $0.digest) })
            // A 1024-bit key cannot hold SHA-512 with a 64-byte salt: 32 bytes at most here.
            return (message, PSSParameters(hash: hash, saltLength: min(hash.digestLength, 32)))
        }
        return (try NCPTestSupport.checker.digest(.sha256, data: message), PSSParameters(hash: .sha256))
    }

    @Test("t2000: each PSS mechanism whose hash sparcfp may digest signs on ncp/0 (CKM_RSA_X_509) with sparcfp's hashes; openssl verifies; both halves are counted; the others go to sparcfp whole",
          arguments: [Mechanism.rsaPKCSPSS, .sha1RSAPKCSPSS, .sha224RSAPKCSPSS, .sha256RSAPKCSPSS, .sha384RSAPKCSPSS, .sha512RSAPKCSPSS])
    func signComposed(mechanism: Mechanism) throws {
        let fw = try Self.t2000()
        let (data, pss) = try Self.request(mechanism)
        let reported = try fw.perform(.sign(mechanism, key: Self.key, data: data, pss: pss))
        let signature = try reported.value.bytes
        #expect(try NCPTestSupport.checker.verify(mechanism, key: Self.key.publicKey, data: data, signature: signature, pss: pss))
        var wrong = signature
        wrong[wrong.count - 1] ^= 1
        #expect(try !NCPTestSupport.checker.verify(mechanism, key: Self.key.publicKey, data: data, signature: wrong, pss: pss))
        let report = reported.report
        // The composition needs a software digest of the selection hash (CKM_SHA256 for CKM_RSA_PKCS_PSS).
        let digest = try #require(MechanismComposition.of(mechanism)).digest
        guard fw.eligibleProviders(for: digest, operation: .digest, keyBits: nil).contains("sparcfp") else {
            #expect(report.provider == "sparcfp" && report.composedWith == nil && report.failovers.isEmpty)
            return
        }
        #expect(report.provider == "ncp/0" && report.mechanism == mechanism && report.failovers.isEmpty)
        let halves = try #require(report.composedWith)
        #expect(halves.rawMechanism == .rsaX509 && halves.digestProvider == "sparcfp" && halves.digestMechanism == pss.hash.digestMechanism)
        #expect(fw.stats(for: "ncp/0")?.served == ["sign": 1])
        #expect(fw.stats(for: "sparcfp")?.served["digest"] == 1)
        let ncp = try #require(fw.provider(named: "ncp/0") as? NCPProvider)
        #expect(ncp.statistics.algorithms[.rsaPrivate] == 1)
        // The salt is random: a second signature differs and verifies too.
        let again = try fw.sign(mechanism, key: Self.key, data: data, pss: pss)
        #expect(again != signature)
        #expect(try NCPTestSupport.checker.verify(mechanism, key: Self.key.publicKey, data: data, signature: again, pss: pss))
    }

    @Test("t2000: the async path composes PSS too; a zero-length salt is allowed")
    func asyncAndEmptySalt() async throws {
        let fw = try Self.t2000()
        let pss = PSSParameters(hash: .sha256, saltLength: 0)
        let reported = try await fw.perform(.sign(.sha256RSAPKCSPSS, key: Self.key, data: Self.message, pss: pss))
        #expect(reported.report.provider == "ncp/0" && reported.report.composedWith?.rawMechanism == .rsaX509)
        let signature = try reported.value.bytes
        #expect(try await NCPTestSupport.checker.verify(.sha256RSAPKCSPSS, key: Self.key.publicKey, data: Self.message, signature: signature, pss: pss))
        // Salt length 0 makes PSS deterministic: openssl's own signature is the same.
        #expect(try await NCPTestSupport.checker.sign(.sha256RSAPKCSPSS, key: Self.key, data: Self.message, pss: pss) == signature)
        // With a salt: drawn awaited, before the encoding, and used.
        let salted = PSSParameters(hash: .sha256, saltLength: 32)
        let first = try await fw.perform(.sign(.sha256RSAPKCSPSS, key: Self.key, data: Self.message, pss: salted))
        let second = try await fw.perform(.sign(.sha256RSAPKCSPSS, key: Self.key, data: Self.message, pss: salted))
        #expect(first.report.composedWith?.rawMechanism == .rsaX509)
        #expect(try first.value.bytes != second.value.bytes, "a fresh salt each time")
        for signature in [try first.value.bytes, try second.value.bytes] {
            #expect(try await NCPTestSupport.checker.verify(.sha256RSAPKCSPSS, key: Self.key.publicKey, data: Self.message,
                                                            signature: signature, pss: salted))
        }
        // A salt longer than the key allows is refused as a whole provider refuses it, before any is drawn.
        var codes: [CryptoError.Code] = []
        for framework in [fw, try Self.t2000({ var p = Policy(); p.disable(provider: "ncp/0", mechanisms: [Mechanism.rsaX509]); return p }())] {
            do {
                _ = try await framework.perform(.sign(.sha256RSAPKCSPSS, key: Self.key, data: Self.message,
                                                      pss: PSSParameters(hash: .sha256, saltLength: Self.key.publicKey.byteCount - 2)))
                Issue.record("signed with an oversized salt")
            } catch let error as CryptoError {
                codes.append(error.code)
            }
        }
        #expect(codes.count == 2 && codes[0] == codes[1], "\(codes)")
    }

    @Test("t2000: a PSS verify does not compose: sparcfp serves it whole, with no failover through ncp/0")
    func verifyServedWhole() throws {
        let fw = try Self.t2000()
        let pss = PSSParameters(hash: .sha256)
        let signature = try NCPTestSupport.checker.sign(.sha256RSAPKCSPSS, key: Self.key, data: Self.message, pss: pss)
        let reported = try fw.perform(.verify(.sha256RSAPKCSPSS, key: Self.key.publicKey, data: Self.message, signature: signature, pss: pss))
        #expect(try reported.value.verified)
        #expect(reported.report.provider == "sparcfp" && reported.report.composedWith == nil && reported.report.failovers.isEmpty)
        #expect(fw.stats(for: "ncp/0")?.requests == 0)
    }

    @Test("t2000: disabling CKM_RSA_X_509 on ncp/0 (or CKM_SHA256 on sparcfp) sends PSS to sparcfp whole",
          arguments: [("ncp/0", Mechanism.rsaX509), ("sparcfp", Mechanism.sha256)])
    func policyDisablesComposition(provider: String, mechanism: Mechanism) throws {
        var policy = Policy()
        policy.disable(provider: provider, mechanisms: [mechanism])
        let fw = try Self.t2000(policy)
        let pss = PSSParameters(hash: .sha256)
        let reported = try fw.perform(.sign(.sha256RSAPKCSPSS, key: Self.key, data: Self.message, pss: pss))
        #expect(reported.report.provider == "sparcfp" && reported.report.composedWith == nil)
        #expect(try NCPTestSupport.checker.verify(.sha256RSAPKCSPSS, key: Self.key.publicKey, data: Self.message,
                                                  signature: reported.value.bytes, pss: pss))
        #expect(fw.stats(for: "ncp/0")?.requests == 0)
    }

    @Test("t2000: a bad PSS request gets the same error composed as whole (wrong hash length, salt too long, mismatched hash)")
    func sameErrorAsWhole() throws {
        var policy = Policy()
        policy.disable(provider: "ncp/0", mechanisms: [Mechanism.rsaX509])
        let composed = try Self.t2000()
        let whole = try Self.t2000(policy)
        let bad: [(Mechanism, [UInt8], PSSParameters)] = [
            (.rsaPKCSPSS, [UInt8](repeating: 1, count: 31), PSSParameters(hash: .sha256)),
            (.sha256RSAPKCSPSS, Self.message, PSSParameters(hash: .sha256, saltLength: 200)),
            (.sha256RSAPKCSPSS, Self.message, PSSParameters(hash: .sha1)),
        ]
        for (mechanism, data, pss) in bad {
            var codes: [CryptoError.Code] = []
            for fw in [composed, whole] {
                do {
                    _ = try fw.sign(mechanism, key: Self.key, data: data, pss: pss)
                    Issue.record("\(mechanism) \(pss) signed")
                } catch let error as CryptoError {
                    codes.append(error.code)
                }
            }
            #expect(codes.count == 2 && codes[0] == codes[1], "\(mechanism) \(pss): \(codes)")
        }
    }
}
