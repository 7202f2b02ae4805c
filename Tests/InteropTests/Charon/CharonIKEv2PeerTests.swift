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

/// Our IKEv2 initiator (`ikebench run --peer --ike 2`) against charon as the responder (childless).
@Suite("ikebench run --peer --ike 2 → charon", .serialized, .enabled(if: CharonDaemon.isAvailable))
struct CharonIKEv2PeerTests {
    static func responder(port: Int, proposal: String) async throws -> CharonDaemon {
        var c = CharonFixture.toServe(name: "resp", proposal: proposal)
        c.version = 2
        let charon = try await CharonDaemon.start(swanctlConf: SwanctlConf([c]), files: CharonFixture.charonFiles, ikePort: port)
        try await charon.loadAll()
        return charon
    }

    static func initiator(port: Int, proposal: String, trust: String) throws -> IKEv2PeerInitiator {
        let identity = try IdentityFiles.load(keyPath: CharonFixture.serve.keyPath, certificatePath: CharonFixture.serve.certificatePath,
                                              id: CharonFixture.serveID)
        let configuration = IKEv2InitiatorConfiguration(
            suites: [IKEv2Suite(proposalName: proposal)!], identity: IKEv2Identity(identity)!,
            peers: try PeerTrust.load(pemFiles: [trust]), requestChildSA: false, sendCertificate: true)
        return IKEv2PeerInitiator(configuration: configuration, framework: try CryptoFramework(platform: .host, policy: .inMemory(Policy())),
                                  nonESPMarker: PeerInitiator.markerNeeded(peerPort: port), timeoutSeconds: 5)
    }

    @Test("our IKEv2 initiator establishes with charon and deletes the SA", .timeLimit(.minutes(3)),
          arguments: ["aes128-sha256-modp2048", "aes256-sha384-ecp384", "aes256gcm16-prfsha384-ecp384"])
    func initiatorAgainstCharon(proposal: String) async throws {
        let port = CharonFixture.charonPort()
        let charon = try await Self.responder(port: port, proposal: proposal)
        defer { charon.removeFiles() }
        let initiator = try Self.initiator(port: port, proposal: proposal, trust: CharonFixture.peer.certificatePath)
        let client = try await UDPDatagramClient.connect(host: "127.0.0.1", port: port, localHost: "127.0.0.1")
        let (outcome, suite) = try await initiator.negotiateSuite(over: client)
        await client.close()
        #expect(suite.proposalName == proposal)
        // GCM (RFC 5282) seals and opens with CKM_AES_GCM and needs no separate integrity MAC.
        let gcm = suite.encryption.isAEAD
        #expect(outcome.records.contains { $0.name == .decrypt && $0.mechanism == (gcm ? .aesGCM : .aesCBC) })
        #expect(outcome.records.contains { $0.name == .integrity } == !gcm)
        #expect(outcome.records.filter { $0.name == .rsaSign || $0.name == .rsaVerify }.count == 2)
        #expect(charon.log.contains("IKE_SA resp[1] established"), "\(charon.log.suffix(4000))")
        #expect(try await Polling.until(interval: 0.1) { charon.log.contains("received DELETE for IKE_SA") }, "\(charon.log.suffix(4000))")
    }

    @Test("a responder we do not trust is refused", .timeLimit(.minutes(3)))
    func untrustedResponder() async throws {
        let port = CharonFixture.charonPort()
        let charon = try await Self.responder(port: port, proposal: "aes128-sha256-modp2048")
        defer { charon.removeFiles() }
        let initiator = try Self.initiator(port: port, proposal: "aes128-sha256-modp2048", trust: CharonFixture.stranger.certificatePath)
        let client = try await UDPDatagramClient.connect(host: "127.0.0.1", port: port, localHost: "127.0.0.1")
        await #expect(throws: IKEv2Error.self) { _ = try await initiator.negotiate(over: client) }
        await client.close()
    }

    @Test("the run --peer --ike 2 command reports its negotiations and names the proposal charon chose", .timeLimit(.minutes(3)))
    func runPeerCommand() async throws {
        let port = CharonFixture.charonPort()
        let charon = try await Self.responder(port: port, proposal: "aes256gcm16-prfsha384-x25519")
        defer { charon.removeFiles() }
        let s = CharonFixture.serve
        // We offer two; charon takes the only one it has.
        let report = try IKEBenchBinary.run([
            "run", "--peer", "127.0.0.1:\(port)", "--ike", "2", "--ikev2-proposal", "aes128-sha256-x25519",
            "--ikev2-proposal", "aes256gcm16-prfsha384-x25519", "--key", s.keyPath,
            "--cert", s.certificatePath, "--id", CharonFixture.serveID, "--trust", CharonFixture.peer.certificatePath,
            "--negotiations", "3", "--json"])
        #expect(report["negotiations"] as? Int == 3)
        #expect(report["ike"] as? Int == 2)
        #expect(report["proposal"] as? String == "aes256gcm16-prfsha384-x25519")
        #expect(report["cipher"] as? String == "aes256gcm16" && report["prf"] as? String == "sha384" && report["group"] as? Int == 31)
        #expect((report["authentication"] as? String)?.hasPrefix("RSA-") == true, "\(report["authentication"] ?? "")")
        let operations = try #require(report["operations"] as? [[String: Any]])
        #expect(operations.contains { $0["name"] as? String == "dh-derive" && $0["mechanism"] as? String == "CKM_ECDH1_DERIVE" })
    }
}
