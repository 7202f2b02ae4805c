import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import IKEServer
import ProcessSupport
import IKETestKit
import Testing
import TestSupport

/// The datagram path of `ikebench serve` (ResponderService) with hostile and
/// repeated input: everything refused is counted, nothing crashes, the table stays bounded.
@Suite("UDP responder path")
struct ResponderServiceTests {
    /// Messages 1–6 through the service; returns the messages sent and received.
    static func negotiate(_ d: ServiceDriver, _ i: MainModeInitiator, host: String = "192.0.2.1", marker: Bool = false)
        async throws -> (m1: [UInt8], m3: [UInt8], m5: [UInt8], m2: [UInt8], m4: [UInt8])
    {
        func turn(_ m: [UInt8]) async throws -> [UInt8] {
            let replies = await d.deliver(NonESPMarker.add(m, marked: marker), from: host)
            let reply = try #require(replies.last)
            let (stripped, wasMarked) = NonESPMarker.strip(reply)
            #expect(wasMarked == marker)
            return stripped
        }
        let m1 = i.start()
        let m2 = try await turn(m1)
        let m3 = try await i.message3(after: m2)
        let m4 = try await turn(m3)
        let m5 = try await i.message5(after: m4)
        try await i.finish(try await turn(m5))
        return (m1, m3, m5, m2, m4)
    }

    @Test("a negotiation, then the peer's DELETE, leaves no state", arguments: [false, true])
    func negotiationAndDelete(marker: Bool) async throws {
        let d = ServiceDriver()
        let i = d.initiator()
        _ = try await Self.negotiate(d, i, marker: marker)
        #expect(d.service.counters[.established] == 1)
        #expect(d.recorder.negotiations == 1)
        #expect(d.service.exchangeCount == 1)
        await d.deliver(NonESPMarker.add(try await i.deleteMessage(), marked: marker))
        #expect(d.service.counters[.deleted] == 1)
        #expect(d.service.exchangeCount == 0)
    }

    @Test("INITIAL-CONTACT in message 5 drops the same peer's older SA")
    func initialContact() async throws {
        let d = ServiceDriver()
        _ = try await Self.negotiate(d, d.initiator())
        _ = try await Self.negotiate(d, d.initiator(), host: "192.0.2.99")  // another address: kept
        #expect(d.service.exchangeCount == 2)
        let fresh = d.initiator()
        fresh.sendsInitialContact = true
        _ = try await Self.negotiate(d, fresh)
        #expect(d.service.counters[.deleted] == 1)
        #expect(d.service.exchangeCount == 2)
    }

    @Test("a tampered message 5 is refused with a protected Notify and its exchange dropped",
          arguments: [Message5Fault.garbageSignature, .signWrongHash, .shortSignature, .criticalUnknownPayload])
    func tamperedMessage5(fault: Message5Fault) async throws {
        let d = ServiceDriver()
        let i = d.initiator()
        let m2 = try #require(await d.deliver(i.start()).last)
        let m4 = try #require(await d.deliver(try await i.message3(after: m2)).last)
        let answers = await d.deliver(try await i.message5(after: m4, fault: fault))
        let notify = try #require(answers.first)
        let (h, _) = try ISAKMPMessage.parseHeader(notify)
        #expect(h.exchangeType == .informational && h.flags.contains(.encryption), "after the keys, refusals are protected")
        #expect(d.service.counters[.failed] == 1)
        #expect(d.service.counters[.notifiesSent] == 1)
        #expect(d.service.counters[.established] == 0)
        #expect(d.service.exchangeCount == 0)
    }

    @Test("a repeated message is answered with the stored reply and no crypto redone")
    func retransmissions() async throws {
        let d = ServiceDriver()
        let i = d.initiator()
        /// Sends `m` twice, as a peer whose first answer was lost; both answers must be equal.
        func twice(_ m: [UInt8]) async throws -> [UInt8] {
            let first = try #require(await d.deliver(m).last)
            let operations = d.operationCount
            #expect(await d.deliver(m) == [first])
            #expect(d.operationCount == operations, "a retransmission must not redo crypto")
            return first
        }
        let m2 = try await twice(i.start())
        let m4 = try await twice(try await i.message3(after: m2))
        try await i.finish(try await twice(try await i.message5(after: m4)))
        #expect(d.service.counters[.retransmitsAnswered] == 3)
        #expect(d.service.counters[.established] == 1)
        // A late copy of message 1 once the SA is up is dropped, not a new exchange.
        #expect(await d.deliver(i.start()).isEmpty)
        #expect(d.service.exchangeCount == 1)
    }

    @Test("malformed and truncated datagrams are counted and never answered")
    func malformedDatagrams() async throws {
        let d = ServiceDriver()
        var rng = SplitMix64(seed: 11)
        let valid = d.initiator().start()
        var junk: [[UInt8]] = [[], [0], [0, 0, 0, 0], [UInt8](repeating: 0xFF, count: 27),
                               Array(valid.dropLast(5)), valid + [0, 0],
                               [UInt8](repeating: 1, count: 70_000)]
        for _ in 0..<200 { junk.append((0..<Int.random(in: 0..<300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }) }
        for j in junk { #expect(await d.deliver(j).isEmpty) }
        #expect(d.service.counters[.malformed] + d.service.counters[.unknownCookies] == junk.count)
        #expect(d.service.exchangeCount == 0)
    }

    @Test("wrong cookies and a message 3 before message 1 are refused and counted")
    func wrongCookiesAndOutOfOrder() async throws {
        // A real message 3 from an exchange the service never saw (another responder's).
        let pair = IKETestSupport.Pair(suite: IKETestSupport.suite())
        let m2 = try await pair.responder.receive(pair.initiator.start())
        let m3 = try await pair.initiator.message3(after: m2)
        let d = ServiceDriver()
        #expect(await d.deliver(m3).isEmpty)
        #expect(d.service.counters[.unknownCookies] == 1)

        // The right initiator cookie with a wrong responder cookie.
        let i = d.initiator()
        let reply = await d.deliver(i.start())
        let good3 = try await i.message3(after: try #require(reply.last))
        var forged = good3
        forged[8] ^= 0xFF
        #expect(await d.deliver(forged).isEmpty)
        #expect(d.service.counters[.unknownCookies] == 2)
        // From another address, the right cookies are not enough either.
        #expect(await d.deliver(good3, from: "198.51.100.7").isEmpty)
        #expect(d.service.counters[.unknownCookies] == 3)
        // The exchange itself is untouched and completes.
        #expect(await d.deliver(good3).count == 1)
    }

    @Test("a message 3 with a zero responder cookie is refused with a Notify")
    func message3AsFirstMessage() async throws {
        let pair = IKETestSupport.Pair(suite: IKETestSupport.suite())
        let m2 = try await pair.responder.receive(pair.initiator.start())
        var m3 = try await pair.initiator.message3(after: m2)
        for k in 8..<16 { m3[k] = 0 }
        let d = ServiceDriver()
        let replies = await d.deliver(m3)
        #expect(replies.count == 1)
        #expect(MainModeInitiator.refusalCode(in: try #require(replies.first)) == UInt16(ISAKMPError.Code.payloadMalformed.rawValue))
        #expect(d.service.counters[.failed] == 1)
        #expect(d.service.exchangeCount == 0)
    }

    @Test("a flood of message 1s from one address is capped per peer")
    func floodFromOneAddress() async throws {
        // Half-open entries live an hour here, so none expires however slowly a loaded machine runs the flood.
        let d = ServiceDriver(limits: ExchangeLimits(maxExchanges: 1000, maxHalfOpenPerPeer: 16, halfOpenSeconds: 3600))
        let template = d.initiator().start()
        let n = 1000
        for k in 0..<n {
            var m = template
            for b in 0..<8 { m[b] = UInt8(truncatingIfNeeded: (k + 1) >> (8 * (b % 4))) ^ UInt8(b) }
            await d.deliver(m, from: "203.0.113.9")
        }
        #expect(d.service.exchangeCount == 16)
        #expect(d.service.halfOpen(from: "203.0.113.9") == 16)
        #expect(d.service.counters[.peerCapReached] == n - 16)
        // Another peer is still served.
        #expect(await d.deliver(d.initiator().start(), from: "192.0.2.44").count == 1)
    }

    @Test("a flood from many addresses fills the table to its bound, then expiry frees it")
    func floodFromManyAddresses() async throws {
        let d = ServiceDriver(limits: ExchangeLimits(maxExchanges: 64, maxHalfOpenPerPeer: 4, halfOpenSeconds: 0.2))
        let template = d.initiator().start()
        for k in 0..<1000 {
            var m = template
            m[0] = UInt8(k & 0xFF); m[1] = UInt8(k >> 8); m[2] = 0x5A
            await d.deliver(m, from: "10.0.\(k / 250).\(k % 250)")
        }
        // On a loaded machine some entries may expire during the flood (0.2 s
        // lifetime); what holds regardless: the bound, and every message 1
        // either refused, kept, or kept and expired.
        let c = d.service.counters
        #expect(d.service.exchangeCount <= 64)
        #expect(c[.tableFull] >= 1000 - 64 - c[.expired])
        #expect(d.service.exchangeCount + c[.expired] + c[.tableFull] == 1000)
        let admitted = 1000 - c[.tableFull]
        // Half-open entries expire (bounded wait, no wall-clock assertion on speed).
        #expect(try await Polling.until(interval: 0.1) {
            d.service.expire()
            return d.service.exchangeCount == 0
        })
        #expect(d.service.counters[.expired] == admitted)
    }

    /// Established SAs nobody deletes once filled the table for 8 hours and
    /// locked every new peer out; now the idlest one makes room.
    @Test("a table full of established SAs still admits a new peer, evicting the idlest SA")
    func tableFullOfEstablished() async throws {
        let d = ServiceDriver(limits: ExchangeLimits(maxExchanges: 3))
        for n in 0..<3 { _ = try await Self.negotiate(d, d.initiator(), host: "192.0.2.\(10 + n)") }
        #expect(d.service.exchangeCount == 3)
        #expect(d.service.counters[.established] == 3)
        // A new peer is answered and negotiates.
        _ = try await Self.negotiate(d, d.initiator(), host: "192.0.2.99")
        #expect(d.service.counters[.established] == 4)
        #expect(d.service.counters[.evicted] == 1)
        #expect(d.service.counters[.tableFull] == 0)
        #expect(d.service.exchangeCount == 3)
    }

    /// A Quick Mode message 1 of `i`'s exchange (its body is not looked at: Quick Mode is refused by type).
    static func quickMode(_ i: MainModeInitiator) throws -> [UInt8] {
        let header = ISAKMPHeader(initiatorCookie: i.initiatorCookie, responderCookie: try #require(i.responderCookie),
                                  nextPayload: .hash, exchangeType: .quickMode, flags: .encryption, messageID: 0x1234_5678)
        return ISAKMPMessage.assemble(header: header, firstPayload: .hash, body: [UInt8](repeating: 0x42, count: 32))
    }

    @Test("Quick Mode on an established SA is refused with a protected Notify; the SA stays")
    func quickModeRefused() async throws {
        let d = ServiceDriver()
        let i = d.initiator()
        _ = try await Self.negotiate(d, i)
        let answers = await d.deliver(try Self.quickMode(i))
        #expect(answers.count == 1)
        let (nh, _) = try ISAKMPMessage.parseHeader(try #require(answers.first))
        #expect(nh.exchangeType == .informational && nh.flags.contains(.encryption))
        #expect(d.service.counters[.notifiesSent] == 1)
        #expect(d.service.exchangeCount == 1, "the established SA survives")
    }

    /// serve once sent message 6 before it marked the SA established: a Quick
    /// Mode arriving in between was refused as a failed Main Mode, the SA was
    /// forgotten, and the peer's later DELETE counted under unknown cookies.
    @Test("Quick Mode sent the moment message 6 arrives is refused; the SA stays for its DELETE")
    func quickModeRightAfterMessage6() async throws {
        let d = ServiceDriver()
        let i = d.initiator()
        let m2 = try #require(await d.deliver(i.start()).last)
        let m4 = try #require(await d.deliver(try await i.message3(after: m2)).last)
        let answers = await d.deliver(try await i.message5(after: m4), answeredAtOnceBy: try Self.quickMode(i))
        #expect(answers.count == 2, "message 6, then the Notify refusing Quick Mode")
        let m6 = try #require(answers.first)
        try await i.finish(m6)
        let notify = try #require(answers.last)
        let (nh, _) = try ISAKMPMessage.parseHeader(notify)
        #expect(nh.exchangeType == .informational && nh.flags.contains(.encryption), "refused under the SA's keys")
        #expect(d.service.counters[.established] == 1)
        #expect(d.service.counters[.failed] == 1)
        #expect(d.service.exchangeCount == 1, "the established SA survives the refused Quick Mode")

        await d.deliver(try await i.deleteMessage())
        #expect(d.service.counters[.deleted] == 1)
        #expect(d.service.counters[.unknownCookies] == 0)
        #expect(d.service.exchangeCount == 0)
    }

    @Test("mutated messages 1, 3 and 5 through the service never crash it (fuzz)")
    func fuzzThroughService() async throws {
        let d = ServiceDriver()
        var rng = SplitMix64(seed: 2026)
        for round in 0..<40 {
            let i = d.initiator(suite: IKETestSupport.suite(2, .sha1, .des3))
            let m1 = i.start()
            let m2 = try #require(await d.deliver(m1, from: "192.0.2.\(round % 200)").last)
            let m3 = try await i.message3(after: m2)
            for _ in 0..<10 { await d.deliver(ISAKMPFuzzTests.mutate(m3, &rng), from: "192.0.2.\(round % 200)") }
            for _ in 0..<10 { await d.deliver(ISAKMPFuzzTests.mutate(m1, &rng), from: "198.51.100.\(round % 200)") }
        }
        let c = d.service.counters
        #expect(c[.received] == 40 * 21)
        #expect(d.service.exchangeCount <= 40 * 11)
    }
}
