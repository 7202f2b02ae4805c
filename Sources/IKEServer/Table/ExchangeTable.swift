import CryptoFramework
import IKEProtocol

/// One exchange with a peer, as the table keeps it: its responder (an actor),
/// the last request and reply (a repeated request is answered from them), and
/// whether a message of it is in its turn now.
struct ExchangeEntry {
    let responder: MainModeResponder
    let peerHost: String
    let createdAt: UInt64
    var touchedAt: UInt64
    /// Message 1 received (the 2007 script's "Initial packet received").
    let startedAt: UInt64
    let pmInfo: String
    var lastRequest: [UInt8]?
    var lastReply: [UInt8]?
    /// A message of this exchange is with its responder; others wait their turn (dropped).
    var inTurn = false
    /// The authenticated initiator, once Main Mode completed.
    var peer: Identification?

    var established: Bool { peer != nil }
}

/// A message handed to its exchange's responder. The exchange stays in its
/// turn until the table settles it (``ExchangeTable/settle(_:_:)``).
struct ExchangeTurn: Sendable {
    let key: CookiePair
    let responder: MainModeResponder
    let request: [UInt8]
    let peerHost: String
    let pmInfo: String
    let startedAt: UInt64
    /// The message 1 that created the exchange.
    let opensExchange: Bool
}

/// What the table decided for a datagram.
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

/// Exchanges keyed by their cookies, bounded in number and per peer address,
/// half-open ones expiring (ExchangeLimits). The turn-taking rule is decided
/// here: one message per exchange at a time, a repeat answered from the stored
/// reply, anything else arriving meanwhile dropped. A value type with no I/O
/// and no clock of its own (the caller passes `now`); the service keeps it
/// behind a lock and carries out its decisions.
struct ExchangeTable {
    let limits: ExchangeLimits
    private(set) var entries: [CookiePair: ExchangeEntry] = [:]
    /// Half-open exchanges per peer address (its IP, any port).
    private(set) var halfOpenByHost: [String: Int] = [:]
    /// Message 1 of an exchange in progress, by initiator cookie and host: a
    /// repeated message 1 finds its exchange (its responder cookie is still zero).
    private var byInitiator: [InitiatorKey: CookiePair] = [:]

    private struct InitiatorKey: Hashable { let cookie: UInt64; let host: String }

    /// Exchanges dropped to admit a message 1, for the counters.
    struct Upkeep { var expired = 0, evicted = 0 }

    init(limits: ExchangeLimits) { self.limits = limits }

    var count: Int { entries.count }

    // MARK: Deciding

    /// What `message` (with `header`, from `host`) gets. A message 1 that is
    /// admitted creates its exchange with `open`; `upkeep` counts what was
    /// dropped to make room.
    mutating func receive(_ message: [UInt8], header: ISAKMPHeader, host: String, now: UInt64,
                          upkeep: inout Upkeep, open: () -> MainModeResponder) -> ExchangeDecision {
        if header.responderCookie.allSatisfy({ $0 == 0 }) {
            return message1(message, header: header, host: host, now: now, upkeep: &upkeep, open: open)
        }
        let key = CookiePair(header.initiatorCookie, header.responderCookie)
        guard var entry = entries[key], entry.peerHost == host else { return .drop(.unknownCookies) }
        if let repeated = Self.repeated(entry, message) { return repeated }
        // A late copy of an earlier Main Mode message once the SA is up.
        if entry.established && header.exchangeType == .identityProtection { return .drop(.duplicatesDropped) }
        entry.inTurn = true
        entry.touchedAt = now
        entries[key] = entry
        return .take(turn(key, entry, message, opens: false))
    }

    private mutating func message1(_ message: [UInt8], header: ISAKMPHeader, host: String, now: UInt64,
                                   upkeep: inout Upkeep, open: () -> MainModeResponder) -> ExchangeDecision {
        let initiator = InitiatorKey(cookie: CookiePair(header.initiatorCookie, []).initiator, host: host)
        if let entry = byInitiator[initiator].flatMap({ entries[$0] }) {
            // A late copy of message 1 after the exchange moved on: nothing to do.
            return Self.repeated(entry, message) ?? .drop(.duplicatesDropped)
        }
        guard header.exchangeType == .identityProtection else { return .drop(.unknownCookies) }
        switch admit(host: host, now: now, upkeep: &upkeep) {
        case .tableFull: return .drop(.tableFull)
        case .peerCapReached: return .drop(.peerCapReached)
        case .admitted: break
        }
        let responder = open()
        let key = CookiePair(header.initiatorCookie, responder.responderCookie)
        let entry = ExchangeEntry(responder: responder, peerHost: host, createdAt: now, touchedAt: now, startedAt: now,
                                  pmInfo: PMInfo.next(), inTurn: true)
        entries[key] = entry
        halfOpenByHost[host, default: 0] += 1
        byInitiator[initiator] = key
        return .take(turn(key, entry, message, opens: true))
    }

    private func turn(_ key: CookiePair, _ entry: ExchangeEntry, _ message: [UInt8], opens: Bool) -> ExchangeTurn {
        ExchangeTurn(key: key, responder: entry.responder, request: message, peerHost: entry.peerHost,
                     pmInfo: entry.pmInfo, startedAt: entry.startedAt, opensExchange: opens)
    }

    /// The stored reply when `message` repeats the last request; a drop when
    /// the exchange is in a turn; nil for a new message.
    private static func repeated(_ entry: ExchangeEntry, _ message: [UInt8]) -> ExchangeDecision? {
        if entry.lastRequest == message, let reply = entry.lastReply { return .resend(reply) }
        if entry.inTurn { return .drop(.duplicatesDropped) }
        return nil
    }

    // MARK: Settling a turn

    /// Ends `turn` as its responder answered, before the service sends
    /// anything: the reply is stored (a repeat is answered from it), a
    /// completed Main Mode is marked established, a DELETE or INITIAL-CONTACT
    /// forgets SAs, and a refused exchange that was never established is
    /// dropped (an established SA survives a refused informational or Quick
    /// Mode message). So whatever the peer sends once it has the reply finds
    /// the exchange as the reply left it. Returns how many SAs were forgotten
    /// because the peer deleted them or made them stale.
    mutating func settle(_ turn: ExchangeTurn, _ end: ExchangeTurnEnd) -> Int {
        let key = turn.key
        // Gone meanwhile (another exchange's INITIAL-CONTACT): nothing to settle.
        guard var entry = entries[key] else { return 0 }
        entry.inTurn = false
        guard case .answered(let answer) = end else {
            entries[key] = entry
            if !entry.established { remove(key) }
            return 0
        }
        if let reply = answer.reply {
            entry.lastRequest = turn.request
            entry.lastReply = reply
        }
        entries[key] = entry
        var forgotten = 0
        for event in answer.events {
            switch event {
            case .established(let peer):
                guard !entry.established else { continue }
                entry.peer = peer
                entries[key] = entry
                releaseHalfOpen(host: entry.peerHost)
            case .initialContact(let peer):
                let stale = entries.compactMap { k, e in
                    k != key && e.peer == peer && e.peerHost == entry.peerHost ? k : nil
                }
                for k in stale { remove(k) }
                forgotten += stale.count
            case .deleted:
                remove(key)
                forgotten += 1
            case .notified, .informationalDropped:
                break
            }
        }
        return forgotten
    }

    // MARK: Bounds

    private enum Admission { case admitted, tableFull, peerCapReached }

    /// Whether a new exchange from `host` may be added now, after expiring
    /// what is due and, when the table is still full, evicting the established
    /// SA idle the longest: it is kept only to answer a retransmitted message 6,
    /// a DELETE or an informational, so 1024 peers that never delete cannot lock
    /// everyone out for a Phase I lifetime. Half-open exchanges are never evicted.
    private mutating func admit(host: String, now: UInt64, upkeep: inout Upkeep) -> Admission {
        if entries.count >= limits.maxExchanges || halfOpenByHost[host, default: 0] >= limits.maxHalfOpenPerPeer {
            upkeep.expired += expire(now: now)
        }
        if halfOpenByHost[host, default: 0] >= limits.maxHalfOpenPerPeer { return .peerCapReached }
        while entries.count >= limits.maxExchanges {
            guard let idlest = entries.filter({ $0.value.established && !$0.value.inTurn })
                .min(by: { $0.value.touchedAt < $1.value.touchedAt })?.key
            else { return .tableFull }
            remove(idlest)
            upkeep.evicted += 1
        }
        return .admitted
    }

    private mutating func remove(_ key: CookiePair) {
        guard let e = entries.removeValue(forKey: key) else { return }
        if !e.established { releaseHalfOpen(host: e.peerHost) }
        byInitiator[InitiatorKey(cookie: key.initiator, host: e.peerHost)] = nil
    }

    private mutating func releaseHalfOpen(host: String) {
        let n = halfOpenByHost[host, default: 1] - 1
        halfOpenByHost[host] = n > 0 ? n : nil
    }

    /// Drops half-open exchanges idle past their lifetime and established ones
    /// past theirs; never one in its turn. Returns how many went.
    mutating func expire(now: UInt64) -> Int {
        let halfOpen = UInt64(limits.halfOpenSeconds * 1e9)
        let established = UInt64(limits.establishedSeconds * 1e9)
        let due = entries.filter { _, e in
            !e.inTurn && (e.established ? now &- e.createdAt >= established : now &- e.touchedAt >= halfOpen)
        }.map(\.key)
        for k in due { remove(k) }
        return due.count
    }
}
