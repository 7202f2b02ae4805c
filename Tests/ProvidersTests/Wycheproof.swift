import CryptoFramework
import Foundation
import TestSupport
import Testing

/// A Wycheproof vector file: groups of tests of one schema, decoded generically
/// (after swift-crypto's Tests/CryptoTests/Utils/Wycheproof.swift idea).
struct WycheproofFile<Group: Decodable>: Decodable {
    let algorithm: String
    let numberOfTests: Int
    let testGroups: [Group]

    static func load(_ name: String) throws -> WycheproofFile<Group> {
        let url = try #require(
            Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Vectors"),
            "vector file \(name).json missing from Tests/Vectors")
        return try JSONDecoder().decode(WycheproofFile<Group>.self, from: Data(contentsOf: url))
    }
}

enum WycheproofResult: String, Decodable {
    case valid, invalid, acceptable

    /// Records an issue unless a verification's outcome fits this result: a
    /// valid signature verifies; an invalid one is refused (false, or a
    /// framework error); an acceptable one may go either way. Never a crash,
    /// never an error of another type.
    func check(_ outcome: Result<Bool, any Error>, _ what: String) {
        switch (self, outcome) {
        case (.valid, .success(true)), (.invalid, .success(false)), (.acceptable, .success):
            break
        case (.invalid, .failure(let error)), (.acceptable, .failure(let error)):
            // Rejection by a clear error is fine for an invalid vector; anything else is not.
            #expect(error is CryptoError, "\(what): rejected with a non-framework error \(error)")
        case (.valid, .failure(let error)):
            Issue.record("\(what): valid signature rejected: \(error)")
        case (.valid, .success(false)):
            Issue.record("\(what): valid signature did not verify")
        case (.invalid, .success(true)):
            Issue.record("\(what): INVALID signature accepted")
        }
    }
}

struct WycheproofSignatureTest: Decodable {
    let tcId: Int
    let comment: String
    let msg: String
    let sig: String
    let result: WycheproofResult
    let flags: [String]
}

/// rsassa_pkcs1_verify_schema_v1 and rsassa_pss_verify_schema_v1 groups.
struct RSAVerifyGroup: Decodable {
    let publicKeyDer: String
    let sha: String
    let mgfSha: String?
    let sLen: Int?
    let tests: [WycheproofSignatureTest]
}

/// rsassa_pkcs1_generate_schema_v1 groups.
struct RSASignatureGenerationGroup: Decodable {
    let privateKeyPkcs8: String
    let keyDer: String
    let sha: String
    let tests: [WycheproofSignatureTest]
}

extension HashAlgorithm {
    /// Wycheproof's hash names ("SHA-256").
    init(wycheproof name: String) throws {
        switch name {
        case "SHA-1": self = .sha1
        case "SHA-224": self = .sha224
        case "SHA-256": self = .sha256
        case "SHA-384": self = .sha384
        case "SHA-512": self = .sha512
        default: throw CryptoError(.argumentsBad, "unsupported Wycheproof hash \(name)")
        }
    }

    var pkcs1Mechanism: Mechanism {
        switch self {
        case .sha1: .sha1RSAPKCS
        case .sha224: .sha224RSAPKCS
        case .sha256: .sha256RSAPKCS
        case .sha384: .sha384RSAPKCS
        case .sha512: .sha512RSAPKCS
        }
    }

    var pssMechanism: Mechanism {
        switch self {
        case .sha1: .sha1RSAPKCSPSS
        case .sha224: .sha224RSAPKCSPSS
        case .sha256: .sha256RSAPKCSPSS
        case .sha384: .sha384RSAPKCSPSS
        case .sha512: .sha512RSAPKCSPSS
        }
    }
}
