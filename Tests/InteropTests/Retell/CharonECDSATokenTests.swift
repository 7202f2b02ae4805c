import Charon
import CryptoFramework
import Foundation
import IKEProtocol
import IKEServer
import ProcessSupport
import Providers
import Retell
import Testing

/// strongSwan's charon with its ECDSA P-256 key on the framework's PKCS#11
/// module (pkcs11 plugin: the private key by CKA_ID) establishes an IKEv1 SA with an `ecp256` proposal against
/// `ikebench serve`, itself signing with an ECDSA P-256 key (RFC 4754 method
/// 9, RFC 5903 group 19). The pkcs11 plugin runs with `use_ecc = yes`, so
/// charon also verifies ECDSA signatures on the module (serve's SIG_R, and
/// certificate signatures, with the public keys imported by C_CreateObject).
/// Its ECDH stays in its openssl plugin (`use_dh = no`): strongSwan 5.9.8's
/// pkcs11 ECDH hands C_DeriveKey a pPublicData that points into a stack frame
/// already returned from, so no module can see the peer's point (docs/ike.md).
/// The charon runs with its own configuration, vici socket and private /run,
/// and is ended by its pid.
@Suite("charon with an ECDSA key on the module → ikebench serve", .serialized)
struct CharonECDSATokenTests {
    @Test("ECDSA P-256 on the token, aes128-sha256-ecp256: the IKE SA is established and the module signed", .timeLimit(.minutes(3)))
    func ecp256() async throws {
        if let missing = RetellModule.charonMissing { Issue.record(Comment(rawValue: missing)); return }
        try #require(RetellModule.isBuilt, "\(RetellModule.modulePath) is missing: swift build --product CryptoFrameworkPKCS11")
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("cf-charon-ecdsa-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("keystore"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        // "responder" is charon's key (on the token), "initiator" serve's (in a file).
        var credentials = RetellCredentials(directory: directory, keyKind: .ec(.p256))
        try await credentials.make()
        let kstats = directory.appendingPathComponent("kstat")
        let moduleEnvironment = [
            FrameworkEnvironment.keystore.name: directory.appendingPathComponent("keystore").path,
            FrameworkEnvironment.conf.name: directory.appendingPathComponent("kcf.conf").path,
            FrameworkEnvironment.platform.name: Platform.host.name,
            FrameworkEnvironment.kstatDirectory.name: kstats.path,
            FrameworkEnvironment.trace.name: "1",
            FrameworkEnvironment.traceFile.name: directory.appendingPathComponent("trace").path,
        ]
        var trace: String { (try? String(contentsOf: directory.appendingPathComponent("trace"), encoding: .utf8)) ?? "" }
        try await credentials.writeToToken(module: RetellModule.modulePath, environment: moduleEnvironment)

        // serve: our ECDSA identity, charon's certificate trusted, one EC proposal.
        let identity = try IdentityFiles.load(keyPath: credentials.initiatorKey.path,
                                              certificatePath: credentials.initiatorCertificate.path, id: "fqdn:initiator.retell.example")
        #expect(identity.authentication == .ecdsaP256)
        let suite = IKESuite(proposalName: "aes128-sha256-ecp256")!.authenticated(by: .ecdsaP256)
        let framework = try CryptoFramework(platform: .host, policy: .inMemory(Policy()))
        let service = ResponderService(ResponderServiceConfiguration(
            responder: MainModeResponderConfiguration(suites: [suite], identity: identity,
                                                      peers: try PeerTrust.load(pemFiles: [credentials.responderCertificate.path])),
            framework: framework))
        let server = try await UDPResponderServer.start(service, host: "127.0.0.1", port: 0)

        var settings = CharonSettings(ikePort: CharonFixture.charonPort(), plugins: [
            "pkcs11", "random", "nonce", "pkcs1", "pkcs8", "pem", "x509", "pubkey", "openssl", "hmac", "sha1", "sha2",
            "kernel-netlink", "socket-default", "vici",
        ])
        settings.pkcs11Module = RetellModule.modulePath
        settings.pkcs11UseECC = true
        settings.pkcs11UseDH = false
        settings.retransmitTimeout = 2
        settings.retransmitTries = 3
        settings.logLevels = ["default": 1, "ike": 2, "lib": 2]
        var connection = CharonConnection(name: "ecdsa", proposal: "aes128-sha256-ecp256",
                                          localCertificate: "charon.crt", remoteCertificate: "serve.crt")
        connection.remotePort = server.port
        connection.remoteID = "initiator.retell.example"
        connection.rekeyTime = 0
        var conf = SwanctlConf([connection])
        conf.tokenKeys = [.init(keyID: credentials.responderKeyID, pin: RetellCredentials.userPIN)]
        let files = [
            "x509/charon.crt": try String(contentsOf: credentials.responderCertificate, encoding: .utf8),
            "x509/serve.crt": try String(contentsOf: credentials.initiatorCertificate, encoding: .utf8),
        ]
        let charon = try await CharonDaemon.start(in: directory.appendingPathComponent("charon"), settings: settings,
                                                  swanctlConf: conf, files: files, environment: moduleEnvironment)
        defer { charon.stop() }
        try await charon.loadAll()
        #expect(charon.log.contains("loaded ECDSA private key from token"), "\(charon.log.suffix(3000))")

        let outcome = try await charon.initiate(ike: "ecdsa", timeout: 30)
        let output = outcome.standardOutput
        #expect(outcome.status == 0 && output.contains("IKE_SA ecdsa[") && output.contains("established"),
                "\(output)\n\(charon.log.suffix(4000))\nmodule trace:\n\(trace.suffix(3000))")
        try await server.stop()
        #expect(service.counters[.established] == 1)

        // charon's half on the module: its signature (CKM_ECDSA with the token key).
        // The module publishes what it served.
        var served: [String: Int] = [:]
        _ = try? await Polling.until(timeout: 10, interval: 0.25) {
            let documents = (try? KstatDirectory.read(kstats).filter { $0.pid == charon.pid }) ?? []
            served = documents.first.map { d in
                d.providers.reduce(into: [:]) { total, p in total.merge(p.stats.served) { $0 + $1 } }
            } ?? [:]
            return (served["signEC"] ?? 0) >= 1 && (served["verifyEC"] ?? 0) >= 1
        }
        #expect(served["signEC"] == 1, "\(served)")
        // Our SIG_R, checked by charon on the module (use_ecc), and with it the ECDSA
        // certificate signatures charon checks while it builds trust (8 in all, seen).
        #expect((served["verifyEC"] ?? 0) >= 1, "\(served)")
        // charon's ECDH is not the module's (use_dh = no).
        #expect(served["deriveECDH"] == nil, "\(served)")
        // serve's side: ECDH on P-256 and ECDSA, through its framework.
        let ours = framework.providers.map(\.name).compactMap { framework.stats(for: $0)?.served }
            .reduce(into: [String: Int]()) { total, served in total.merge(served) { $0 + $1 } }
        for operation in ["generateECKeyPair", "deriveECDH", "signEC", "verifyEC"] {
            #expect(ours[operation] == 1, "\(operation): \(ours)")
        }
    }
}
