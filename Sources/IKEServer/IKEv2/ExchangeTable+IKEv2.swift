import CryptoFramework
import IKEProtocol

/// What the table keeps for an IKEv2 exchange beyond what it keeps for every
/// exchange: its responder (an actor, which holds the stored response for
/// retransmissions itself) and the queue of datagrams handed to it one at a time.
struct IKEv2Exchange {
    let responder: IKEv2Responder
    /// The last datagram's task: the next one runs after it (fragments arrive back to back).
    var tail: Task<Void, Never>?
    /// Datagrams queued or in work.
    var queued = 0
}

extension PeerIdentity {
    /// An IKEv2 ID (IDi) as the table compares peers.
    init(_ id: IKEv2Identification) { self.init(kind: id.kind, data: id.data) }
}

extension ExchangeEntry {
    /// The IKEv2 part; setting it replaces the state (an IKEv2 key's entry always has one).
    var ikev2: IKEv2Exchange? {
        get { state.ikev2 }
        set { if let newValue { state = .ikev2(newValue) } }
    }
}

/// What the table decided for an IKEv2 datagram.
enum IKEv2Decision {
    case drop(ServerCounters.Name)
    /// Hand the datagram to this exchange after `after` (its previous datagram's task).
    case take(key: ExchangeKey, responder: IKEv2Responder, after: Task<Void, Never>?, startedAt: UInt64, opens: Bool)
}

/// IKEv2 in the table: exchanges keyed by their SPIs (the same 8 + 8 bytes
/// where IKEv1 has its cookies), a retransmitted IKE_SA_INIT (responder SPI
/// still zero) found by initiator SPI and address. An exchange's datagrams are
/// queued, not dropped while one is in work: the fragments of one IKE_AUTH
/// arrive back to back; the responder answers retransmissions itself.
extension ExchangeTable {
    /// Datagrams one exchange may have queued (a fragmented IKE_AUTH of up to this many).
    static let maxQueued = 16

    /// What a datagram gets. A new IKE_SA_INIT is admitted when the bounds
    /// (counted over both versions) allow, and creates its exchange with `open`.
    mutating func receive(_ header: IKEv2Route, host: PeerAddress, now: UInt64, upkeep: inout Upkeep,
                          open: () -> IKEv2Responder) -> IKEv2Decision {
        let key: ExchangeKey
        var opens = false
        if header.opening {
            let mayOpen = header.exchange == .ikeSAInit && !header.isResponse && header.messageID == 0
            let placed = opening(.ikev2, initiator: header.spis.initiator, host: host, now: now, mayOpen: mayOpen, upkeep: &upkeep) {
                let responder = open()
                return (responder.responderSPI, .ikev2(IKEv2Exchange(responder: responder)))
            }
            switch placed {
            case .refused(let why): return .drop(why)
            case .found(let k): key = k
            case .opened(let k): key = k; opens = true
            }
        } else {
            key = ExchangeKey(version: .ikev2, pair: header.spis)
        }
        // In place: one look-up, and only the responder and the tail are copied out (for the turn).
        let decision = modifyEntry(key) { entry -> IKEv2Decision in
            guard entry.peerHost == host else { return .drop(.unknownCookies) }
            let startedAt = entry.startedAt
            let taken = entry.state.modifyIKEv2 { exchange -> IKEv2Decision in
                guard exchange.queued < Self.maxQueued else { return .drop(.duplicatesDropped) }
                exchange.queued += 1
                return .take(key: key, responder: exchange.responder, after: exchange.tail, startedAt: startedAt, opens: opens)
            }
            if case .take = taken { entry.touchedAt = now }
            return taken ?? .drop(.unknownCookies)
        }
        return decision ?? .drop(.unknownCookies)
    }

    /// Whether a zero-SPIr datagram belongs to an exchange we keep (a retransmitted IKE_SA_INIT).
    func knows(initiatorSPI: UInt64, host: PeerAddress) -> Bool {
        opened(.ikev2, initiator: initiatorSPI, host: host) != nil
    }

    /// Records the task that runs the datagram just decided, so the next one waits for it.
    mutating func setTail(_ key: ExchangeKey, _ task: Task<Void, Never>) {
        _ = modifyEntry(key) { entry in entry.state.modifyIKEv2 { $0.tail = task } }
    }

    /// After a datagram's turn: marks an established SA with its peer's
    /// identity (IDi), and on INITIAL_CONTACT forgets that peer's older SAs
    /// (the table's rule, shared with IKEv1); or forgets the exchange (deleted,
    /// counted in `upkeep.deleted`; refused before it was established;
    /// closed). Returns whether it was established just now.
    mutating func settle(_ key: ExchangeKey, events: [IKEv2Event], closed: Bool, upkeep: inout Upkeep) -> Bool {
        let kept = modifyEntry(key) { entry -> Bool in
            let changed: Void? = entry.state.modifyIKEv2 { exchange in
                exchange.queued -= 1
                if exchange.queued == 0 { exchange.tail = nil }
            }
            return changed != nil
        }
        guard kept == true else { return false }
        var establishedNow = false
        for event in events {
            switch event {
            case .established(let peer):
                establishedNow = establish(key, peer: PeerIdentity(peer))
            case .initialContact:
                // Only in the IKE_AUTH that authenticated the peer, after .established.
                initialContact(key, upkeep: &upkeep)
            default:
                break
            }
        }
        let deleted = events.contains(.deleted)
        if closed || deleted { remove(key) }
        if deleted { upkeep.deleted += 1 }
        return establishedNow
    }
}
