import CryptoFramework
import IKEProtocol
import IKEHarness
import IKEServer
import IKETestKit
import Testing

/// `run --peer` against a responder that resends message 4 on its own timer
/// (Libreswan: 0.5, 1, 2 s) while message 5 is on its way. Our initiator once
/// read that copy as message 6 and gave up with "message 6 is not encrypted",
/// which also hid the responder's real refusal. The responder here is the
/// protocol's own state machine on a UDP socket of its own, scripted to send
/// the copy before its real answer.
@Suite("run --peer and a retransmitted message 4")
struct PeerRetransmissionTests {
    /// A responder socket on 127.0.0.1 that answers `initiatorPort`: messages 1
    /// and 3 normally; on message 5 it first resends message 4, then waits for
    /// message 5 again (our initiator's answer to the copy) and sends its real
    /// answer (message 6, or the Notify refusing message 5). Returns how many
    /// copies of message 5 it saw.
    static func scriptedResponder(_ socket: UDPDatagramClient, responder: MainModeResponder,
                                  initiatorPort: @escaping @Sendable () -> Int) -> Task<Int, any Error> {
        Task {
            func next() async throws -> [UInt8] { try #require(await socket.receive(timeout: 60), "the initiator went silent") }
            func send(_ m: [UInt8]) throws { try socket.send(m, toPort: initiatorPort()) }
            try send(try await responder.receive(try await next()))  // 1 → 2
            let m4 = try await responder.receive(try await next())    // 3 → 4
            try send(m4)
            let m5 = try await next()
            try send(m4)  // the responder's own retransmission
            var copies = 1
            while true {  // our initiator answers the copy with message 5 again
                let again = try await next()
                if again == m5 { copies += 1; break }
            }
            do {
                try send(try await responder.receive(m5))
            } catch let e as ISAKMPError {
                try send(try #require(await responder.refusal(for: e)))
            }
            return copies
        }
    }

    static func initiator(trustedResponderKey: RSAPublicKey) -> PeerInitiator {
        let ids = IKETestSupport.identities
        return PeerInitiator(suite: IKETestSupport.suite(14, .sha256, .aes128),
                             identity: MainModeIdentity(key: ids.initiator, id: IKEIdentities.initiatorID),
                             responders: FixedPeerKey(trustedResponderKey), framework: IKETestSupport.initiatorFramework,
                             timeoutSeconds: 20, attempts: 3)
    }

    /// Sockets for the pair: the responder's first (its port is the initiator's peer).
    static func sockets() async throws -> (responder: UDPDatagramClient, initiator: UDPDatagramClient) {
        let responder = try await UDPDatagramClient.connect(host: "127.0.0.1", port: 9, localHost: "127.0.0.1")
        let initiator = try await UDPDatagramClient.connect(host: "127.0.0.1", port: responder.localPort, localHost: "127.0.0.1")
        return (responder, initiator)
    }

    @Test("a copy of message 4 after message 5 is recognised and answered with message 5 again", .timeLimit(.minutes(2)))
    func duplicateMessage4() async throws {
        let ids = IKETestSupport.identities
        let (rs, ins) = try await Self.sockets()
        let responder = MainModeResponder(suite: IKETestSupport.suite(14, .sha256, .aes128),
                                          session: IKECryptoSession(framework: IKETestSupport.host),
                                          identity: ids.responder, initiatorKey: ids.initiator.publicKey, id: IKEIdentities.responderID)
        let initiatorPort = ins.localPort
        let script = Self.scriptedResponder(rs, responder: responder, initiatorPort: { initiatorPort })
        let outcome = try await Self.initiator(trustedResponderKey: ids.responder.publicKey).negotiate(over: ins)
        #expect(outcome.records.contains { $0.name == .rsaVerify }, "message 6 was verified")
        #expect(try await script.value == 2, "message 5 was sent again for the copy of message 4")
        #expect(await responder.state == .established)
        await rs.close()
        await ins.close()
    }

    @Test("a responder that distrusts our key: its protected refusal surfaces, not the copy of message 4", .timeLimit(.minutes(2)))
    func refusalAfterDuplicate() async throws {
        let ids = IKETestSupport.identities
        let (rs, ins) = try await Self.sockets()
        // The responder trusts another key than ours (its own, say).
        let responder = MainModeResponder(suite: IKETestSupport.suite(14, .sha256, .aes128),
                                          session: IKECryptoSession(framework: IKETestSupport.host),
                                          identity: ids.responder, initiatorKey: ids.responder.publicKey, id: IKEIdentities.responderID)
        let initiatorPort = ins.localPort
        let script = Self.scriptedResponder(rs, responder: responder, initiatorPort: { initiatorPort })
        let error = await #expect(throws: ISAKMPError.self) {
            _ = try await Self.initiator(trustedResponderKey: ids.responder.publicKey).negotiate(over: ins)
        }
        #expect(error?.code == .authenticationFailed, "\(String(describing: error))")
        #expect(try await script.value == 2)
        await rs.close()
        await ins.close()
    }
}
