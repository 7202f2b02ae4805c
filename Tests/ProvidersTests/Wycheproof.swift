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
