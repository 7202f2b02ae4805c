import CryptoFramework
import Providers
import TestSupport
import Testing

/// Every provider that claims an RSA signature mechanism runs every Wycheproof
/// vector of it; a provider that claims only CKM_RSA_PKCS (or CKM_RSA_PKCS_PSS)
/// runs the hash vectors with the hash (and DigestInfo) computed first.
/// The runners take the framework, so other platforms' providers reuse them
/// (SPARCFloatWycheproofTests runs them on t2000's sparcfp).
@Suite("Wycheproof RSA vectors, per provider")
struct WycheproofTests {
    static let framework = try! CryptoFramework(platform: .host, policy: .inMemory(Policy()))
    static let providerNames = framework.providers.map(\.name)

    static let pkcs1VerifyFiles = [
        "rsa_signature_2048_sha256_test", "rsa_signature_2048_sha384_test", "rsa_signature_2048_sha512_test",
    ]

    /// How a provider runs a vector of hash `hash`: the hashed mechanism, or the
    /// raw one with the caller hashing; nil when it claims neither.
    enum Route {
        case hashed(Mechanism)
        case raw(Mechanism)
    }

    static func route(_ provider: ProviderDescriptor, hashed: Mechanism, raw: Mechanism, flag: MechanismFlags) -> Route? {
        if let info = provider.info(for: hashed), info.flags.contains(flag) { return .hashed(hashed) }
        if let info = provider.info(for: raw), info.flags.contains(flag) { return .raw(raw) }
        return nil
    }

    static func digest(_ hash: HashAlgorithm, _ data: [UInt8]) throws -> [UInt8] {
        try framework.pinned(to: "openssl").digest(hash.digestMechanism, data: data)
    }

    @Test("PKCS#1 v1.5 verification vectors", arguments: pkcs1VerifyFiles, providerNames)
    func pkcs1Verify(file: String, providerName: String) throws {
        try Self.pkcs1Verify(file: file, providerName: providerName, in: Self.framework)
    }

    static func pkcs1Verify(file: String, providerName: String, in framework: CryptoFramework) throws {
        let vectors = try WycheproofFile<RSAVerifyGroup>.load(file)
        let provider = try #require(framework.providers.first { $0.name == providerName })
        let view = try framework.pinned(to: providerName)
        var ran = 0
        for group in vectors.testGroups {
            let hash = try HashAlgorithm(wycheproof: group.sha)
            guard let route = Self.route(provider, hashed: hash.pkcs1Mechanism, raw: .rsaPKCS, flag: .verify) else { continue }
            let key = try RSAPublicKey(derRepresentation: [UInt8](hex: group.publicKeyDer))
            for test in group.tests {
                let msg = try [UInt8](hex: test.msg), sig = try [UInt8](hex: test.sig)
                let outcome: Result<Bool, any Error> = Result {
                    switch route {
                    case .hashed(let m): return try view.verify(m, key: key, data: msg, signature: sig)
                    case .raw(let m):
                        return try view.verify(m, key: key, data: hash.digestInfo(Self.digest(hash, msg)), signature: sig)
                    }
                }
                test.result.check(outcome, "\(file) tcId \(test.tcId) (\(test.comment)) on \(providerName)")
                ran += 1
            }
        }
        if Self.route(provider, hashed: .sha256RSAPKCS, raw: .rsaPKCS, flag: .verify) != nil {
            #expect(ran == vectors.numberOfTests, "every vector of \(file) must run on \(providerName)")
        }
    }

    @Test("PSS verification vectors (SHA-256, MGF1-SHA-256, salt 32)", arguments: providerNames)
    func pssVerify(providerName: String) throws {
        try Self.pssVerify(providerName: providerName, in: Self.framework)
    }

    static func pssVerify(providerName: String, in framework: CryptoFramework) throws {
        let vectors = try WycheproofFile<RSAVerifyGroup>.load("rsa_pss_2048_sha256_mgf1_32_test")
        let provider = try #require(framework.providers.first { $0.name == providerName })
        let view = try framework.pinned(to: providerName)
        var ran = 0
        for group in vectors.testGroups {
            let hash = try HashAlgorithm(wycheproof: group.sha)
            let params = PSSParameters(
                hash: hash, mgf1Hash: try HashAlgorithm(wycheproof: group.mgfSha ?? group.sha), saltLength: group.sLen)
            guard let route = Self.route(provider, hashed: hash.pssMechanism, raw: .rsaPKCSPSS, flag: .verify) else { continue }
            let key = try RSAPublicKey(derRepresentation: [UInt8](hex: group.publicKeyDer))
            for test in group.tests {
                let msg = try [UInt8](hex: test.msg), sig = try [UInt8](hex: test.sig)
                let outcome: Result<Bool, any Error> = Result {
                    switch route {
                    case .hashed(let m): return try view.verify(m, key: key, data: msg, signature: sig, pss: params)
                    case .raw(let m): return try view.verify(m, key: key, data: Self.digest(hash, msg), signature: sig, pss: params)
                    }
                }
                test.result.check(outcome, "PSS tcId \(test.tcId) (\(test.comment)) on \(providerName)")
                ran += 1
            }
        }
        if Self.route(provider, hashed: .sha256RSAPKCSPSS, raw: .rsaPKCSPSS, flag: .verify) != nil {
            #expect(ran == vectors.numberOfTests)
        }
    }

    @Test("PKCS#1 v1.5 signature generation reproduces the exact signatures", arguments: providerNames)
    func pkcs1Generate(providerName: String) throws {
        try Self.pkcs1Generate(providerName: providerName, in: Self.framework)
    }

    static func pkcs1Generate(providerName: String, in framework: CryptoFramework) throws {
        let vectors = try WycheproofFile<RSASignatureGenerationGroup>.load("rsa_pkcs1_2048_sig_gen_test")
        let provider = try #require(framework.providers.first { $0.name == providerName })
        let view = try framework.pinned(to: providerName)
        var ran = 0
        for group in vectors.testGroups {
            let hash = try HashAlgorithm(wycheproof: group.sha)
            guard let route = Self.route(provider, hashed: hash.pkcs1Mechanism, raw: .rsaPKCS, flag: .sign) else { continue }
            let key = try RSAPrivateKey(derRepresentation: [UInt8](hex: group.privateKeyPkcs8))
            #expect(key.publicKey == (try RSAPublicKey(derRepresentation: [UInt8](hex: group.keyDer))))
            for test in group.tests {
                let msg = try [UInt8](hex: test.msg)
                let signature: [UInt8]
                switch route {
                case .hashed(let m): signature = try view.sign(m, key: key, data: msg)
                case .raw(let m): signature = try view.sign(m, key: key, data: hash.digestInfo(Self.digest(hash, msg)))
                }
                #expect(signature.hex == test.sig, "sig_gen tcId \(test.tcId) on \(providerName)")
                ran += 1
            }
        }
        if Self.route(provider, hashed: .sha256RSAPKCS, raw: .rsaPKCS, flag: .sign) != nil {
            #expect(ran == vectors.numberOfTests, "every sig_gen vector must run on \(providerName)")
        }
    }
}
