import Foundation
import ProcessSupport
import IKETestKit
import Testing

/// Runs the built `ikebench` and checks the JSON keys outside scripts read (docs/ike.md).
@Suite("ikebench JSON shapes")
struct JSONShapeTests {
    @Test func runOnHost() throws {
        let r = try IKEBenchBinary.run(["run", "--negotiations", "3", "--json"])
        try IKEBenchBinary.checkRun(r, modeled: false)
        #expect(r["negotiations"] as? Int == 3)
    }

    @Test func runOnT2000() throws {
        try IKEBenchBinary.checkRun(try IKEBenchBinary.run(["run", "--platform", "t2000", "--negotiations", "2", "--concurrency", "2", "--json"]), modeled: true)
    }

    @Test func compare() throws {
        let c = try IKEBenchBinary.run(["compare", "--negotiations", "1", "--json"])
        try IKEBenchBinary.checkRun(try #require(c["baseline"] as? [String: Any]), modeled: true)
        let without = try #require(c["withoutNCP"] as? [String: Any])
        try IKEBenchBinary.checkRun(without, modeled: true)
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
        let t = try IKEBenchBinary.run(["calibrate", "--rsa-bits", "1024", "--group", "2", "--json"])
        let rows = try #require(t["rows"] as? [[String: Any]])
        #expect(rows.count == 2)  // short and full-length private values
        for r in rows {
            for k in ["rsaBits", "group", "dhPrivateBits"] { #expect(r[k] is Int, "\(k)") }
            for k in ["modeledWithNCPSeconds", "modeledWithoutNCPSeconds", "impliedPenaltyCycles"] { #expect(r[k] is NSNumber, "\(k)") }
            #expect(r["consistent"] as? Bool == false)
        }
    }
}
