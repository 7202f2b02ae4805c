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

/// strongSwan's charon as an IKEv2 initiator against `ikebench serve` on
/// loopback (IKE_SA_INIT, IKE_AUTH with RSA certificates; childless, MOBIKE
/// off). Each test starts its own charon and ends it by pid.
@Suite("charon → ikebench serve, IKEv2", .serialized, .enabled(if: CharonDaemon.isAvailable))
struct CharonIKEv2ServeTests {
    /// An in-process serve answering both versions on one port.
    static func startServer(identity own: TestCertificate = CharonFixture.serve,
                            trust: [String] = [CharonFixture.peer.certificatePath], ikev2Suites: [IKEv2Suite] = IKEv2Suite.defaultResponderSuites,
                            fragmentSize: Int? = 1280, recorder: NegotiationRecorder? = nil,
                            cookies: IKEv2CookiePolicy = .strongSwanDefaults) async throws -> UDPResponderServer {
        let framework = try CryptoFramework(platform: .host, policy: .inMemory(Policy()))
        let identity = try IdentityFiles.load(keyPath: own.keyPath, certificatePath: own.certificatePath,
                                              id: CharonFixture.serveID, framework: framework)
        let peers = try PeerTrust.load(pemFiles: trust)
        let v2 = IKEv2ResponderConfiguration(suites: ikev2Suites, identity: try #require(IKEv2Identity(identity)), peers: peers,
                                             certificateAuthorities: peers.authorityKeyHashes(framework: framework), fragmentSize: fragmentSize)
        let observer: any ResponderObserver = recorder.map { RecordingObserver(recorder: $0) } ?? SilentResponderObserver()
        let service = ResponderService(ResponderServiceConfiguration(
            responder: MainModeResponderConfiguration(suites: IKESuite.defaultResponderSuites, identity: identity, peers: peers),
            framework: framework, ikev2: v2, ikev2Cookies: cookies), observer: observer)
        return try await UDPResponderServer.start(service, host: "127.0.0.1", port: 0)
    }

    /// serve's side for a failure message: every counter.
    static func counters(_ service: ResponderService) -> String {
        "serve: " + ServerCounters.Name.allCases.map { "\($0.rawValue)=\(service.counters[$0])" }.joined(separator: " ")
    }

    static func connection(_ name: String, _ proposal: String, port: Int, localCert: String = "peer.crt") -> CharonConnection {
        var c = CharonFixture.toServe(name: name, proposal: proposal, localCert: localCert)
        c.version = 2
        c.remotePort = port
        c.rekeyTime = 0
        return c
    }

    @Test("proposals establish with RSA certificates", .timeLimit(.minutes(3)))
    func proposals() async throws {
        let recorder = NegotiationRecorder()
        let server = try await Self.startServer(recorder: recorder)
        let proposals = [("m14", "aes128-sha256-modp2048"), ("e384", "aes256-sha384-ecp384"), ("x255", "aes128-sha256-x25519"),
                         ("g384", "aes256gcm16-prfsha384-ecp384")]
        let charon = try await CharonDaemon.start(
            swanctlConf: SwanctlConf(proposals.map { Self.connection($0.0, $0.1, port: server.port) }),
            files: CharonFixture.charonFiles, ikePort: CharonFixture.charonPort())
        defer { charon.removeFiles() }
        try await charon.loadAll()
        for (name, _) in proposals {
            let outcome = try await charon.initiate(ike: name)
            #expect(outcome.status == 0, "\(name): \(outcome)\n\(charon.log.suffix(4000))\n\(Self.counters(server.service))")
            #expect(outcome.standardOutput.contains("IKE_SA \(name)[") && outcome.standardOutput.contains("established"), "\(outcome.standardOutput)")
        }
        let listed = try await charon.swanctl(["--list-sas"]).standardOutput
        #expect(listed.contains("IKEv2") && listed.contains("ESTABLISHED"), "\(listed)")
        // charon deletes one SA: the responder answers and forgets it.
        _ = try await charon.terminate(ike: "m14")
        let service = server.service
        _ = try await Polling.until(timeout: 10, interval: 0.05) { service.counters[.deleted] >= 1 }
        // The recorder hears of an SA just after its IKE_AUTH response is sent.
        _ = try await Polling.until(timeout: 10, interval: 0.05) { recorder.negotiations >= 4 }
        try await server.stop()
        #expect(service.counters[.established] == 4)
        #expect(service.counters[.deleted] == 1)
        #expect(recorder.negotiations == 4)
        let report = recorder.report(framework: service.configuration.framework, rsaBits: 2048, suite: IKETestSupport.suite())
        #expect(report.operations.contains { $0.name == "rsa-verify" })
        #expect(report.operations.contains { $0.name == "dh-derive" })
        // The report names IKEv2 and what charon negotiated, not the IKEv1 fallback suite.
        #expect(report.ike == 2)
        #expect(Set((report.proposal ?? "").components(separatedBy: ", ")) == Set(proposals.map(\.1)), "\(report.proposal ?? "nil")")
        // GCM went through CKM_AES_GCM (RFC 5282), CBC through CKM_AES_CBC and its HMAC.
        #expect(report.operations.contains { $0.name == "decrypt" && $0.mechanism == "CKM_AES_GCM" }, "\(report.operations.map(\.mechanism))")
        #expect(report.operations.contains { $0.name == "decrypt" && $0.mechanism == "CKM_AES_CBC" })
    }

    /// Both sides with `kind` keys (self-signed certificates, each trusting the
    /// other's): charon initiates `proposal` and both AUTH payloads verify.
    func establishWithKeys(_ kind: String, proposal: String, charonSays: String) async throws {
        let dir = CharonFixture.directory.appendingPathComponent("keys-\(kind)")
        let make: (String, String) throws -> TestCertificate = { subject, dns in
            kind == "ed25519" ? try TestCertificate.makeEd25519(subject: subject, dnsName: dns, in: dir)
                              : try TestCertificate.makeEC(subject: subject, dnsName: dns, curve: "P-256", in: dir)
        }
        let own = try make("/C=CH/O=ikebench/CN=serve.ikebench.example", "serve.ikebench.example")
        let peer = try make("/C=CH/O=ikebench/CN=peer.ikebench.example", "peer.ikebench.example")
        let recorder = NegotiationRecorder()
        let server = try await Self.startServer(identity: own, trust: [peer.certificatePath],
                                                ikev2Suites: [IKEv2Suite(proposalName: proposal)!], recorder: recorder)
        let charon = try await CharonDaemon.start(
            swanctlConf: SwanctlConf([Self.connection("k1", proposal, port: server.port)]),
            files: ["x509/peer.crt": peer.certificatePEM, "private/peer.key": peer.keyPEM, "x509/serve.crt": own.certificatePEM],
            ikePort: CharonFixture.charonPort())
        defer { charon.removeFiles() }
        try await charon.loadAll()
        let outcome = try await charon.initiate(ike: "k1")
        #expect(outcome.status == 0, "\(outcome)\n\(charon.log.suffix(4000))")
        // charon verified our AUTH with the method it names.
        #expect(charon.log.contains("authentication of 'serve.ikebench.example' with \(charonSays) successful"), "\(charon.log.suffix(4000))")
        let service = server.service
        _ = try await Polling.until(timeout: 10, interval: 0.05) { recorder.negotiations >= 1 }
        try await server.stop()
        #expect(service.counters[.established] == 1)
        let report = recorder.report(framework: service.configuration.framework, rsaBits: 256, suite: IKETestSupport.suite())
        #expect(report.operations.contains { $0.name == "ec-sign" }, "\(report.operations.map(\.name))")
        #expect(report.operations.contains { $0.name == "ec-verify" }, "\(report.operations.map(\.name))")
        #expect(!report.operations.contains { $0.name == "rsa-sign" || $0.name == "rsa-verify" })
    }

    @Test("ECDSA P-256 keys on both sides (ecp256): serve signs and verifies ECDSA", .timeLimit(.minutes(3)))
    func ecdsaKeys() async throws {
        try await establishWithKeys("ecdsa", proposal: "aes128-sha256-ecp256", charonSays: "ECDSA_WITH_SHA256_DER")
    }

    @Test("Ed25519 keys on both sides (x25519): RFC 7427 Digital Signature with Ed25519 (RFC 8420)", .timeLimit(.minutes(3)))
    func ed25519Keys() async throws {
        try await establishWithKeys("ed25519", proposal: "aes128-sha256-x25519", charonSays: "ED25519")
    }

    /// charon sends INITIAL_CONTACT in IKE_AUTH when it holds no IKE SA with
    /// the peer's identity (ike_auth.c, `has_contact`), so each of two charons
    /// under one certificate, on one address, sends it: the second one's tells
    /// serve that the first one's SA is stale (RFC 7296 §2.4).
    @Test("two charons under one identity in a row: the second's INITIAL_CONTACT leaves serve with one SA", .timeLimit(.minutes(3)))
    func initialContact() async throws {
        let server = try await Self.startServer()
        let conf = SwanctlConf([Self.connection("c1", "aes128-sha256-ecp256", port: server.port)])
        let first = try await CharonDaemon.start(name: "charon-ic1", swanctlConf: conf, files: CharonFixture.charonFiles,
                                                 ikePort: CharonFixture.charonPort())
        defer { first.removeFiles() }
        try await first.loadAll()
        let one = try await first.initiate(ike: "c1")
        #expect(one.status == 0, "\(one)\n\(first.log.suffix(4000))")
        let second = try await CharonDaemon.start(name: "charon-ic2", swanctlConf: conf, files: CharonFixture.charonFiles,
                                                  ikePort: CharonFixture.charonPort())
        defer { second.removeFiles() }
        try await second.loadAll()
        let two = try await second.initiate(ike: "c1")
        #expect(two.status == 0, "\(two)\n\(second.log.suffix(4000))")
        #expect(second.log.contains("N(INIT_CONTACT)"), "\(second.log.suffix(4000))")
        let service = server.service
        #expect(service.counters[.established] == 2, "\(Self.counters(service))")
        #expect(service.counters[.deleted] == 1, "\(Self.counters(service))")
        #expect(service.exchangeCount == 1)
        // The first charon's DELETE names an SPI serve has forgotten: unanswered, charon
        // may retransmit it before it gives up (--force), each copy counted; nothing more is deleted.
        _ = try await first.swanctl(["--terminate", "--ike", "c1", "--force", "--timeout", "1"], timeout: 30)
        _ = try await Polling.until(timeout: 10, interval: 0.05) { service.counters[.unknownCookies] >= 1 }
        try await server.stop()
        #expect(service.counters[.unknownCookies] >= 1, "\(Self.counters(service))")
        #expect(service.counters[.deleted] == 1, "\(Self.counters(service))")
        #expect(first.log.split(separator: "\n").contains { $0.contains("generating INFORMATIONAL request") && $0.hasSuffix("[ D ]") },
                "\(first.log.suffix(3000))")
    }

    @Test("a peer whose certificate a trusted CA issued is accepted (CERTREQ → CERT)", .timeLimit(.minutes(3)))
    func peerCertifiedByCA() async throws {
        let dir = CharonFixture.directory.appendingPathComponent("ca-v2")
        let ca = try TestCertificate.make(subject: "/C=CH/O=ikebench CA/CN=Interop CA 2", dnsName: "ca2.interop.example", in: dir)
        let client = try TestCertificate.make(subject: "/C=CH/O=ikebench/CN=client2.interop.example",
                                              dnsName: "client2.interop.example", issuedBy: ca, in: dir)
        let server = try await Self.startServer(trust: [ca.certificatePath])
        let charon = try await CharonDaemon.start(
            swanctlConf: SwanctlConf([Self.connection("c1", "aes128-sha256-modp2048", port: server.port, localCert: "client.crt")]),
            files: ["x509/client.crt": client.certificatePEM, "private/client.key": client.keyPEM,
                    "x509/serve.crt": CharonFixture.serve.certificatePEM],
            ikePort: CharonFixture.charonPort())
        defer { charon.removeFiles() }
        try await charon.loadAll()
        let outcome = try await charon.initiate(ike: "c1")
        #expect(outcome.status == 0, "\(outcome)\n\(charon.log.suffix(4000))")
        #expect(charon.log.contains("sending end entity cert \"C=CH, O=ikebench, CN=client2.interop.example\""), "\(charon.log.suffix(4000))")
        let service = server.service
        try await server.stop()
        #expect(service.counters[.established] == 1)
    }

    @Test("an untrusted key is refused with AUTHENTICATION_FAILED, which charon logs", .timeLimit(.minutes(3)))
    func untrusted() async throws {
        let server = try await Self.startServer(trust: [CharonFixture.stranger.certificatePath])
        let charon = try await CharonDaemon.start(
            swanctlConf: SwanctlConf([Self.connection("c1", "aes128-sha256-modp2048", port: server.port)]),
            files: CharonFixture.charonFiles, ikePort: CharonFixture.charonPort())
        defer { charon.removeFiles() }
        try await charon.loadAll()
        let outcome = try await charon.initiate(ike: "c1", timeout: 30)
        #expect(outcome.status != 0, "\(outcome)")
        #expect(charon.log.contains("AUTHENTICATION_FAILED"), "\(charon.log.suffix(4000))")
        let service = server.service
        try await server.stop()
        #expect(service.counters[.established] == 0)
        #expect(service.counters[.notifiesSent] >= 1)
    }

    @Test("INVALID_KE_PAYLOAD makes charon retry with our group; NO_PROPOSAL_CHOSEN ends it", .timeLimit(.minutes(3)))
    func refusals() async throws {
        let server = try await Self.startServer(ikev2Suites: [IKEv2Suite(proposalName: "aes128-sha256-modp2048")!])
        let charon = try await CharonDaemon.start(
            swanctlConf: SwanctlConf([Self.connection("ke", "aes128-sha256-ecp256-modp2048", port: server.port),
                                      Self.connection("np", "aes256-sha512-ecp384", port: server.port)]),
            files: CharonFixture.charonFiles, ikePort: CharonFixture.charonPort())
        defer { charon.removeFiles() }
        try await charon.loadAll()
        let ke = try await charon.initiate(ike: "ke")
        #expect(ke.status == 0, "\(ke)\n\(charon.log.suffix(4000))")
        #expect(charon.log.contains("peer didn't accept DH group ECP_256, it requested MODP_2048"), "\(charon.log.suffix(4000))")
        let np = try await charon.initiate(ike: "np", timeout: 30)
        #expect(np.status != 0)
        #expect(charon.log.contains("NO_PROPOSAL_CHOSEN"), "\(charon.log.suffix(4000))")
        let service = server.service
        try await server.stop()
        #expect(service.counters[.established] == 1)
    }

    @Test("fragmentation with a small datagram size (RFC 7383): our IKE_AUTH response goes in fragments", .timeLimit(.minutes(3)))
    func fragments() async throws {
        let server = try await Self.startServer(fragmentSize: 576)
        var c = Self.connection("c1", "aes128-sha256-modp2048", port: server.port)
        c.fragmentation = "yes"
        let charon = try await CharonDaemon.start(swanctlConf: SwanctlConf([c]), files: CharonFixture.charonFiles,
                                                  ikePort: CharonFixture.charonPort())
        defer { charon.removeFiles() }
        try await charon.loadAll()
        let outcome = try await charon.initiate(ike: "c1")
        #expect(outcome.status == 0, "\(outcome)\n\(charon.log.suffix(4000))")
        #expect(charon.log.contains("received fragment #1 of"), "\(charon.log.suffix(4000))")
        let service = server.service
        try await server.stop()
        #expect(service.counters[.established] == 1)
    }

    @Test("the serve binary answers IKEv1 and IKEv2 on one port (--negotiations 2 --json)", .timeLimit(.minutes(3)))
    func bothVersionsOnOnePort() async throws {
        let dir = CharonFixture.directory.appendingPathComponent("serve-v2-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = CharonFixture.serve
        let (serve, servePort) = try await IKEBenchBinary.startServe(
            ["--port", "0", "--key", s.keyPath, "--cert", s.certificatePath, "--id", CharonFixture.serveID,
             "--trust", CharonFixture.peer.certificatePath, "--ikev2-proposal", "aes128-sha256-ecp256", "--negotiations", "2", "--json"],
            policy: dir.appendingPathComponent("kcf.conf"))
        defer { serve.terminate() }
        var v1 = CharonFixture.toServe(name: "v1", proposal: "aes128-sha256-modp2048")
        v1.remotePort = servePort
        let charon = try await CharonDaemon.start(
            swanctlConf: SwanctlConf([v1, Self.connection("v2", "aes128-sha256-ecp256", port: servePort)]),
            files: CharonFixture.charonFiles, ikePort: CharonFixture.charonPort())
        defer { charon.removeFiles() }
        try await charon.loadAll()
        for name in ["v1", "v2"] {
            let outcome = try await charon.initiate(ike: name)
            #expect(outcome.status == 0, "\(name): \(outcome)\n\(charon.log.suffix(3000))")
        }
        let listed = try await charon.swanctl(["--list-sas"]).standardOutput
        #expect(listed.contains("IKEv1") && listed.contains("IKEv2"), "\(listed)")
        #expect(try await Polling.until(interval: 0.05) { !serve.isRunning })
        let report = try #require(try JSONSerialization.jsonObject(with: Data(serve.standardOutput.utf8)) as? [String: Any])
        #expect(report["negotiations"] as? Int == 2)
        // IKEv2's proposal is named, and the IKEv1 Main Mode beside it counted.
        #expect(report["ike"] as? Int == 2 && report["proposal"] as? String == "aes128-sha256-ecp256", "\(report)")
        let share = try #require(report["alsoIKEv1"] as? [String: Any], "\(report)")
        #expect(share["negotiations"] as? Int == 1 && share["ikev2Negotiations"] as? Int == 1 && share["proposal"] as? String == "aes128-sha256-modp2048")
        let operations = try #require(report["operations"] as? [[String: Any]])
        #expect(operations.contains { $0["name"] as? String == "dh-derive" && $0["mechanism"] as? String == "CKM_ECDH1_DERIVE" })
    }

    @Test("a charon whose IKE port is held elsewhere fails at start, saying so, instead of timing out every exchange",
          .timeLimit(.minutes(3)))
    func portTaken() async throws {
        let port = try #require(CharonPorts.freePair())
        // Hold the port as any program would (no SO_REUSEADDR).
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0)
        #expect(!CharonPorts.isFree(port) && CharonPorts.isFree(port + 1))
        do {
            let charon = try await CharonDaemon.start(swanctlConf: SwanctlConf([Self.connection("c1", "aes128-sha256-ecp256", port: 1)]),
                                                      files: CharonFixture.charonFiles, ikePort: port)
            charon.removeFiles()
            Issue.record("charon started on a port held elsewhere")
        } catch let e as ChildProcess.Failure {
            #expect(e.description.contains("could not bind UDP port \(port)"), "\(e)")
        }
    }

    @Test("cookies forced with a threshold of 0: charon answers the COOKIE and establishes", .timeLimit(.minutes(3)))
    func cookies() async throws {
        let server = try await Self.startServer(cookies: IKEv2CookiePolicy(threshold: 0, thresholdPerAddress: 0))
        let charon = try await CharonDaemon.start(
            swanctlConf: SwanctlConf([Self.connection("c1", "aes128-sha256-ecp256", port: server.port)]),
            files: CharonFixture.charonFiles, ikePort: CharonFixture.charonPort())
        defer { charon.removeFiles() }
        try await charon.loadAll()
        let outcome = try await charon.initiate(ike: "c1")
        #expect(outcome.status == 0, "\(outcome)\n\(charon.log.suffix(4000))")
        #expect(charon.log.contains("N(COOKIE)"), "\(charon.log.suffix(4000))")
        let service = server.service
        try await server.stop()
        #expect(service.counters[.established] == 1)
    }

    @Test("our initiator over UDP answers the COOKIE too; a forged cookie is dropped", .timeLimit(.minutes(3)))
    func cookiesOurInitiator() async throws {
        let server = try await Self.startServer(cookies: IKEv2CookiePolicy(threshold: 0, thresholdPerAddress: 0))
        let identity = try IdentityFiles.load(keyPath: CharonFixture.peer.keyPath, certificatePath: CharonFixture.peer.certificatePath, id: nil)
        let initiator = IKEv2PeerInitiator(
            configuration: IKEv2InitiatorConfiguration(suites: [IKEv2Suite(proposalName: "aes128-sha256-ecp256")!],
                                                       identity: try #require(IKEv2Identity(identity)),
                                                       peers: try PeerTrust.load(pemFiles: [CharonFixture.serve.certificatePath]),
                                                       requestChildSA: false, sendCertificate: true),
            framework: try CryptoFramework(platform: .host, policy: .inMemory(Policy())), timeoutSeconds: 2)
        let client = try await UDPDatagramClient.connect(host: "127.0.0.1", port: server.port, localHost: "127.0.0.1")
        _ = try await initiator.negotiate(over: client)
        // The answer to our Delete (an empty INFORMATIONAL response) comes first.
        let deleteAnswer = try #require(await client.receive(timeout: 5))
        #expect(try IKEv2Message.parse(NonESPMarker.strip(deleteAnswer).message).header.exchange == .informational)
        // An IKE_SA_INIT whose COOKIE is not ours gets nothing, and opens no exchange.
        let pair = IKEv2Initiator(configuration: initiator.configuration, session: IKECryptoSession(framework: initiator.framework))
        var forged = try IKEv2Message.parse(try await pair.start())
        forged.payloads.insert(.notify(IKEv2Notify(type: IKEv2Notify.Status.cookie, data: [1] + [UInt8](repeating: 0xEE, count: 32))), at: 0)
        client.send(forged.encoded())
        #expect(await client.receive(timeout: 1) == nil)
        await client.close()
        let service = server.service
        try await server.stop()
        #expect(service.counters[.established] == 1)
        #expect(service.counters[.notifiesSent] == 1)  // the one COOKIE challenge
        #expect(service.counters[.malformed] >= 1)  // the forged cookie, dropped
    }
}
