import CryptoFramework
import ArgumentParser
import IKEProtocol
import IKEHarness
import IKEServer

/// Who we are and whom we trust on the wire: the options `serve` and `run --peer` share.
struct PeerIdentityOptions: ParsableArguments {
    @Option(help: "Our private key (PEM): RSA (PKCS#8 or PKCS#1), EC P-256/384/521 (PKCS#8 or SEC 1) for ECDSA authentication, or Ed25519 (PKCS#8; IKEv2 only, RFC 8420).")
    var key: String?

    @Option(help: "Our certificate (PEM), sent in a CERT payload when the peer asks with CERTREQ.")
    var cert: String?

    @Option(help: "Our ID: fqdn:NAME, ipv4:ADDRESS or dn:\"C=..., O=..., CN=...\". Default: the certificate's subject.")
    var id: String?

    @Option(help: "A peer's certificate, a peer's bare public key, or a CA certificate whose signature a peer's certificate must carry (PEM; repeatable).")
    var trust: [String] = []

    /// Only the ID's form is checked here; ``validateRequired(for:)`` checks
    /// the rest where the options are needed (`serve`, `run --peer`).
    func validate() throws {
        if let id { _ = try IdentitySpec.parse(id) }
    }

    func validateRequired(for what: String) throws {
        guard key != nil else { throw ValidationError("\(what) needs --key") }
        guard cert != nil || id != nil else { throw ValidationError("\(what) needs --id when there is no --cert") }
        guard !trust.isEmpty else { throw ValidationError("\(what) needs at least one --trust: no peer could authenticate otherwise") }
    }

    /// `framework` checks an Ed25519 key against --cert (its PKCS#8 holds no public key).
    func identity(framework: CryptoFramework? = nil) throws -> MainModeIdentity {
        try IdentityFiles.load(keyPath: key!, certificatePath: cert, id: id, framework: framework)
    }

    func peers() throws -> PeerTrust {
        try PeerTrust.load(pemFiles: trust)
    }
}
