import CryptoFramework
import Foundation
import IKEHarness
import IKEProtocol
import IKEServer
import IKETestKit
import ProcessSupport
import Synchronization
import TestSupport
import Testing

/// serve's one exchange table holds both versions: the bounds (exchanges kept,
/// half-open per address, lifetimes), the eviction order, the expiry sweep and
/// the cookie threshold count IKEv1 and IKEv2 exchanges together, while each
/// version keeps its own retransmission rules.
@Suite("One exchange table for IKEv1 and IKEv2")
struct SharedExchangeTableTests {
    typealias Driver = IKEv2ServiceTests.Driver

    /// Cookies never asked for, so IKE_SA_INIT opens exchanges whatever the table holds.
    static let noCookies = IKEv2CookiePolicy(threshold: 1_000_000, thresholdPerAddress: 1_000_000)

    static func v1Initiator() -> MainModeInitiator {
        let ids = IKETestSupport.identities
        return MainModeInitiator(suite: IKETestSupport.suite(14, .sha256, .aes128),
                                 session: IKECryptoSession(framework: IKETestSupport.initiatorFramework),
                                 identity: ids.initiator, responderKey: ids.responder.publicKey, id: IKEIdentities.initiatorID)
    }

    /// Main Mode through the driver; returns message 5 and message 6 (its stored reply).
    @discardableResult
    static func v1Negotiate(_ d: Driver, _ i: MainModeInitiator, host: String = "192.0.2.1") async throws -> ([UInt8], [UInt8]) {
        let m2 = try #require(await d.deliver(i.start(), from: host).last)
        let m4 = try #require(await d.deliver(try await i.message3(after: m2), from: host).last)
        let m5 = try await i.message5(after: m4)
        let m6 = try #require(await d.deliver(m5, from: host).last)
        try await i.finish(m6)
        return (m5, m6)
    }

    /// Limits whose half-open exchanges outlive any loaded machine's test run.
    static func limits(total: Int, perPeer: Int = 64) -> ExchangeLimits {
        ExchangeLimits(maxExchanges: total, maxHalfOpenPerPeer: perPeer, halfOpenSeconds: 3600)
    }

    @Test("a table full of half-open IKEv1 exchanges refuses an IKE_SA_INIT: half-open ones are never evicted")
    func halfOpenIKEv1FillsTheTableForIKEv2() async throws {
        let d = Driver(limits: Self.limits(total: 4), cookies: Self.noCookies)
        for n in 0..<4 { #expect(await d.deliver(Self.v1Initiator().start(), from: "192.0.2.\(10 + n)").count == 1) }
        #expect(d.service.exchangeCount == 4)
        #expect(await d.deliver(try await IKEv2ServiceTests.initiator().start(), from: "192.0.2.99").isEmpty)
        #expect(d.service.counters[.tableFull] == 1)
        #expect(d.service.counters[.evicted] == 0)
        #expect(d.service.exchangeCount == 4)
    }

    @Test("a table full of half-open IKEv2 exchanges refuses an IKEv1 message 1")
    func halfOpenIKEv2FillsTheTableForIKEv1() async throws {
        let d = Driver(limits: Self.limits(total: 4), cookies: Self.noCookies)
        for n in 0..<4 {
            #expect(await d.deliver(try await IKEv2ServiceTests.initiator().start(), from: "192.0.2.\(10 + n)").count == 1)
        }
        #expect(d.service.exchangeCount == 4)
        #expect(d.service.halfOpenCount == 4)
        #expect(await d.deliver(Self.v1Initiator().start(), from: "192.0.2.99").isEmpty)
        #expect(d.service.counters[.tableFull] == 1)
        #expect(d.service.exchangeCount == 4)
    }

    /// One eviction order over both versions: the established SA idle the
    /// longest goes, whichever version it is and whichever version comes in.
    @Test("a table full of established SAs evicts the idlest of either version for a new exchange of the other")
    func evictionAcrossVersions() async throws {
        let d = Driver(limits: Self.limits(total: 2), cookies: Self.noCookies)
        let oldV1 = Self.v1Initiator()
        try await Self.v1Negotiate(d, oldV1, host: "192.0.2.10")
        let v2 = IKEv2ServiceTests.initiator()
        let (auth, response) = try await IKEv2ServiceTests.negotiate(d, v2, host: "192.0.2.11")
        #expect(d.service.exchangeCount == 2 && d.service.halfOpenCount == 0)

        // An IKE_SA_INIT: the IKEv1 SA, idle the longest, makes room.
        let newV2 = IKEv2ServiceTests.initiator()
        _ = try await IKEv2ServiceTests.negotiate(d, newV2, host: "192.0.2.12")
        #expect(d.service.counters[.evicted] == 1)
        #expect(d.service.counters[.established] == 3)
        #expect(d.service.exchangeCount == 2)
        // The evicted SA is gone (its DELETE names no exchange); the IKEv2 one stayed and answers from its stored response.
        await d.deliver(try await oldV1.deleteMessage(), from: "192.0.2.10")
        #expect(d.service.counters[.unknownCookies] == 1)
        #expect(await d.deliver(auth, from: "192.0.2.11") == [response])

        // An IKEv1 Main Mode: the retransmission touched the first IKEv2 SA, so newV2's is now the idlest.
        try await Self.v1Negotiate(d, Self.v1Initiator(), host: "192.0.2.13")
        #expect(d.service.counters[.evicted] == 2)
        #expect(d.service.exchangeCount == 2)
        #expect(await d.deliver(try await newV2.deleteRequest(), from: "192.0.2.12").isEmpty)
        #expect(d.service.counters[.unknownCookies] == 2, "newV2's SA, idle the longest, was evicted")
        #expect(await d.deliver(auth, from: "192.0.2.11") == [response], "the SA touched last stays")
    }

    @Test("half-open exchanges of both versions from one address count against one cap; another address is not held")
    func perHostHalfOpenAcrossVersions() async throws {
        let d = Driver(limits: Self.limits(total: 100, perPeer: 3), cookies: Self.noCookies)
        #expect(await d.deliver(Self.v1Initiator().start()).count == 1)
        #expect(await d.deliver(try await IKEv2ServiceTests.initiator().start()).count == 1)
        #expect(await d.deliver(Self.v1Initiator().start()).count == 1)
        #expect(d.service.halfOpen(from: "192.0.2.1") == 3)
        // The cap, for either version.
        #expect(await d.deliver(try await IKEv2ServiceTests.initiator().start()).isEmpty)
        #expect(await d.deliver(Self.v1Initiator().start()).isEmpty)
        #expect(d.service.counters[.peerCapReached] == 2)
        #expect(await d.deliver(try await IKEv2ServiceTests.initiator().start(), from: "192.0.2.2").count == 1)
        #expect(d.service.halfOpenCount == 4)
        #expect(d.service.exchangeCount == 4)
    }

    @Test("an established SA of either version is no longer half-open, so frees its address's cap")
    func establishedLeavesTheCap() async throws {
        let d = Driver(limits: Self.limits(total: 100, perPeer: 1), cookies: Self.noCookies)
        try await Self.v1Negotiate(d, Self.v1Initiator())
        _ = try await IKEv2ServiceTests.negotiate(d, IKEv2ServiceTests.initiator())
        #expect(d.service.halfOpen(from: "192.0.2.1") == 0)
        #expect(d.service.exchangeCount == 2)
        #expect(d.service.counters[.peerCapReached] == 0)
    }

    @Test("IKEv2's cookie threshold counts half-open IKEv1 exchanges too, per address and overall")
    func cookieThresholdCountsIKEv1() async throws {
        func asksForCookie(_ reply: [[UInt8]]) throws -> Bool {
            let m = try IKEv2Message.parse(try #require(reply.first))
            return m.notifications.first?.type == IKEv2Notify.Status.cookie
        }
        // Per address: one IKEv1 message 1 from the address reaches a threshold of 1.
        var d = Driver(limits: Self.limits(total: 100), cookies: IKEv2CookiePolicy(threshold: 100, thresholdPerAddress: 1))
        #expect(try !asksForCookie(await d.deliver(try await IKEv2ServiceTests.initiator().start(), from: "192.0.2.50")))
        #expect(await d.deliver(Self.v1Initiator().start()).count == 1)
        #expect(try asksForCookie(await d.deliver(try await IKEv2ServiceTests.initiator().start())))
        #expect(d.service.halfOpen(from: "192.0.2.1") == 1, "the challenge opened nothing")
        // Overall: two IKEv1 message 1s from elsewhere reach a threshold of 2.
        d = Driver(limits: Self.limits(total: 100), cookies: IKEv2CookiePolicy(threshold: 2, thresholdPerAddress: 100))
        #expect(await d.deliver(Self.v1Initiator().start(), from: "198.51.100.1").count == 1)
        #expect(try !asksForCookie(await d.deliver(try await IKEv2ServiceTests.initiator().start())))
        #expect(try asksForCookie(await d.deliver(try await IKEv2ServiceTests.initiator().start(), from: "198.51.100.2")))
        #expect(d.service.exchangeCount == 2)
    }

    @Test("one expiry sweep drops half-open exchanges of both versions")
    func expiryOfHalfOpen() async throws {
        let d = Driver(limits: ExchangeLimits(maxExchanges: 100, halfOpenSeconds: 0.2), cookies: Self.noCookies)
        #expect(await d.deliver(Self.v1Initiator().start()).count == 1)
        #expect(await d.deliver(try await IKEv2ServiceTests.initiator().start()).count == 1)
        // Bounded wait, no wall-clock assertion on speed.
        #expect(try await Polling.until(interval: 0.1) {
            d.service.expire()
            return d.service.exchangeCount == 0
        })
        #expect(d.service.counters[.expired] == 2)
        #expect(d.service.halfOpenCount == 0)
    }

    @Test("one expiry sweep drops established SAs of both versions at the end of their lifetime")
    func expiryOfEstablished() async throws {
        let d = Driver(limits: ExchangeLimits(maxExchanges: 100, halfOpenSeconds: 3600, establishedSeconds: 0.3), cookies: Self.noCookies)
        try await Self.v1Negotiate(d, Self.v1Initiator())
        _ = try await IKEv2ServiceTests.negotiate(d, IKEv2ServiceTests.initiator())
        #expect(try await Polling.until(interval: 0.1) {
            d.service.expire()
            return d.service.exchangeCount == 0
        })
        #expect(d.service.counters[.expired] == 2)
    }

    @Test("in the shared table, a retransmitted request of either version gets its stored reply, no crypto redone")
    func retransmissionsOfBoth() async throws {
        let d = Driver(cookies: Self.noCookies)
        // IKEv2: a retransmitted IKE_SA_INIT (responder SPI still zero) finds its exchange by initiator SPI.
        let v2 = IKEv2ServiceTests.initiator()
        let sainit = try await v2.start()
        let first = await d.deliver(sainit)
        #expect(first.count == 1)
        var before = d.operations.count.load(ordering: .relaxed)
        #expect(await d.deliver(sainit) == first)
        #expect(d.operations.count.load(ordering: .relaxed) == before)
        #expect(d.service.exchangeCount == 1)
        // IKEv1 beside it: message 1 twice, then the rest; message 5 twice.
        let v1 = Self.v1Initiator()
        let m1 = v1.start()
        let m2 = try #require(await d.deliver(m1).last)
        before = d.operations.count.load(ordering: .relaxed)
        #expect(await d.deliver(m1) == [m2])
        #expect(d.operations.count.load(ordering: .relaxed) == before)
        let m4 = try #require(await d.deliver(try await v1.message3(after: m2)).last)
        let m5 = try await v1.message5(after: m4)
        let m6 = try #require(await d.deliver(m5).last)
        before = d.operations.count.load(ordering: .relaxed)
        #expect(await d.deliver(m5) == [m6])
        #expect(d.operations.count.load(ordering: .relaxed) == before)
        try await v1.finish(m6)
        // The IKEv2 exchange goes on from its IKE_SA_INIT response; its IKE_AUTH twice.
        guard case .send(let authRequests) = try await v2.receive(try #require(first.first)) else {
            Issue.record("no IKE_AUTH")
            return
        }
        let auth = try #require(authRequests.first)
        let response = await d.deliver(auth)
        guard case .established = try await v2.receive(try #require(response.last)) else {
            Issue.record("IKEv2 SA not established")
            return
        }
        let operations = d.operations.count.load(ordering: .relaxed)
        #expect(await d.deliver(auth) == response)
        #expect(d.operations.count.load(ordering: .relaxed) == operations, "a retransmission must not redo crypto")
        #expect(d.service.counters[.retransmitsAnswered] == 4)
        #expect(d.service.counters[.established] == 2)
        #expect(d.service.exchangeCount == 2)
    }

    /// An IKEv1 header carrying an IKEv2 exchange's SPIs as its cookies is
    /// not processed, and the reverse. (That the version is part of the key
    /// itself, so such a pair never even finds the other version's entry, is
    /// checked on the table directly: ExchangeTableBookkeepingTests.)
    @Test("a packet of one version naming the other version's exchange is not processed")
    func versionIsPartOfTheKey() async throws {
        let d = Driver(cookies: Self.noCookies)
        let v2 = IKEv2ServiceTests.initiator()
        let reply = try #require(await d.deliver(try await v2.start()).first)
        let spis = try IKEv2Header.parse(reply[...])
        let v1Header = ISAKMPHeader(initiatorCookie: spis.initiatorSPI, responderCookie: spis.responderSPI, nextPayload: .hash,
                                    exchangeType: .informational, flags: .encryption, messageID: 0x0102_0304)
        let v1 = ISAKMPMessage.assemble(header: v1Header, firstPayload: .hash, body: [UInt8](repeating: 0x42, count: 32))
        #expect(await d.deliver(v1).isEmpty)
        #expect(d.service.counters[.unknownCookies] == 1)

        let i = Self.v1Initiator()
        let m2 = try #require(await d.deliver(i.start()).last)
        let (h, _) = try ISAKMPMessage.parseHeader(m2)
        let v2Header = IKEv2Header(initiatorSPI: h.initiatorCookie, responderSPI: h.responderCookie, exchange: .informational,
                                   flags: .initiator, messageID: 1)
        #expect(await d.deliver(IKEv2Message(header: v2Header, payloads: []).encoded()).isEmpty)
        #expect(d.service.counters[.unknownCookies] == 2)
        #expect(d.service.exchangeCount == 2)
    }
}
