import CryptoFramework
import IKEProtocol

/// Our Main Mode initiator against a responder over UDP (`ikebench run
/// --peer`): retransmits on silence, ignores datagrams of other exchanges,
/// turns a Notify into an error, and times the negotiation on the initiator
/// from message 1 sent to message 6 verified. After it, the SA is deleted
/// (an informational DELETE) so the peer keeps no state.
public struct PeerInitiator: Sendable {
    public var suite: IKESuite
    public var identity: MainModeIdentity
    public var responders: any PeerKeyResolver
    public var framework: CryptoFramework
    /// Ask for the responder's certificate (CERTREQ in message 3).
    public var requestCertificate: Bool
    /// Put the RFC 3948 non-ESP marker in front of every message. strongSwan
    /// takes a datagram without it for ESP when neither port is 500, so
    /// ``markerNeeded(peerPort:)`` says when.
    public var nonESPMarker: Bool
    /// Seconds to wait for a reply before sending the message again, and how many sends.
    public var timeoutSeconds: Double
    public var attempts: Int
    /// Send this key-exchange pair (MODP or EC) in every exchange instead of a
    /// fresh one (a load generator's shortcut, never a real initiator's: see MainModeInitiator).
    public var reusedKeyExchange: IKEKeyExchangePair?
    /// Do not verify the responder's SIG_R (a load generator's shortcut, never
    /// `run --peer`'s: see ``MainModeInitiator/skipsResponderSignatureCheck``).
    public var skipsResponderSignatureCheck = false

    public init(suite: IKESuite, identity: MainModeIdentity, responders: any PeerKeyResolver, framework: CryptoFramework,
                requestCertificate: Bool = false, nonESPMarker: Bool = false, timeoutSeconds: Double = 4, attempts: Int = 4) {
        // IKEv1 has one authentication method for both sides: the one our key signs with.
        self.suite = identity.authentication.map { suite.authenticated(by: $0) } ?? suite
        self.identity = identity
        self.responders = responders
        self.framework = framework
        self.requestCertificate = requestCertificate
        self.nonESPMarker = nonESPMarker
        self.timeoutSeconds = timeoutSeconds
        self.attempts = max(1, attempts)
    }

    /// Whether messages to `peerPort` carry the non-ESP marker: whenever
    /// neither port is 500 (ours never is), as strongSwan's receiver expects.
    public static func markerNeeded(peerPort: Int) -> Bool { peerPort != 500 }

    public struct NoReply: Error, CustomStringConvertible {
        public let description: String
    }

    /// Why a datagram that came while waiting was not the answer (``PeerSetupProgress``).
    enum Ignored: String, Error, CustomStringConvertible {
        case otherExchange = "not of this exchange (another initiator cookie, or no ISAKMP header)"
        case informational = "an informational without a Notify we act on"
        case earlierReply = "a copy of a reply already taken (the request was sent again)"
        var description: String { rawValue }
    }

    public func negotiate(over client: UDPDatagramClient,
                          observe: (@Sendable (IKEOperationRecord) -> Void)? = nil) async throws -> NegotiationOutcome {
        var progress = PeerSetupProgress()
        return try await negotiate(over: client, observe: observe, progress: &progress)
    }

    /// ``negotiate(over:observe:)``, keeping where the setup stands in `progress` as it goes.
    public func negotiate(over client: UDPDatagramClient, observe: (@Sendable (IKEOperationRecord) -> Void)?,
                          progress: inout PeerSetupProgress) async throws -> NegotiationOutcome {
        progress.version = 1
        let session = IKECryptoSession(framework: framework, observe: observe)
        let initiator = MainModeInitiator(suite: suite, session: session, identity: identity, responders: responders)
        initiator.requestCertificate = requestCertificate
        initiator.reusedKeyExchange = reusedKeyExchange
        initiator.skipsResponderSignatureCheck = skipsResponderSignatureCheck
        let start = MonotonicClock.nanoseconds()
        progress.startedAt = start
        var exchange = PeerExchange(initiator: initiator, client: client)
        let m2 = try await roundTrip(initiator.start(), number: 1, exchange: &exchange, progress: &progress)
        let m4 = try await roundTrip(try await initiator.message3(after: m2), number: 3, exchange: &exchange, progress: &progress)
        let m6 = try await roundTrip(try await initiator.message5(after: m4), number: 5, exchange: &exchange, progress: &progress)
        try await initiator.finish(m6)
        let elapsed = MonotonicClock.nanoseconds() &- start
        client.send(NonESPMarker.add(try await initiator.deleteMessage(), marked: nonESPMarker))
        return NegotiationOutcome(hostNanoseconds: elapsed, records: session.records, platform: framework.platform)
    }

    /// One exchange's socket, initiator and the replies it already took.
    struct PeerExchange {
        let initiator: MainModeInitiator
        let client: UDPDatagramClient
        /// Replies already taken: a copy of one is the responder retransmitting, not its next message.
        var earlierReplies: [[UInt8]] = []
    }

    /// Sends `message` and returns the peer's answer for our exchange, sending
    /// again after each silent `timeoutSeconds`. A copy of a reply we already
    /// took (a responder resends message 4 on its own timer when message 5 is
    /// slow to come, as Libreswan does) is not the answer: it means the
    /// responder may have missed `message`, which is sent again, once per copy
    /// and at most `attempts` times in all. A Notify, in the clear or
    /// protected by the exchange's keys, ends the exchange with its type.
    private func roundTrip(_ message: [UInt8], number: Int, exchange: inout PeerExchange,
                           progress: inout PeerSetupProgress) async throws -> [UInt8] {
        let cookie = exchange.initiator.initiatorCookie
        let client = exchange.client
        var sends = 0
        func send() {
            client.send(NonESPMarker.add(message, marked: nonESPMarker))
            sends += 1
            progress.sent(ikev1: message, number: number)
        }
        while sends < attempts {
            send()
            let deadline = MonotonicClock.nanoseconds() + UInt64(timeoutSeconds * 1e9)
            while let datagram = await client.receive(before: deadline) {
                let reply = NonESPMarker.strip(datagram).message
                guard let (header, _) = try? ISAKMPMessage.parseHeader(reply), header.initiatorCookie == cookie else {
                    progress.ignored(Ignored.otherExchange)
                    continue
                }
                if header.exchangeType == .informational {
                    let code = header.flags.contains(.encryption)
                        ? await exchange.initiator.protectedRefusalCode(in: reply) : MainModeInitiator.refusalCode(in: reply)
                    if let code {
                        throw ISAKMPError(ISAKMPError.Code(rawValue: Int(code)) ?? .payloadMalformed,
                                          "the responder refused message \(number) with Notify type \(code)"
                                          + (ISAKMPError.Code(rawValue: Int(code)).map { " (\($0))" } ?? ""))
                    }
                    progress.ignored(Ignored.informational)
                    continue  // an informational we do not act on
                }
                if exchange.earlierReplies.contains(reply) {
                    progress.ignored(Ignored.earlierReply)
                    if sends < attempts { send() }
                    continue
                }
                exchange.earlierReplies.append(reply)
                return reply
            }
        }
        throw NoReply(description: "no answer to message \(number) after \(sends) sends \(timeoutSeconds) s apart")
    }
}
