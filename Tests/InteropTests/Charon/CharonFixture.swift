import Charon
import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import IKEServer
import Providers
import IKETestKit
import TestSupport

/// Certificates and configuration text the charon interop tests share.
enum CharonFixture {
    static let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ikebench-interop-\(getpid())")
    /// Our side (`ikebench serve`, or our initiator with --peer).
    static let serve = try! TestCertificate.make(subject: "/C=CH/O=ikebench/CN=serve.ikebench.example",
                                                 dnsName: "serve.ikebench.example", in: directory)
    /// charon's side.
    static let peer = try! TestCertificate.make(subject: "/C=CH/O=ikebench/CN=peer.ikebench.example",
                                                dnsName: "peer.ikebench.example", in: directory)
    /// Someone nobody trusts.
    static let stranger = try! TestCertificate.make(subject: "/C=CH/O=elsewhere/CN=stranger.example",
                                                    dnsName: "stranger.example", in: directory)
    static let serveID = "fqdn:serve.ikebench.example"

    /// A pair of UDP ports for charon (IKE, NAT-T), free now and below the ephemeral
    /// range (CharonPorts), random so parallel runs rarely meet.
    static func charonPort() -> Int { CharonPorts.freePair() ?? CharonPorts.range.lowerBound + 2 * Int.random(in: 0..<6_000) }

    /// swanctl connections from charon to `ikebench serve` on `port`, one per (name, proposal); no children.
    static func initiatorConnections(_ connections: [(name: String, proposal: String)], servePort: Int,
                                     localCert: String = "peer.crt") -> SwanctlConf {
        SwanctlConf(connections.map { c in
            var connection = toServe(name: c.name, proposal: c.proposal, localCert: localCert)
            connection.remotePort = servePort
            connection.rekeyTime = 0
            return connection
        })
    }

    /// A connection between charon (`localCert`) and our serve identity.
    static func toServe(name: String, proposal: String, localCert: String = "peer.crt") -> CharonConnection {
        var connection = CharonConnection(name: name, proposal: proposal, localCertificate: localCert, remoteCertificate: "serve.crt")
        connection.remoteID = "serve.ikebench.example"
        return connection
    }

    /// Files charon needs: its certificate and key, and ours to trust.
    static var charonFiles: [String: String] {
        ["x509/peer.crt": peer.certificatePEM, "private/peer.key": peer.keyPEM, "x509/serve.crt": serve.certificatePEM]
    }

    /// An in-process `ikebench serve` on a free port of 127.0.0.1.
    static func startServer(platform: Platform = .host, identity own: TestCertificate = serve, trust: [String] = [peer.certificatePath],
                            suites: [IKESuite] = IKESuite.defaultResponderSuites,
                            limits: ExchangeLimits = ExchangeLimits(),
                            observer: any ResponderObserver = SilentResponderObserver()) async throws -> UDPResponderServer {
        let identity = try IdentityFiles.load(keyPath: own.keyPath, certificatePath: own.certificatePath, id: serveID)
        let peers = try PeerTrust.load(pemFiles: trust)
        let framework = try CryptoFramework(platform: platform, policy: .inMemory(Policy()))
        let service = ResponderService(ResponderServiceConfiguration(
            responder: MainModeResponderConfiguration(suites: suites, identity: identity, peers: peers,
                                                      requestCertificate: peers.hasAuthorities,
                                                          certificateAuthorities: peers.authorityNames),
            framework: framework, limits: limits), observer: observer)
        return try await UDPResponderServer.start(service, host: "127.0.0.1", port: 0)
    }
}
