import CryptoFramework

/// What an IKEv2 initiator offers and who it is.
public struct IKEv2InitiatorConfiguration: Sendable {
    /// Offered as one proposal each, in order; the first one's group makes the KE payload.
    public var suites: [IKEv2Suite]
    public var identity: IKEv2Identity
    public var peers: any IKEv2PeerKeyResolver
    /// IDr to name (RFC 7296 §3.5); nil: none.
    public var responderID: IKEv2Identification?
    /// Ask for a child SA (ESP, AES-CBC-128/HMAC-SHA2-256-128, any-to-any) in IKE_AUTH; false: childless (RFC 6023).
    public var requestChildSA: Bool
    /// Send CERTREQ (so the responder sends its certificate) with these CA key hashes.
    public var certificateRequest: [[UInt8]]?
    /// Send our certificate in IKE_AUTH.
    public var sendCertificate: Bool
    /// Announce RFC 7383 fragmentation and fragment IKE_AUTH above this size.
    public var fragmentSize: Int?
    /// The RFC 7427 hash algorithms announced in IKE_SA_INIT; empty: no SIGNATURE_HASH_ALGORITHMS
    /// (the responder then signs with AUTH method 1, 9 or 10).
    public var signatureHashes: [UInt16] = IKEv2SignatureHash.supported
    /// Send INITIAL_CONTACT in IKE_AUTH (RFC 7296 §2.4, §3.10.1): this IKE SA
    /// is our only one with the responder, which may forget our older ones.
    public var sendsInitialContact = false
    /// A key-exchange value to send instead of a fresh one whenever IKE_SA_INIT
    /// offers its group: a load generator's shortcut (the responder still draws
    /// its own and does the agreement); a real initiator leaves it nil.
    public var reusedKeyExchange: IKEv2KeyExchangeSecret?
    /// Take the responder's AUTH without verifying its signature (nor computing
    /// its signed octets): a load generator's shortcut, never a real initiator's.
    /// Everything else is still checked: the IKE_AUTH response decrypts and
    /// parses, is not a refusal, carries IDr and AUTH, a key we trust speaks for
    /// IDr, and AUTH's method and form fit that key.
    public var skipsResponderSignatureCheck = false

    public init(suites: [IKEv2Suite], identity: IKEv2Identity, peers: any IKEv2PeerKeyResolver, responderID: IKEv2Identification? = nil,
                requestChildSA: Bool = true, certificateRequest: [[UInt8]]? = nil, sendCertificate: Bool = false, fragmentSize: Int? = nil) {
        self.suites = suites
        self.identity = identity
        self.peers = peers
        self.responderID = responderID
        self.requestChildSA = requestChildSA
        self.certificateRequest = certificateRequest
        self.sendCertificate = sendCertificate
        self.fragmentSize = fragmentSize
    }
}

/// What the initiator does next after a response.
public enum IKEv2InitiatorStep: Sendable {
    /// Send these datagrams (a new IKE_SA_INIT after a COOKIE or INVALID_KE_PAYLOAD, or IKE_AUTH).
    case send([[UInt8]])
    /// More fragments of the response are awaited.
    case wait
    /// IKE_AUTH is done: the responder is authenticated.
    case established(peer: IKEv2Identification, childSA: Bool)
}

/// The IKEv2 initiator: IKE_SA_INIT then IKE_AUTH, then DELETE. No I/O; the
/// owner sends what it returns and hands back what arrives. A response that
/// does not match the outstanding request (message ID, SPI, R flag) is an
/// ``IKEv2Error`` of code `unexpectedMessage` and changes nothing, so a stray
/// or duplicated datagram can be ignored.
public actor IKEv2Initiator {
    public enum State: Sendable { case start, awaitingInit, awaitingAuth, established, closed }

    public nonisolated let configuration: IKEv2InitiatorConfiguration
    public nonisolated let session: IKECryptoSession
    public nonisolated let initiatorSPI: [UInt8]
    public private(set) var state = State.start
    public private(set) var responderSPI: [UInt8] = []
    public private(set) var suite: IKEv2Suite
    /// The responder's refusal notify, when it sent one.
    public private(set) var refusal: UInt16?

    private let nonce: [UInt8]
    private var group: IKEv2Group
    private var kex: IKEv2KeyExchangeSecret?
    private var cookie: [UInt8]?
    private var message1: [UInt8] = []
    private var responderNonce: [UInt8] = []
    private var keys: IKEv2Keys?
    private var protection: IKEv2Protection?
    private var peerHashes: [UInt16] = []
    private var peerFragments = false
    private var nextMessageID: UInt32 = 0
    private var fragments: [UInt16: [UInt8]] = [:]
    private var fragmentFirstInner: UInt8 = 0
    /// Restarts of IKE_SA_INIT (cookies, INVALID_KE_PAYLOAD), bounded so two peers cannot loop.
    private var restarts = 0

    public init(configuration: IKEv2InitiatorConfiguration, session: IKECryptoSession,
                spi: [UInt8] = IKERandom.bytes(8), nonce: [UInt8] = IKERandom.bytes(32)) {
        precondition(!configuration.suites.isEmpty, "an initiator offers at least one suite")
        self.configuration = configuration
        self.session = session
        self.initiatorSPI = spi
        self.nonce = nonce
        self.suite = configuration.suites[0]
        self.group = configuration.suites[0].group
    }

    /// The IKE_SA_INIT request.
    public func start() async throws -> [UInt8] {
        if kex?.group != group {
            if let reused = configuration.reusedKeyExchange, reused.group == group {
                kex = reused
            } else {
                kex = try await session.generateKeyExchange(group)
            }
        }
        var payloads: [IKEv2Payload] = []
        if let cookie { payloads.append(.notify(IKEv2Notify(type: IKEv2Notify.Status.cookie, data: cookie))) }
        let proposals = configuration.suites.enumerated().map { $1.proposal(number: UInt8($0 + 1)) }
        payloads += [
            .securityAssociation(IKEv2SA(proposals: proposals)),
            .keyExchange(group: group.number, data: kex!.publicValue),
            .nonce(nonce),
        ]
        if configuration.fragmentSize != nil {
            payloads.append(.notify(IKEv2Notify(type: IKEv2Notify.Status.ikev2FragmentationSupported)))
        }
        if !configuration.signatureHashes.isEmpty { payloads.append(.notify(IKEv2SignatureHash.notify(configuration.signatureHashes))) }
        let m = IKEv2Message(header: IKEv2Header(initiatorSPI: initiatorSPI, responderSPI: [UInt8](repeating: 0, count: 8),
                                                 exchange: .ikeSAInit, flags: .initiator, messageID: 0), payloads: payloads).encoded()
        message1 = m
        state = .awaitingInit
        nextMessageID = 0
        return m
    }

    /// Handles one datagram from the responder.
    public func receive(_ bytes: [UInt8]) async throws -> IKEv2InitiatorStep {
        let h = try IKEv2Header.parse(bytes[...])
        guard h.isResponse, !h.flags.contains(.initiator), h.initiatorSPI == initiatorSPI, h.messageID == nextMessageID else {
            throw IKEv2Error(.unexpectedMessage, "datagram is not the response to our request \(nextMessageID)")
        }
        switch state {
        case .awaitingInit: return try await initResponse(bytes, h)
        case .awaitingAuth: return try await authResponse(bytes, h)
        default: throw IKEv2Error(.unexpectedMessage, "no request outstanding")
        }
    }

    private func initResponse(_ bytes: [UInt8], _ h: IKEv2Header) async throws -> IKEv2InitiatorStep {
        let m = try IKEv2Message.parse(bytes)
        for n in m.notifications where n.isError || n.type == IKEv2Notify.Status.cookie {
            restarts += 1
            guard restarts <= 3 else { throw IKEv2Error(.unexpectedMessage, "IKE_SA_INIT restarted \(restarts) times; giving up") }
            if n.type == IKEv2Notify.Status.cookie {
                guard (1...64).contains(n.data.count) else { throw IKEv2Error.syntax("COOKIE of \(n.data.count) bytes (1 to 64)") }
                cookie = n.data
                return .send([try await start()])
            }
            if n.type == IKEv2Error.Code.invalidKEPayload.rawValue, n.data.count == 2 {
                let wanted = UInt16(n.data[0]) << 8 | UInt16(n.data[1])
                guard let g = IKEv2Group(number: wanted), configuration.suites.contains(where: { $0.group == g }), g != group else {
                    throw IKEv2Error(.noProposalChosen, "the responder wants group \(wanted), which we do not offer")
                }
                group = g
                return .send([try await start()])
            }
            refusal = n.type
            state = .closed
            throw IKEv2Error(IKEv2Error.Code(rawValue: n.type) ?? .unexpectedMessage, "the responder refused IKE_SA_INIT with notify \(n.type)")
        }
        guard case .securityAssociation(let sa)? = m.first(.securityAssociation), sa.proposals.count == 1,
              // One transform of each type, in any order (charon puts integrity before the PRF);
              // an AEAD's answer may name integrity NONE (RFC 5282 §8), the same as none.
              case let answered = sa.proposals[0].transforms.filter({ !($0.type == IKEv2TransformType.integrity.rawValue && $0.id == 0) }),
              let chosen = configuration.suites.first(where: {
                  answered.count == $0.transforms.count && Set($0.transforms) == Set(answered)
              }) else {
            throw IKEv2Error(.noProposalChosen, "the responder's SA is not one proposal equal to one we offered")
        }
        guard chosen.group == group, case .keyExchange(let g, let gr)? = m.first(.keyExchange), g == group.number else {
            throw IKEv2Error.syntax("the responder's KE is not of group \(group.number)")
        }
        guard case .nonce(let nr)? = m.first(.nonce) else { throw IKEv2Error.syntax("IKE_SA_INIT response without Nr") }
        guard !h.responderSPI.allSatisfy({ $0 == 0 }) else { throw IKEv2Error(.invalidIKESPI, "IKE_SA_INIT response with a zero SPIr") }
        suite = chosen
        responderSPI = h.responderSPI
        lastInitResponse = bytes
        responderNonce = nr
        for n in m.notifications {
            if n.type == IKEv2Notify.Status.signatureHashAlgorithms { peerHashes = IKEv2SignatureHash.parse(n.data) }
            if n.type == IKEv2Notify.Status.ikev2FragmentationSupported { peerFragments = configuration.fragmentSize != nil }
        }
        let peerWantsCert = m.first(.certificateRequest) != nil
        guard let kex else { throw IKEv2Error(.unexpectedMessage, "no key exchange value") }
        let gir = try await session.agree(kex, peer: gr)
        self.kex = nil
        let k = try await IKEv2KeyDerivation.derive(chosen, sharedSecret: gir, initiatorNonce: nonce, responderNonce: nr,
                                                    initiatorSPI: initiatorSPI, responderSPI: responderSPI, session: session)
        keys = k
        let p = IKEv2Protection(suite: chosen, keys: k, isInitiator: true)
        protection = p
        let identity = configuration.identity
        var inner: [IKEv2Payload] = [.identificationInitiator(identity.id)]
        if (configuration.sendCertificate || peerWantsCert), let der = identity.certificate {
            inner.append(.certificate(encoding: IKEv2CertificateEncoding.x509Signature, data: der))
        }
        if let cas = configuration.certificateRequest {
            inner.append(.certificateRequest(encoding: IKEv2CertificateEncoding.x509Signature, data: cas.flatMap { $0 }))
        }
        if let idr = configuration.responderID { inner.append(.identificationResponder(idr)) }
        let octets = try await IKEv2Authentication.signedOctets(message: message1, peerNonce: nr, id: identity.id, prf: chosen.prf,
                                                                skP: k.skPi, session: session)
        inner.append(try await IKEv2Authentication.sign(octets, identity: identity, peerHashes: peerHashes, session: session))
        if configuration.sendsInitialContact { inner.append(.notify(IKEv2Notify(type: IKEv2Notify.Status.initialContact))) }
        if configuration.requestChildSA {
            let esp = IKEv2Proposal(number: 1, protocolID: IKEv2Proposal.protocolESP, spi: IKERandom.bytes(4), transforms: [
                IKEv2Transform(.encryption, 12, keyLength: 128), IKEv2Transform(.integrity, 12),
                IKEv2Transform(.extendedSequenceNumbers, 0),
            ])
            inner += [.securityAssociation(IKEv2SA(proposals: [esp])), .trafficSelectorInitiator([.anyIPv4]),
                      .trafficSelectorResponder([.anyIPv4])]
        }
        nextMessageID = 1
        state = .awaitingAuth
        let header = IKEv2Header(initiatorSPI: initiatorSPI, responderSPI: responderSPI, exchange: .ikeAuth, flags: .initiator, messageID: 1)
        if peerFragments, let size = configuration.fragmentSize {
            return .send(try await IKEv2Fragmentation.seal(header, inner: inner, datagramSize: size, protection: p, session: session))
        }
        return .send([try await p.seal(header, inner: inner, session: session)])
    }

    private func authResponse(_ bytes: [UInt8], _ h: IKEv2Header) async throws -> IKEv2InitiatorStep {
        guard h.responderSPI == responderSPI, h.exchange == .ikeAuth, let protection, let keys else {
            throw IKEv2Error(.unexpectedMessage, "not the IKE_AUTH response of this SA")
        }
        let m = try IKEv2Message.parse(bytes)
        let inner: [IKEv2Payload]
        if case .fragment(let number, let total, let first, let body)? = m.payloads.last {
            guard total <= IKEv2Fragmentation.maxFragments else { throw IKEv2Error.syntax("\(total) fragments") }
            if fragments[number] == nil {
                fragments[number] = try await protection.openPlain(bytes, skBody: body, session: session)
                if number == 1 { fragmentFirstInner = first }
            }
            guard fragments.count == Int(total), (1...total).allSatisfy({ fragments[$0] != nil }) else { return .wait }
            inner = try IKEv2PayloadChain.parse(first: fragmentFirstInner, (1...total).flatMap { fragments[$0]! }[...], context: "reassembled SK")
        } else {
            inner = try await protection.open(bytes, parsed: m, session: session)
        }
        state = .closed
        if case .notify(let n)? = inner.first(where: { if case .notify(let n) = $0 { n.isError && n.type != 14 && n.type != 38 } else { false } }) {
            refusal = n.type
            throw IKEv2Error(IKEv2Error.Code(rawValue: n.type) ?? .authenticationFailed, "the responder refused IKE_AUTH with notify \(n.type)")
        }
        guard let idr = inner.lazy.compactMap({ if case .identificationResponder(let id) = $0 { id } else { nil } }).first,
              let (method, data) = inner.lazy.compactMap({ if case .authentication(let m, let d) = $0 { (m, d) } else { nil } }).first else {
            throw IKEv2Error.syntax("IKE_AUTH response without IDr and AUTH")
        }
        let certificates = inner.compactMap { p -> [UInt8]? in
            if case .certificate(IKEv2CertificateEncoding.x509Signature, let der) = p { return der } else { return nil }
        }
        let check = !configuration.skipsResponderSignatureCheck
        let octets = check ? try await IKEv2Authentication.signedOctets(message: Array(lastInitResponse), peerNonce: nonce, id: idr,
                                                                        prf: suite.prf, skP: keys.skPr, session: session) : []
        let trusted = try configuration.peers.ikev2Keys(for: idr, certificates: certificates)
        try await IKEv2Authentication.verify(octets, method: method, data: data, keys: trusted, session: session, role: "responder",
                                             checkSignature: check)
        state = .established
        nextMessageID = 2
        let child = inner.contains { $0.type == .securityAssociation }
        return .established(peer: idr, childSA: child)
    }

    /// The IKE_SA_INIT response, kept for the responder's signed octets.
    private var lastInitResponse: [UInt8] = []

    /// An INFORMATIONAL request deleting the IKE SA (no response is awaited by this actor).
    public func deleteRequest() async throws -> [UInt8] {
        guard let protection, state == .established else { throw IKEv2Error(.unexpectedMessage, "no established IKE SA to delete") }
        let header = IKEv2Header(initiatorSPI: initiatorSPI, responderSPI: responderSPI, exchange: .informational, flags: .initiator,
                                 messageID: nextMessageID)
        nextMessageID += 1
        state = .closed
        return try await protection.seal(header, inner: [.delete(IKEv2Delete(protocolID: IKEv2Proposal.protocolIKE, spis: []))], session: session)
    }
}
