import CryptoFramework
import Foundation
import IKECore
import IKEServer
import Testing
import TestSupport

/// The responder on a real UDP socket of 127.0.0.1 with our initiator on
/// another: negotiations with and without the non-ESP marker, and junk
/// datagrams counted without disturbing them.
@Suite("UDP sockets")
struct UDPSocketTests {
    static func server() async throws -> UDPResponderServer {
        let ids = IKETestSupport.identities
        let service = ResponderService(ResponderServiceConfiguration(
            responder: MainModeResponderConfiguration(
                suites: IKESuite.defaultResponderSuites,
                identity: MainModeIdentity(key: ids.responder, id: IKEIdentities.responderID),
                peers: FixedPeerKey(ids.initiator.publicKey)),
            framework: IKETestSupport.host))
        return try await UDPResponderServer.start(service, host: "127.0.0.1", port: 0)
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
        let deadline = Date().addingTimeInterval(30)
        let service = server.service
        while service.counters[.deleted] < 3 && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        #expect(service.counters[.established] == 3)
        #expect(service.counters[.deleted] == 3)
        #expect(service.counters[.malformed] + service.counters[.unknownCookies] >= 1)
        #expect(service.exchangeCount == 0)
        await client.close()
        await junk.close()
        try await server.stop()
    }
}
