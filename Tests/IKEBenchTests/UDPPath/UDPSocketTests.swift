import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import IKEServer
import NIOPosix
import ProcessSupport
import IKETestKit
import Testing
import TestSupport

/// The responder on a real UDP socket of 127.0.0.1 with our initiator on
/// another: negotiations with and without the non-ESP marker, and junk
/// datagrams counted without disturbing them.
@Suite("UDP sockets")
struct UDPSocketTests {
    static func server(limits: ExchangeLimits = ExchangeLimits()) async throws -> UDPResponderServer {
        let ids = IKETestSupport.identities
        let service = ResponderService(ResponderServiceConfiguration(
            responder: MainModeResponderConfiguration(
                suites: IKESuite.defaultResponderSuites,
                identity: MainModeIdentity(key: ids.responder, id: IKEIdentities.responderID),
                peers: FixedPeerKey(ids.initiator.publicKey)),
            framework: IKETestSupport.host, limits: limits))
        return try await UDPResponderServer.start(service, host: "127.0.0.1", port: 0)
    }

    /// A responder on a socket and a Main Mode run to it step by step on
    /// another, up to message 6 received (not yet checked: the caller finishes).
    static func mainModeUpToMessage6() async throws
        -> (server: UDPResponderServer, client: UDPDatagramClient, initiator: MainModeInitiator, message6: [UInt8]) {
        let server = try await Self.server()
        let client = try await UDPDatagramClient.connect(host: "127.0.0.1", port: server.port, localHost: "127.0.0.1")
        let ids = IKETestSupport.identities
        let i = MainModeInitiator(suite: IKETestSupport.suite(14, .sha256, .aes128),
                                  session: IKECryptoSession(framework: IKETestSupport.initiatorFramework),
                                  identity: ids.initiator, responderKey: ids.responder.publicKey, id: IKEIdentities.initiatorID)
        func roundTrip(_ m: [UInt8]) async throws -> [UInt8] {
            client.send(m)
            return try #require(await client.receive(timeout: 30))
        }
        let m4 = try await roundTrip(try await i.message3(after: try await roundTrip(i.start())))
        return (server, client, i, try await roundTrip(try await i.message5(after: m4)))
    }

    static func initiator(marker: Bool) -> PeerInitiator {
        let ids = IKETestSupport.identities
        return PeerInitiator(suite: IKETestSupport.suite(14, .sha256, .aes256),
                             identity: MainModeIdentity(key: ids.initiator, id: IKEIdentities.initiatorID),
                             responders: FixedPeerKey(ids.responder.publicKey), framework: IKETestSupport.initiatorFramework,
                             nonESPMarker: marker, timeoutSeconds: 5)
    }

    @Test("negotiations over UDP, junk in between", .timeLimit(.minutes(2)), arguments: [false, true])
    func negotiationsWithJunk(marker: Bool) async throws {
        let server = try await Self.server()
        let client = try await UDPDatagramClient.connect(host: "127.0.0.1", port: server.port, localHost: "127.0.0.1")
        let junk = try await UDPDatagramClient.connect(host: "127.0.0.1", port: server.port, localHost: "127.0.0.1")
        var rng = SplitMix64(seed: 7)
        for n in 0..<3 {
            for _ in 0..<20 { junk.send((0..<Int.random(in: 0..<120, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }) }
            let outcome = try await Self.initiator(marker: marker).negotiate(over: client)
            #expect(outcome.records.count > 4, "negotiation \(n)")
        }
        // Datagrams are handled asynchronously: wait (bounded) until all are counted.
        let service = server.service
        _ = try await Polling.until(interval: 0.05) { service.counters[.deleted] >= 3 }
        #expect(service.counters[.established] == 3)
        #expect(service.counters[.deleted] == 3)
        #expect(service.counters[.malformed] + service.counters[.unknownCookies] >= 1)
        #expect(service.exchangeCount == 0)
        await client.close()
        await junk.close()
        try await server.stop()
    }

    /// A peer that follows message 6 with Quick Mode at once (as Libreswan
    /// does), then deletes the SA: Quick Mode is refused under the SA's keys,
    /// and the DELETE finds the SA it deletes. (Before the table settled a turn
    /// ahead of its reply, that Quick Mode could land while message 6 was
    /// leaving and take the SA with it; ServiceDriver's
    /// `deliver(_:answeredAtOnceBy:)` holds that window open.)
    @Test("a client's wait ends (nil) when its event loops shut down, and a NaN timeout is an immediate one", .timeLimit(.minutes(2)))
    func waitEndsWhenLoopsShutDown() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let client = try await UDPDatagramClient.connect(host: "127.0.0.1", port: 9, localHost: "127.0.0.1", group: group)
        #expect(await client.receive(timeout: .nan) == nil)
        // A wait far longer than the test's limit: only the shutdown can end it.
        let waiting = Task { await client.receive(timeout: 3600) }
        try await Task.sleep(for: .milliseconds(100))
        await client.close()
        try await group.shutdownGracefully()
        #expect(await waiting.value == nil)
    }

    @Test("Quick Mode at once after message 6, then DELETE, over UDP", .timeLimit(.minutes(2)))
    func quickModeAtOnceThenDelete() async throws {
        let (server, client, i, m6) = try await Self.mainModeUpToMessage6()
        client.send(try ResponderServiceTests.quickMode(i))
        try await i.finish(m6)
        let notify = try #require(await client.receive(timeout: 30), "Quick Mode is refused")
        let (nh, _) = try ISAKMPMessage.parseHeader(notify)
        #expect(nh.exchangeType == .informational && nh.flags.contains(.encryption))

        client.send(try await i.deleteMessage())
        let service = server.service
        #expect(try await Polling.until { service.counters[.deleted] + service.counters[.unknownCookies] >= 1 })
        #expect(service.counters[.established] == 1)
        #expect(service.counters[.deleted] == 1)
        #expect(service.counters[.unknownCookies] == 0)
        #expect(service.exchangeCount == 0)
        await client.close()
        try await server.stop()
    }

    /// `message` with a Vendor ID payload in front of its first payload, grown to `total` bytes.
    static func padded(_ message: [UInt8], to total: Int) -> [UInt8] {
        let vid = total - message.count
        var out = Array(message[0..<16]) + [PayloadType.vendorID.rawValue] + Array(message[17..<24])
        out += [UInt8(total >> 24), UInt8(total >> 16 & 0xff), UInt8(total >> 8 & 0xff), UInt8(total & 0xff)]
        out += [message[16], 0, UInt8(vid >> 8), UInt8(vid & 0xff)] + [UInt8](repeating: 0x5a, count: vid - 4)
        return out + message[28...]
    }

    /// Datagrams longer than SwiftNIO's default 2048-byte read buffer arrive
    /// whole (a 3000-byte message 1 is answered); one over the limit is refused.
    @Test("a 3000-byte message 1 is read whole; one over the limit is counted malformed", .timeLimit(.minutes(2)))
    func largeDatagrams() async throws {
        let server = try await Self.server(limits: ExchangeLimits(maxMessageBytes: 4000))
        let client = try await UDPDatagramClient.connect(host: "127.0.0.1", port: server.port, localHost: "127.0.0.1")
        let ids = IKETestSupport.identities
        let initiator = MainModeInitiator(suite: IKETestSupport.suite(14, .sha256, .aes128),
                                          session: IKECryptoSession(framework: IKETestSupport.initiatorFramework),
                                          identity: ids.initiator, responderKey: ids.responder.publicKey, id: IKEIdentities.initiatorID)
        let m1 = Self.padded(initiator.start(), to: 3000)
        #expect(m1.count == 3000)
        #expect(try ISAKMPMessage.parse(m1).payloads.count >= 2)
        client.send(m1)
        let m2 = try #require(await client.receive(timeout: 30), "message 2 for a 3000-byte message 1")
        #expect(try ISAKMPMessage.parseHeader(m2).header.exchangeType == .identityProtection)
        #expect(server.service.counters[.malformed] == 0)

        // 4100 bytes (limit 4000): cut to the 4005-byte buffer, refused and counted, never answered.
        client.send(Self.padded(MainModeInitiator(suite: IKETestSupport.suite(14, .sha256, .aes128),
                                                  session: IKECryptoSession(framework: IKETestSupport.initiatorFramework),
                                                  identity: ids.initiator, responderKey: ids.responder.publicKey,
                                                  id: IKEIdentities.initiatorID).start(), to: 4100))
        _ = try await Polling.until(interval: 0.05) { server.service.counters[.malformed] >= 1 }
        #expect(server.service.counters[.malformed] == 1)
        #expect(server.service.exchangeCount == 1)
        await client.close()
        try await server.stop()
    }

    /// The initiator's socket reads a long datagram whole too.
    @Test("the client socket reads a 3000-byte datagram whole", .timeLimit(.minutes(2)))
    func clientReadsLargeDatagram() async throws {
        let receiver = try await UDPDatagramClient.connect(host: "127.0.0.1", port: 9, localHost: "127.0.0.1")
        let sender = try await UDPDatagramClient.connect(host: "127.0.0.1", port: receiver.localPort, localHost: "127.0.0.1")
        let datagram = (0..<3000).map { UInt8(truncatingIfNeeded: $0) }
        sender.send(datagram)
        let got = await receiver.receive(timeout: 30)
        #expect(got?.count == datagram.count)
        #expect(got.map { $0 == datagram } == true)
        await sender.close()
        await receiver.close()
    }
}
