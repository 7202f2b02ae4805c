import Foundation
import IKEServer
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

        let (_, json, report) = try await Self.load(
            ["--peer", "127.0.0.1:\(port)", "--proposal", "aes256gcm16-prfsha384-ecp384", "--concurrency", "1", "--duration", "0.5",
             "--timeout", "10", "--public-key-baseline", "--reuse-dh", "--unverified-responder"],
            policy: policy)
        #expect(((report["established"] as? NSNumber)?.intValue ?? 0) >= 1, "\(report)")
        #expect((report["failed"] as? NSNumber)?.intValue == 0, "\(report)")
        #expect(json["publicKeyBaseline"] != nil, "\(json)")
        #expect(json["initiatorShortcuts"] as? [String] == ["reuse-dh", "unverified-responder"], "\(json)")
    }

    @Test("--json against a peer that never answers: every setup a failure, the first ones in full in the JSON and on stderr",
          .timeLimit(.minutes(3)))
    func unansweredFailuresKept() async throws {
        let sink = try await UDPDatagramClient.connect(host: "127.0.0.1", port: 9, localHost: "127.0.0.1")
        defer { Task { await sink.close() } }
        let (run, _, report) = try await Self.load(
            ["--peer", "127.0.0.1:\(sink.localPort)", "--proposal", "aes128-sha256-modp2048", "--concurrency", "2",
             "--duration", "0.1", "--timeout", "0.05"],
            policy: Self.directory.appendingPathComponent("kcf-\(UInt32.random(in: 0...UInt32.max)).conf"))
        let failed = try #require((report["failed"] as? NSNumber)?.intValue, "\(report)")
        #expect(failed >= 2 && (report["established"] as? NSNumber)?.intValue == 0, "\(report)")
        let reason = "IKEv2 IKE_SA_INIT: no answer after 3 sends 0.05 s apart"
        let failures = try #require(report["failures"] as? [String: Any], "\(report)")
        #expect(failures.count == 1 && (failures[reason] as? NSNumber)?.intValue == failed, "\(failures)")
        let first = try #require(report["firstFailures"] as? [[String: Any]], "\(report)")
        #expect(first.count == min(failed, 5))
        for f in first {
            #expect(f["reason"] as? String == reason)
            let details = try #require(f["details"] as? String)
            #expect(details.hasPrefix(reason + " [SPIi ") && details.contains("IKE_SA_INIT sent 3 times"), "\(details)")
            #expect(run.standardError.contains(details), "stderr: \(run.standardError)")
        }
        #expect(run.standardError.contains("ikebench load: \(failed) setup(s) failed; the first in full:"), "\(run.standardError)")
    }

    /// `ikebench load --ike 2 --json` as the peer (its key, certificate and ID,
    /// trusting serve's certificate) with `arguments`, run to its end: the
    /// process (its stderr captured), its JSON and the JSON's load report.
    static func load(_ arguments: [String], policy: URL) async throws
        -> (run: ChildProcess, json: [String: Any], report: [String: Any]) {
        var load = IKEBenchBinary.command(
            ["load", "--ike", "2", "--key", Self.peer.keyPath, "--cert", Self.peer.certificatePath, "--id", "fqdn:peer.load.example",
             "--trust", Self.serve.certificatePath, "--json"] + arguments,
            policy: policy)
        load.standardError = .capture
        let run = try ChildProcess(load)
        #expect(try await Polling.until(timeout: 120, interval: 0.05) { !run.isRunning })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any],
                                "\(run.standardOutput) \(run.standardError)")
        return (run, json, try #require(json["load"] as? [String: Any], "\(json)"))
    }
}
