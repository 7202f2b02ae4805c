import CryptoFramework

/// Who one side of Main Mode is: its signature key, the ID it sends (IDii or
/// IDir) and, when it has one, the DER X.509 certificate it sends in a CERT
/// payload when the peer asks with CERTREQ (RFC 2409 §5.1).
public struct MainModeIdentity: Sendable {
    /// The key that signs: RSA, or ECDSA on a prime curve.
    public let signingKey: IKESigningKey
    public let id: Identification
    public let certificate: [UInt8]?

    public init(key: RSAPrivateKey, id: Identification, certificate: [UInt8]? = nil) {
        self.init(signingKey: .rsa(key), id: id, certificate: certificate)
    }

    public init(signingKey: IKESigningKey, id: Identification, certificate: [UInt8]? = nil) {
        self.signingKey = signingKey
        self.id = id
        self.certificate = certificate
    }

    /// The RSA key, when the identity signs with RSA.
    public var key: RSAPrivateKey? {
        if case .rsa(let key) = signingKey { return key }
        return nil
    }

    /// The method this identity signs with (nil: a key IKEv1 cannot sign with).
    public var authentication: IKEAuthentication? { signingKey.authentication }
}

/// Finds the public keys that may have signed for a peer's ID: from the
/// certificates it sent (CERT payloads, DER X.509) checked against what we
/// trust, or from keys configured for that ID. Throws an ``ISAKMPError``
/// naming the refusal (INVALID-ID-INFORMATION, INVALID-CERT-ENCODING,
/// AUTHENTICATION-FAILED …) when nothing trusted speaks for the ID.
public protocol PeerKeyResolver: Sendable {
    func keys(for id: Identification, certificates: [[UInt8]]) throws -> [RSAPublicKey]
    /// Every kind of key trusted for the ID (RSA and EC); by default the RSA ones.
    func publicKeys(for id: Identification, certificates: [[UInt8]]) throws -> [IKEPublicKey]
}

extension PeerKeyResolver {
    public func publicKeys(for id: Identification, certificates: [[UInt8]]) throws -> [IKEPublicKey] {
        try keys(for: id, certificates: certificates).map { .rsa($0) }
    }
}

/// One configured key, whatever ID the peer claims (`ikebench run`'s in-process pair).
public struct FixedPeerKey: PeerKeyResolver {
    public let key: RSAPublicKey
    public init(_ key: RSAPublicKey) { self.key = key }
    public func keys(for id: Identification, certificates: [[UInt8]]) throws -> [RSAPublicKey] { [key] }
}

/// One configured key of any kind, whatever ID the peer claims.
public struct FixedPeerPublicKey: PeerKeyResolver {
    public let key: IKEPublicKey
    public init(_ key: IKEPublicKey) { self.key = key }
    public func keys(for id: Identification, certificates: [[UInt8]]) throws -> [RSAPublicKey] {
        if case .rsa(let rsa) = key { return [rsa] }
        return []
    }
    public func publicKeys(for id: Identification, certificates: [[UInt8]]) throws -> [IKEPublicKey] { [key] }
}

/// Checks a peer's SIG over its HASH with the keys a resolver trusts for its
/// ID and certificates: what both ends of Main Mode do with the last message
/// they receive (SIG_I in message 5, SIG_R in message 6). With
/// `checkSignature` false (a load generator's initiator, never a responder)
/// everything but the signature itself is checked: a trusted key for the ID,
/// of the method and of the signature's size.
enum PeerSignature {
    static func verify(_ hash: [UInt8], signature: [UInt8], id: Identification, payloads: [Payload],
                       resolver: any PeerKeyResolver, session: IKECryptoSession, role: String,
                       method: IKEAuthentication = .rsaSignatures, checkSignature: Bool = true) async throws {
        let certificates = payloads.compactMap { p -> [UInt8]? in
            if case .certificate(CertificateEncoding.x509Signature, let der) = p { return der }
            return nil
        }
        // Every key trusted for the ID (the resolver bounds them: the configured
        // ones plus those of a few CERT payloads, certificates first). Only a key
        // of the negotiated method and of the signature's length can have made it,
        // so a 2048-bit key does not stop the search for the 3072-bit one that did.
        let trusted = try resolver.publicKeys(for: id, certificates: certificates)
        guard !trusted.isEmpty else {
            throw ISAKMPError(.invalidIDInformation, "no trusted key for the \(role)'s ID \(id)")
        }
        let candidates = trusted.filter { $0.fits(method, signatureBytes: signature.count) }
        guard !candidates.isEmpty else {
            let kinds = Set(trusted.map(\.summary)).sorted().joined(separator: ", ")
            throw ISAKMPError(.invalidSignature,
                "the \(role)'s \(method) SIG payload of \(signature.count) bytes fits no trusted key for \(id) (\(kinds))")
        }
        guard checkSignature else { return }
        for key in candidates {
            if try await session.verify(hash, signature: signature, key: key) { return }
        }
        throw ISAKMPError(.authenticationFailed, "the \(role)'s signature does not verify with any trusted key for \(id)")
    }
}

/// What a Main Mode responder accepts and who it is.
///
/// The fields live together in one immutable shared object: a copy (one per
/// exchange the service opens, and one each responder holds) costs one retain
/// instead of one per field; setting a field replaces the object.
public struct MainModeResponderConfiguration: Sendable {
    private struct Fields: Sendable {
        var suites: [IKESuite]
        var identity: MainModeIdentity
        var peers: any PeerKeyResolver
        var requestCertificate: Bool
        var certificateAuthorities: [[UInt8]]
    }

    private final class Storage: Sendable {
        let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var storage: Storage

    // Each field is read in place (`_read`): a getter would copy a field
    // such as the identity, retaining each of its parts, to read one of them.
    private mutating func change(_ body: (inout Fields) -> Void) {
        var fields = storage.fields
        body(&fields)
        storage = Storage(fields)
    }

    /// Acceptable suites; the first transform of the peer's offer (in its
    /// order of preference) that equals one of them is chosen.
    public var suites: [IKESuite] {
        _read { yield storage.fields.suites }
        set { change { $0.suites = newValue } }
    }
    public var identity: MainModeIdentity {
        _read { yield storage.fields.identity }
        set { change { $0.identity = newValue } }
    }
    public var peers: any PeerKeyResolver {
        _read { yield storage.fields.peers }
        set { change { $0.peers = newValue } }
    }
    /// Send CERTREQ in message 4, so the peer sends its certificate in message 5
    /// (useful when we trust a CA rather than the peer's own key).
    public var requestCertificate: Bool {
        _read { yield storage.fields.requestCertificate }
        set { change { $0.requestCertificate = newValue } }
    }
    /// The DER subject names of the CAs we trust, one CERTREQ each (RFC 2408
    /// §3.10); empty: one CERTREQ naming no authority.
    public var certificateAuthorities: [[UInt8]] {
        _read { yield storage.fields.certificateAuthorities }
        set { change { $0.certificateAuthorities = newValue } }
    }

    public init(suites: [IKESuite], identity: MainModeIdentity, peers: any PeerKeyResolver, requestCertificate: Bool = false,
                certificateAuthorities: [[UInt8]] = []) {
        storage = Storage(Fields(suites: suites, identity: identity, peers: peers, requestCertificate: requestCertificate,
                                 certificateAuthorities: certificateAuthorities))
    }

    /// The CERTREQ payloads of message 4: X.509 signature certificates (encoding 4) from each authority.
    var certificateRequests: [Payload] {
        guard requestCertificate else { return [] }
        let names = certificateAuthorities.isEmpty ? [[]] : certificateAuthorities
        return names.map { .other(.certificateRequest, body: [CertificateEncoding.x509Signature] + $0) }
    }
}

/// What a turn of the responder tells its owner besides the reply.
public enum MainModeEvent: Sendable, Equatable {
    /// Message 6 was built: the IKE SA is established with this peer.
    case established(peer: Identification)
    /// The peer sent INITIAL-CONTACT (RFC 2407 §4.6.3.3): its older SAs with us are stale.
    case initialContact(peer: Identification)
    /// The peer deleted this ISAKMP SA (an informational DELETE, RFC 2408 §3.15).
    case deleted
    /// The peer sent a notification of this type in an informational exchange.
    case notified(type: UInt16)
    /// An informational message that could not be read (not decryptable, a
    /// HASH(1) that does not verify, malformed): dropped unanswered, because
    /// informational exchanges are one-way (RFC 2408 §4.8) and two peers
    /// answering each other's unreadable notifications would never stop.
    case informationalDropped(reason: String)
}

/// A responder's answer to one message: the reply to send (nil: none) and what happened.
public struct MainModeTurn: Sendable {
    public let reply: [UInt8]?
    public let events: [MainModeEvent]

    public init(reply: [UInt8]?, events: [MainModeEvent] = []) {
        self.reply = reply
        self.events = events
    }
}
