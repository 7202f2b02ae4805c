import Foundation
import ProcessSupport
import TestSupport
import Testing

/// The built `ikebench`, run as a child process, and the JSON keys outside
/// scripts read from its `run` report.
package enum IKEBenchBinary {
    /// The ikebench the test run built (its test targets depend on it), wherever its scratch path is.
    package static var binary: URL { BuildProducts.url(of: "ikebench") }

    /// The built ikebench with `arguments`, reading its policy from `policy` (never the user's).
    package static func command(_ arguments: [String], policy: URL) -> Command {
        var command = Command(binary.path, arguments, environment: ["CRYPTOFRAMEWORK_CONF": policy.path])
        command.preloadsSanitizerRuntime = false  // our own binary
        return command
    }

    /// `ikebench serve` with `arguments` (which should bind `--port 0`), its
    /// standard error captured, and the port it printed it is listening on
    /// ("listening on 127.0.0.1:PORT", polled, bounded). The caller terminates it.
    package static func startServe(_ arguments: [String], policy: URL) async throws -> (process: ChildProcess, port: Int) {
        var command = command(["serve"] + arguments, policy: policy)
        command.standardError = .capture
        let process = try ChildProcess(command)
        let marker = "listening on 127.0.0.1:"
        _ = try await Polling.until(interval: 0.05) { process.standardError.contains(marker) || !process.isRunning }
        guard let port = process.standardError.range(of: marker).flatMap({ Int(process.standardError[$0.upperBound...].prefix { $0.isNumber }) })
        else {
            process.terminate()
            throw ChildProcess.Failure(description: "ikebench serve printed no port: \(process.standardError)")
        }
        return (process, port)
    }

    package static func run(_ arguments: [String]) throws -> [String: Any] {
        var ikebench = command(arguments, policy: FileManager.default.temporaryDirectory.appendingPathComponent("ikebench-json-\(getpid()).conf"))
        ikebench.standardError = .discard
        // The bound is for a stuck run, not a speed claim.
        let outcome = try ChildProcess.run(ikebench, timeout: 600)
        #expect(outcome.termination == .exited(0))
        return try #require(try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any])
    }

    package static func checkRun(_ r: [String: Any], modeled: Bool) throws {
        #expect(r["platform"] is String)
        for k in ["rsaBits", "group", "negotiations", "concurrency"] { #expect(r[k] is Int, "\(k)") }
        #expect(r["throughputPerSecond"] is Double || r["throughputPerSecond"] is Int)
        let phase1 = try #require(r["phase1"] as? [String: Any])
        let host = try #require(phase1["host"] as? [String: Any])
        for k in ["p50", "p90", "p99", "mean"] { #expect(host[k] is NSNumber, "host.\(k)") }
        if modeled {
            let m = try #require(phase1["modeled"] as? [String: Any])
            for k in ["p50", "p90", "p99", "mean"] { #expect(m[k] is NSNumber, "modeled.\(k)") }
        } else {
            #expect(phase1["modeled"] is NSNull)
        }
        let ops = try #require(r["operations"] as? [[String: Any]])
        #expect(!ops.isEmpty)
        for o in ops {
            for k in ["name", "mechanism", "provider"] { #expect(o[k] is String, "operations.\(k)") }
            #expect(o["count"] is Int)
            #expect(o["hostSecondsMean"] is NSNumber)
            #expect(o["modeledSecondsMean"] is NSNumber || o["modeledSecondsMean"] is NSNull)
        }
        #expect(Set(ops.compactMap { $0["name"] as? String }).isSuperset(of:
            ["dh-generate", "dh-derive", "rsa-verify", "rsa-sign", "prf", "hash", "encrypt", "decrypt"]))
        let kstats = try #require(r["kstats"] as? [String: Any])
        #expect(kstats["ncp/0"] is [Any])
    }
}
