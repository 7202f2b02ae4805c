import CryptoFramework
import Foundation
import ProcessSupport
import Providers

/// The two charons' keys (RSA, or EC on a prime curve) and self-signed
/// certificates (openssl), and the responder's key and certificate written to
/// a PKCS#11 token (OpenSC's pkcs11-tool) under the CKA_ID charon will look
/// for: the SHA-1 of the RSAPublicKey (the certificate's subjectKeyIdentifier),
/// or for an EC key the SHA-1 of its point (the subjectPublicKey's bits, as
/// openssl computes the subjectKeyIdentifier).
public struct RetellCredentials: Sendable {
    /// The kind of key both sides get.
    public enum KeyKind: Sendable {
        case rsa(bits: Int)
        case ec(ECCurve)
    }

    public let directory: URL
    public let keyKind: KeyKind
    /// Hex CKA_ID of the responder's key and certificate on the token.
    public private(set) var responderKeyID = ""

    public static let soPIN = "5678"
    public static let userPIN = "1234"
    static let tokenLabel = "retell"

    public var responderCertificate: URL { directory.appendingPathComponent("responder.crt") }
    public var responderKey: URL { directory.appendingPathComponent("responder.key") }
    public var initiatorCertificate: URL { directory.appendingPathComponent("initiator.crt") }
    public var initiatorKey: URL { directory.appendingPathComponent("initiator.key") }

    init(directory: URL, rsaBits: Int) {
        self.init(directory: directory, keyKind: .rsa(bits: rsaBits))
    }

    public init(directory: URL, keyKind: KeyKind) {
        self.directory = directory
        self.keyKind = keyKind
    }

    /// openssl genpkey's arguments for the key kind.
    var genpkeyArguments: [String] {
        switch keyKind {
        case .rsa(let bits): ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:\(bits)"]
        case .ec(let curve): ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(curve.name)"]
        }
    }

    /// Makes both key pairs and certificates, with a DNS subjectAltName each
    /// (`responder.retell.example`, `initiator.retell.example`).
    public mutating func make() async throws {
        let openssl = try Self.tool("openssl", package: "openssl")
        for (name, subject) in [("responder", "/C=US/O=CryptoFramework/CN=responder"), ("initiator", "/C=US/O=CryptoFramework/CN=initiator")] {
            let key = directory.appendingPathComponent("\(name).key").path
            try await ChildProcess.check(Command(openssl, ["genpkey"] + genpkeyArguments + ["-out", key]))
            try await ChildProcess.check(Command(openssl, ["req", "-new", "-x509", "-key", key, "-subj", subject, "-days", "3650",
                                                     "-addext", "subjectAltName=DNS:\(name).retell.example",
                                                     "-sha256", "-out", directory.appendingPathComponent("\(name).crt").path]))
        }
        let pem = try String(contentsOf: responderKey, encoding: .utf8)
        let publicBytes: [UInt8]
        switch keyKind {
        case .rsa: publicBytes = try RSAPrivateKey(pemRepresentation: pem).publicKey.pkcs1DERRepresentation
        case .ec:
            guard let point = try ECPrivateKey(pemRepresentation: pem).publicKey?.point else {
                throw ChildProcess.Failure(description: "openssl wrote \(responderKey.path) without its public key")
            }
            publicBytes = point
        }
        let hasher = try CryptoFramework(platform: .host, policy: .inMemory(Policy()), kstatDirectory: nil).pinned(to: "openssl")
        responderKeyID = try await hasher.digest(.sha1, data: publicBytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Initializes the token of `module` (SO PIN, user PIN) and writes the
    /// responder's private key and certificate to it. `environment`: what the
    /// module reads (its keystore, policy, SoftHSM2's configuration).
    public func writeToToken(module: String, environment: [String: String]) async throws {
        let tool = try Self.tool("pkcs11-tool", package: "opensc")
        let openssl = try Self.tool("openssl", package: "openssl")
        let keyDER = directory.appendingPathComponent("responder.p8.der").path
        let certDER = directory.appendingPathComponent("responder.crt.der").path
        try await ChildProcess.check(Command(openssl, ["pkcs8", "-topk8", "-nocrypt", "-in", responderKey.path,
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
