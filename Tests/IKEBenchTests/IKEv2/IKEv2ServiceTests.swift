import CryptoFramework
import Foundation
import IKEHarness
import IKEProtocol
import IKEServer
import IKETestKit
import TestSupport
import Testing

/// `ikebench serve`'s datagram path for IKEv2 (ResponderService, no sockets):
/// both versions on one service, the bounds shared with IKEv1, retransmissions
/// answered from the stored response, cookies, garbage dropped.
@Suite("IKEv2 through ResponderService")
struct IKEv2ServiceTests {
    final class Driver: Sendable {
        let service: ResponderService
        let recorder = NegotiationRecorder()
        /// Every operation the responders ran (to see that a retransmission redoes no crypto).
        let operations = OperationCounter()
        private let sent = Locked<[[UInt8]]>([])

        init(limits: ExchangeLimits = ExchangeLimits(), cookies: IKEv2CookiePolicy = .strongSwanDefaults) {
            // Fragmentation announced, as a responder configured by default does (IKEv2ResponderConfiguration's 1280).
            service = TwoVersionResponder.service(limits: limits, cookies: cookies, fragmentSize: 1280,
                                                  observer: RecordingObserver(recorder: recorder, operations: operations))
        }

        @discardableResult
        func deliver(_ datagram: [UInt8], from host: String = "192.0.2.1") async -> [[UInt8]] {
            let before = sent.withLock { $0.count }
            let task = service.receive(datagram, from: host) { [sent] reply in sent.withLock { $0.append(reply) } }
            await task?.value
            return sent.withLock { Array($0[before...]) }
        }
    }

    static func initiator() -> IKEv2Initiator {
        let ids = IKETestSupport.identities
        return IKEv2Initiator(
            configuration: IKEv2InitiatorConfiguration(
                suites: [IKEv2Suite(proposalName: "aes128-sha256-ecp256")!], identity: IKEv2Identity(key: .rsa(ids.initiator), id: IKEv2TestKeys.idI),
                peers: IKEv2FixedPeerKey(.rsa(ids.responder.publicKey)), requestChildSA: false),
            session: IKECryptoSession(framework: IKETestSupport.initiatorFramework))
    }

    /// Runs one IKEv2 negotiation through the driver; returns the IKE_AUTH request and its response.
    static func negotiate(_ d: Driver, _ i: IKEv2Initiator, host: String = "192.0.2.1") async throws -> ([UInt8], [UInt8]) {
        var outgoing = [try await i.start()]
        for _ in 0..<4 {
            var next: [[UInt8]] = []
            for o in outgoing {
                for reply in await d.deliver(o, from: host) {
                    switch try await i.receive(reply) {
                    case .send(let s): next = s
                    case .wait: break
                    case .established: return (o, reply)
                    }
                }
            }
            outgoing = next
        }
        throw IKEv2Error(.unexpectedMessage, "no IKE SA")
    }

    @Test("an IKE SA is established and timed; a repeated IKE_AUTH gets the stored response, no crypto redone")
    func establishesAndRetransmits() async throws {
        let d = Driver()
        let (auth, response) = try await Self.negotiate(d, Self.initiator())
        #expect(d.service.counters[.established] == 1)
        #expect(d.recorder.negotiations == 1)
        let operations = d.recorder.report(framework: IKETestSupport.host, rsaBits: 1024, suite: IKETestSupport.suite()).operations
        #expect(operations.contains { $0.name == "rsa-sign" } && operations.contains { $0.name == "dh-derive" })
        #expect(await d.deliver(auth) == [response])
        #expect(d.service.counters[.retransmitsAnswered] == 1)
    }

    @Test("serve's report names IKEv2, the proposal negotiated and our key; with IKEv1 too, how many of each")
    func reportNamesIKEv2() async throws {
        let d = Driver()
        _ = try await Self.negotiate(d, Self.initiator())
        let key = IKEv2PrivateKey.rsa(IKETestSupport.identities.responder)
        var report = d.recorder.report(framework: IKETestSupport.host, rsaBits: 2048, suite: IKETestSupport.suite(14, .sha1, .des3),
                                       ikev2Signer: key)
        let bits = IKETestSupport.identities.responder.publicKey.bits
        #expect(report.ike == 2 && report.proposal == "aes128-sha256-ecp256" && report.authentication == "RSA-\(bits)")
        #expect(report.group == 19 && report.prf == "sha256" && report.cipher == "aes128" && report.rsaBits == bits)
        #expect(report.alsoIKEv1 == nil)
        var text = ReportText.run(report)
        #expect(text.hasPrefix("IKEv2 (IKE_SA_INIT + IKE_AUTH, RSA-\(bits)), proposal aes128-sha256-ecp256,"), "\(text)")
        #expect(!text.contains("Main Mode") && !text.contains("3des"), "\(text)")
        var json = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(report)) as? [String: Any])
        #expect(json["ike"] as? Int == 2 && json["proposal"] as? String == "aes128-sha256-ecp256" && json["alsoIKEv1"] == nil)

        // An IKEv1 Main Mode on the same port: the report still names IKEv2's proposal, and says what else was served.
        d.recorder.record(NegotiationOutcome(hostNanoseconds: 1_000_000, records: [], platform: IKETestSupport.host.platform),
                          suite: IKETestSupport.suite(14, .sha256, .aes128))
        report = d.recorder.report(framework: IKETestSupport.host, rsaBits: 2048, suite: IKETestSupport.suite(14, .sha1, .des3), ikev2Signer: key)
        #expect(report.alsoIKEv1 == IKEv1Share(negotiations: 1, ikev2Negotiations: 1, proposal: "aes128-sha256-modp2048"))
        text = ReportText.run(report)
        #expect(text.contains("proposal aes128-sha256-ecp256 in 1 negotiations; and 1 IKEv1 Main Mode, aes128-sha256-modp2048"), "\(text)")
        json = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(report)) as? [String: Any])
        #expect((json["alsoIKEv1"] as? [String: Any])?["negotiations"] as? Int == 1)
    }

    @Test("half-open IKEv1 and IKEv2 exchanges of one address count against one cap")
    func sharedBounds() async throws {
        // Half-open exchanges that outlive any loaded machine's test run: at the
        // default 30 s, a full suite on a busy machine let them expire between
        // deliveries, and the cap, reached, freed room by expiry.
        let d = Driver(limits: ExchangeLimits(maxExchanges: 8, maxHalfOpenPerPeer: 2, halfOpenSeconds: 3600))
        // One IKEv1 message 1 and one IKE_SA_INIT from the same address: both half-open.
        let v1 = MainModeInitiator(suite: IKETestSupport.suite(14, .sha256, .aes128),
                                   session: IKECryptoSession(framework: IKETestSupport.initiatorFramework),
                                   identity: IKETestSupport.identities.initiator, responderKey: IKETestSupport.identities.responder.publicKey,
                                   id: IKEIdentities.initiatorID)
        #expect(await d.deliver(v1.start()).count == 1)
        #expect(await d.deliver(try await Self.initiator().start()).count == 1)
        // A third, of either version, is over the cap.
        #expect(await d.deliver(try await Self.initiator().start()).isEmpty)
        #expect(d.service.counters[.peerCapReached] == 1)
        // Another address is not.
        #expect(await d.deliver(try await Self.initiator().start(), from: "192.0.2.99").count == 1)
        #expect(d.service.exchangeCount == 3)
    }

    @Test("past the cookie threshold a new IKE_SA_INIT gets a COOKIE and opens nothing; with it, the SA is made")
    func cookies() async throws {
        let d = Driver(cookies: IKEv2CookiePolicy(threshold: 0, thresholdPerAddress: 0))
        let i = Self.initiator()
        let challenge = await d.deliver(try await i.start())
        let m = try IKEv2Message.parse(try #require(challenge.first))
        #expect(m.notifications.first?.type == IKEv2Notify.Status.cookie)
        #expect(d.service.exchangeCount == 0)
        _ = try await Self.negotiate(d, Self.initiator())
        #expect(d.service.counters[.established] == 1)
    }

    @Test("garbage with version 2 in its header is dropped and counted, never answered", arguments: [
        [UInt8](repeating: 0, count: 17) + [0x20] + [UInt8](repeating: 0, count: 10),
        [UInt8](repeating: 0xFF, count: 17) + [0x20, 34, 0x08, 0, 0, 0, 0, 0, 0, 0, 28],
        [UInt8](repeating: 1, count: 16) + [33, 0x20, 34, 0x08, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0, 0, 4],
    ])
    func garbage(_ datagram: [UInt8]) async throws {
        let d = Driver()
        #expect(await d.deliver(datagram).isEmpty)
        #expect(d.service.exchangeCount == 0)
    }
}
