import Foundation
import IKETestKit
import ProcessSupport
import Testing
import TestSupport

/// `ikebench load` as a user runs it, against `ikebench serve`, both built.
@Suite("ikebench load against serve", .serialized)
struct LoadCommandTests {
    static let directory = FileManager.default.temporaryDirectory.appendingPathComponent("load-command-\(getpid())")
    static let serve = try! TestCertificate.make(subject: "/CN=serve.load.example", dnsName: "serve.load.example", in: directory)
    static let peer = try! TestCertificate.make(subject: "/CN=peer.load.example", dnsName: "peer.load.example", in: directory)

    @Test("--ike 2 with an AES-GCM-16 proposal (no IKEv1 spelling) and the load's two shortcuts: every SA established, the baseline on its group",
          .timeLimit(.minutes(3)))
    func ikev2GCM() async throws {
        let policy = Self.directory.appendingPathComponent("kcf-\(UInt32.random(in: 0...UInt32.max)).conf")
        let (server, port) = try await IKEBenchBinary.startServe(
            ["--port", "0", "--key", Self.serve.keyPath, "--cert", Self.serve.certificatePath,
             "--id", "fqdn:serve.load.example", "--trust", Self.peer.certificatePath],
            policy: policy)
        defer { server.terminate() }

        var load = IKEBenchBinary.command(
            ["load", "--peer", "127.0.0.1:\(port)", "--ike", "2", "--proposal", "aes256gcm16-prfsha384-ecp384",
             "--key", Self.peer.keyPath, "--cert", Self.peer.certificatePath, "--id", "fqdn:peer.load.example",
             "--trust", Self.serve.certificatePath, "--concurrency", "1", "--duration", "0.5", "--timeout", "10",
             "--public-key-baseline", "--reuse-dh", "--unverified-responder", "--json"],
            policy: policy)
        load.standardError = .capture
        let run = try ChildProcess(load)
        #expect(try await Polling.until(timeout: 120, interval: 0.05) { !run.isRunning })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any],
                                "\(run.standardOutput) \(run.standardError)")
        let report = try #require(json["load"] as? [String: Any], "\(json)")
        #expect(((report["established"] as? NSNumber)?.intValue ?? 0) >= 1, "\(report)")
        #expect((report["failed"] as? NSNumber)?.intValue == 0, "\(report)")
        #expect(json["publicKeyBaseline"] != nil, "\(json)")
        #expect(json["initiatorShortcuts"] as? [String] == ["reuse-dh", "unverified-responder"], "\(json)")
    }
}
