import CryptoFramework
import IKEProtocol
import IKEHarness
@testable import IKEBench
import IKEServer
import IKETestKit
import ProcessSupport
import Testing

/// The load generator of `ikebench load` against the responder on real
/// sockets: every SA it counts is one the responder established and then saw
/// deleted, and with a reused DH value on our side the responder still draws
/// a fresh one per SA (a load generator may skip its own work, never the responder's).
@Suite("load generator")
struct LoadGeneratorTests {
    @Test("concurrent initiators with one reused DH value: counted SAs are the responder's, each with its own DH", .timeLimit(.minutes(2)))
    func loadAgainstServe() async throws {
        let recorder = NegotiationRecorder()
        let ids = IKETestSupport.identities
        let service = ResponderService(ResponderServiceConfiguration(
            responder: MainModeResponderConfiguration(
                suites: IKESuite.defaultResponderSuites,
                identity: MainModeIdentity(key: ids.responder, id: IKEIdentities.responderID),
                peers: FixedPeerKey(ids.initiator.publicKey)),
            framework: IKETestSupport.host), observer: RecordingObserver(recorder: recorder))
        let server = try await UDPResponderServer.start(service, host: "127.0.0.1", port: 0)
        let suite = IKETestSupport.suite(2, .sha1, .aes128)
        var initiator = UDPSocketTests.initiator(marker: false)
        initiator.suite = suite
        initiator.reusedKeyExchange = try await IKECryptoSession(framework: IKETestSupport.initiatorFramework).generateKeyExchange(suite)
        let report = try await LoadGenerator(concurrency: 2, durationSeconds: 1).run(UDPPeerLoad(initiator: initiator, host: "127.0.0.1", port: server.port, label: "test load"))
        #expect(report.established >= 1)
        #expect(report.failed == 0, "\(report.failures)")
        #expect(report.setup.p50 > 0 && report.setup.p99 >= report.setup.p50)
        #expect(report.saPerSecond > 0)
        // Every SA counted was established by the responder and deleted by us (the DELETE is sent after the count: poll).
        #expect(try await Polling.until { service.counters[.deleted] >= report.established })
        #expect(service.counters[.established] == report.established)
        let responderReport = recorder.report(framework: IKETestSupport.host, rsaBits: 2048, suite: suite)
        let generated = responderReport.operations.filter { $0.name == "dh-generate" }.reduce(0) { $0 + $1.count }
        #expect(generated == report.established, "the responder drew a DH value for every SA")
        try await server.stop()
    }

    @Test("IKEv2 initiators as the load, with one reused KE value and the responder's AUTH unverified: every counted SA is one the responder established, childless, and then deleted", .timeLimit(.minutes(2)))
    func ikev2LoadAgainstServe() async throws {
        let service = TwoVersionResponder.service()
        let suite = TwoVersionResponder.ikev2Suite
        var configuration = TwoVersionResponder.ikev2Initiator()
        configuration.reusedKeyExchange = try await IKECryptoSession(framework: IKETestSupport.initiatorFramework).generateKeyExchange(suite.group)
        configuration.skipsResponderSignatureCheck = true
        let initiator = IKEv2PeerInitiator(configuration: configuration, framework: IKETestSupport.initiatorFramework,
                                           timeoutSeconds: 2, attempts: 3)
        try await TwoVersionResponder.serving(service) { server in
            let report = try await LoadGenerator(concurrency: 2, durationSeconds: 1).run(UDPPeerLoad(initiator: initiator, host: "127.0.0.1", port: server.port, label: "test IKEv2 load"))
            #expect(report.established >= 1)
            #expect(report.failed == 0, "\(report.failures)")
            #expect(report.setup.p50 > 0 && report.setup.p99 >= report.setup.p50)
            #expect(try await Polling.until { service.counters[.deleted] >= report.established })
            #expect(service.counters[.established] == report.established)
        }
    }
}
