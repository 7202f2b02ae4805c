import CryptoFramework
import IKEProtocol

/// The cookies that name an exchange (RFC 2408 §2.5.3), as two integers.
struct CookiePair: Hashable, Sendable {
    let initiator: UInt64
    let responder: UInt64

    init(_ initiator: some Collection<UInt8>, _ responder: some Collection<UInt8>) {
        self.initiator = initiator.reduce(0) { $0 << 8 | UInt64($1) }
        self.responder = responder.reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// One exchange with a peer: the responder state machine, the last request
/// and reply (a repeated request is answered from them), and whether a task
/// is working on it now.
final class ExchangeSlot: @unchecked Sendable {  // mutated only under the table's lock, or by the one task that holds `busy`
    let responder: MainModeResponder
    let peerHost: String
    let createdAt: UInt64
    var touchedAt: UInt64
    /// Message 1 received (the 2007 script's "Initial packet received").
    let startedAt: UInt64
    let pmInfo: String
    var lastRequest: [UInt8]?
    var lastReply: [UInt8]?
    var lastReplyMarked = false
    var busy = false
    var established = false

    init(responder: MainModeResponder, peerHost: String, now: UInt64) {
        self.responder = responder
        self.peerHost = peerHost
        self.createdAt = now
        self.touchedAt = now
        self.startedAt = now
        self.pmInfo = PMInfo.next()
    }
}

/// Exchanges keyed by their cookies, bounded in number and per peer address,
/// half-open ones expiring (ExchangeLimits). Pure bookkeeping, no I/O and no
/// clock of its own: the caller passes `now`.
struct ExchangeTable {
    let limits: ExchangeLimits
    private(set) var slots: [CookiePair: ExchangeSlot] = [:]
    /// Half-open exchanges per peer address (its IP, any port).
    private(set) var halfOpenByHost: [String: Int] = [:]
    /// Message 1 of an exchange in progress, by initiator cookie and host: a
    /// repeated message 1 finds its exchange (its responder cookie is still zero).
    private var byInitiator: [InitiatorKey: CookiePair] = [:]

    struct InitiatorKey: Hashable { let cookie: UInt64; let host: String }

    enum Admission { case admitted, tableFull, peerCapReached }

    init(limits: ExchangeLimits) { self.limits = limits }

    var count: Int { slots.count }

    func slot(_ key: CookiePair) -> ExchangeSlot? { slots[key] }

    func slot(forMessage1Of initiatorCookie: UInt64, host: String) -> ExchangeSlot? {
        byInitiator[InitiatorKey(cookie: initiatorCookie, host: host)].flatMap { slots[$0] }
    }

    /// Whether a new exchange from `host` may be added now, after expiring
    /// what is due and, when the table is still full, evicting the established
    /// SA idle the longest: it is kept only to answer a retransmitted message 6,
    /// a DELETE or an informational, so 1024 peers that never delete cannot lock
    /// everyone out for a Phase I lifetime. Half-open exchanges are never evicted.
    mutating func admit(host: String, now: UInt64) -> (Admission, expired: Int, evicted: Int) {
        var expired = 0
        if slots.count >= limits.maxExchanges || halfOpenByHost[host, default: 0] >= limits.maxHalfOpenPerPeer {
            expired = expire(now: now)
        }
        if halfOpenByHost[host, default: 0] >= limits.maxHalfOpenPerPeer { return (.peerCapReached, expired, 0) }
        var evicted = 0
        while slots.count >= limits.maxExchanges {
            guard let idlest = slots.filter({ $0.value.established && !$0.value.busy })
                .min(by: { $0.value.touchedAt < $1.value.touchedAt })?.key
            else { return (.tableFull, expired, evicted) }
            remove(idlest)
            evicted += 1
        }
        return (.admitted, expired, evicted)
    }

    mutating func insert(_ slot: ExchangeSlot, key: CookiePair) {
        slots[key] = slot
        halfOpenByHost[slot.peerHost, default: 0] += 1
        byInitiator[InitiatorKey(cookie: key.initiator, host: slot.peerHost)] = key
    }

    /// Main Mode finished: the exchange no longer counts as half-open.
    mutating func markEstablished(_ key: CookiePair) {
        guard let s = slots[key], !s.established else { return }
        s.established = true
        releaseHalfOpen(s, key)
    }

    mutating func remove(_ key: CookiePair) {
        guard let s = slots.removeValue(forKey: key) else { return }
        if !s.established { releaseHalfOpen(s, key) }
        byInitiator[InitiatorKey(cookie: key.initiator, host: s.peerHost)] = nil
    }

    private mutating func releaseHalfOpen(_ s: ExchangeSlot, _ key: CookiePair) {
        let n = halfOpenByHost[s.peerHost, default: 1] - 1
        halfOpenByHost[s.peerHost] = n > 0 ? n : nil
    }

    /// Established exchanges of `peer` other than `keep` (INITIAL-CONTACT makes them stale).
    func established(of peer: Identification, host: String, except keep: CookiePair) -> [CookiePair] {
        slots.compactMap { k, s in
            k != keep && s.established && s.peerHost == host && s.responder.peerID == peer ? k : nil
        }
    }

    /// Drops half-open exchanges idle past their lifetime and established ones
    /// past theirs; never one a task is working on. Returns how many went.
    mutating func expire(now: UInt64) -> Int {
        let halfOpen = UInt64(limits.halfOpenSeconds * 1e9)
        let established = UInt64(limits.establishedSeconds * 1e9)
        let due = slots.filter { _, s in
            !s.busy && (s.established ? now &- s.createdAt >= established : now &- s.touchedAt >= halfOpen)
        }.map(\.key)
        for k in due { remove(k) }
        return due.count
    }
}
