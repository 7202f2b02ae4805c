import CryptoFramework
#if canImport(Glibc)
import Glibc
#endif

/// The responder of IKEv1 Main Mode with signature authentication (RFC 2409 §5.1):
///
///     1  HDR, SA                 →
///                                ←  2  HDR, SA
///     3  HDR, KE, Ni [, CR]      →
///                                ←  4  HDR, KE, Nr [, CR]
///     5  HDR*, IDii, [CERT,] SIG_I →
///                                ←  6  HDR*, IDir, [CERT,] SIG_R
///
/// then informational exchanges protected by the SA (DELETE, notifications).
/// Bytes in, bytes and events out: no I/O. Every operation goes through the
/// framework of its ``IKECryptoSession``. Any malformed, out-of-order or
/// tampered message is an ``ISAKMPError``; ``refusal(for:)`` turns one into
/// the Notify a peer should see.
///
/// An actor: each exchange's state is isolated to it, so its owner may run
/// its turns from any task. Turns must still come one at a time (the actor is
/// reentrant at every operation's `await`): a message handed in while another
/// is in work would interleave with it. The in-process run awaits each turn;
/// `ikebench serve`'s exchange table gives an exchange one message at a time.
public actor MainModeResponder {
    public enum State: Sendable { case awaitingSA, awaitingKE, awaitingAuthentication, established }

    public nonisolated let configuration: MainModeResponderConfiguration
    /// The suite chosen from message 1 (before it: the first configured one).
    public private(set) var suite: IKESuite
    public nonisolated let session: IKECryptoSession
    public private(set) var state = State.awaitingSA

    private let cookie: [UInt8]
    private let nonce: [UInt8]
    private var values: MainModeExchangeValues
    private var keys: MainModeKeys?
    private var cipher: MainModeCipher?
    /// The peer sent CERTREQ, in any of its messages (RFC 2408 §3.10; charon
    /// and Libreswan send theirs in message 5): our certificate goes in message 6.
    private var peerWantsCertificate = false
    /// The initiator's identity once authenticated.
    public private(set) var peerID: Identification?

    public init(configuration: MainModeResponderConfiguration, session: IKECryptoSession,
                cookie: [UInt8] = IKERandom.bytes(8), nonce: [UInt8] = IKERandom.bytes(16)) {
        precondition(!configuration.suites.isEmpty, "a responder needs at least one acceptable suite")
        self.configuration = configuration
        self.suite = configuration.suites[0]
        self.session = session
        self.cookie = cookie
        self.nonce = nonce
        self.values = MainModeExchangeValues(initiatorCookie: [], responderCookie: cookie, initiatorNonce: [],
                                             responderNonce: nonce, initiatorPublic: [], responderPublic: [], initiatorSA: [])
    }

    /// One suite, one trusted initiator key (the in-process run).
    public init(suite: IKESuite, session: IKECryptoSession, identity: RSAPrivateKey, initiatorKey: RSAPublicKey,
                id: Identification, cookie: [UInt8] = IKERandom.bytes(8), nonce: [UInt8] = IKERandom.bytes(16)) {
        self.init(configuration: MainModeResponderConfiguration(
                      suites: [suite], identity: MainModeIdentity(key: identity, id: id), peers: FixedPeerKey(initiatorKey)),
                  session: session, cookie: cookie, nonce: nonce)
    }

    public nonisolated var responderCookie: [UInt8] { cookie }
    /// This exchange's cookies, which the headers of its later messages share instead of copying.
    private var knownCookies: (initiator: [UInt8], responder: [UInt8]) { (values.initiatorCookie, cookie) }
    public var initiatorCookie: [UInt8] { values.initiatorCookie }

    /// Handles one Main Mode message from the initiator and returns the reply.
    public func receive(_ bytes: [UInt8]) async throws -> [UInt8] {
        guard let reply = try await handle(bytes).reply else {
            throw ISAKMPError(.unexpectedMessage, "message needs no reply")
        }
        return reply
    }

    /// Handles one message: Main Mode while it runs, then the SA's
    /// informational exchanges. An informational message is never answered,
    /// whatever the state (RFC 2408 §4.8): read, it yields events; unreadable,
    /// an ``MainModeEvent/informationalDropped(reason:)`` event and no reply.
    public func handle(_ bytes: [UInt8]) async throws -> MainModeTurn {
        // The exchange type byte (offset 18) is looked at before the header is
        // parsed (and its cookies copied) for it: only an informational goes this way.
        if bytes.count > 18, bytes[18] == ISAKMPHeader.ExchangeType.informational.rawValue,
            let h = try? ISAKMPMessage.parseHeader(bytes, knownCookies: knownCookies).header, h.exchangeType == .informational,
            state != .awaitingSA {
            do {
                return try await informational(bytes)
            } catch {
                return MainModeTurn(reply: nil, events: [.informationalDropped(reason: "\(error)")])
            }
        }
        switch state {
        case .awaitingSA: return MainModeTurn(reply: try message1(bytes))
        case .awaitingKE: return MainModeTurn(reply: try await message3(bytes))
        case .awaitingAuthentication: return try await message5(bytes)
        case .established: return try await informational(bytes)
        }
    }

    // 1 → 2: choose the transform.
    private func message1(_ bytes: [UInt8]) throws -> [UInt8] {
        let m = try ISAKMPMessage.parse(bytes)
        try MainModeChecks.header(m.header, exchange: 1)
        guard m.header.responderCookie.allSatisfy({ $0 == 0 }) else {
            throw ISAKMPError(.invalidCookie, "message 1 carries a non-zero responder cookie")
        }
        // Known before the offer is judged, so a refusal can name the exchange.
        values.initiatorCookie = m.header.initiatorCookie
        guard case .securityAssociation(let sa)? = m.first(.securityAssociation) else {
            throw ISAKMPError(.payloadMalformed, "message 1 has no SA payload")
        }
        // Only suites whose method our own key signs with: IKEv1 has one method for both sides.
        let method = configuration.identity.authentication
        guard method != nil else {
            throw ISAKMPError(.noProposalChosen, "our key (\(configuration.identity.signingKey.publicKey?.description ?? "EC")) has no IKEv1 method: it signs in IKEv2 only (RFC 8420)")
        }
        guard let (proposal, transform, chosen) = ProposalChoice.choose(from: sa, acceptable: configuration.suites,
                                                                        where: { $0.authentication == method }) else {
            let signable = configuration.suites.filter { $0.authentication == method }
            throw ISAKMPError(.noProposalChosen,
                "no transform offers one of \(signable.map { "\($0.proposalName) (\($0.authentication))" }.joined(separator: ", "))")
        }
        suite = chosen
        values.initiatorSA = sa.encodedBody
        noteCertificateRequest(in: m.payloads)
        state = .awaitingKE
        // Vendor IDs are ignored: none changes what we do, and not echoing the
        // NAT-T ones keeps a peer from sending NAT-D or floating to port 4500.
        let reply = SecurityAssociation(proposals: [Proposal(number: proposal.number, transforms: [transform])])
        return ISAKMPMessage(header: header(), payloads: [.securityAssociation(reply)]).encoded()
    }

    // 3 → 4: DH generate and agree, SKEYID chain, IV.
    private func message3(_ bytes: [UInt8]) async throws -> [UInt8] {
        let m = try ISAKMPMessage.parse(bytes, knownCookies: knownCookies)
        try checkCookies(m.header, exchange: 3)
        guard case .keyExchange(let gxi)? = m.first(.keyExchange) else {
            throw ISAKMPError(.payloadMalformed, "message 3 has no KE payload")
        }
        guard case .nonce(let ni)? = m.first(.nonce) else {
            throw ISAKMPError(.payloadMalformed, "message 3 has no NONCE payload")
        }
        guard gxi.count == suite.keyExchange.publicValueByteCount else {
            throw ISAKMPError(.invalidKeyInformation,
                "KE payload of \(gxi.count) bytes; group \(suite.groupNumber) values have \(suite.keyExchange.publicValueByteCount)")
        }
        noteCertificateRequest(in: m.payloads)
        let pair = try await session.generateKeyExchange(suite)
        let gxy = try await session.deriveKeyExchange(pair.secret, peer: gxi)
        values.initiatorPublic = gxi
        values.initiatorNonce = ni
        values.responderPublic = pair.publicValue
        let k = try await MainModeKeyDerivation.derive(suite, values, sharedSecret: gxy, session: session)
        keys = k
        cipher = MainModeCipher(suite: suite, key: k.cipherKey, iv: k.initialIV)
        state = .awaitingAuthentication
        let payloads: [Payload] = [.keyExchange(pair.publicValue), .nonce(nonce)] + configuration.certificateRequests
        return ISAKMPMessage(header: header(), payloads: payloads).encoded()
    }

    // 5 → 6: decrypt, HASH_I, verify SIG_I, HASH_R, sign, encrypt.
    private func message5(_ bytes: [UInt8]) async throws -> MainModeTurn {
        let (h, body) = try ISAKMPMessage.parseHeader(bytes, knownCookies: knownCookies)
        try checkCookies(h, exchange: 5)
        guard h.flags.contains(.encryption) else {
            throw ISAKMPError(.invalidFlags, "message 5 is not encrypted")
        }
        guard var cipher, let keys else { throw ISAKMPError(.unexpectedMessage, "no keys for message 5") }
        let plain = try await cipher.decrypt(body, session: session)
        // Whatever follows, the peer's next protected message chains on this block.
        self.cipher = cipher
        let payloads = try ISAKMPMessage.parsePayloads(first: h.nextPayload, plain[...], trailingAllowed: suite.cipher.blockSize)
        guard case .identification(let idI)? = payloads.first(where: { $0.type == .identification }) else {
            throw ISAKMPError(.invalidIDInformation, "message 5 has no ID payload")
        }
        guard case .signature(let sigI)? = payloads.first(where: { $0.type == .signature }) else {
            throw ISAKMPError(.invalidSignature, "message 5 has no SIG payload")
        }
        let hashI = try await MainModeKeyDerivation.hashI(suite, keys, values, id: idI, session: session)
        try await PeerSignature.verify(hashI, signature: sigI, id: idI, payloads: payloads, resolver: configuration.peers,
                                       session: session, role: "initiator", method: suite.authentication)
        peerID = idI
        noteCertificateRequest(in: payloads)
        var events: [MainModeEvent] = []
        events.reserveCapacity(2)
        events.append(.established(peer: idI))
        if payloads.contains(where: { Self.notification($0)?.type == Notification.initialContact }) {
            events.append(.initialContact(peer: idI))
        }
        let identity = configuration.identity
        let hashR = try await MainModeKeyDerivation.hashR(suite, keys, values, id: identity.id, session: session)
        let sigR = try await session.sign(hashR, with: identity.signingKey, method: suite.authentication)
        var chain: [Payload] = []
        chain.reserveCapacity(3)
        chain.append(.identification(identity.id))
        if peerWantsCertificate, let der = identity.certificate {
            chain.append(.certificate(encoding: CertificateEncoding.x509Signature, data: der))
        }
        chain.append(.signature(sigR))
        let encrypted = try await cipher.encrypt(ISAKMPMessage.encodePayloads(chain), session: session)
        self.cipher = cipher
        state = .established
        let reply = ISAKMPMessage.assemble(header: header(flags: .encryption), firstPayload: .identification, body: encrypted)
        return MainModeTurn(reply: reply, events: events)
    }

    /// After Main Mode: an informational exchange (DELETE, notifications) is
    /// acted on; anything else (Quick Mode, a new Phase I message) is refused.
    /// Before it, an informational is read (in the clear before the keys,
    /// protected after), but only a protected one may delete the SA.
    private func informational(_ bytes: [UInt8]) async throws -> MainModeTurn {
        let (h, body) = try ISAKMPMessage.parseHeader(bytes, knownCookies: knownCookies)
        guard h.initiatorCookie == values.initiatorCookie, h.responderCookie == cookie else {
            throw ISAKMPError(.invalidCookie, "message carries cookies of another exchange")
        }
        guard h.exchangeType == .informational else {
            throw ISAKMPError(.noProposalChosen, "exchange type \(h.exchangeType.rawValue) after Main Mode is not served: Phase I is the benchmark")
        }
        let payloads: [Payload]
        let authenticated: Bool
        if h.flags.contains(.encryption) {
            guard let protection else { throw ISAKMPError(.unexpectedMessage, "an encrypted informational before the keys exist") }
            payloads = try await protection.open(h, body: body, session: session)
            authenticated = true
        } else {
            // In the clear (a peer refusing our message 2 or 4): read, never trusted to delete anything.
            payloads = try ISAKMPMessage.parse(bytes, knownCookies: knownCookies).payloads
            authenticated = false
        }
        var events: [MainModeEvent] = []
        for p in payloads {
            if !authenticated {
                if let n = Self.notification(p) { events.append(.notified(type: n.type)) }
            } else if case .other(.delete, let b) = p {
                let d = try Deletion.parse(b)
                // The ISAKMP SA's SPI is CKY-I | CKY-R (RFC 2408 §3.15), compared in place.
                let (ic, rc) = (values.initiatorCookie, cookie)
                if d.protocolID == Proposal.protocolISAKMP,
                   d.spis.contains(where: { $0.count == ic.count + rc.count && $0.prefix(ic.count).elementsEqual(ic) && $0.suffix(rc.count).elementsEqual(rc) }) {
                    events.append(.deleted)
                }
            } else if let n = Self.notification(p) {
                events.append(n.type == Notification.initialContact ? .initialContact(peer: peerID ?? configuration.identity.id) : .notified(type: n.type))
            }
        }
        return MainModeTurn(reply: nil, events: events)
    }

    /// The Notify a peer should receive for `error`: an informational
    /// exchange, encrypted under the Phase I keys once they exist (RFC 2409
    /// §5.7), in the clear before. Nil for errors that are not RFC 2408 notify types.
    public func refusal(for error: ISAKMPError) async -> [UInt8]? {
        guard error.code.rawValue < 8192, !values.initiatorCookie.isEmpty else { return nil }
        let notify = Notification(type: UInt16(error.code.rawValue), spi: values.initiatorCookie + cookie)
        let payload = Payload.other(.notification, body: notify.encodedBody)
        if let protection, state != .awaitingKE {
            return try? await protection.seal([payload], initiatorCookie: values.initiatorCookie, responderCookie: cookie, session: session)
        }
        return InformationalMessage.plain(payload, initiatorCookie: values.initiatorCookie, responderCookie: cookie)
    }

    /// Protection for informational exchanges, once the keys exist and Phase I has a last block.
    private var protection: InformationalProtection? {
        guard let keys, let cipher, state == .established || state == .awaitingAuthentication else { return nil }
        return InformationalProtection(suite: suite, keys: keys, lastPhaseOneBlock: cipher.iv)
    }

    /// Remembers a CERTREQ among `payloads`, whichever message carried it.
    private func noteCertificateRequest(in payloads: [Payload]) {
        if payloads.contains(where: { $0.type == .certificateRequest }) { peerWantsCertificate = true }
    }

    static func notification(_ p: Payload) -> Notification? {
        guard case .other(.notification, let body) = p else { return nil }
        return try? Notification.parse(body)
    }

    private func checkCookies(_ h: ISAKMPHeader, exchange n: Int) throws {
        try MainModeChecks.header(h, exchange: n)
        guard h.initiatorCookie == values.initiatorCookie, h.responderCookie == cookie else {
            throw ISAKMPError(.invalidCookie, "message \(n) carries cookies of another exchange")
        }
    }

    private func header(flags: ISAKMPHeader.Flags = []) -> ISAKMPHeader {
        ISAKMPHeader(initiatorCookie: values.initiatorCookie, responderCookie: cookie, nextPayload: .none, flags: flags)
    }
}

/// Certificate encodings (RFC 2408 §3.9).
public enum CertificateEncoding {
    /// X.509 Certificate - Signature.
    public static let x509Signature: UInt8 = 4
}

/// Unprotected informational messages: the Notify sent before any key exists (RFC 2408 §4.8).
public enum InformationalMessage {
    public static func plain(_ payload: Payload, initiatorCookie: [UInt8], responderCookie: [UInt8]) -> [UInt8] {
        ISAKMPMessage(header: ISAKMPHeader(initiatorCookie: initiatorCookie, responderCookie: responderCookie,
                                           nextPayload: payload.type, exchangeType: .informational),
                      payloads: [payload]).encoded()
    }
}

/// Which of a peer's transforms a responder takes.
enum ProposalChoice {
    /// The first transform, in the peer's order of preference, equal to an
    /// acceptable suite (of those `eligible` admits: searched in place, no filtered copy).
    static func choose(from sa: SecurityAssociation, acceptable: [IKESuite],
                       where eligible: (IKESuite) -> Bool = { _ in true }) -> (Proposal, Transform, IKESuite)? {
        for p in sa.proposals {
            for t in p.transforms {
                if let suite = acceptable.first(where: { eligible($0) && $0.matches(t) }) { return (p, t, suite) }
            }
        }
        return nil
    }
}

/// Checks every Main Mode message header shares.
enum MainModeChecks {
    static func header(_ h: ISAKMPHeader, exchange n: Int) throws {
        guard h.exchangeType == .identityProtection else {
            throw ISAKMPError(.invalidExchangeType, "message \(n) is exchange type \(h.exchangeType.rawValue), not Identity Protection (2)")
        }
        guard h.messageID == 0 else {
            throw ISAKMPError(.invalidMessageID, "Phase I message \(n) has message ID \(h.messageID), expected 0")
        }
    }
}

/// Cookies and nonces: not cryptographic operations of the benchmark, so they
/// come from the system's CSPRNG (getrandom on Linux) rather than the framework.
public enum IKERandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        #if canImport(Glibc)
        // One call for the whole value: glibc's arc4random_buf (2.36 and later)
        // reads the kernel's getrandom(2) in one go, where the generator below
        // makes one system call per 8 bytes (an IKEv2 SA draws an SPI, a nonce
        // and an IV per SK payload).
        if count > 0 {
            var out = [UInt8](repeating: 0, count: count)
            out.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
            return out
        }
        #endif
        // Eight bytes per draw: each draw is a getrandom(2) call, so a
        // cookie and a nonce cost 3 system calls instead of 24.
        var g = SystemRandomNumberGenerator()
        var out: [UInt8] = []
        out.reserveCapacity(count + 7)
        while out.count < count { withUnsafeBytes(of: g.next()) { out.append(contentsOf: $0) } }
        return Array(out.prefix(count))
    }
}
