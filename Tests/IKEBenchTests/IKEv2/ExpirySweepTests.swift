import CryptoFramework
import IKEProtocol
@testable import IKEServer
import IKETestKit
import Testing

/// The expiry sweep against an exchange whose last message came after the
/// sweep's time. With its sockets on several loops, serve's timer read the
/// clock on one loop, then waited for the table's lock while another loop
/// placed and answered an IKE_SA_INIT; the sweep then computed that
/// exchange's idle time as `now − touchedAt` wrapping below zero (2⁶⁴ ns
/// less the gap), found it past its lifetime, and dropped the exchange that
/// had just been answered: its IKE_AUTH met an unknown SPI and was dropped,
/// and the initiator gave up after its retransmissions (`ikebench load`:
/// "IKEv2 IKE_AUTH: no answer after 3 sends", serve: expired and
/// unknownCookies counted). The clock is now read under the lock, and a time
/// older than an exchange's own is no age at all; these tests hand the sweep
/// the older time the race gave it.
@Suite("Expiry sweep with an older time")
struct ExpirySweepTests {
    static func bytes(_ n: UInt8) -> [UInt8] { [UInt8](repeating: 0, count: 7) + [n] }

    @Test("the table keeps a half-open exchange and an SA touched or started after the sweep's time, and drops them at their lifetimes")
    func table() {
        let responder = MainModeResponder(IKEv2ServiceTests.Driver().service.configuration, observer: SilentResponderObserver())
        var table = ExchangeTable(limits: ExchangeLimits(maxExchanges: 8, maxHalfOpenPerPeer: 8, halfOpenSeconds: 30, establishedSeconds: 3600))
        var upkeep = ExchangeTable.Upkeep()
        let t: UInt64 = 5_000_000_000_000
        func open(_ n: UInt8) -> ExchangeKey? {
            guard case .opened(let k) = table.opening(.ikev1, initiator: Self.bytes(n), host: "192.0.2.1", now: t, mayOpen: true,
                                                      upkeep: &upkeep, make: { (Self.bytes(n), .ikev1(MainModeExchange(responder: responder, pmInfo: "\(n)"))) })
            else { return nil }
            return k
        }
        guard let halfOpen = open(1), let sa = open(2) else { Issue.record("not opened"); return }
        let established = table.establish(sa, peer: PeerIdentity(kind: 2, data: [2]))
        #expect(established)
        // A sweep whose time is 1 ns, and 1 ms, older than both exchanges' own.
        let older = [table.expire(now: t - 1), table.expire(now: t - 1_000_000)]
        #expect(older == [0, 0])
        #expect(table.entries[halfOpen] != nil && table.entries[sa] != nil)
        // Their lifetimes still hold: the half-open one goes 30 s after its last message, the SA an hour after it began.
        let justBefore = table.expire(now: t + 29_999_999_999)
        #expect(justBefore == 0)
        let atHalfOpenLifetime = table.expire(now: t + 30_000_000_000)
        #expect(atHalfOpenLifetime == 1 && table.entries[halfOpen] == nil && table.entries[sa] != nil)
        let atSALifetime = table.expire(now: t + 3_600_000_000_000)
        #expect(atSALifetime == 1 && table.entries[sa] == nil)
        #expect(table.bookkeepingErrors().isEmpty)
    }

    @Test("IKEv2: a sweep with a time read before IKE_SA_INIT arrived keeps the exchange, and its IKE_AUTH is answered", .timeLimit(.minutes(1)))
    func ikev2() async throws {
        let d = IKEv2ServiceTests.Driver(cookies: TwoVersionResponder.noCookies)
        let i = IKEv2ServiceTests.initiator()
        // The sweep's time, read before the exchange's first message (the timer's loop, before the lock).
        let sweepTime = MonotonicClock.nanoseconds()
        let initResponse = try #require(await d.deliver(try await i.start()).first)
        guard case .send(let auth) = try await i.receive(initResponse) else { Issue.record("no IKE_AUTH to send"); return }
        d.service.expire(now: sweepTime)
        #expect(d.service.counters[.expired] == 0)
        #expect(d.service.exchangeCount == 1)
        var established = false
        for m in auth {
            for reply in await d.deliver(m) {
                if case .established = try await i.receive(reply) { established = true }
            }
        }
        #expect(established, "the IKE_AUTH found its exchange and was answered")
        #expect(d.service.counters[.unknownCookies] == 0 && d.service.counters[.established] == 1)
    }

    @Test("IKEv1: a sweep with a time read before message 1 arrived keeps the exchange, and message 3 is answered", .timeLimit(.minutes(1)))
    func ikev1() async throws {
        let d = IKEv2ServiceTests.Driver(cookies: TwoVersionResponder.noCookies)
        let i = SharedExchangeTableTests.v1Initiator()
        let sweepTime = MonotonicClock.nanoseconds()
        let m2 = try #require(await d.deliver(i.start()).last)
        d.service.expire(now: sweepTime)
        #expect(d.service.counters[.expired] == 0)
        let m4 = await d.deliver(try await i.message3(after: m2))
        #expect(m4.count == 1, "message 3 found its exchange and was answered")
        #expect(d.service.counters[.unknownCookies] == 0)
    }
}
