import Charon
import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import IKEServer
import ProcessSupport
import Providers
import IKETestKit
import Testing
import TestSupport

/// strongSwan's charon as the initiator against `ikebench serve` on loopback:
/// IKEv1 Main Mode, RSA signatures with certificates. Each test starts its own
/// charon (own config, socket and /run) and ends it by pid.
@Suite("charon → ikebench serve", .serialized, .enabled(if: CharonDaemon.isAvailable))
struct CharonServeTests {
    @Test("both proposals establish", .timeLimit(.minutes(3)), arguments: ["host", "t2000"])
    func bothProposals(platform: String) async throws {
        let recorder = NegotiationRecorder()
        let server = try await CharonFixture.startServer(platform: Platform.named(platform)!,
                                                         observer: RecordingObserver(recorder: recorder))
        let charon = try await CharonDaemon.start(
            swanctlConf: CharonFixture.initiatorConnections(
                [("c3des", "3des-sha1-modp1024"), ("caes", "aes128-sha256-modp2048")], servePort: server.port),
            files: CharonFixture.charonFiles, ikePort: CharonFixture.charonPort())
        defer { charon.removeFiles() }
        try await charon.loadAll()
        for name in ["c3des", "caes"] {
            let outcome = try await charon.initiate(ike: name)
            #expect(outcome.status == 0, "\(name): \(outcome)\n\(charon.log)")
            let output = outcome.standardOutput
            #expect(output.contains("IKE_SA \(name)[") && output.contains("established"), "\(output)")
            #expect(try await charon.swanctl(["--list-sas", "--ike", name]).standardOutput.contains("ESTABLISHED"))
        }
        let service = server.service
        try await server.stop()
        #expect(service.counters[.established] == 2)
        #expect(recorder.negotiations == 2)
        let report = recorder.report(framework: service.configuration.framework, rsaBits: 2048, suite: IKETestSupport.suite())
        #expect(report.negotiations == 2)
        #expect(report.operations.contains { $0.name == "rsa-verify" })
        if platform == "t2000" { #expect(report.modeledPhase1 != nil) }
    }

    @Test("several negotiations at once", .timeLimit(.minutes(3)))
    func severalAtOnce() async throws {
        let server = try await CharonFixture.startServer()
        // charon 5.9.8 reuses an IKEv1 SA whose config equals (names aside):
        // one connection, with its own proposal, per negotiation.
        let proposals = ["aes128-sha256-modp2048", "3des-sha1-modp1024", "aes256-sha1-modp1536", "aes128-sha1-modp2048"]
        let names = proposals.indices.map { "par\($0)" }
        let charon = try await CharonDaemon.start(
            swanctlConf: CharonFixture.initiatorConnections(Array(zip(names, proposals)), servePort: server.port),
            files: CharonFixture.charonFiles, ikePort: CharonFixture.charonPort())
        defer { charon.removeFiles() }
        try await charon.loadAll()
        let results = try await withThrowingTaskGroup(of: (String, ChildProcess.Outcome).self) { group in
            for name in names {
                group.addTask { (name, try await charon.initiate(ike: name)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for (name, outcome) in results { #expect(outcome.status == 0, "\(name): \(outcome)") }
        let service = server.service
        try await server.stop()
        #expect(service.counters[.established] == 4)
    }

    @Test("a peer whose certificate a trusted CA issued is accepted (CERTREQ → CERT)", .timeLimit(.minutes(3)))
    func peerCertifiedByCA() async throws {
        let dir = CharonFixture.directory.appendingPathComponent("ca")
        let ca = try TestCertificate.make(subject: "/C=CH/O=ikebench CA/CN=Interop CA", dnsName: "ca.interop.example", in: dir)
        let client = try TestCertificate.make(subject: "/C=CH/O=ikebench/CN=client.interop.example",
                                              dnsName: "client.interop.example", issuedBy: ca, in: dir)
        let server = try await CharonFixture.startServer(trust: [ca.certificatePath])
        let charon = try await CharonDaemon.start(
            swanctlConf: CharonFixture.initiatorConnections([("c1", "aes128-sha256-modp2048")], servePort: server.port,
                                                            localCert: "client.crt"),
            files: ["x509/client.crt": client.certificatePEM, "private/client.key": client.keyPEM,
                    "x509/serve.crt": CharonFixture.serve.certificatePEM],
            ikePort: CharonFixture.charonPort())
        defer { charon.removeFiles() }
        try await charon.loadAll()
        let outcome = try await charon.initiate(ike: "c1")
        #expect(outcome.status == 0, "\(outcome)\n\(charon.log)")
        // Our CERTREQ named the CA (charon does not hold it, hence "unknown"); charon answered with its certificate.
        #expect(charon.log.contains("received cert request for unknown ca 'C=CH, O=ikebench CA, CN=Interop CA'"), "\(charon.log)")
        #expect(charon.log.contains("sending end entity cert \"C=CH, O=ikebench, CN=client.interop.example\""), "\(charon.log)")
        let service = server.service
        try await server.stop()
        #expect(service.counters[.established] == 1)
    }

    /// charon trusting only a CA sends its CERTREQ in message 5 (not 3); serve
    /// once answered only a message 3 CERTREQ, sent message 6 without CERT, and
    /// charon failed with "no trusted RSA public key found for 'serve…'".
    @Test("charon trusting only our CA asks in message 5 and gets our certificate in message 6", .timeLimit(.minutes(3)))
    func charonTrustsOnlyOurCA() async throws {
        let dir = CharonFixture.directory.appendingPathComponent("serve-ca")
        let ca = try TestCertificate.make(subject: "/C=CH/O=ikebench CA/CN=Serve CA", dnsName: "serve-ca.interop.example", in: dir)
        let served = try TestCertificate.make(subject: "/C=CH/O=ikebench/CN=serve.ikebench.example",
                                              dnsName: "serve.ikebench.example", issuedBy: ca, in: dir)
        let server = try await CharonFixture.startServer(identity: served)
        var connection = CharonFixture.toServe(name: "c1", proposal: "aes128-sha256-modp2048")
        connection.remotePort = server.port
        connection.rekeyTime = 0
        connection.remoteCACertificate = "serve-ca.crt"
        let charon = try await CharonDaemon.start(
            swanctlConf: SwanctlConf([connection]),
            files: ["x509/peer.crt": CharonFixture.peer.certificatePEM, "private/peer.key": CharonFixture.peer.keyPEM,
                    "x509ca/serve-ca.crt": ca.certificatePEM],
            ikePort: CharonFixture.charonPort())
        defer { charon.removeFiles() }
        try await charon.loadAll()
        let outcome = try await charon.initiate(ike: "c1")
        #expect(outcome.status == 0, "\(outcome)\n\(charon.log)")
        #expect(charon.log.contains("received end entity cert \"C=CH, O=ikebench, CN=serve.ikebench.example\""), "\(charon.log)")
        let service = server.service
        try await server.stop()
        #expect(service.counters[.established] == 1)
    }

    @Test("an untrusted peer is refused and charon sees the Notify", .timeLimit(.minutes(3)))
    func untrustedPeerRefused() async throws {
        let server = try await CharonFixture.startServer(trust: [CharonFixture.stranger.certificatePath])
        let charon = try await CharonDaemon.start(
            swanctlConf: CharonFixture.initiatorConnections([("c1", "aes128-sha256-modp2048")], servePort: server.port),
            files: CharonFixture.charonFiles, ikePort: CharonFixture.charonPort())
        defer { charon.removeFiles() }
        try await charon.loadAll()
        let outcome = try await charon.initiate(ike: "c1", timeout: 30)
        #expect(outcome.status != 0, "\(outcome)")
        let log = charon.log
        #expect(log.contains("AUTHENTICATION_FAILED") || log.contains("INVALID_ID_INFORMATION"), "\(log)")
        let service = server.service
        try await server.stop()
        #expect(service.counters[.established] == 0)
        #expect(service.counters[.failed] >= 1)
        #expect(service.counters[.notifiesSent] >= 1)
    }

    @Test("a proposal we do not accept is refused with NO-PROPOSAL-CHOSEN", .timeLimit(.minutes(3)))
    func noProposalChosen() async throws {
        let server = try await CharonFixture.startServer(suites: [IKESuite(proposalName: "aes256-sha256-modp2048")!])
        let charon = try await CharonDaemon.start(
            swanctlConf: CharonFixture.initiatorConnections([("c1", "3des-sha1-modp1024")], servePort: server.port),
            files: CharonFixture.charonFiles, ikePort: CharonFixture.charonPort())
        defer { charon.removeFiles() }
        try await charon.loadAll()
        let outcome = try await charon.initiate(ike: "c1", timeout: 30)
        #expect(outcome.status != 0, "\(outcome)")
        #expect(charon.log.contains("NO_PROPOSAL_CHOSEN"), "\(charon.log)")
        let service = server.service
        try await server.stop()
        #expect(service.counters[.notifiesSent] >= 1)
    }
}
