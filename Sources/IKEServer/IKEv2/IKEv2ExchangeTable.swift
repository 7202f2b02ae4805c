import CryptoFramework
import IKEProtocol

/// One IKEv2 exchange the service keeps: its responder (an actor holding the
/// stored response for retransmissions), when IKE_SA_INIT arrived (the start
/// of its timing), and the queue of datagrams handed to it one at a time.
struct IKEv2Entry {
    let responder: IKEv2Responder
    let peerHost: String
    let startedAt: UInt64
    var touchedAt: UInt64
    /// The last datagram's task: the next one runs after it (fragments arrive back to back).
    var tail: Task<Void, Never>?
    /// Datagrams queued or in work.
    var queued = 0
    var established = false
}

/// IKEv2 exchanges keyed by their SPIs (the same 8 + 8 bytes where IKEv1 has
/// its cookies). The bounds are the service's ``ExchangeLimits``, counted over
/// both versions: the caller passes how many IKEv1 exchanges (and half-open
/// ones from the host) it keeps. A value type, no I/O, no clock of its own.
struct IKEv2ExchangeTable {
    let limits: ExchangeLimits
    private(set) var entries: [CookiePair: IKEv2Entry] = [:]
    private(set) var halfOpenByHost: [String: Int] = [:]
    /// IKE_SA_INIT by initiator SPI and host: a retransmitted one (responder SPI still zero) finds its exchange.
    private var byInitiator: [InitiatorKey: CookiePair] = [:]
    private struct InitiatorKey: Hashable { let spi: UInt64; let host: String }

    /// Datagrams one exchange may have queued (a fragmented IKE_AUTH of up to this many).
    static let maxQueued = 16

    init(limits: ExchangeLimits) { self.limits = limits }

    var count: Int { entries.count }

    enum Decision {
        case drop(ServerCounters.Name)
        /// Hand the datagram to this exchange after `after` (its previous datagram's task).
        case take(key: CookiePair, responder: IKEv2Responder, after: Task<Void, Never>?, startedAt: UInt64, opens: Bool)
    }

    /// What a datagram gets. A new IKE_SA_INIT is admitted when the table
    /// (with `otherExchanges` of IKEv1) and the host's half-open count (with
    /// `otherHalfOpen`) allow, and creates its exchange with `open`.
    mutating func receive(_ header: IKEv2Header, host: String, now: UInt64, otherExchanges: Int, otherHalfOpen: Int,
                          open: () -> IKEv2Responder) -> Decision {
        let key: CookiePair
        var opens = false
        if header.responderSPI.allSatisfy({ $0 == 0 }) {
            let ik = InitiatorKey(spi: CookiePair(header.initiatorSPI, []).initiator, host: host)
            if let existing = byInitiator[ik], entries[existing] != nil {
                key = existing
            } else {
                guard header.exchange == .ikeSAInit, !header.isResponse, header.messageID == 0 else { return .drop(.unknownCookies) }
                _ = expire(now: now)
                if halfOpenByHost[host, default: 0] + otherHalfOpen >= limits.maxHalfOpenPerPeer { return .drop(.peerCapReached) }
                if entries.count + otherExchanges >= limits.maxExchanges { return .drop(.tableFull) }
                let responder = open()
                key = CookiePair(header.initiatorSPI, responder.responderSPI)
                entries[key] = IKEv2Entry(responder: responder, peerHost: host, startedAt: now, touchedAt: now)
                byInitiator[ik] = key
                halfOpenByHost[host, default: 0] += 1
                opens = true
            }
        } else {
            key = CookiePair(header.initiatorSPI, header.responderSPI)
        }
        guard var entry = entries[key], entry.peerHost == host else { return .drop(.unknownCookies) }
        guard entry.queued < Self.maxQueued else { return .drop(.duplicatesDropped) }
        entry.queued += 1
        entry.touchedAt = now
        entries[key] = entry
        return .take(key: key, responder: entry.responder, after: entry.tail, startedAt: entry.startedAt, opens: opens)
    }

    /// Whether a zero-SPIr datagram belongs to an exchange we keep (a retransmitted IKE_SA_INIT).
    func knows(initiatorSPI: [UInt8], host: String) -> Bool {
        byInitiator[InitiatorKey(spi: CookiePair(initiatorSPI, []).initiator, host: host)].map { entries[$0] != nil } ?? false
    }

    /// Records the task that runs the datagram just decided, so the next one waits for it.
    mutating func setTail(_ key: CookiePair, _ task: Task<Void, Never>) {
        entries[key]?.tail = task
    }

    /// After a datagram's turn: marks an established SA, or forgets the exchange
    /// (deleted, refused before it was established, closed). Returns whether
    /// it was established just now.
    mutating func settle(_ key: CookiePair, events: [IKEv2Event], closed: Bool) -> Bool {
        guard var entry = entries[key] else { return false }
        entry.queued -= 1
        var establishedNow = false
        if events.contains(where: { if case .established = $0 { true } else { false } }), !entry.established {
            entry.established = true
            establishedNow = true
            release(entry.peerHost)
        }
        if entry.queued == 0 { entry.tail = nil }
        entries[key] = entry
        if closed || events.contains(.deleted) { remove(key) }
        return establishedNow
    }

    private mutating func remove(_ key: CookiePair) {
        guard let e = entries.removeValue(forKey: key) else { return }
        if !e.established { release(e.peerHost) }
        // Its IKE_SA_INIT's entry, found directly (IKEv1's table does the same), not by
        // rebuilding the whole map per removal: expire() removes many at once.
        let ik = InitiatorKey(spi: key.initiator, host: e.peerHost)
        if byInitiator[ik] == key { byInitiator[ik] = nil }
    }

    private mutating func release(_ host: String) {
        let n = halfOpenByHost[host, default: 1] - 1
        halfOpenByHost[host] = n > 0 ? n : nil
    }

    /// Drops half-open exchanges idle past their lifetime and established ones past theirs; never one with work queued.
    mutating func expire(now: UInt64) -> Int {
        let halfOpen = UInt64(limits.halfOpenSeconds * 1e9)
        let established = UInt64(limits.establishedSeconds * 1e9)
        let due = entries.filter { _, e in
            e.queued == 0 && (e.established ? now &- e.startedAt >= established : now &- e.touchedAt >= halfOpen)
        }.map(\.key)
        for k in due { remove(k) }
        return due.count
    }
}
