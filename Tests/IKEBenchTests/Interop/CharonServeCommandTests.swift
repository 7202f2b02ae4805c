import Foundation
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
        let out = dir.appendingPathComponent("out.json"), err = dir.appendingPathComponent("err.txt")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let s = CharonFixture.serve
        let serve = Process()
        serve.executableURL = JSONShapeTests.binary
        serve.arguments = ["serve", "--port", "0", "--key", s.keyPath, "--cert", s.certificatePath, "--id", CharonFixture.serveID,
                           "--trust", CharonFixture.peer.certificatePath, "--platform", "t2000", "--timing", "timed",
                           "--negotiations", "2", "--json", "--trace"]
        var env = ProcessInfo.processInfo.environment
        env["CRYPTOFRAMEWORK_CONF"] = dir.appendingPathComponent("kcf.conf").path
        serve.environment = env
        serve.standardOutput = try FileHandle(forWritingTo: out)
        serve.standardError = try FileHandle(forWritingTo: err)
        try serve.run()
        defer { if serve.isRunning { kill(serve.processIdentifier, SIGKILL) } }

        // The bound port, from "listening on 127.0.0.1:PORT" (polled, bounded).
        var port: Int?
        let deadline = Date().addingTimeInterval(60)
        while port == nil && Date() < deadline && serve.isRunning {
            let text = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            if let r = text.range(of: "listening on 127.0.0.1:") {
                port = Int(text[r.upperBound...].prefix { $0.isNumber })
            } else {
                try await Task.sleep(nanoseconds: 50_000_000)
            }
        }
        let servePort = try #require(port, "\((try? String(contentsOf: err, encoding: .utf8)) ?? "")")

        let charon = try CharonDaemon(
            swanctlConf: CharonFixture.initiatorConnections(
                [("c3des", "3des-sha1-modp1024"), ("caes", "aes128-sha256-modp2048")], servePort: servePort),
            files: CharonFixture.charonFiles, ikePort: CharonFixture.charonPort())
        defer { charon.removeFiles() }
        try charon.loadAll()
        for name in ["c3des", "caes"] {
            let (status, output) = try await charon.initiateAsync(ike: name)
            #expect(status == 0, "\(output)")
        }
        let exitDeadline = Date().addingTimeInterval(60)
        while serve.isRunning && Date() < exitDeadline { try await Task.sleep(nanoseconds: 50_000_000) }
        #expect(!serve.isRunning)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
        #expect(report["negotiations"] as? Int == 2)
        #expect(report["platform"] as? String == "t2000")
        try JSONShapeTests.checkRun(report, modeled: true)
        let operations = try #require(report["operations"] as? [[String: Any]])
        #expect(operations.contains { $0["name"] as? String == "rsa-sign" && $0["provider"] as? String == "ncp/0" })
        let trace = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        #expect(trace.contains("Initial packet received, pm_info = ") && trace.contains("finished, took "))
    }
}
