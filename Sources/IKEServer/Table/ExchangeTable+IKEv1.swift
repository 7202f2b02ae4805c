import CryptoFramework
import IKEProtocol

/// What the table keeps for an IKEv1 exchange beyond what it keeps for every
/// exchange: its responder (an actor), the last request and reply (a repeated
/// request is answered from them), and whether a message of it is in its turn now.
struct MainModeExchange {
    let responder: MainModeResponder
    let pmInfo: String
    var lastRequest: [UInt8]?
    var lastReply: [UInt8]?
    /// A message of this exchange is with its responder; others wait their turn (dropped).
    var inTurn = false
}

extension PeerIdentity {
    /// An IKEv1 ID as the table compares peers: its type and data (its
    /// protocol and port are no part of the identity).
    init(_ id: Identification) { self.init(kind: id.kind.rawValue, data: id.data) }
}

extension ExchangeEntry {
    /// The IKEv1 part; setting it replaces the state (an IKEv1 key's entry always has one).
    var mainMode: MainModeExchange? {
        get { state.ikev1 }
        set { if let newValue { state = .ikev1(newValue) } }
    }
}

/// A message handed to its exchange's responder. The exchange stays in its
/// turn until the table settles it (``ExchangeTable/settle(_:_:upkeep:)``).
struct ExchangeTurn: Sendable {
    let key: ExchangeKey
    let responder: MainModeResponder
    let request: [UInt8]
    let peerHost: PeerAddress
    let pmInfo: String
    let startedAt: UInt64
    /// The message 1 that created the exchange.
    let opensExchange: Bool
}

/// What the table decided for an IKEv1 datagram.
enum ExchangeDecision {
    /// Not acted on: the counter it goes under.
    case drop(ServerCounters.Name)
    /// A repeat of the last request: its stored reply, sent again without crypto.
    case resend([UInt8])
    /// The exchange's turn.
    case take(ExchangeTurn)
}

/// How a turn ended, as far as the table cares.
enum ExchangeTurnEnd {
    case answered(MainModeTurn)
    case refused
}

/// IKEv1 in the table: exchanges keyed by their cookies. The turn-taking rule
/// is decided here: one message per exchange at a time, a repeat answered from
/// the stored reply, anything else arriving meanwhile dropped.
extension ExchangeTable {
    /// What `message` (with `header`, from `host`) gets. A message 1 that is
    /// admitted creates its exchange with `open`; `upkeep` counts what was
    /// dropped to make room.
    mutating func receive(_ message: [UInt8], header: ISAKMPHeader, host: PeerAddress, now: UInt64,
                          upkeep: inout Upkeep, open: () -> MainModeResponder) -> ExchangeDecision {
        if header.responderCookie.allSatisfy({ $0 == 0 }) {
            return message1(message, header: header, host: host, now: now, upkeep: &upkeep, open: open)
        }
        let key = ExchangeKey(version: .ikev1, pair: CookiePair(header.initiatorCookie, header.responderCookie))
        // In place: one look-up, and the exchange is not copied out and back.
        let decision = modifyEntry(key) { entry -> ExchangeDecision in
            guard entry.peerHost == host else { return .drop(.unknownCookies) }
            let (established, peerHost, startedAt) = (entry.established, entry.peerHost, entry.startedAt)
            let taken = entry.state.modifyIKEv1 { exchange -> ExchangeDecision in
                if let repeated = Self.repeated(exchange, message) { return repeated }
                // A late copy of an earlier Main Mode message once the SA is up.
                if established && header.exchangeType == .identityProtection { return .drop(.duplicatesDropped) }
                exchange.inTurn = true
                return .take(ExchangeTurn(key: key, responder: exchange.responder, request: message, peerHost: peerHost,
                                          pmInfo: exchange.pmInfo, startedAt: startedAt, opensExchange: false))
            }
            if case .take = taken { entry.touchedAt = now }
            return taken ?? .drop(.unknownCookies)
        }
        return decision ?? .drop(.unknownCookies)
    }

    private mutating func message1(_ message: [UInt8], header: ISAKMPHeader, host: PeerAddress, now: UInt64,
                                   upkeep: inout Upkeep, open: () -> MainModeResponder) -> ExchangeDecision {
        let placed = opening(.ikev1, initiator: header.initiatorCookie, host: host, now: now,
                             mayOpen: header.exchangeType == .identityProtection, upkeep: &upkeep) {
            let responder = open()
            return (responder.responderCookie, .ikev1(MainModeExchange(responder: responder, pmInfo: PMInfo.next(), inTurn: true)))
        }
        switch placed {
        case .refused(let why):
            return .drop(why)
        case .found(let key):
            // A late copy of message 1 after the exchange moved on: nothing to do.
            // Read in place (the entry is not copied out).
            let repeated = modifyEntry(key) { entry in entry.state.modifyIKEv1 { Self.repeated($0, message) } }
            return repeated.flatMap { $0 }.flatMap { $0 } ?? .drop(.duplicatesDropped)
        case .opened(let key):
            let turn = modifyEntry(key) { entry in
                let (peerHost, startedAt) = (entry.peerHost, entry.startedAt)
                return entry.state.modifyIKEv1 { exchange in
                    ExchangeTurn(key: key, responder: exchange.responder, request: message, peerHost: peerHost,
                                 pmInfo: exchange.pmInfo, startedAt: startedAt, opensExchange: true)
                }
            }
            guard let turn = turn.flatMap({ $0 }) else { return .drop(.unknownCookies) }
            return .take(turn)
        }
    }

    /// The stored reply when `message` repeats the last request; a drop when
    /// the exchange is in a turn; nil for a new message.
    private static func repeated(_ exchange: MainModeExchange, _ message: [UInt8]) -> ExchangeDecision? {
        if exchange.lastRequest == message, let reply = exchange.lastReply { return .resend(reply) }
        if exchange.inTurn { return .drop(.duplicatesDropped) }
        return nil
    }

    /// Ends `turn` as its responder answered, before the service sends
    /// anything: the reply is stored (a repeat is answered from it), a
    /// completed Main Mode is marked established with its peer's identity, a
    /// DELETE or INITIAL-CONTACT forgets SAs (counted in `upkeep.deleted`;
    /// INITIAL-CONTACT's rule is the table's, shared with IKEv2), and a
    /// refused exchange that was never established is dropped (an established
    /// SA survives a refused informational or Quick Mode message). So whatever
    /// the peer sends once it has the reply finds the exchange as the reply
    /// left it.
    mutating func settle(_ turn: ExchangeTurn, _ end: ExchangeTurnEnd, upkeep: inout Upkeep) {
        let key = turn.key
        // In place. Gone meanwhile (another exchange's INITIAL-CONTACT): nothing to settle.
        let answer: MainModeTurn? = if case .answered(let a) = end { a } else { nil }
        let established = modifyEntry(key) { entry -> Bool? in
            entry.state.modifyIKEv1 { exchange in
                exchange.inTurn = false
                if let reply = answer?.reply {
                    exchange.lastRequest = turn.request
                    exchange.lastReply = reply
                }
            }.map { entry.established }
        } ?? nil
        guard let established else { return }
        guard let answer else {
            if !established { remove(key) }
            return
        }
        for event in answer.events {
            switch event {
            case .established(let peer):
                establish(key, peer: PeerIdentity(peer))
            case .initialContact:
                // The peer the exchange authenticated, not the one the notify
                // names: before Main Mode completes it drops nothing.
                initialContact(key, upkeep: &upkeep)
            case .deleted:
                remove(key)
                upkeep.deleted += 1
            case .notified, .informationalDropped:
                break
            }
        }
    }
}
