import Charon
import Foundation
import ProcessSupport
import IKETestKit
import Testing
import TestSupport

/// The `ikebench serve` command itself (the built binary) answering charon:
/// --port 0, the bound port read from its stderr, --negotiations, --json with
/// the `run` report's keys, on t2000 with --timing timed.
@Suite("ikebench serve command", .serialized, .enabled(if: CharonDaemon.isAvailable))
struct CharonServeCommandTests {
    @Test("serve --platform t2000 --timing timed --negotiations 2 --json", .timeLimit(.minutes(3)))
    func serveCommand() async throws {
        let dir = CharonFixture.directory.appendingPathComponent("serve-cmd-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = CharonFixture.serve
        let (serve, servePort) = try await IKEBenchBinary.startServe(
            ["--port", "0", "--key", s.keyPath, "--cert", s.certificatePath, "--id", CharonFixture.serveID,
             "--trust", CharonFixture.peer.certificatePath, "--platform", "t2000", "--timing", "timed",
             "--negotiations", "2", "--json", "--trace"],
            policy: dir.appendingPathComponent("kcf.conf"))
        defer { serve.terminate() }

        let charon = try await CharonDaemon.start(
            swanctlConf: CharonFixture.initiatorConnections(
                [("c3des", "3des-sha1-modp1024"), ("caes", "aes128-sha256-modp2048")], servePort: servePort),
            files: CharonFixture.charonFiles, ikePort: CharonFixture.charonPort())
        defer { charon.removeFiles() }
        try await charon.loadAll()
        for name in ["c3des", "caes"] {
            let outcome = try await charon.initiate(ike: name)
            #expect(outcome.status == 0, "\(outcome)")
        }
        #expect(try await Polling.until(interval: 0.05) { !serve.isRunning })
        let report = try #require(try JSONSerialization.jsonObject(with: Data(serve.standardOutput.utf8)) as? [String: Any])
        #expect(report["negotiations"] as? Int == 2)
        #expect(report["platform"] as? String == "t2000")
        try IKEBenchBinary.checkRun(report, modeled: true)
        let operations = try #require(report["operations"] as? [[String: Any]])
        #expect(operations.contains { $0["name"] as? String == "rsa-sign" && $0["provider"] as? String == "ncp/0" })
        let trace = serve.standardError
        #expect(trace.contains("Initial packet received, pm_info = ") && trace.contains("finished, took "))
    }
}
