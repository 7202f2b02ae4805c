import Foundation
import ProcessSupport
import Testing

/// Runs the built `ikebench` and checks the JSON keys outside scripts read (issue 6).
@Suite("ikebench JSON shapes")
struct JSONShapeTests {
    static var binary: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let debug = url.appendingPathComponent(".build/debug/ikebench")
        return FileManager.default.fileExists(atPath: debug.path) ? debug : url.appendingPathComponent(".build/release/ikebench")
    }

    /// The built ikebench with `arguments`, reading its policy from `policy` (never the user's).
    static func command(_ arguments: [String], policy: URL) -> Command {
        var command = Command(binary.path, arguments, environment: ["CRYPTOFRAMEWORK_CONF": policy.path])
        command.preloadsSanitizerRuntime = false  // our own binary
        return command
    }

    static func run(_ arguments: [String]) throws -> [String: Any] {
        var ikebench = command(arguments, policy: FileManager.default.temporaryDirectory.appendingPathComponent("ikebench-json-\(getpid()).conf"))
        ikebench.standardError = .discard
        // The bound is for a stuck run, not a speed claim.
        let outcome = try ChildProcess.run(ikebench, timeout: 600)
        #expect(outcome.termination == .exited(0))
        return try #require(try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any])
    }

    static func checkRun(_ r: [String: Any], modeled: Bool) throws {
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

    @Test func runOnHost() throws {
        let r = try Self.run(["run", "--negotiations", "3", "--json"])
        try Self.checkRun(r, modeled: false)
        #expect(r["negotiations"] as? Int == 3)
    }

    @Test func runOnT2000() throws {
        try Self.checkRun(try Self.run(["run", "--platform", "t2000", "--negotiations", "2", "--concurrency", "2", "--json"]), modeled: true)
    }

    @Test func compare() throws {
        let c = try Self.run(["compare", "--negotiations", "1", "--json"])
        try Self.checkRun(try #require(c["baseline"] as? [String: Any]), modeled: true)
        let without = try #require(c["withoutNCP"] as? [String: Any])
        try Self.checkRun(without, modeled: true)
        let ratio = try #require(c["ratio"] as? [String: Any])
        #expect(ratio["host"] is NSNumber)
        #expect(ratio["modeled"] is NSNumber)
        let ops = try #require(without["operations"] as? [[String: Any]])
        #expect(!ops.contains { $0["provider"] as? String == "ncp/0" })
        // The default configuration is the one the table marks consistent: with the one
        // non-cryptographic time the 165 ms run implies, both 2007 figures within 25 %.
        let baseline = try #require(c["baseline"] as? [String: Any])
        #expect(baseline["rsaBits"] as? Int == 2048 && baseline["group"] as? Int == 14)
        let overhead = try #require(baseline["overheadSeconds"] as? Double)
        #expect(overhead > 0 && overhead < 0.165 && without["overheadSeconds"] as? Double == overhead)
        func p50(_ r: [String: Any]) throws -> Double {
            try #require(((r["phase1"] as? [String: Any])?["modeled"] as? [String: Any])?["p50"] as? Double)
        }
        #expect(abs(try p50(baseline) / 0.165 - 1) <= 0.25)
        #expect(abs(try p50(without) / 7.73 - 1) <= 0.25)
    }

    @Test func calibrate() throws {
        let t = try Self.run(["calibrate", "--rsa-bits", "1024", "--group", "2", "--json"])
        let rows = try #require(t["rows"] as? [[String: Any]])
        #expect(rows.count == 2)  // short and full-length private values
        for r in rows {
            for k in ["rsaBits", "group", "dhPrivateBits"] { #expect(r[k] is Int, "\(k)") }
            for k in ["modeledWithNCPSeconds", "modeledWithoutNCPSeconds", "impliedPenaltyCycles"] { #expect(r[k] is NSNumber, "\(k)") }
            #expect(r["consistent"] as? Bool == false)
        }
    }
}
