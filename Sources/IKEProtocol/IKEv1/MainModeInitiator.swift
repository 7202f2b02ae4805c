import CryptoFramework

/// The initiator of Main Mode with signatures: builds messages 1, 3 and 5 and
/// checks 2, 4 and 6. In ikebench it runs on a separate framework pinned to
/// the host's openssl and is not timed. Message 5 is also offered in its steps
/// (``acceptMessage4(_:)``, ``hashI(over:)``, ``sign(_:)``, ``message5Payloads(signature:)``,
/// ``sealMessage5(_:)``), so a caller can build a different message 5 from the same keys.
public final class MainModeInitiator {
    public let suite: IKESuite
    public let session: IKECryptoSession
    private let identity: IKESigningKey
    private let certificate: [UInt8]?
    private let responders: any PeerKeyResolver
    public let id: Identification
    /// Send CERTREQ in message 3 so the responder sends its certificate in message 6.
    public var requestCertificate = false
    /// A key-exchange pair (MODP or EC) to send instead of generating one, when
    /// it is of the suite's group: a load generator's shortcut (the responder
    /// still draws its own and does the agreement); a real initiator leaves it nil.
    public var reusedKeyExchange: IKEKeyExchangePair?
    /// Take message 6's SIG_R without verifying it (nor computing HASH_R): a
    /// load generator's shortcut, never a real initiator's. Everything else is
    /// still checked: message 6 decrypts and parses, carries ID and SIG, a key
    /// we trust speaks for its ID, and the SIG fits that key's method and size.
    public var skipsResponderSignatureCheck = false
    /// Send INITIAL-CONTACT in message 5 (RFC 2407 §4.6.3.3): our older SAs with the responder are stale.
    public var sendsInitialContact = false
    private var peerWantsCertificate = false
    /// The responder's ID once authenticated.
    public private(set) var peerID: Identification?
    /// The X.509 certificates (DER) message 6 carried.
    public private(set) var peerCertificates: [[UInt8]] = []

    private let cookie: [UInt8]
    private let nonce: [UInt8]
    private var values: MainModeExchangeValues
    private var dh: IKEKeyExchangePair?
    private var keys: MainModeKeys?
    private var cipher: MainModeCipher?
    public private(set) var isEstablished = false

    public convenience init(suite: IKESuite, session: IKECryptoSession, identity: RSAPrivateKey, responderKey: RSAPublicKey,
                            id: Identification, cookie: [UInt8] = IKERandom.bytes(8), nonce: [UInt8] = IKERandom.bytes(16)) {
        self.init(suite: suite, session: session, identity: MainModeIdentity(key: identity, id: id),
                  responders: FixedPeerKey(responderKey), cookie: cookie, nonce: nonce)
    }

    /// `responders` finds the keys that may sign for the ID the responder sends in message 6.
    public init(suite: IKESuite, session: IKECryptoSession, identity: MainModeIdentity, responders: any PeerKeyResolver,
                cookie: [UInt8] = IKERandom.bytes(8), nonce: [UInt8] = IKERandom.bytes(16)) {
        self.suite = suite
        self.session = session
        self.identity = identity.signingKey
        self.certificate = identity.certificate
        self.responders = responders
        self.id = identity.id
        self.cookie = cookie
        self.nonce = nonce
        let sa = suite.securityAssociation.encodedBody
        self.values = MainModeExchangeValues(initiatorCookie: cookie, responderCookie: [], initiatorNonce: nonce,
                                             responderNonce: [], initiatorPublic: [], responderPublic: [], initiatorSA: sa)
    }

    public var initiatorCookie: [UInt8] { cookie }
    /// The responder's cookie once message 2 arrived.
    public var responderCookie: [UInt8]? { values.responderCookie.isEmpty ? nil : values.responderCookie }

    /// Message 1: HDR, SA.
    public func start() -> [UInt8] {
        ISAKMPMessage(header: header(responderCookie: [UInt8](repeating: 0, count: 8)),
                      payloads: [.securityAssociation(suite.securityAssociation)]).encoded()
    }

    /// Message 2 → message 3 (HDR, KE, Ni).
    public func message3(after reply: [UInt8]) async throws -> [UInt8] {
        let m = try ISAKMPMessage.parse(reply)
        try MainModeChecks.header(m.header, exchange: 2)
        guard m.header.initiatorCookie == cookie else { throw ISAKMPError(.invalidCookie, "message 2 answers another exchange") }
        guard case .securityAssociation(let sa)? = m.first(.securityAssociation),
            sa.proposals.count == 1, sa.proposals[0].transforms.count == 1, suite.matches(sa.proposals[0].transforms[0])
        else { throw ISAKMPError(.noProposalChosen, "message 2 does not accept the offered transform") }
        values.responderCookie = m.header.responderCookie
        // A CERTREQ may come in any message (RFC 2408 §3.10).
        if m.first(.certificateRequest) != nil { peerWantsCertificate = true }
        let pair: IKEKeyExchangePair
        if let reused = reusedKeyExchange, reused.isOf(suite.keyExchange) {
            pair = reused
        } else {
            pair = try await session.generateKeyExchange(suite)
        }
        dh = pair
        values.initiatorPublic = pair.publicValue
        var payloads: [Payload] = [.keyExchange(pair.publicValue), .nonce(nonce)]
        if requestCertificate { payloads.append(.other(.certificateRequest, body: [CertificateEncoding.x509Signature])) }
        return ISAKMPMessage(header: header(), payloads: payloads).encoded()
    }

    /// Message 4 → message 5 (HDR*, IDii, [CERT,] SIG_I).
    public func message5(after reply: [UInt8]) async throws -> [UInt8] {
        try await acceptMessage4(reply)
        let signature = try await sign(try await hashI(over: id))
        return try await sealMessage5(ISAKMPMessage.encodePayloads(message5Payloads(signature: signature)))
    }

    /// Reads message 4 and derives the SA's keys (the first step of message 5).
    public func acceptMessage4(_ reply: [UInt8]) async throws {
        let m = try ISAKMPMessage.parse(reply)
        try MainModeChecks.header(m.header, exchange: 4)
        guard case .keyExchange(let gxr)? = m.first(.keyExchange), case .nonce(let nr)? = m.first(.nonce) else {
            throw ISAKMPError(.payloadMalformed, "message 4 lacks KE or NONCE")
        }
        guard let dh else { throw ISAKMPError(.unexpectedMessage, "message 4 before message 3") }
        values.responderPublic = gxr
        values.responderNonce = nr
        if m.first(.certificateRequest) != nil { peerWantsCertificate = true }
        let gxy = try await session.deriveKeyExchange(dh.secret, peer: gxr)
        let k = try await MainModeKeyDerivation.derive(suite, values, sharedSecret: gxy, session: session)
        keys = k
        cipher = MainModeCipher(suite: suite, key: k.cipherKey, iv: k.initialIV)
    }

    /// HASH_I (RFC 2409 §5) with `idI` as the identity payload's body; message 5 sends ``id``.
    public func hashI(over idI: Identification) async throws -> [UInt8] {
        guard let keys else { throw ISAKMPError(.unexpectedMessage, "HASH_I before message 4") }
        return try await MainModeKeyDerivation.hashI(suite, keys, values, idI: idI.encodedBody, session: session)
    }

    /// SIG_I: `hash` signed with this initiator's key.
    public func sign(_ hash: [UInt8]) async throws -> [UInt8] {
        try await session.sign(hash, with: identity, method: suite.authentication)
    }

    /// The payloads of message 5 around `signature`: IDii, the certificate
    /// when the responder asked for one, SIG_I, and INITIAL-CONTACT if set.
    public func message5Payloads(signature: [UInt8]) -> [Payload] {
        var chain: [Payload] = [.identification(id)]
        if peerWantsCertificate, let certificate { chain.append(.certificate(encoding: CertificateEncoding.x509Signature, data: certificate)) }
        chain.append(.signature(signature))
        if sendsInitialContact {
            let notify = Notification(type: Notification.initialContact, spi: cookie + values.responderCookie)
            chain.append(.other(.notification, body: notify.encodedBody))
        }
        return chain
    }

    /// Message 5: the encoded payload chain `plain` encrypted under the SA's keys.
    public func sealMessage5(_ plain: [UInt8]) async throws -> [UInt8] {
        guard var cipher else { throw ISAKMPError(.unexpectedMessage, "message 5 before message 4") }
        let encrypted = try await cipher.encrypt(plain, session: session)
        self.cipher = cipher
        return ISAKMPMessage.assemble(header: header(flags: .encryption), firstPayload: .identification, body: encrypted)
    }

    /// Message 6: decrypt, verify SIG_R over HASH_R (unless ``skipsResponderSignatureCheck``).
    public func finish(_ reply: [UInt8]) async throws {
        let (h, body) = try ISAKMPMessage.parseHeader(reply)
        try MainModeChecks.header(h, exchange: 6)
        guard h.flags.contains(.encryption), var cipher, let keys else {
            throw ISAKMPError(.invalidFlags, "message 6 is not encrypted")
        }
        let plain = try await cipher.decrypt(body, session: session)
        let payloads = try ISAKMPMessage.parsePayloads(first: h.nextPayload, plain[...], trailingAllowed: suite.cipher.blockSize)
        guard case .identification(let idR)? = payloads.first(where: { $0.type == .identification }),
            case .signature(let sigR)? = payloads.first(where: { $0.type == .signature })
        else { throw ISAKMPError(.payloadMalformed, "message 6 lacks ID or SIG") }
        let hashR = skipsResponderSignatureCheck
            ? [] : try await MainModeKeyDerivation.hashR(suite, keys, values, idR: idR.encodedBody, session: session)
        try await PeerSignature.verify(hashR, signature: sigR, id: idR, payloads: payloads, resolver: responders,
                                       session: session, role: "responder", method: suite.authentication,
                                       checkSignature: !skipsResponderSignatureCheck)
        self.cipher = cipher
        peerID = idR
        peerCertificates = payloads.compactMap { p in
            if case .certificate(CertificateEncoding.x509Signature, let der) = p { return der }
            return nil
        }
        isEstablished = true
    }

    /// An informational DELETE of this ISAKMP SA, protected by it (RFC 2409 §5.7),
    /// so the responder forgets it at once.
    public func deleteMessage() async throws -> [UInt8] {
        guard isEstablished, let keys, let cipher else { throw ISAKMPError(.unexpectedMessage, "no established SA to delete") }
        let protection = InformationalProtection(suite: suite, keys: keys, lastPhaseOneBlock: cipher.iv)
        let delete = Deletion(spis: [cookie + values.responderCookie])
        return try await protection.seal([.other(.delete, body: delete.encodedBody)], initiatorCookie: cookie,
                                         responderCookie: values.responderCookie, session: session)
    }

    /// The Notify a responder sent instead of its reply, if `bytes` is one
    /// (unprotected; a protected one is reported by type only when it can be read).
    public static func refusalCode(in bytes: [UInt8]) -> UInt16? {
        guard let m = try? ISAKMPMessage.parse(bytes), m.header.exchangeType == .informational,
            case .other(.notification, let body)? = m.first(.notification), let n = try? Notification.parse(body)
        else { return nil }
        return n.type
    }

    /// The Notify type of a protected informational the responder sent
    /// (RFC 2409 §5.7), read with this exchange's keys: how a responder that
    /// refuses message 5 (it does not trust our key, say) says so. Nil when
    /// `bytes` is not one, or cannot be read yet.
    public func protectedRefusalCode(in bytes: [UInt8]) async -> UInt16? {
        guard let keys, let cipher, let (h, body) = try? ISAKMPMessage.parseHeader(bytes),
            h.exchangeType == .informational, h.flags.contains(.encryption)
        else { return nil }
        let protection = InformationalProtection(suite: suite, keys: keys, lastPhaseOneBlock: cipher.iv)
        guard let payloads = try? await protection.open(h, body: body, session: session) else { return nil }
        for case .other(.notification, let b) in payloads {
            if let n = try? Notification.parse(b) { return n.type }
        }
        return nil
    }

    private func header(responderCookie: [UInt8]? = nil, flags: ISAKMPHeader.Flags = []) -> ISAKMPHeader {
        ISAKMPHeader(initiatorCookie: cookie, responderCookie: responderCookie ?? values.responderCookie,
                     nextPayload: .none, flags: flags)
    }
}
