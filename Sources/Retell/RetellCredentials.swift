import CryptoFramework
import Foundation
import ProcessSupport
import Providers

/// The two charons' RSA keys and self-signed certificates (openssl), and the
/// responder's key and certificate written to a PKCS#11 token (OpenSC's
/// pkcs11-tool) under the CKA_ID charon will look for: the SHA-1 of the
/// RSAPublicKey, which is also the certificate's subjectKeyIdentifier.
struct RetellCredentials {
    let directory: URL
    let rsaBits: Int
    /// Hex CKA_ID of the responder's key and certificate on the token.
    private(set) var responderKeyID = ""

    static let soPIN = "5678"
    static let userPIN = "1234"
    static let tokenLabel = "retell"

    var responderCertificate: URL { directory.appendingPathComponent("responder.crt") }
    var initiatorCertificate: URL { directory.appendingPathComponent("initiator.crt") }
    var initiatorKey: URL { directory.appendingPathComponent("initiator.key") }

    init(directory: URL, rsaBits: Int) {
        self.directory = directory
        self.rsaBits = rsaBits
    }

    /// Makes both key pairs and certificates.
    mutating func make() async throws {
        let openssl = try Self.tool("openssl", package: "openssl")
        for (name, subject) in [("responder", "/C=US/O=CryptoFramework/CN=responder"), ("initiator", "/C=US/O=CryptoFramework/CN=initiator")] {
            let key = directory.appendingPathComponent("\(name).key").path
            try await ChildProcess.check(Command(openssl, ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:\(rsaBits)", "-out", key]))
            try await ChildProcess.check(Command(openssl, ["req", "-new", "-x509", "-key", key, "-subj", subject, "-days", "3650",
                                                     "-sha256", "-out", directory.appendingPathComponent("\(name).crt").path]))
        }
        let pem = try String(contentsOf: directory.appendingPathComponent("responder.key"), encoding: .utf8)
        let key = try RSAPrivateKey(pemRepresentation: pem)
        let hasher = try CryptoFramework(platform: .host, policy: .inMemory(Policy()), kstatDirectory: nil).pinned(to: "openssl")
        responderKeyID = try await hasher.digest(.sha1, data: key.publicKey.pkcs1DERRepresentation).map { String(format: "%02x", $0) }.joined()
    }

    /// Initializes the token of `module` (SO PIN, user PIN) and writes the
    /// responder's private key and certificate to it. `environment`: what the
    /// module reads (its keystore, policy, SoftHSM2's configuration).
    func writeToToken(module: String, environment: [String: String]) async throws {
        let tool = try Self.tool("pkcs11-tool", package: "opensc")
        let openssl = try Self.tool("openssl", package: "openssl")
        let keyDER = directory.appendingPathComponent("responder.p8.der").path
        let certDER = directory.appendingPathComponent("responder.crt.der").path
        try await ChildProcess.check(Command(openssl, ["pkcs8", "-topk8", "-nocrypt", "-in", directory.appendingPathComponent("responder.key").path,
                                                 "-outform", "DER", "-out", keyDER]))
        try await ChildProcess.check(Command(openssl, ["x509", "-in", responderCertificate.path, "-outform", "DER", "-out", certDER]))
        let base = ["--module", module]
        try await ChildProcess.check(Command(tool, base + ["--init-token", "--label", Self.tokenLabel, "--so-pin", Self.soPIN], environment: environment))
        let token = base + ["--token-label", Self.tokenLabel]
        try await ChildProcess.check(Command(tool, token + ["--init-pin", "--login", "--login-type", "so", "--so-pin", Self.soPIN, "--pin", Self.userPIN],
                                       environment: environment))
        for (file, type) in [(keyDER, "privkey"), (certDER, "cert")] {
            try await ChildProcess.check(Command(tool, token + ["--login", "--pin", Self.userPIN, "--write-object", file, "--type", type,
                                                          "--id", responderKeyID, "--label", "responder"], environment: environment))
        }
    }

    static func tool(_ name: String, package: String) throws -> String {
        guard let path = ChildProcess.find(name) else {
            throw ChildProcess.Failure(description: "\(name) is not installed: `sudo apt-get install -y \(package)` (or `make deps` as root)")
        }
        return path
    }
}
