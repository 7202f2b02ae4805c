/// An exchange's key in the table: its version and the 8 + 8 bytes that name
/// it on the wire (IKEv1's cookies, IKEv2's SPIs: the same place in the header).
/// The version is part of the key, so an IKEv2 SPI pair never finds an IKEv1
/// exchange with the same 16 bytes, nor the reverse.
struct ExchangeKey: Hashable, Sendable {
    enum Version: Hashable, Sendable { case ikev1, ikev2 }
    let version: Version
    let pair: CookiePair
}

/// What one version keeps for an exchange beyond what the table keeps for
/// every exchange (ExchangeTable+IKEv1.swift, ExchangeTable+IKEv2.swift):
/// exactly one of the two, made by ``ikev1(_:)`` or ``ikev2(_:)``. Each
/// version's part is a stored optional rather than an enum case's payload, so
/// a turn's changes (its queue, its stored reply) are made in place in the
/// table's storage (`entries[key]?.state.ikev2?.queued += 1`) instead of
/// copying the part out and back, which retained and released its responder
/// and arrays on every datagram.
struct ExchangeState {
    private(set) var ikev1: MainModeExchange?
    private(set) var ikev2: IKEv2Exchange?

    static func ikev1(_ m: MainModeExchange) -> ExchangeState { ExchangeState(ikev1: m, ikev2: nil) }
    static func ikev2(_ v: IKEv2Exchange) -> ExchangeState { ExchangeState(ikev1: nil, ikev2: v) }

    /// Changes the IKEv1 part in place; nil (and nothing changed) when the exchange is IKEv2's.
    mutating func modifyIKEv1<R>(_ body: (inout MainModeExchange) -> R) -> R? {
        guard ikev1 != nil else { return nil }
        return body(&ikev1!)
    }

    /// Changes the IKEv2 part in place; nil (and nothing changed) when the exchange is IKEv1's.
    mutating func modifyIKEv2<R>(_ body: (inout IKEv2Exchange) -> R) -> R? {
        guard ikev2 != nil else { return nil }
        return body(&ikev2!)
    }

    /// A message of the exchange is with its responder now: the exchange is
    /// neither expired nor evicted until the turn is settled.
    var busy: Bool {
        if let m = ikev1 { return m.inTurn }
        return (ikev2?.queued ?? 0) > 0
    }
}

/// A peer's authenticated identity as the table compares it, whichever
/// version it authenticated with: the ID type and its data. Both versions
/// number the ID types they share alike (1 IPv4, 2 FQDN, 3 user FQDN /
/// RFC 822, 5 IPv6, 9 DER DN, 11 key ID), and an IKEv1 ID's protocol and
/// port are no part of who the peer is, so the same peer compares equal under
/// IKEv1 and IKEv2 (each version's extension makes one from its own ID).
struct PeerIdentity: Hashable, Sendable {
    let kind: UInt8
    let data: [UInt8]
}

/// One exchange with a peer, of either version, as the table keeps it.
struct ExchangeEntry {
    let peerHost: PeerAddress
    /// The opening message (IKEv1 message 1, IKE_SA_INIT) received: where the
    /// negotiation's timing starts and an established SA's lifetime counts from.
    let startedAt: UInt64
    /// The last message taken: a half-open exchange expires this long after it,
    /// and the established SA idle the longest is the one evicted.
    var touchedAt: UInt64
    /// Who the peer proved to be (its IDi), once established: what
    /// INITIAL-CONTACT compares (``ExchangeTable/initialContact(_:upkeep:)``).
    var peer: PeerIdentity?
    var state: ExchangeState

    /// No longer half-open (Main Mode's message 6 built, IKE_AUTH verified):
    /// the peer has proved who it is.
    var established: Bool { peer != nil }

    var busy: Bool { state.busy }
}

/// The one bounded table of exchanges `ikebench serve` keeps, both versions
/// together: one set of limits (``ExchangeLimits``: exchanges kept, half-open
/// ones per address, their lifetimes) counted over both versions, one expiry
/// sweep, one eviction order, one half-open count (which IKEv2's cookie
/// threshold reads), and one index per version's key — the exchanges by
/// version and cookie or SPI pair, and the opening message's index by version,
/// initiator cookie or SPI and address, so a retransmitted opening message
/// (responder cookie or SPI still zero) finds its exchange. What a message of
/// each version gets (its turn, the stored reply, a drop) is decided in that
/// version's extension, on these shared parts. A value type with no I/O and no
/// clock of its own (the caller passes `now`); the service keeps it behind one
/// lock and carries out its decisions.
struct ExchangeTable {
    let limits: ExchangeLimits
    private(set) var entries: [ExchangeKey: ExchangeEntry] = [:]
    /// Half-open exchanges of both versions per peer address (its IP, any port).
    private(set) var halfOpenByHost: [PeerAddress: Int] = [:]
    /// Half-open exchanges of both versions, all addresses.
    private(set) var halfOpenCount = 0
    /// The opening message of each exchange, by version, initiator cookie or SPI and host.
    private var byInitiator: [InitiatorKey: ExchangeKey] = [:]
    /// The established SAs of each authenticated peer identity and address,
    /// both versions (what INITIAL-CONTACT drops), so it needs no scan of the table.
    private var byPeer: [PeerKey: Set<ExchangeKey>] = [:]

    private struct InitiatorKey: Hashable { let version: ExchangeKey.Version; let initiator: UInt64; let host: PeerAddress }
    private struct PeerKey: Hashable { let peer: PeerIdentity; let host: PeerAddress }

    /// What the table dropped on its own while deciding, for the counters
    /// (the service counts them in one place, ``ResponderService/withTable(_:)``).
    struct Upkeep {
        /// Exchanges past their lifetime.
        var expired = 0
        /// Established SAs dropped to admit a new exchange.
        var evicted = 0
        /// SAs forgotten because their peer deleted them or made them stale (INITIAL-CONTACT).
        var deleted = 0
    }

    init(limits: ExchangeLimits) { self.limits = limits }

    /// Exchanges kept, both versions, half-open and established.
    var count: Int { entries.count }

    func halfOpen(from host: PeerAddress) -> Int { halfOpenByHost[host, default: 0] }

    // MARK: Finding and opening

    /// The exchange `host` opened with this initiator cookie or SPI, if kept.
    func opened(_ version: ExchangeKey.Version, initiator: [UInt8], host: PeerAddress) -> ExchangeKey? {
        opened(version, initiator: CookiePair.integer(initiator), host: host)
    }

    func opened(_ version: ExchangeKey.Version, initiator: UInt64, host: PeerAddress) -> ExchangeKey? {
        byInitiator[InitiatorKey(version: version, initiator: initiator, host: host)]
    }

    /// How a message with a zero responder cookie or SPI was placed.
    enum Opening {
        /// A repeat: the exchange its initiator opened from this address before.
        case found(ExchangeKey)
        /// A new exchange, admitted and added (half-open).
        case opened(ExchangeKey)
        /// No exchange: the counter it goes under.
        case refused(ServerCounters.Name)
    }

    /// Places a message that opens an exchange or repeats an opening one: the
    /// exchange it repeats, or, when `mayOpen` (the message is the version's
    /// opening request) and the bounds allow, a new half-open exchange whose
    /// responder `make` creates (returning its cookie or SPI and state).
    mutating func opening(_ version: ExchangeKey.Version, initiator: [UInt8], host: PeerAddress, now: UInt64, mayOpen: Bool,
                          upkeep: inout Upkeep, make: () -> (responder: [UInt8], state: ExchangeState)) -> Opening {
        opening(version, initiator: CookiePair.integer(initiator), host: host, now: now, mayOpen: mayOpen, upkeep: &upkeep, make: make)
    }

    /// ``opening(_:initiator:host:now:mayOpen:upkeep:make:)`` with the initiator's cookie or SPI as the table's integer.
    mutating func opening(_ version: ExchangeKey.Version, initiator: UInt64, host: PeerAddress, now: UInt64, mayOpen: Bool,
                          upkeep: inout Upkeep, make: () -> (responder: [UInt8], state: ExchangeState)) -> Opening {
        let ik = InitiatorKey(version: version, initiator: initiator, host: host)
        if let key = byInitiator[ik] { return .found(key) }
        guard mayOpen else { return .refused(.unknownCookies) }
        if let refusal = admit(host: host, now: now, upkeep: &upkeep) { return .refused(refusal) }
        let (responder, state) = make()
        let key = ExchangeKey(version: version, pair: CookiePair(initiator: initiator, responder: CookiePair.integer(responder)))
        // Responder cookies and SPIs are random: a pair already kept (odds
        // about 2⁻⁶⁴) must not overwrite its exchange and skew the counts.
        guard entries[key] == nil else { return .refused(.tableFull) }
        entries[key] = ExchangeEntry(peerHost: host, startedAt: now, touchedAt: now, state: state)
        byInitiator[ik] = key
        halfOpenByHost[host, default: 0] += 1
        halfOpenCount += 1
        return .opened(key)
    }

    // MARK: Bounds

    /// Whether a new exchange from `host` may be added now (nil), else the
    /// counter of its refusal. When a bound is reached, what is due expires
    /// first; when the table is still full, the established SA idle the
    /// longest, of either version, is evicted: it is kept only to answer a
    /// retransmission, a DELETE or an informational, so peers that never
    /// delete cannot lock everyone out for an SA lifetime. Half-open exchanges
    /// are never evicted (the per-address cap and their short lifetime bound
    /// them), nor an exchange in its turn. And no SA is evicted while half-open
    /// exchanges hold half the table or more: opening one costs a peer a single
    /// datagram from any address it cares to spoof (IKEv1's message 1 has no
    /// cookie round trip, IKEv2's only past the cookie threshold), so a flood
    /// of them must not flush the SAs peers proved themselves for. The flood
    /// is refused (`tableFull`) until its half-open exchanges expire.
    private mutating func admit(host: PeerAddress, now: UInt64, upkeep: inout Upkeep) -> ServerCounters.Name? {
        if entries.count >= limits.maxExchanges || halfOpen(from: host) >= limits.maxHalfOpenPerPeer {
            upkeep.expired += expire(now: now)
        }
        if halfOpen(from: host) >= limits.maxHalfOpenPerPeer { return .peerCapReached }
        if entries.count >= limits.maxExchanges && halfOpenCount * 2 >= limits.maxExchanges { return .tableFull }
        while entries.count >= limits.maxExchanges {
            guard let idlest = entries.lazy.filter({ $0.value.established && !$0.value.busy })
                .min(by: { $0.value.touchedAt < $1.value.touchedAt })?.key
            else { return .tableFull }
            remove(idlest)
            upkeep.evicted += 1
        }
        return nil
    }

    /// Stores `entry` back under `key`, if kept: a version's extension changing
    /// its own state or the time it was touched. Whether the exchange is
    /// established, and as whom, is the table's bookkeeping
    /// (``establish(_:peer:)``), kept as it is.
    mutating func update(_ key: ExchangeKey, _ entry: ExchangeEntry) {
        guard let kept = entries[key] else { return }
        var entry = entry
        entry.peer = kept.peer
        entries[key] = entry
    }

    /// Marks `key`'s exchange established (no longer half-open), its peer
    /// authenticated as `peer`; false when it is gone or was already.
    @discardableResult
    mutating func establish(_ key: ExchangeKey, peer: PeerIdentity) -> Bool {
        let host: PeerAddress? = modifyEntry(key) { entry in
            guard !entry.established else { return nil }
            entry.peer = peer
            return entry.peerHost
        } ?? nil
        guard let host else { return false }
        byPeer[PeerKey(peer: peer, host: host), default: []].insert(key)
        releaseHalfOpen(host: host)
        return true
    }

    /// Runs `body` on `key`'s entry in place in the table's storage (one
    /// look-up, no copy of the entry out and back); nil when it is not kept.
    /// A version's extension changes its own part and the time it was touched
    /// so; whether the exchange is established, and as whom, stays
    /// ``establish(_:peer:)``'s.
    mutating func modifyEntry<R>(_ key: ExchangeKey, _ body: (inout ExchangeEntry) -> R) -> R? {
        guard let i = entries.index(forKey: key) else { return nil }
        return body(&entries.values[i])
    }

    /// INITIAL-CONTACT on the established exchange `key` (IKEv2: RFC 7296
    /// §2.4 and §3.10.1; IKEv1: RFC 2407 §4.6.3.3): its peer says this SA is
    /// now its only one with us, so every other SA of the same authenticated
    /// identity from the same address, of either version, is forgotten and
    /// counted in `upkeep.deleted`; a later message for one of them names an
    /// unknown SPI or cookie pair. Both versions' `settle` call it. An
    /// exchange not (or no longer) established changes nothing: only a peer
    /// that authenticated may have its SAs dropped. An SA in its turn goes
    /// too; its own settle then finds it gone.
    mutating func initialContact(_ key: ExchangeKey, upkeep: inout Upkeep) {
        guard let entry = entries[key], let peer = entry.peer,
              let others = byPeer[PeerKey(peer: peer, host: entry.peerHost)]?.subtracting([key]), !others.isEmpty
        else { return }
        for k in others { remove(k) }
        upkeep.deleted += others.count
    }

    mutating func remove(_ key: ExchangeKey) {
        guard let e = entries.removeValue(forKey: key) else { return }
        if !e.established { releaseHalfOpen(host: e.peerHost) }
        if let peer = e.peer {
            let pk = PeerKey(peer: peer, host: e.peerHost)
            byPeer[pk]?.remove(key)
            if byPeer[pk]?.isEmpty == true { byPeer[pk] = nil }
        }
        // Its opening message's entry, found by its key, not by scanning the
        // index: expire() and INITIAL-CONTACT remove many at once.
        let ik = InitiatorKey(version: key.version, initiator: key.pair.initiator, host: e.peerHost)
        if byInitiator[ik] == key { byInitiator[ik] = nil }
    }

    private mutating func releaseHalfOpen(host: PeerAddress) {
        let n = halfOpenByHost[host, default: 1] - 1
        halfOpenByHost[host] = n > 0 ? n : nil
        halfOpenCount -= 1
    }

    /// The indexes and counts checked against the entries they describe: each
    /// exchange has its opening message's index entry and no other points
    /// anywhere else; the half-open counts are the entries not established,
    /// per address and in all; the identity index is the established entries
    /// by identity and address. Empty when all agree. Tests drive the table
    /// through every path and call this after each step.
    func bookkeepingErrors() -> [String] {
        var errors: [String] = []
        if Set(byInitiator.values) != Set(entries.keys) || byInitiator.count != entries.count {
            errors.append("opening index \(byInitiator.count) entries for \(entries.count) exchanges")
        }
        for (ik, key) in byInitiator where ik.version != key.version || ik.initiator != key.pair.initiator
            || entries[key]?.peerHost != ik.host {
            errors.append("opening index entry \(ik) points to another exchange")
        }
        var hosts: [PeerAddress: Int] = [:]
        var peers: [PeerKey: Set<ExchangeKey>] = [:]
        for (key, e) in entries {
            if !e.established { hosts[e.peerHost, default: 0] += 1 }
            if let peer = e.peer { peers[PeerKey(peer: peer, host: e.peerHost), default: []].insert(key) }
        }
        if hosts != halfOpenByHost { errors.append("half-open by address \(halfOpenByHost), entries say \(hosts)") }
        if hosts.values.reduce(0, +) != halfOpenCount { errors.append("half-open count \(halfOpenCount)") }
        if peers != byPeer { errors.append("identity index out of step with the established entries") }
        if entries.count > limits.maxExchanges { errors.append("\(entries.count) exchanges kept, bound \(limits.maxExchanges)") }
        return errors
    }

    /// The sweep, both versions at once: drops half-open exchanges idle past
    /// `halfOpenSeconds` and established ones older than `establishedSeconds`,
    /// never one in its turn. Returns how many went. An exchange touched (or
    /// started) after `now` is not due: its age is zero, not the wrapped
    /// difference (2⁶⁴ ns less the gap), which dropped exchanges a sweep with
    /// an older time found, however fresh.
    mutating func expire(now: UInt64) -> Int {
        let halfOpen = UInt64(limits.halfOpenSeconds * 1e9)
        let established = UInt64(limits.establishedSeconds * 1e9)
        func age(since t: UInt64) -> UInt64 { now > t ? now - t : 0 }
        let due = entries.filter { _, e in
            !e.busy && (e.established ? age(since: e.startedAt) >= established : age(since: e.touchedAt) >= halfOpen)
        }.map(\.key)
        for k in due { remove(k) }
        return due.count
    }
}
