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

/// Our initiator (`ikebench run --peer`) against charon as the responder.
@Suite("ikebench run --peer → charon", .serialized, .enabled(if: CharonDaemon.isAvailable))
struct CharonPeerTests {
    /// A charon that answers IKEv1 Main Mode from our serve identity on `port`; no children.
    static func responder(port: Int, proposal: String) async throws -> CharonDaemon {
        let charon = try await CharonDaemon.start(swanctlConf: SwanctlConf([CharonFixture.toServe(name: "resp", proposal: proposal)]),
                                                  files: CharonFixture.charonFiles, ikePort: port)
        try await charon.loadAll()
        return charon
    }

    @Test("our initiator establishes with charon and deletes the SA", .timeLimit(.minutes(3)),
          arguments: ["3des-sha1-modp1024", "aes128-sha256-modp2048"])
    func initiatorAgainstCharon(proposal: String) async throws {
        let port = CharonFixture.charonPort()
        let charon = try await Self.responder(port: port, proposal: proposal)
        defer { charon.removeFiles() }
        let identity = try IdentityFiles.load(keyPath: CharonFixture.serve.keyPath, certificatePath: CharonFixture.serve.certificatePath,
                                              id: CharonFixture.serveID)
        let initiator = PeerInitiator(
            suite: IKESuite(proposalName: proposal)!, identity: identity,
            responders: try PeerTrust.load(pemFiles: [CharonFixture.peer.certificatePath]),
            framework: try CryptoFramework(platform: .host, policy: .inMemory(Policy())),
            nonESPMarker: PeerInitiator.markerNeeded(peerPort: port), timeoutSeconds: 5)
        let client = try await UDPDatagramClient.connect(host: "127.0.0.1", port: port, localHost: "127.0.0.1")
        let outcome = try await initiator.negotiate(over: client)
        await client.close()
        #expect(outcome.hostNanoseconds > 0)
        #expect(outcome.records.filter { $0.name == .rsaSign || $0.name == .rsaVerify }.count == 2)
        #expect(charon.log.contains("established"), "\(charon.log)")
        // Our informational DELETE makes charon drop the SA (polled, bounded).
        #expect(try await Polling.until(interval: 0.1) { charon.log.contains("received DELETE for IKE_SA") }, "\(charon.log)")
    }

    @Test("a responder we do not trust is refused", .timeLimit(.minutes(3)))
    func untrustedResponder() async throws {
        let port = CharonFixture.charonPort()
        let charon = try await Self.responder(port: port, proposal: "aes128-sha256-modp2048")
        defer { charon.removeFiles() }
        let identity = try IdentityFiles.load(keyPath: CharonFixture.serve.keyPath, certificatePath: CharonFixture.serve.certificatePath,
                                              id: CharonFixture.serveID)
        let initiator = PeerInitiator(
            suite: IKESuite(proposalName: "aes128-sha256-modp2048")!, identity: identity,
            responders: try PeerTrust.load(pemFiles: [CharonFixture.stranger.certificatePath]),
            framework: try CryptoFramework(platform: .host, policy: .inMemory(Policy())),
            nonESPMarker: PeerInitiator.markerNeeded(peerPort: port), timeoutSeconds: 5)
        let client = try await UDPDatagramClient.connect(host: "127.0.0.1", port: port, localHost: "127.0.0.1")
        await #expect(throws: ISAKMPError.self) { _ = try await initiator.negotiate(over: client) }
        await client.close()
    }

    @Test("the ikebench run --peer command reports negotiations as run does", .timeLimit(.minutes(3)))
    func runPeerCommand() async throws {
        let port = CharonFixture.charonPort()
        let charon = try await Self.responder(port: port, proposal: "aes128-sha256-modp2048")
        defer { charon.removeFiles() }
        let s = CharonFixture.serve
        // Blocking while ikebench runs: the responder is another process, nothing here needs the cooperative pool.
        let report = try IKEBenchBinary.run([
                "run", "--peer", "127.0.0.1:\(port)", "--key", s.keyPath, "--cert", s.certificatePath,
                "--id", CharonFixture.serveID, "--trust", CharonFixture.peer.certificatePath,
                "--group", "14", "--prf", "sha256", "--cipher", "aes128", "--negotiations", "3", "--json"])
        #expect(report["negotiations"] as? Int == 3)
        try IKEBenchBinary.checkRun(report, modeled: false)
    }
}
