import CryptoFramework
import Foundation
import Providers
import TestSupport
import Testing

/// ecdsa_p1363_verify_schema_v1 and eddsa_verify_schema_v1 groups.
struct ECSignatureVerifyGroup: Decodable {
    let publicKeyDer: String
    let sha: String?
    let tests: [WycheproofSignatureTest]
}

/// ecdh_test_schema_v1 (SPKI peers), ecdh_ecpoint_test_schema_v1 (raw points)
/// and xdh_comp_schema_v1 groups.
struct KeyAgreementGroup: Decodable {
    let curve: String
    /// "asn" (the peer is a SubjectPublicKeyInfo) or "ecpoint"; absent for X25519 (raw 32 bytes).
    let encoding: String?
    let tests: [KeyAgreementTest]
}

struct KeyAgreementTest: Decodable {
    let tcId: Int
    let comment: String
    let flags: [String]
    let `public`: String
    let `private`: String
    let shared: String
    let result: WycheproofResult
}

/// How many vectors of each result one file ran on one provider, and how many
/// of the acceptable ones it accepted (the report's counts).
struct WycheproofTally: CustomStringConvertible {
    var valid = 0, invalid = 0, acceptable = 0, acceptableAccepted = 0
    var total: Int { valid + invalid + acceptable }

    mutating func count(_ result: WycheproofResult, accepted: Bool) {
        switch result {
        case .valid: valid += 1
        case .invalid: invalid += 1
        case .acceptable:
            acceptable += 1
            if accepted { acceptableAccepted += 1 }
        }
    }

    var description: String {
        "\(valid) valid, \(invalid) invalid, \(acceptable) acceptable (\(acceptableAccepted) accepted)"
    }
}

/// Every provider that lists an EC mechanism for a curve runs every Wycheproof
/// vector of it through a pinned view of the host framework (and sparcfp,
/// t2000's software ECC on P-256 and P-384, through t2000's): ECDSA (P1363
/// form), ECDH with SPKI and raw peers (invalid and off-curve points must end
/// in the framework's error), X25519, Ed25519.
@Suite("Wycheproof EC vectors, per provider")
struct WycheproofECTests {
    static let framework = try! CryptoFramework(platform: .host, policy: .inMemory(Policy()))
    static let t2000 = try! CryptoFramework(platform: .t2000(timing: .fast), policy: .inMemory(Policy()))
    static let providerNames = framework.providers.map(\.name) + ["sparcfp"]

    /// The framework whose provider `name` is: the host's, or t2000's for sparcfp.
    static func framework(of name: String) -> CryptoFramework { name == "sparcfp" ? t2000 : framework }

    static let signatureFiles = [
        "ecdsa_secp256r1_sha256_p1363_test", "ecdsa_secp384r1_sha384_p1363_test", "ecdsa_secp521r1_sha512_p1363_test",
        "ed25519_test",
    ]
    static let ecdhFiles = [
        "ecdh_secp256r1_test", "ecdh_secp384r1_test", "ecdh_secp521r1_test", "ecdh_secp256r1_ecpoint_test", "x25519_test",
    ]

    /// Whether `provider` lists `mechanism` with `flag` for keys on `curve`.
    static func serves(_ provider: String, _ mechanism: Mechanism, _ flag: MechanismFlags, _ curve: ECCurve) -> Bool {
        guard let info = framework(of: provider).providers.first(where: { $0.name == provider })?.info(for: mechanism) else { return false }
        return info.flags.contains(flag) && info.accepts(keyBits: curve.keyBits, curve: curve)
    }

    /// Runs `body` on every group of `file` with `provider`'s pinned view, then
    /// prints the counts and checks that every vector ran if any did.
    static func run<Group: Decodable>(
        _ file: String, _ type: Group.Type, on provider: String,
        _ body: (Group, CryptoFramework, inout WycheproofTally) throws -> Void
    ) throws {
        let vectors = try WycheproofFile<Group>.load(file)
        let view = try framework(of: provider).pinned(to: provider)
        var tally = WycheproofTally()
        for group in vectors.testGroups { try body(group, view, &tally) }
        guard tally.total > 0 else { return }
        print("wycheproof \(file) on \(provider): \(tally)")
        #expect(tally.total == vectors.numberOfTests, "every vector of \(file) must run on \(provider)")
    }

    /// Runs `verify(msg, sig)` on every signature vector of a group and checks and counts the outcomes.
    static func verifyAll(
        _ tests: [WycheproofSignatureTest], _ file: String, _ provider: String, _ tally: inout WycheproofTally,
        verify: ([UInt8], [UInt8]) throws -> Bool
    ) throws {
        for test in tests {
            let msg = try [UInt8](hex: test.msg), sig = try [UInt8](hex: test.sig)
            let outcome = Result { try verify(msg, sig) }
            test.result.check(outcome, "\(file) tcId \(test.tcId) (\(test.comment)) on \(provider)")
            tally.count(test.result, accepted: (try? outcome.get()) == true)
        }
    }

    @Test("ECDSA P1363 and Ed25519 verification vectors", arguments: signatureFiles, providerNames)
    func signatures(file: String, providerName: String) throws {
        try Self.run(file, ECSignatureVerifyGroup.self, on: providerName) { group, view, tally in
            let key = try ECPublicKey(derRepresentation: [UInt8](hex: group.publicKeyDer))
            // Ed25519; or ECDSA by the hashed mechanism, or CKM_ECDSA over the hash computed here.
            let hash = try group.sha.map { try HashAlgorithm(wycheproof: $0) }
            let hashed = Mechanism.ecdsaMechanisms.first { ECSignatureScheme($0) == hash.map { .ecdsaHashed($0) } }
            guard let mechanism = [hash == nil ? .eddsa : hashed, .ecdsa].compactMap({ $0 }).first(where: {
                Self.serves(providerName, $0, .verify, key.curve)
            }) else { return }
            try Self.verifyAll(group.tests, file, providerName, &tally) { msg, sig in
                let data = mechanism == .ecdsa ? try WycheproofTests.digest(try #require(hash), msg) : msg
                return try view.verify(mechanism, key: key, data: data, signature: sig)
            }
        }
    }

    @Test("ECDH and X25519 vectors: shared secrets, and invalid peers refused", arguments: ecdhFiles, providerNames)
    func keyAgreement(file: String, providerName: String) throws {
        try Self.run(file, KeyAgreementGroup.self, on: providerName) { group, view, tally in
            let curve = try #require(ECCurve(name: group.curve), "curve \(group.curve)")
            guard Self.serves(providerName, .ecdh1Derive, .derive, curve) else { return }
            for test in group.tests {
                let what = "\(file) tcId \(test.tcId) (\(test.comment)) on \(providerName)"
                let outcome = Result {
                    let privateKey = try ECPrivateKey(curve: curve, scalar: SecureBytes([UInt8](hex: test.private)))
                    let peer = try [UInt8](hex: test.public)
                    // An SPKI peer is parsed by the framework, then its point goes in as PKCS#11 would pass it.
                    let peerPoint = group.encoding == "asn" ? try ECPublicKey(derRepresentation: peer).point : peer
                    return try view.deriveECDH(privateKey: privateKey, peerPublicValue: peerPoint)
                }
                switch (test.result, outcome) {
                case (.valid, .success(let shared)), (.acceptable, .success(let shared)):
                    #expect(shared.bytes.hex == test.shared, "\(what): wrong shared secret")
                case (.invalid, .success):
                    Issue.record("\(what): INVALID peer accepted")
                case (.valid, .failure(let error)):
                    Issue.record("\(what): valid exchange refused: \(error)")
                case (.invalid, .failure(let error)), (.acceptable, .failure(let error)):
                    #expect(error is CryptoError, "\(what): refused with a non-framework error \(error)")
                }
                tally.count(test.result, accepted: (try? outcome.get()) != nil)
            }
        }
    }

    @Test("the EC files run on openssl, gmp (prime curves), sparcfp (P-256, P-384) and sodium (25519), and on nobody else")
    func whoRuns() {
        let ecdsa = Self.providerNames.filter { Self.serves($0, .ecdsa, .verify, .p256) }
        let eddsa = Self.providerNames.filter { Self.serves($0, .eddsa, .verify, .ed25519) }
        let x25519 = Self.providerNames.filter { Self.serves($0, .ecdh1Derive, .derive, .x25519) }
        let p256 = Self.providerNames.filter { Self.serves($0, .ecdh1Derive, .derive, .p256) }
        let p384 = Self.providerNames.filter { Self.serves($0, .ecdh1Derive, .derive, .p384) }
        let p521 = Self.providerNames.filter { Self.serves($0, .ecdsa, .verify, .p521) }
        #expect(ecdsa == ["openssl", "gmp", "sparcfp"] && p256 == ["openssl", "gmp", "sparcfp"] && p384 == p256)
        #expect(p521 == ["openssl", "gmp"])
        #expect(Set(eddsa) == ["openssl", "sodium"] && Set(x25519) == ["openssl", "sodium"])
    }
}
