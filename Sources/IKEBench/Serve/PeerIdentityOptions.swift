import ArgumentParser
import IKECore
import IKEServer

/// Who we are and whom we trust on the wire: the options `serve` and `run --peer` share.
struct PeerIdentityOptions: ParsableArguments {
    @Option(help: "Our RSA private key (PEM: PKCS#8 or PKCS#1).")
    var key: String?

    @Option(help: "Our certificate (PEM), sent in a CERT payload when the peer asks with CERTREQ.")
    var cert: String?

    @Option(help: "Our ID: fqdn:NAME, ipv4:ADDRESS or dn:\"C=…, O=…, CN=…\". Default: the certificate's subject.")
    var id: String?

    @Option(help: "A peer's certificate, a peer's bare public key, or a CA certificate whose signature a peer's certificate must carry (PEM; repeatable).")
    var trust: [String] = []

    func validate() throws {
        guard key != nil else { throw ValidationError("--key is required") }
        guard cert != nil || id != nil else { throw ValidationError("--id is required without --cert") }
        guard !trust.isEmpty else { throw ValidationError("at least one --trust is required: nobody else could authenticate") }
        if let id { _ = try IdentitySpec.parse(id) }
    }

    func identity() throws -> MainModeIdentity {
        try IdentityFiles.load(keyPath: key!, certificatePath: cert, id: id)
    }

    func peers() throws -> PeerTrust {
        try PeerTrust.load(pemFiles: trust)
    }
}
