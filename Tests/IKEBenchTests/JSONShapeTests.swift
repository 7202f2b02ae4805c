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

    @Test func capacity() throws {
        let c = try IKEBenchBinary.run(["capacity", "--platform", "t2000,t5220", "--rsa-bits", "1024", "--group", "2",
                                        "--clients", "1,2,8", "--samples", "1", "--negotiations", "50", "--json"])
        let rows = try #require(c["rows"] as? [[String: Any]])
        #expect(rows.count == 2 * 2 * 3)  // platforms × ncp settings × client counts
        for r in rows {
            #expect(Set(r.keys) == ["platform", "ncp", "clients", "saPerSecond", "p50Seconds", "p99Seconds", "time"])
            #expect(["t2000", "t5220"].contains(r["platform"] as? String ?? ""))
            #expect(r["ncp"] as? Bool != nil && r["clients"] is Int && r["time"] as? String == "virtual")
            for k in ["saPerSecond", "p50Seconds", "p99Seconds"] { #expect((r[k] as? Double ?? 0) > 0, "\(k)") }
        }
        func rate(_ platform: String, _ ncp: Bool, _ clients: Int) -> Double {
            rows.first { $0["platform"] as? String == platform && $0["ncp"] as? Bool == ncp && $0["clients"] as? Int == clients }?["saPerSecond"] as? Double ?? 0
        }
        // Eight clients use the eight MAUs; without ncp the T1's one FPU does not scale, the T2's FGU per core does.
        #expect(rate("t2000", true, 8) > 6 * rate("t2000", true, 1))
        #expect(rate("t2000", false, 8) < 1.1 * rate("t2000", false, 1))
        #expect(rate("t5220", false, 8) > 6 * rate("t5220", false, 1))
        #expect((c["knees"] as? [[String: Any]])?.count == 4)
    }
}
