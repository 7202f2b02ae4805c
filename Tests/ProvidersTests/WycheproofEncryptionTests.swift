import CryptoFramework
import Providers
import TestSupport
import Testing

/// rsaes_pkcs1_decrypt_schema and rsaes_oaep_decrypt_schema groups.
struct RSADecryptGroup: Decodable {
    let privateKeyPkcs8: String
    let sha: String?
    let mgfSha: String?
    let tests: [RSADecryptTest]
}

struct RSADecryptTest: Decodable {
    let tcId: Int
    let comment: String
    let msg: String
    let ct: String
    let label: String?
    let result: WycheproofResult
    let flags: [String]
}

/// keywrap_test_schema groups (aes_wrap, aes_kwp).
struct KeyWrapGroup: Decodable {
    let tests: [KeyWrapTest]
}

struct KeyWrapTest: Decodable {
    let tcId: Int
    let comment: String
    let key: String
    let msg: String
    let ct: String
    let result: WycheproofResult
}

/// Wycheproof's RSA decryption and AES key-wrap vectors on every provider
/// that lists the mechanism for decryption, on host and t2000; every
/// provider must also give the same outcome (plaintext, or error code and
/// message) for every vector, so an invalid ciphertext is one answer whoever serves.
@Suite("Wycheproof RSA decryption and AES key-wrap vectors, per provider")
struct WycheproofEncryptionTests {
    /// Host with SoftHSM2 installed as a provider (its token's CKM_RSA_X_509 under the framework's padding).
    static let host = try! SoftHSMToken.framework()
    static let t2000 = try! CryptoFramework(platform: .t2000, policy: .inMemory(Policy()))

    static let rsaFiles: [(String, Mechanism)] = [
        ("rsa_pkcs1_2048_test", .rsaPKCS), ("rsa_oaep_2048_sha1_mgf1sha1_test", .rsaPKCSOAEP),
        ("rsa_oaep_2048_sha256_mgf1sha256_test", .rsaPKCSOAEP),
    ]

    /// The providers of `framework` that decrypt with `mechanism`, by name.
    static func decrypters(_ framework: CryptoFramework, _ mechanism: Mechanism) -> [String] {
        framework.providers.filter { $0.info(for: mechanism)?.flags.contains(.decrypt) ?? false }.map(\.name)
    }

    /// One vector's outcome, comparable across providers.
    static func outcome(_ body: () throws -> [UInt8]) -> String {
        do { return "plaintext " + (try body()).map { String(format: "%02x", $0) }.joined() } catch let error as CryptoError {
            return "error \(error.code.rawValue): \(error.message)"
        } catch {
            return "non-framework error \(error)"
        }
    }

    @Test("RSA decryption vectors (PKCS#1 v1.5, OAEP SHA-1, OAEP SHA-256 with labels)", arguments: [false, true], [0, 1, 2])
    func rsaDecrypt(onT2000: Bool, fileIndex: Int) throws {
        let (file, mechanism) = Self.rsaFiles[fileIndex]
        let framework = onT2000 ? Self.t2000 : Self.host
        let providers = Self.decrypters(framework, mechanism)
        // PKCS#1 v1.5: ncp/0 and sparcfp on t2000; OAEP: sparcfp alone there.
        try #require(!providers.isEmpty, "no provider decrypts with \(mechanism) on \(onT2000 ? "t2000" : "host")")
        let vectors = try WycheproofFile<RSADecryptGroup>.load(file)
        var ran = 0
        for group in vectors.testGroups {
            let key = try RSAPrivateKey(derRepresentation: [UInt8](hex: group.privateKeyPkcs8))
            let oaep = try group.sha.map {
                OAEPParameters(hash: try HashAlgorithm(wycheproof: $0), mgf1Hash: try HashAlgorithm(wycheproof: group.mgfSha ?? $0))
            }
            for test in group.tests {
                var parameters = oaep
                if mechanism == .rsaPKCSOAEP { parameters?.label = try [UInt8](hex: test.label ?? "") }
                let ct = try [UInt8](hex: test.ct), msg = try [UInt8](hex: test.msg)
                let what = "\(file) tcId \(test.tcId) (\(test.comment))"
                var answers: [String: String] = [:]
                for name in providers {
                    let view = try framework.pinned(to: name)
                    let answer = Self.outcome { try view.decrypt(mechanism, key: key, data: ct, oaep: parameters).bytes }
                    answers[name] = answer
                    switch test.result {
                    case .valid:
                        #expect(answer == Self.outcome { msg }, "\(what) on \(name): \(answer)")
                    case .invalid:
                        #expect(answer.hasPrefix("error CRYPTO_DATA_INVALID") || answer.hasPrefix("error CRYPTO_DATA_LEN_RANGE"),
                                "\(what) on \(name): \(answer)")
                    case .acceptable:
                        #expect(!answer.hasPrefix("non-framework"), "\(what) on \(name): \(answer)")
                    }
                }
                #expect(Set(answers.values).count == 1, "\(what): providers disagree: \(answers)")
                ran += 1
            }
        }
        #expect(ran == vectors.numberOfTests)
    }

    @Test("AES key wrap vectors (RFC 3394 and RFC 5649)", arguments: [false, true], ["aes_wrap_test", "aes_kwp_test"])
    func keyWrap(onT2000: Bool, file: String) throws {
        let mechanism: Mechanism = file == "aes_wrap_test" ? .aesKeyWrap : .aesKeyWrapPad
        let framework = onT2000 ? Self.t2000 : Self.host
        let providers = Self.decrypters(framework, mechanism)
        try #require(!providers.isEmpty)
        let vectors = try WycheproofFile<KeyWrapGroup>.load(file)
        var ran = 0
        for group in vectors.testGroups {
            for test in group.tests {
                let key = SecureBytes(try [UInt8](hex: test.key))
                let msg = try [UInt8](hex: test.msg), ct = try [UInt8](hex: test.ct)
                let what = "\(file) tcId \(test.tcId) (\(test.comment))"
                var answers: [String: String] = [:]
                for name in providers {
                    let view = try framework.pinned(to: name)
                    let wrapped = Self.outcome { try view.encrypt(mechanism, key: key, iv: [], data: msg) }
                    let unwrapped = Self.outcome { try view.decrypt(mechanism, key: key, iv: [], data: ct) }
                    answers[name] = wrapped + " / " + unwrapped
                    switch test.result {
                    case .valid:
                        #expect(wrapped == Self.outcome { ct } && unwrapped == Self.outcome { msg }, "\(what) on \(name): \(wrapped), \(unwrapped)")
                    case .invalid:
                        #expect(unwrapped.hasPrefix("error CRYPTO_DATA_INVALID") || unwrapped.hasPrefix("error CRYPTO_DATA_LEN_RANGE"),
                                "\(what) on \(name): unwrap gave \(unwrapped)")
                        #expect(wrapped != Self.outcome { ct }, "\(what) on \(name): wrapped to the invalid vector")
                    case .acceptable:
                        #expect(!wrapped.hasPrefix("non-framework") && !unwrapped.hasPrefix("non-framework"), "\(what) on \(name)")
                    }
                }
                #expect(Set(answers.values).count == 1, "\(what): providers disagree: \(answers)")
                ran += 1
            }
        }
        #expect(ran == vectors.numberOfTests)
    }
}
