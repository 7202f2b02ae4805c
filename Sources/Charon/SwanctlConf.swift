/// One IKEv1 connection of swanctl.conf between two loopback peers,
/// authenticated with public keys and X.509 certificates (file names under
/// the swanctl directory's x509/). No `children`, so no kernel policy or SA is
/// ever installed.
public struct CharonConnection: Sendable {
    public var name: String
    /// strongSwan's IKE proposal, e.g. `3des-sha1-modp1024`.
    public var proposal: String
    public var localCertificate: String
    public var remoteCertificate: String
    /// The identity the peer must show; nil: the one of its certificate.
    public var remoteID: String?
    /// nil: charon's IKE port, resp. any port (as responder) or 500.
    public var localPort: Int?
    public var remotePort: Int?
    /// Seconds before rekeying; 0 never rekeys; nil: charon's default.
    public var rekeyTime: Int?
    /// Trust the peer through this CA (under x509ca/) instead of pinning its
    /// certificate: charon then asks for the peer's certificate with a CERTREQ
    /// (in Main Mode message 5 as an initiator) and ``remoteCertificate`` is not used.
    public var remoteCACertificate: String?
    /// IKE version: 1 (Main Mode, the default here) or 2. For 2, MOBIKE is
    /// off (a single-port responder would never see IKE_AUTH otherwise,
    /// ../shared/FACTS.md) and the IKE SA is childless (RFC 6023), so charon
    /// allocates no SPI from the kernel.
    public var version = 1
    /// IKEv2 fragmentation (RFC 7383): charon's `fragmentation` (yes, accept, force, no); nil: its default.
    public var fragmentation: String?

    public init(name: String, proposal: String, localCertificate: String, remoteCertificate: String) {
        self.name = name
        self.proposal = proposal
        self.localCertificate = localCertificate
        self.remoteCertificate = remoteCertificate
    }

    var text: String {
        var lines = ["version = \(version)", "local_addrs = 127.0.0.1", "remote_addrs = 127.0.0.1"]
        if version == 2 { lines += ["mobike = no", "childless = force"] }
        if let fragmentation { lines.append("fragmentation = \(fragmentation)") }
        if let localPort { lines.append("local_port = \(localPort)") }
        if let remotePort { lines.append("remote_port = \(remotePort)") }
        lines.append("proposals = \(proposal)")
        if let rekeyTime { lines.append("rekey_time = \(rekeyTime)") }
        let trust = remoteCACertificate.map { "cacerts = \($0)" } ?? "certs = \(remoteCertificate)"
        let remote = ["auth = pubkey"] + (remoteID.map { ["id = \($0)"] } ?? []) + [trust]
        return "  \(name) {\n" + lines.map { "    \($0)\n" }.joined()
            + "    local {\n      auth = pubkey\n      certs = \(localCertificate)\n    }\n"
            + "    remote {\n" + remote.map { "      \($0)\n" }.joined() + "    }\n  }\n"
    }
}

/// A charon's swanctl.conf: its connections, and private keys it finds on the
/// PKCS#11 token of ``CharonSettings/pkcs11Module`` (keys in files go under
/// the swanctl directory's private/ instead).
public struct SwanctlConf: Sendable {
    /// A private key on the token: its CKA_ID (hex) and the PIN that logs in.
    public struct TokenKey: Sendable {
        public var keyID: String
        public var pin: String
        public init(keyID: String, pin: String) {
            self.keyID = keyID
            self.pin = pin
        }
    }

    public var connections: [CharonConnection]
    public var tokenKeys: [TokenKey] = []

    public init(_ connections: [CharonConnection]) {
        self.connections = connections
    }

    var text: String {
        let secrets = tokenKeys.enumerated().map { n, key in
            "  token-\(n) {\n    handle = \(key.keyID)\n    module = \(CharonSettings.pkcs11ModuleName)\n    pin = \(key.pin)\n  }\n"
        }
        return "connections {\n\(connections.map(\.text).joined(separator: "\n"))}\nsecrets {\n\(secrets.joined())}\n"
    }
}
