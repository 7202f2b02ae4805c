@testable import IKEServer
import IKEProtocol
import IKETestKit
import TestSupport
import Testing

/// The one exchange table driven directly, step by random step, through every
/// path that adds, changes or drops an exchange — opening (with responder
/// cookie collisions), establishing, INITIAL-CONTACT, a settle or removal of
/// an exchange already gone, turns starting and ending, expiry, eviction —
/// with its indexes and counts checked against its entries after each step.
@Suite("Exchange table bookkeeping")
struct ExchangeTableBookkeepingTests {
    static func bytes(_ n: UInt8) -> [UInt8] { [UInt8](repeating: 0, count: 7) + [n] }

    @Test("indexes and counts stay in step with the entries on every path", arguments: [1, 2, 3, 4] as [UInt64])
    func randomWalk(seed: UInt64) throws {
        let responder = MainModeResponder(IKEv2ServiceTests.Driver().service.configuration, observer: SilentResponderObserver())
        let limits = ExchangeLimits(maxExchanges: 8, maxHalfOpenPerPeer: 3, halfOpenSeconds: 2e-5, establishedSeconds: 1e-4)
        var table = ExchangeTable(limits: limits)
        var rng = SplitMix64(seed: seed)
        var now: UInt64 = 1
        var seen: [ExchangeKey] = []
        var upkeep = ExchangeTable.Upkeep()
        let hosts: [PeerAddress] = ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
        let peers = [PeerIdentity(kind: 2, data: Array("a.test".utf8)), PeerIdentity(kind: 2, data: Array("b.test".utf8))]
        var opened = 0, established = 0, contacts = 0
        for step in 0..<4000 {
            now += UInt64.random(in: 0...700, using: &rng)
            // Mostly an exchange kept now, sometimes one that may be gone.
            let key = Int.random(in: 0..<5, using: &rng) == 0 || table.entries.isEmpty
                ? seen.randomElement(using: &rng) : table.entries.keys.randomElement(using: &rng)
            switch Int.random(in: 0..<8, using: &rng) {
            case 0, 1:
                let version: ExchangeKey.Version = Bool.random(using: &rng) ? .ikev1 : .ikev2
                // Few responder values, so a new pair sometimes collides with one kept.
                let r = Self.bytes(UInt8.random(in: 1...6, using: &rng))
                let result = table.opening(version, initiator: Self.bytes(UInt8.random(in: 1...12, using: &rng)),
                                           host: hosts.randomElement(using: &rng)!, now: now, mayOpen: true, upkeep: &upkeep) {
                    (r, .ikev1(MainModeExchange(responder: responder, pmInfo: "\(step)")))
                }
                if case .opened(let k) = result { seen.append(k); opened += 1 }
            case 2:
                if let key, table.establish(key, peer: peers.randomElement(using: &rng)!) { established += 1 }
            case 3:
                if let key, table.entries[key]?.established == true { table.initialContact(key, upkeep: &upkeep); contacts += 1 }
            case 4:
                if let key { table.remove(key) }
            case 5:
                upkeep.expired += table.expire(now: now)
            default:
                // A turn starting or ending (settled after its exchange may be gone).
                if let key, var entry = table.entries[key] {
                    entry.mainMode?.inTurn = Bool.random(using: &rng)
                    entry.touchedAt = now
                    table.update(key, entry)
                } else if let key {
                    let stale = ExchangeEntry(peerHost: hosts[0], startedAt: now, touchedAt: now,
                                              state: .ikev1(MainModeExchange(responder: responder, pmInfo: "stale")))
                    table.update(key, stale)
                    #expect(table.entries[key] == nil, "settling an exchange already gone must not bring it back")
                }
            }
            let errors = table.bookkeepingErrors()
            try #require(errors.isEmpty, "seed \(seed), step \(step): \(errors)")
        }

        // The walk went through the paths it is for.
        #expect(opened > 100 && established > 50 && contacts > 20)
        #expect(upkeep.expired > 0 && upkeep.evicted > 0 && upkeep.deleted > 0)
    }

    @Test("a table half full of half-open exchanges refuses a new one rather than evict an SA")
    func halfOpenFloodKeepsEstablishedSAs() {
        let responder = MainModeResponder(IKEv2ServiceTests.Driver().service.configuration, observer: SilentResponderObserver())
        var table = ExchangeTable(limits: ExchangeLimits(maxExchanges: 4, maxHalfOpenPerPeer: 64, halfOpenSeconds: 3600))
        var upkeep = ExchangeTable.Upkeep()
        func open(_ n: UInt8) -> ExchangeTable.Opening {
            table.opening(.ikev1, initiator: Self.bytes(n), host: "192.0.2.\(n)", now: 1, mayOpen: true, upkeep: &upkeep) {
                (Self.bytes(n), .ikev1(MainModeExchange(responder: responder, pmInfo: "\(n)")))
            }
        }
        // Three SAs and one half-open exchange: a newcomer evicts the idlest SA.
        for n: UInt8 in 1...3 {
            guard case .opened(let k) = open(n) else { Issue.record("not opened"); return }
            table.establish(k, peer: PeerIdentity(kind: 2, data: [n]))
        }
        _ = open(4)
        guard case .opened = open(5) else { Issue.record("an SA should make room"); return }
        #expect(upkeep.evicted == 1)
        // Now two SAs and two half-open (half the table): the next is refused, the SAs stay.
        guard case .refused(.tableFull) = open(6) else { Issue.record("a half-open flood must not evict SAs"); return }
        #expect(upkeep.evicted == 1)
        #expect(table.entries.values.filter(\.established).count == 2)
        #expect(table.bookkeepingErrors().isEmpty)
    }
}
