import Foundation

/// One Wycheproof JSON file (github.com/C2SP/wycheproof, Apache-2.0; copies under
/// Tests/Vectors with its LICENSE), generic over the test-group shape.
struct WycheproofFile<Group: Decodable>: Decodable {
    let algorithm: String
    let numberOfTests: Int
    let testGroups: [Group]

    /// Loads `Tests/Vectors/<name>.json` from the test bundle.
    static func load(_ name: String) throws -> WycheproofFile {
        guard let url = Bundle.module.url(forResource: "Vectors/\(name)", withExtension: "json")
            ?? Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Vectors")
        else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Vectors/\(name).json"])
        }
        return try JSONDecoder().decode(WycheproofFile.self, from: Data(contentsOf: url))
    }
}

/// A signature-verification vector (RsassaPkcs1Verify, RsassaPssVerify).
struct WycheproofSignatureTest: Decodable {
    let tcId: Int
    let comment: String
    let msg: String
    let sig: String
    /// "valid", "invalid" or "acceptable" (either outcome is correct).
    let result: String
}

/// An RSA verification group: the public key and the hash parameters.
struct WycheproofRSAVerifyGroup: Decodable {
    struct PublicKey: Decodable {
        let modulus: String
        let publicExponent: String
    }
    let publicKey: PublicKey
    let sha: String
    let mgfSha: String?
    let sLen: Int?
    let tests: [WycheproofSignatureTest]
}
