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

/// `ikebench serve --platform t2000` once let each provider pick its own DH
/// private length: ncp/0 drew short values (the group's default) and sparcfp
/// full-length ones (softtoken's), so a `cryptoadm disable provider=ncp/0`
/// while serving compared two configurations. Now serve sets the length
/// (`--dh-private`, default full, as `compare`) and every provider draws it;
/// `--overhead` adds compare's non-cryptographic time to the modeled figures.
@Suite("serve --dh-private and --overhead", .serialized)
struct ServeDHConfigurationTests {
    static let directory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-dh-\(getpid())")
    static let serve = try! TestCertificate.make(subject: "/CN=serve.dh.example", dnsName: "serve.dh.example", in: directory)
    static let peer = try! TestCertificate.make(subject: "/CN=peer.dh.example", dnsName: "peer.dh.example", in: directory)

    /// The built `ikebench serve` on t2000 with `extra` options, one negotiation of
    /// 3des-sha1-modp1024 by our initiator, and the JSON report.
    static func serveOnce(_ extra: [String]) async throws -> [String: Any] {
        let policy = directory.appendingPathComponent("kcf-\(UInt32.random(in: 0...UInt32.max)).conf")
        let (process, port) = try await IKEBenchBinary.startServe(
            ["--port", "0", "--key", serve.keyPath, "--cert", serve.certificatePath, "--id", "fqdn:serve.dh.example",
             "--trust", peer.certificatePath, "--platform", "t2000", "--proposal", "3des-sha1-modp1024",
             "--negotiations", "1", "--json"] + extra,
            policy: policy)
        defer { process.terminate() }

        let initiator = PeerInitiator(
            suite: IKESuite(proposalName: "3des-sha1-modp1024")!,
            identity: try IdentityFiles.load(keyPath: peer.keyPath, certificatePath: peer.certificatePath, id: nil),
            responders: try PeerTrust.load(pemFiles: [serve.certificatePath]), framework: IKETestSupport.initiatorFramework,
            timeoutSeconds: 20, attempts: 3)
        let client = try await UDPDatagramClient.connect(host: "127.0.0.1", port: port, localHost: "127.0.0.1")
        _ = try await initiator.negotiate(over: client)
        await client.close()
        #expect(try await Polling.until(interval: 0.05) { !process.isRunning })
        return try #require(try JSONSerialization.jsonObject(with: Data(process.standardOutput.utf8)) as? [String: Any])
    }

    /// ncp/0's modeled dh-generate in `report`.
    static func ncpDHGenerate(_ report: [String: Any]) throws -> Double {
        let ops = try #require(report["operations"] as? [[String: Any]])
        let op = try #require(ops.first { $0["name"] as? String == "dh-generate" && $0["provider"] as? String == "ncp/0" }, "\(ops)")
        return try #require((op["modeledSecondsMean"] as? NSNumber)?.doubleValue)
    }

    /// The least a 1024-bit exponentiation can model on ncp/0 (every exponent bit a squaring, none a multiply).
    static let fullLengthFloor = NCPTimingModel().dhModExp(primeBits: 1024, exponentBits: 1024, exponentOnes: 0).seconds

    @Test("by default ncp/0 draws full-length DH private values, as sparcfp does", .timeLimit(.minutes(3)))
    func defaultIsFullLength() async throws {
        let report = try await Self.serveOnce([])
        #expect(try Self.ncpDHGenerate(report) >= Self.fullLengthFloor)
    }

    @Test("--dh-private short draws short ones; --overhead is in the modeled Phase I", .timeLimit(.minutes(3)))
    func shortAndOverhead() async throws {
        let report = try await Self.serveOnce(["--dh-private", "short", "--overhead", "0.05"])
        #expect(try Self.ncpDHGenerate(report) < Self.fullLengthFloor)
        #expect((report["overheadSeconds"] as? NSNumber)?.doubleValue == 0.05)
        let modeled = try #require((report["phase1"] as? [String: Any])?["modeled"] as? [String: Any])
        #expect(try #require((modeled["p50"] as? NSNumber)?.doubleValue) >= 0.05)
    }
}
