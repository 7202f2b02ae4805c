import CryptoFramework
import IKEProtocol
import IKEHarness
import IKEServer
import IKETestKit
import ProcessSupport
import Testing

/// Informational exchanges are one-way (RFC 2408 §4.8). The responder once
/// answered an informational it could not decrypt with a protected
/// PAYLOAD-MALFORMED, so two such peers (Libreswan derives a pre-Phase-I
/// informational's IV differently) answered each other without end.
@Suite("informationals are never answered")
struct InformationalOneWayTests {
    /// An informational under `i`'s cookies, flagged encrypted, whose body no key opens.
    static func undecryptable(_ i: MainModeInitiator, blocks: Int = 4) throws -> [UInt8] {
        let header = ISAKMPHeader(initiatorCookie: i.initiatorCookie, responderCookie: try #require(i.responderCookie),
                                  nextPayload: .hash, exchangeType: .informational, flags: .encryption, messageID: 0x0BAD_F00D)
        return ISAKMPMessage.assemble(header: header, firstPayload: .hash, body: IKERandom.bytes(16 * blocks))
    }

    /// A Notify in the clear under `i`'s cookies (a peer refusing our message 4, say).
    static func plainNotify(_ i: MainModeInitiator, type: UInt16 = 14) throws -> [UInt8] {
        let n = Notification(type: type, spi: i.initiatorCookie + (try #require(i.responderCookie)))
        return InformationalMessage.plain(.other(.notification, body: n.encodedBody),
                                          initiatorCookie: i.initiatorCookie, responderCookie: try #require(i.responderCookie))
    }

    @Test("an undecryptable informational on an established SA is dropped unanswered; the SA stays")
    func undecryptableAfterMainMode() async throws {
        let d = ServiceDriver()
        let i = d.initiator()
        _ = try await ResponderServiceTests.negotiate(d, i)
        #expect(await d.deliver(try Self.undecryptable(i)).isEmpty)
        #expect(d.service.counters[.informationalsDropped] == 1)
        #expect(d.service.counters[.notifiesSent] == 0)
        #expect(d.service.exchangeCount == 1)
        // The SA still takes its peer's real DELETE.
        await d.deliver(try await i.deleteMessage())
        #expect(d.service.counters[.deleted] == 1)
    }

    @Test("during Main Mode: undecryptable and clear informationals are not answered and do not end the exchange")
    func duringMainMode() async throws {
        let d = ServiceDriver()
        let i = d.initiator()
        let m3 = try await i.message3(after: try #require(await d.deliver(i.start()).last))
        // Before the keys: a Notify in the clear (the peer refusing message 2), and an "encrypted" one.
        #expect(await d.deliver(try Self.plainNotify(i)).isEmpty)
        #expect(await d.deliver(try Self.undecryptable(i)).isEmpty)
        let m4 = try #require(await d.deliver(m3).last)
        // With the keys, before message 5: what Libreswan sends with an IV from an empty "last Phase 1 IV".
        #expect(await d.deliver(try Self.undecryptable(i, blocks: 2)).isEmpty)
        #expect(await d.deliver(try Self.plainNotify(i)).isEmpty)
        try await i.finish(try #require(await d.deliver(try await i.message5(after: m4)).last))
        #expect(d.service.counters[.established] == 1)
        #expect(d.service.counters[.notifiesSent] == 0)
        #expect(d.service.counters[.failed] == 0)
        #expect(d.service.counters[.informationalsDropped] == 2)
    }

    /// Two peers that each answer an unreadable informational would bounce it
    /// for ever. Here the peer answers every datagram it gets with another
    /// undecryptable informational; serve must not send a single one.
    @Test("over UDP, a peer that answers everything with junk informationals gets nothing back", .timeLimit(.minutes(2)))
    func noPingPongOnTheWire() async throws {
        let (server, client, i, m6) = try await UDPSocketTests.mainModeUpToMessage6()
        try await i.finish(m6)
        client.send(try Self.undecryptable(i))
        // Whatever comes back is answered with more junk, up to a bound; with serve silent, nothing comes.
        var answered = 0
        while answered < 20, await client.receive(timeout: 1) != nil {
            answered += 1
            client.send(try Self.undecryptable(i))
        }
        #expect(answered == 0, "serve answered an undecryptable informational")
        let service = server.service
        #expect(try await Polling.until { service.counters[.informationalsDropped] >= 1 })
        #expect(service.counters[.notifiesSent] == 0)
        #expect(service.exchangeCount == 1)
        await client.close()
        try await server.stop()
    }
}
