import CryptoFramework

/// What an IKEv2 responder accepts and who it is.
///
/// The fields live together in one immutable shared object: a copy (the
/// service copies the configuration for every exchange it opens, and each
/// responder holds one) costs one retain instead of one per field; setting a
/// field replaces the object (configurations are set up once, read per SA).
public struct IKEv2ResponderConfiguration: Sendable {
    private struct Fields: Sendable {
        var suites: [IKEv2Suite]
        var identity: IKEv2Identity
        var peers: any IKEv2PeerKeyResolver
        var certificateAuthorities: [[UInt8]]
        var acceptChildSAs: Bool
        var fragmentSize: Int?
    }

    private final class Storage: Sendable {
        let fields: Fields
        /// Each suite's SA payload in an IKE_SA_INIT response as proposal 1, built once.
        let responseSAs: [IKEv2SA]
        init(_ fields: Fields) {
            self.fields = fields
            responseSAs = fields.suites.map { IKEv2SA(proposals: [$0.proposal(number: 1)]) }
        }
    }

    private var storage: Storage

    // Each field is read in place (`_read`): a getter would copy a field
    // such as the identity, retaining each of its parts, to read one of them.
    private mutating func change(_ body: (inout Fields) -> Void) {
        var fields = storage.fields
        body(&fields)
        storage = Storage(fields)
    }

    /// Acceptable IKE suites, in our order of preference within a peer's proposal.
    public var suites: [IKEv2Suite] {
        _read { yield storage.fields.suites }
        set { change { $0.suites = newValue } }
    }
    public var identity: IKEv2Identity {
        _read { yield storage.fields.identity }
        set { change { $0.identity = newValue } }
    }
    public var peers: any IKEv2PeerKeyResolver {
        _read { yield storage.fields.peers }
        set { change { $0.peers = newValue } }
    }
    /// SHA-1 hashes of the SubjectPublicKeyInfo of the CAs we trust (RFC 7296
    /// §3.7): sent in a CERTREQ in the IKE_SA_INIT response when non-empty.
    public var certificateAuthorities: [[UInt8]] {
        _read { yield storage.fields.certificateAuthorities }
        set { change { $0.certificateAuthorities = newValue } }
    }
    /// Negotiate the child SA an IKE_AUTH asks for (installing nothing); false:
    /// refuse it with NO_PROPOSAL_CHOSEN and keep the IKE SA.
    public var acceptChildSAs: Bool {
        _read { yield storage.fields.acceptChildSAs }
        set { change { $0.acceptChildSAs = newValue } }
    }
    /// Fragment IKE_AUTH responses (RFC 7383) larger than this IP datagram size
    /// when the peer announced fragmentation; nil: never fragment and do not announce it.
    public var fragmentSize: Int? {
        _read { yield storage.fields.fragmentSize }
        set { change { $0.fragmentSize = newValue } }
    }

    /// The SA payload of an IKE_SA_INIT response that takes `suite` from the
    /// peer's proposal `number`: built once per suite for proposal 1 (the usual).
    func responseSA(_ suite: IKEv2Suite, number: UInt8) -> IKEv2SA {
        if number == 1, let i = storage.fields.suites.firstIndex(of: suite) { return storage.responseSAs[i] }
        return IKEv2SA(proposals: [suite.proposal(number: number)])
    }

    public init(suites: [IKEv2Suite] = IKEv2Suite.defaultResponderSuites, identity: IKEv2Identity, peers: any IKEv2PeerKeyResolver,
                certificateAuthorities: [[UInt8]] = [], acceptChildSAs: Bool = true, fragmentSize: Int? = 1280) {
        storage = Storage(Fields(suites: suites, identity: identity, peers: peers, certificateAuthorities: certificateAuthorities,
                                 acceptChildSAs: acceptChildSAs, fragmentSize: fragmentSize))
    }
}

/// What a turn of an IKEv2 responder tells its owner besides the reply.
public enum IKEv2Event: Sendable, Equatable {
    /// IKE_AUTH verified the peer and the response is built: the IKE SA exists.
    case established(peer: IKEv2Identification)
    /// The IKE_AUTH's child SA was negotiated (not installed).
    case childSA(IKEv2ChildSA)
    /// The IKE_AUTH's child SA was refused with this notify; the IKE SA stands.
    case childRefused(type: UInt16)
    case initialContact(peer: IKEv2Identification)
    /// The peer deleted the IKE SA (INFORMATIONAL with Delete).
    case deleted
    /// An empty INFORMATIONAL request (liveness check) was answered.
    case liveness
    /// A request we already answered came again: the stored response was resent.
    case retransmitted
    /// The peer sent a notify of this type in an INFORMATIONAL request.
    case notified(type: UInt16)
}

/// A responder's answer to one datagram: the datagrams to send (none, one, or
/// the fragments of one message) and what happened.
public struct IKEv2Turn: Sendable {
    public let replies: [[UInt8]]
    public let events: [IKEv2Event]
    public init(replies: [[UInt8]], events: [IKEv2Event] = []) {
        self.replies = replies
        self.events = events
    }
    public var reply: [UInt8]? { replies.first }
}

/// The IKEv2 responder (RFC 7296 §1.2):
///
///     HDR, SAi1, KEi, Ni [, N…]                 →
///                                              ←  HDR, SAr1, KEr, Nr [, CERTREQ] [, N…]
///     HDR, SK {IDi, [CERT,] [CERTREQ,] [IDr,] AUTH, SAi2, TSi, TSr}  →
///                                              ←  HDR, SK {IDr, [CERT,] AUTH, SAr2, TSi, TSr}
///
/// then INFORMATIONAL exchanges (liveness, DELETE). Bytes in, bytes and events
/// out: no I/O. Every cryptographic operation goes through the framework of its
/// ``IKECryptoSession``. Malformed, out-of-order or tampered messages are an
/// ``IKEv2Error``; ``refusal(for:)`` turns one into the response a peer should
/// see, or nil when the message is to be dropped (RFC 7296 §2.21).
///
/// A request whose message ID was already answered gets the stored response
/// again, without any cryptography (window size 1, §2.3).
public actor IKEv2Responder {
    public enum State: Sendable { case awaitingInit, awaitingAuth, established, closed }

    public nonisolated let configuration: IKEv2ResponderConfiguration
    public nonisolated let session: IKECryptoSession
    public nonisolated let responderSPI: [UInt8]
    public private(set) var state = State.awaitingInit
    public private(set) var suite: IKEv2Suite
    public private(set) var initiatorSPI: [UInt8] = []
    public private(set) var peerID: IKEv2Identification?
    public private(set) var childSA: IKEv2ChildSA?

    private let nonce: [UInt8]
    private var initiatorNonce: [UInt8] = []
    private var keys: IKEv2Keys?
    private var protection: IKEv2Protection?
    private var message1: [UInt8] = []
    private var message2: [UInt8] = []
    private var peerHashes: [UInt16] = []
    private var peerFragments = false
    /// The message ID the next new request must carry.
    private var expectedMessageID: UInt32 = 0
    /// The ID of the request in work (its refusal is sent under it).
    private var currentMessageID: UInt32 = 0
    /// The last response, by the message ID it answered (§2.3's window of 1).
    private var lastResponse: (id: UInt32, datagrams: [[UInt8]])?
    /// IKE_AUTH fragments received so far (RFC 7383 §2.6), by number: decrypted.
    private var fragments: [UInt16: [UInt8]] = [:]
    private var fragmentTotal: UInt16 = 0
    private var fragmentFirstInner: UInt8 = 0

    public init(configuration: IKEv2ResponderConfiguration, session: IKECryptoSession,
                spi: [UInt8] = IKERandom.bytes(8), nonce: [UInt8] = IKERandom.bytes(32)) {
        precondition(!configuration.suites.isEmpty, "a responder needs at least one acceptable suite")
        self.configuration = configuration
        self.session = session
        self.responderSPI = spi
        self.nonce = nonce
        self.suite = configuration.suites[0]
    }

    /// Handles one datagram from the initiator.
    public func handle(_ bytes: [UInt8]) async throws -> IKEv2Turn {
        // The SPIs are this SA's own in every request after the first: the header shares our arrays.
        let header = try IKEv2Header.parse(bytes[...], reusing: initiatorSPI, responderSPI)
        guard !header.isResponse else {
            throw IKEv2Error(.unexpectedMessage, "a response (R flag) sent to the responder")
        }
        guard header.flags.contains(.initiator) else {
            throw IKEv2Error(.unexpectedMessage, "a request without the I flag: we never initiate, so the peer must be the original initiator")
        }
        if state != .awaitingInit {
            // A retransmitted IKE_SA_INIT still carries a zero responder SPI.
            let zero = header.messageID == 0 && header.responderSPI.allSatisfy { $0 == 0 }
            guard header.initiatorSPI == initiatorSPI, header.responderSPI == responderSPI || zero else {
                throw IKEv2Error(.unexpectedMessage, "message for IKE SA \(hex(header.initiatorSPI))/\(hex(header.responderSPI)), not ours")
            }
        }
        if let last = lastResponse, last.id == header.messageID {
            // A retransmitted fragmented request: the response goes again once, for its fragment 1 (RFC 7383 §2.6.1).
            if header.nextPayload == IKEv2PayloadType.encryptedFragment.rawValue, Self.fragmentNumber(bytes) != 1 {
                return IKEv2Turn(replies: [], events: [])
            }
            return IKEv2Turn(replies: last.datagrams, events: [.retransmitted])
        }
        if state != .awaitingInit, header.responderSPI != responderSPI {
            throw IKEv2Error(.unexpectedMessage, "a late IKE_SA_INIT (message ID \(header.messageID)) for an exchange that moved on")
        }
        guard header.messageID == expectedMessageID else {
            throw IKEv2Error(.unexpectedMessage, "request with message ID \(header.messageID); the next is \(expectedMessageID)")
        }
        currentMessageID = header.messageID
        let turn: IKEv2Turn
        switch state {
        case .awaitingInit: turn = try await initExchange(bytes, header)
        case .awaitingAuth: turn = try await authExchange(bytes, header)
        case .established: turn = try await informational(bytes, header)
        case .closed: throw IKEv2Error(.unexpectedMessage, "the IKE SA is closed")
        }
        if !turn.replies.isEmpty {
            lastResponse = (header.messageID, turn.replies)
            expectedMessageID = header.messageID &+ 1
        }
        return turn
    }

    /// The fragment number of a message whose first payload is SKF (bytes 32–33), or nil.
    static func fragmentNumber(_ bytes: [UInt8]) -> UInt16? {
        guard bytes.count >= IKEv2Header.size + 6 else { return nil }
        return UInt16(bytes[IKEv2Header.size + 4]) << 8 | UInt16(bytes[IKEv2Header.size + 5])
    }

    // MARK: IKE_SA_INIT

    private func initExchange(_ bytes: [UInt8], _ header: IKEv2Header) async throws -> IKEv2Turn {
        guard header.exchange == .ikeSAInit else {
            throw IKEv2Error(.unexpectedMessage, "exchange type \(header.exchangeType) before IKE_SA_INIT")
        }
        guard header.responderSPI.allSatisfy({ $0 == 0 }) else {
            throw IKEv2Error(.invalidIKESPI, "IKE_SA_INIT request with a non-zero responder SPI")
        }
        guard !header.initiatorSPI.allSatisfy({ $0 == 0 }) else {
            throw IKEv2Error(.invalidIKESPI, "IKE_SA_INIT request with a zero initiator SPI")
        }
        initiatorSPI = header.initiatorSPI
        let m = try IKEv2Message.parse(bytes, header: header)
        guard case .securityAssociation(let sa)? = m.first(.securityAssociation) else { throw IKEv2Error.syntax("IKE_SA_INIT without SA") }
        guard case .keyExchange(let group, let gi)? = m.first(.keyExchange) else { throw IKEv2Error.syntax("IKE_SA_INIT without KE") }
        guard case .nonce(let ni)? = m.first(.nonce) else { throw IKEv2Error.syntax("IKE_SA_INIT without Ni") }
        try sa.checkOfferNumbering()
        let (proposal, chosen) = try Self.choose(sa, keGroup: group, acceptable: configuration.suites)
        suite = chosen
        m.forEachNotify { n in
            switch n.type {
            case IKEv2Notify.Status.signatureHashAlgorithms: peerHashes = IKEv2SignatureHash.parse(n.data)
            case IKEv2Notify.Status.ikev2FragmentationSupported: peerFragments = true
            default: break
            }
        }
        let kex = try await session.generateKeyExchange(chosen.group, privateBits: chosen.dhPrivateBits)
        let gir = try await session.agree(kex, peer: gi)
        initiatorNonce = ni
        let k = try await IKEv2KeyDerivation.derive(chosen, sharedSecret: gir, initiatorNonce: ni, responderNonce: nonce,
                                                    initiatorSPI: initiatorSPI, responderSPI: responderSPI, session: session)
        keys = k
        protection = IKEv2Protection(suite: chosen, keys: k, isInitiator: false)
        var payloads: [IKEv2Payload] = []
        payloads.reserveCapacity(7)
        payloads.append(.securityAssociation(configuration.responseSA(chosen, number: proposal.number)))
        payloads.append(.keyExchange(group: chosen.group.number, data: kex.publicValue))
        payloads.append(.nonce(nonce))
        if !configuration.certificateAuthorities.isEmpty {
            payloads.append(.certificateRequest(encoding: IKEv2CertificateEncoding.x509Signature,
                                                data: configuration.certificateAuthorities.flatMap { $0 }))
        }
        // NAT detection is not sent (a peer then stays on its port; docs/ike.md).
        if peerFragments, configuration.fragmentSize != nil {
            payloads.append(.notify(IKEv2Notify(type: IKEv2Notify.Status.ikev2FragmentationSupported)))
        } else {
            peerFragments = false
        }
        payloads.append(.notify(IKEv2SignatureHash.supportedNotify))
        payloads.append(.notify(IKEv2Notify(type: IKEv2Notify.Status.childlessIKEv2Supported)))
        let reply = IKEv2Message(header: responseHeader(.ikeSAInit), payloads: payloads).encoded()
        message1 = bytes
        message2 = reply
        state = .awaitingAuth
        return IKEv2Turn(replies: [reply])
    }

    /// The suite to use: the first of the peer's IKE proposals (in its order)
    /// offering one of ours with the group of its KE payload. When one of ours
    /// is offered only with another group: INVALID_KE_PAYLOAD naming that group
    /// (§1.2); when none is: NO_PROPOSAL_CHOSEN.
    static func choose(_ sa: IKEv2SA, keGroup: UInt16, acceptable: [IKEv2Suite]) throws -> (IKEv2Proposal, IKEv2Suite) {
        var otherGroup: IKEv2Suite?
        for p in sa.proposals where p.protocolID == IKEv2Proposal.protocolIKE && p.spi.isEmpty {
            for s in acceptable where s.isOffered(by: p) {
                if s.group.number == keGroup { return (p, s) }
                if otherGroup == nil { otherGroup = s }
            }
        }
        if let otherGroup {
            let n = otherGroup.group.number
            throw IKEv2Error(.invalidKEPayload, "KE payload of group \(keGroup); the proposal we accept uses group \(n)",
                             notifyData: [UInt8(n >> 8), UInt8(n & 0xFF)])
        }
        let offered = sa.proposals.map { p in p.transforms.map { "\($0.type):\($0.id)" }.joined(separator: ",") }.joined(separator: " | ")
        throw IKEv2Error(.noProposalChosen, "no IKE proposal (\(offered)) offers one of \(acceptable.map(\.proposalName).joined(separator: ", "))")
    }

    // MARK: IKE_AUTH

    private func authExchange(_ bytes: [UInt8], _ header: IKEv2Header) async throws -> IKEv2Turn {
        guard header.exchange == .ikeAuth else {
            throw IKEv2Error(.unexpectedMessage, "exchange type \(header.exchangeType) while IKE_AUTH is awaited")
        }
        guard let protection, let keys else { throw IKEv2Error(.unexpectedMessage, "no keys for IKE_AUTH") }
        let sk = try protectedPayload(bytes, header)
        let inner: [IKEv2Payload]
        if let (number, total) = sk.fragment {
            guard let whole = try await collectFragment(bytes, number: number, total: total, firstInner: sk.firstInner, body: sk.body, protection) else {
                return IKEv2Turn(replies: [])
            }
            inner = whole
        } else {
            inner = try await protection.open(bytes, sk: sk, session: session)
        }
        return try await authenticate(inner, keys: keys, protection: protection)
    }

    /// The SK or SKF payload of a request after IKE_SA_INIT, read in place
    /// (the message is checked as ``IKEv2Message/parse(_:)`` checks it, and
    /// neither its payloads nor its ciphertext are copied out).
    private func protectedPayload(_ bytes: [UInt8], _ header: IKEv2Header) throws -> IKEv2ProtectedPayload {
        guard let sk = try IKEv2PayloadChain.protectedPayload(first: header.nextPayload, bytes[IKEv2Header.size...], context: "message") else {
            throw IKEv2Error.missingSK(header)
        }
        return sk
    }

    /// RFC 7383 §2.6: each fragment is checked and decrypted on arrival; the
    /// message is whole when every number up to the total is in. Nil until then.
    private func collectFragment(_ bytes: [UInt8], number: UInt16, total: UInt16, firstInner: UInt8, body: ArraySlice<UInt8>,
                                 _ protection: IKEv2Protection) async throws -> [IKEv2Payload]? {
        guard total <= IKEv2Fragmentation.maxFragments else {
            throw IKEv2Error.syntax("SKF announces \(total) fragments; at most \(IKEv2Fragmentation.maxFragments) are reassembled")
        }
        if fragmentTotal == 0 { fragmentTotal = total }
        guard total == fragmentTotal else { throw IKEv2Error.syntax("SKF fragment says \(total) in all; earlier ones said \(fragmentTotal)") }
        guard fragments[number] == nil else { return nil }  // a duplicate
        let plain = try await protection.openPlain(bytes, skBody: body, session: session)
        fragments[number] = plain
        if number == 1 { fragmentFirstInner = firstInner }
        guard fragments.count == Int(total) else { return nil }
        let whole = (1...total).flatMap { fragments[$0]! }
        fragments = [:]
        return try IKEv2PayloadChain.parse(first: fragmentFirstInner, whole[...], context: "reassembled SK payload")
    }

    private func authenticate(_ inner: [IKEv2Payload], keys: IKEv2Keys, protection: IKEv2Protection) async throws -> IKEv2Turn {
        guard let idi = inner.lazy.compactMap({ if case .identificationInitiator(let id) = $0 { id } else { nil } }).first else {
            throw IKEv2Error.syntax("IKE_AUTH without IDi")
        }
        guard let (method, data) = inner.lazy.compactMap({ if case .authentication(let m, let d) = $0 { (m, d) } else { nil } }).first else {
            throw IKEv2Error.syntax("IKE_AUTH without AUTH")
        }
        let certificates = inner.compactMap { p -> [UInt8]? in
            if case .certificate(IKEv2CertificateEncoding.x509Signature, let der) = p { return der } else { return nil }
        }
        let peerWantsCertificate = inner.contains { $0.type == .certificateRequest }
        let octets = try await IKEv2Authentication.signedOctets(message: message1, peerNonce: nonce, id: idi, prf: suite.prf,
                                                                skP: keys.skPi, session: session)
        let trusted: [IKEv2PublicKey]
        do {
            trusted = try configuration.peers.ikev2Keys(for: idi, certificates: certificates)
        } catch let e as IKEv2Error {
            throw IKEv2Error(.authenticationFailed, e.message)
        } catch {
            throw IKEv2Error(.authenticationFailed, "no trusted key for \(idi): \(error)")
        }
        try await IKEv2Authentication.verify(octets, method: method, data: data, keys: trusted, session: session, role: "initiator")
        peerID = idi
        var events: [IKEv2Event] = []
        events.reserveCapacity(3)
        events.append(.established(peer: idi))
        let identity = configuration.identity
        let ourOctets = try await IKEv2Authentication.signedOctets(message: message2, peerNonce: initiatorNonce, id: identity.id,
                                                                   prf: suite.prf, skP: keys.skPr, session: session)
        var reply: [IKEv2Payload] = []
        reply.reserveCapacity(8)
        reply.append(.identificationResponder(identity.id))
        if peerWantsCertificate, let der = identity.certificate {
            reply.append(.certificate(encoding: IKEv2CertificateEncoding.x509Signature, data: der))
        }
        reply.append(try await IKEv2Authentication.sign(ourOctets, identity: identity, peerHashes: peerHashes, session: session))
        let (child, childEvent) = try await negotiateChild(inner, keys: keys, into: &reply)
        childSA = child
        if let childEvent { events.append(childEvent) }
        if inner.contains(where: { if case .notify(let n) = $0 { n.type == IKEv2Notify.Status.initialContact } else { false } }) {
            events.append(.initialContact(peer: idi))
        }
        state = .established
        let datagrams = try await sealResponse(.ikeAuth, reply, protection: protection)
        return IKEv2Turn(replies: datagrams, events: events)
    }

    /// The child SA of IKE_AUTH: none asked (RFC 6023), negotiated, or refused
    /// with a notify; its payloads (or the notify) are appended to `reply`.
    private func negotiateChild(_ inner: [IKEv2Payload], keys: IKEv2Keys,
                                into reply: inout [IKEv2Payload]) async throws -> (IKEv2ChildSA?, IKEv2Event?) {
        let sa = inner.lazy.compactMap { if case .securityAssociation(let s) = $0 { s } else { nil } }.first
        let tsi = inner.lazy.compactMap { if case .trafficSelectorInitiator(let t) = $0 { t } else { nil } }.first
        let tsr = inner.lazy.compactMap { if case .trafficSelectorResponder(let t) = $0 { t } else { nil } }.first
        guard let sa else { return (nil, nil) }
        guard let tsi, let tsr else {
            reply.append(.notify(IKEv2Notify(error: .tsUnacceptable)))
            return (nil, .childRefused(type: IKEv2Error.Code.tsUnacceptable.rawValue))
        }
        guard configuration.acceptChildSAs, let (proposal, transforms, keymatBytes) = ChildSAChoice.choose(sa) else {
            reply.append(.notify(IKEv2Notify(error: .noProposalChosen)))
            return (nil, .childRefused(type: IKEv2Error.Code.noProposalChosen.rawValue))
        }
        let transport = inner.contains { if case .notify(let n) = $0 { n.type == IKEv2Notify.Status.useTransportMode } else { false } }
        let spi = IKERandom.bytes(4)
        // KEYMAT = prf+(SK_d, Ni | Nr) (§2.17): derived as a responder must, and kept nowhere.
        // (Its blocks are computed; they are not concatenated, as nothing reads them.)
        _ = try await IKEv2KeyDerivation.prfPlusBlocks(suite.prf, key: keys.skD, seed: SecureBytes.nonces(initiatorNonce, nonce),
                                                       length: keymatBytes, session: session)
        let child = IKEv2ChildSA(protocolID: proposal.protocolID, initiatorSPI: proposal.spi, responderSPI: spi, transforms: transforms,
                                 initiatorTS: tsi, responderTS: tsr, transportMode: transport, keyMaterialBytes: keymatBytes)
        if transport { reply.append(.notify(IKEv2Notify(type: IKEv2Notify.Status.useTransportMode))) }
        reply.append(.securityAssociation(IKEv2SA(proposals: [IKEv2Proposal(number: proposal.number, protocolID: proposal.protocolID,
                                                                            spi: spi, transforms: transforms)])))
        reply.append(.trafficSelectorInitiator(tsi))
        reply.append(.trafficSelectorResponder(tsr))
        return (child, .childSA(child))
    }

    // MARK: INFORMATIONAL

    private func informational(_ bytes: [UInt8], _ header: IKEv2Header) async throws -> IKEv2Turn {
        guard let protection else { throw IKEv2Error(.unexpectedMessage, "no keys") }
        let sk = try protectedPayload(bytes, header)
        guard sk.fragment == nil else {
            throw IKEv2Error.missingSK(header)
        }
        let inner = try await protection.open(bytes, sk: sk, session: session)
        guard header.exchange == .informational else {
            // CREATE_CHILD_SA (rekeying, more children) is not served: the SA stands.
            let datagrams = try await sealResponse(header.exchange ?? .informational, [.notify(IKEv2Notify(error: .noAdditionalSAs))],
                                                   protection: protection, exchangeType: header.exchangeType)
            return IKEv2Turn(replies: datagrams)
        }
        var events: [IKEv2Event] = []
        var reply: [IKEv2Payload] = []
        for p in inner {
            switch p {
            case .delete(let d) where d.protocolID == IKEv2Proposal.protocolIKE:
                events.append(.deleted)
                state = .closed
            case .delete(let d) where d.protocolID == IKEv2Proposal.protocolESP:
                // §1.4.1: answer with the Delete of our half of each pair.
                if let child = childSA, d.spis.contains(child.initiatorSPI) {
                    reply.append(.delete(IKEv2Delete(protocolID: IKEv2Proposal.protocolESP, spis: [child.responderSPI])))
                    childSA = nil
                }
            case .notify(let n):
                events.append(.notified(type: n.type))
            default:
                break
            }
        }
        if inner.isEmpty { events.append(.liveness) }
        let datagrams = try await sealResponse(.informational, reply, protection: protection)
        return IKEv2Turn(replies: datagrams, events: events)
    }

    // MARK: Responses and refusals

    private func responseHeader(_ exchange: IKEv2ExchangeType, spiR: [UInt8]? = nil) -> IKEv2Header {
        IKEv2Header(initiatorSPI: initiatorSPI, responderSPI: spiR ?? responderSPI, exchange: exchange, flags: .response,
                    messageID: currentMessageID)
    }

    private func sealResponse(_ exchange: IKEv2ExchangeType, _ inner: [IKEv2Payload], protection: IKEv2Protection,
                              exchangeType: UInt8? = nil) async throws -> [[UInt8]] {
        var h = responseHeader(exchange)
        if let exchangeType { h.exchangeType = exchangeType }
        if peerFragments, exchange == .ikeAuth, let size = configuration.fragmentSize {
            return try await IKEv2Fragmentation.seal(h, inner: inner, datagramSize: size, protection: protection, session: session)
        }
        return [try await protection.seal(h, inner: inner, session: session)]
    }

    /// The response a peer should get for `error` raised by the request in
    /// work: in IKE_SA_INIT a clear Notify (responder SPI zero: no state is
    /// kept), after it a protected one; nil when the message is to be dropped
    /// (an integrity failure, an unexpected or unknown message: §2.21).
    public func refusal(for error: IKEv2Error) async -> [[UInt8]]? {
        guard error.isNotifiable, !initiatorSPI.isEmpty else { return nil }
        let notify = IKEv2Payload.notify(IKEv2Notify(error: error.code, data: error.notifyData))
        switch state {
        case .awaitingInit:
            // No state is kept for a refused IKE_SA_INIT: the initiator starts over (cookie, other group …).
            let h = responseHeader(.ikeSAInit, spiR: [UInt8](repeating: 0, count: 8))
            initiatorSPI = []
            peerHashes = []
            peerFragments = false
            return [IKEv2Message(header: h, payloads: [notify]).encoded()]
        case .awaitingAuth, .established:
            guard let protection else { return nil }
            let exchange: IKEv2ExchangeType = state == .awaitingAuth ? .ikeAuth : .informational
            if state == .awaitingAuth { state = .closed }
            guard let sealed = try? await protection.seal(responseHeader(exchange), inner: [notify], session: session) else { return nil }
            lastResponse = (currentMessageID, [sealed])
            expectedMessageID = currentMessageID &+ 1
            return [sealed]
        case .closed:
            return nil
        }
    }

}

/// Certificate encodings (RFC 7296 §3.6).
public enum IKEv2CertificateEncoding {
    /// X.509 Certificate - Signature.
    public static let x509Signature: UInt8 = 4
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { b in String(b, radix: 16).count == 1 ? "0" + String(b, radix: 16) : String(b, radix: 16) }.joined()
}
