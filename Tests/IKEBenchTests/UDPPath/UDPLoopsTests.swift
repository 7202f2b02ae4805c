import CryptoFramework
import IKEProtocol
import IKEHarness
@testable import IKEServer
import IKETestKit
import NIOPosix
import ProcessSupport
import Synchronization
import Testing

/// The responder on several event loops, one socket each on the same port
/// (SO_REUSEPORT): the kernel spreads peers over the sockets by their address
/// and port, every socket's peers are answered by its own loop, the counters
/// add up across them, and stop leaves no turn running, so the caller's loops
/// can be shut down.
@Suite("UDP sockets on several loops")
struct UDPLoopsTests {
    @Test("a server on 2 loops answers IKEv1 and IKEv2 peers on both sockets and stops cleanly", .timeLimit(.minutes(2)))
    func twoLoops() async throws {
        let ids = IKETestSupport.identities
        let service = TwoVersionResponder.service()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let server = try await TwoVersionResponder.start(service, group: group)
        #expect(server.socketCount == 2)
        let v1 = UDPSocketTests.initiator(marker: false)
        let v2 = IKEv2PeerInitiator(configuration: TwoVersionResponder.ikev2Initiator(),
                                    framework: IKETestSupport.initiatorFramework, timeoutSeconds: 5, attempts: 3)
        let port = server.port

        // Rounds of 4 peers at once, each on a socket (and so a port) of its
        // own, half IKEv1, half IKEv2, until both sockets have read datagrams:
        // the kernel's hash puts all 4 of a round on one socket 1 time in 8, so
        // a bound of 8 rounds fails by chance about once in 16 million.
        var rounds = 0
        repeat {
            rounds += 1
            try await withThrowingTaskGroup(of: Void.self) { peers in
                for k in 0..<4 {
                    peers.addTask {
                        let client = try await UDPDatagramClient.connect(host: "127.0.0.1", port: port, localHost: "127.0.0.1")
                        if k % 2 == 0 {
                            _ = try await v1.negotiate(over: client, observe: nil)
                        } else {
                            _ = try await v2.negotiate(over: client, observe: nil)
                        }
                        await client.close()
                    }
                }
                try await peers.waitForAll()
            }
        } while rounds < 8 && !server.datagramsPerSocket.allSatisfy({ $0 > 0 })
        let perSocket = server.datagramsPerSocket
        #expect(perSocket.count == 2 && perSocket.allSatisfy { $0 > 0 }, "datagrams per socket: \(perSocket)")

        // Every SA was established once and deleted by its peer (the DELETE is
        // sent after the initiator counts the SA: poll), whichever loop served it.
        let sas = rounds * 4
        #expect(try await Polling.until { service.counters[.deleted] >= sas })
        #expect(service.counters[.established] == sas)
        #expect(service.counters[.deleted] == sas)
        #expect(service.counters[.failed] == 0)
        #expect(service.counters[.received] == server.datagramsPerSocket.reduce(0, +))
        #expect(service.exchangeCount == 0)

        // A raw message 1 is read while the server runs (the probe below can see a socket)...
        let late = try await UDPDatagramClient.connect(host: "127.0.0.1", port: port, localHost: "127.0.0.1")
        let message1 = MainModeInitiator(
            suite: IKETestSupport.suite(14, .sha256, .aes256), session: IKECryptoSession(framework: IKETestSupport.initiatorFramework),
            identity: MainModeIdentity(key: ids.initiator, id: IKEIdentities.initiatorID),
            responders: FixedPeerKey(ids.responder.publicKey)).start()
        let before = service.counters[.received]
        late.send(message1)
        #expect(try await Polling.until { service.counters[.received] > before })

        try await server.stop()
        #expect(service.turnsInFlight == 0)
        // ...and after stop() no socket reads it: the count stays put. (Reading
        // is counted before any work, so a slow server would still count it.)
        let stopped = service.counters[.received]
        late.send(message1)
        #expect(try await !Polling.until(timeout: 1) { service.counters[.received] != stopped })
        await late.close()
        try await group.shutdownGracefully()
    }

    @Test("a socket that closes while serving is reported once, naming it; stop()'s own closing is not", .timeLimit(.minutes(2)))
    func socketLossReported() async throws {
        let failures = FailureLines()
        let service = ResponderService(ResponderServiceConfiguration(
            responder: MainModeResponderConfiguration(
                suites: IKESuite.defaultResponderSuites,
                identity: MainModeIdentity(key: IKETestSupport.identities.responder, id: IKEIdentities.responderID),
                peers: FixedPeerKey(IKETestSupport.identities.initiator.publicKey)),
            framework: IKETestSupport.host), observer: failures)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let server = try await UDPResponderServer.start(service, host: "127.0.0.1", port: 0, group: group)
        #expect(server.socketCount == 2)
        // The second socket closes as NIO closes one on a read error.
        try await server.channels[1].close()
        #expect(try await Polling.until { failures.count >= 1 })
        let lines = failures.lines
        #expect(lines.count == 1)
        #expect(lines.first?.contains("socket 2 of 2 on port \(server.port) closed while serving") == true, "\(lines)")
        #expect(lines.first?.contains("the 1 left") == true, "\(lines)")
        // The socket left still answers: a datagram to the port is read (counted) by it.
        let client = try await UDPDatagramClient.connect(host: "127.0.0.1", port: server.port, localHost: "127.0.0.1")
        client.send([0x01, 0x02, 0x03])
        #expect(try await Polling.until { service.counters[.received] >= 1 })
        await client.close()
        try await server.stop()
        // stop() closed the other socket: not a loss, not reported.
        #expect(try await !Polling.until(timeout: 0.5) { failures.count > 1 })
        try await group.shutdownGracefully()
    }

    /// The observer's failure lines (the server's diagnostics).
    final class FailureLines: ResponderObserver {
        private let store = Mutex<[String]>([])
        var lines: [String] { store.withLock { $0 } }
        var count: Int { store.withLock { $0.count } }
        func exchangeFailed(_ line: String) { store.withLock { $0.append(line) } }
    }

    @Test("no loop or no socket is refused, each with its reason")
    func noLoopOrSocketRefused() async throws {
        let service = ResponderService(ResponderServiceConfiguration(
            responder: MainModeResponderConfiguration(
                suites: IKESuite.defaultResponderSuites,
                identity: MainModeIdentity(key: IKETestSupport.identities.responder, id: IKEIdentities.responderID),
                peers: FixedPeerKey(IKETestSupport.identities.initiator.publicKey)),
            framework: IKETestSupport.host))
        let none = await #expect(throws: UDPResponderServer.SetupError.self) {
            _ = try await UDPResponderServer.start(service, host: "127.0.0.1", port: 0, loops: 0)
        }
        #expect(none?.description.contains("at least one") == true)
        let noSocket = await #expect(throws: UDPResponderServer.SetupError.self) {
            _ = try await UDPResponderServer.start(service, host: "127.0.0.1", port: 0, sockets: 0)
        }
        #expect(noSocket?.description.contains("0 sockets") == true)
    }
}
