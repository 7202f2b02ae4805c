import CommandLineOptions
import Foundation
import TextFormat

/// One measured line; the JSON keys are the public format (issue: ikebench speed JSON).
struct SpeedRow: Codable {
    let platform: String
    /// A provider's name, or `auto` for the unpinned framework.
    let provider: String
    /// For `auto`: the provider(s) selection chose, comma-separated; else null.
    let servedBy: String?
    let mechanism: String
    /// The curve of an EC line (P-256, X25519, …); null for RSA and DH.
    let curve: String?
    let operation: String
    let bits: Int
    let opsPerSecond: Double
    let modeledLatencySeconds: Double?
    let modeledOpsPerSecond: Double?
    /// ncp/0: host µs per job over the same arithmetic through gmp; else null.
    let overheadMicroseconds: Double?
    let referenceOpsPerSecond: Double?
    let ratio: Double?

    enum CodingKeys: String, CodingKey {
        case platform, provider, servedBy, mechanism, curve, operation, bits, opsPerSecond, modeledLatencySeconds, modeledOpsPerSecond,
            overheadMicroseconds, referenceOpsPerSecond, ratio
    }

    // Absent values are written as null, as the format says.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(platform, forKey: .platform)
        try c.encode(provider, forKey: .provider)
        try c.encode(servedBy, forKey: .servedBy)
        try c.encode(mechanism, forKey: .mechanism)
        try c.encode(curve, forKey: .curve)
        try c.encode(operation, forKey: .operation)
        try c.encode(bits, forKey: .bits)
        try c.encode(opsPerSecond, forKey: .opsPerSecond)
        try c.encode(modeledLatencySeconds, forKey: .modeledLatencySeconds)
        try c.encode(modeledOpsPerSecond, forKey: .modeledOpsPerSecond)
        try c.encode(overheadMicroseconds, forKey: .overheadMicroseconds)
        try c.encode(referenceOpsPerSecond, forKey: .referenceOpsPerSecond)
        try c.encode(ratio, forKey: .ratio)
    }
}

struct SpeedReport: Codable {
    let platform: String
    let results: [SpeedRow]
    let dispatchOverheadNanoseconds: Double?
}

/// Prints rows as they are measured (a table), or everything at the end (JSON).
struct SpeedTable {
    let json: Bool

    /// The cells touch only through their padding, at least one space of it.
    static let table = TextTable(
        [.left(15), .left(26), .left(9), .right(6), .right(12), .right(12), .right(11), .right(9), .right(12), .right(8)],
        separator: "", minimumPadding: 1)

    func printHeader(platform: String, threads: Int, seconds: Double, rounds: Int) {
        guard !json else { return }
        print("ikebench speed: platform \(platform), \(threads) thread(s), best of \(rounds) round(s) of \(seconds) s per line")
        print("  ops/s: host operations per second through the framework, pinned to the provider;")
        print("         auto: unpinned, as an application sees it, with who selection chose")
        print("  modeled: modeled latency per operation on the platform's chip (T1 on t2000, T2 on t5220); dev ops/s: modeled throughput of the whole device")
        print("  ovh µs: ncp/0's host time per job minus the same arithmetic through gmp")
        print(Self.table.row(["provider", "mechanism", "op", "bits", "ops/s", "modeled", "dev ops/s", "ovh µs", "openssl/s", "ratio"]))
    }

    func printRow(_ r: SpeedRow) {
        guard !json else { return }
        let modeled = r.modeledLatencySeconds.map { String(format: "%.3f ms", $0 * 1e3) } ?? "-"
        let ref = r.referenceOpsPerSecond.map { String(format: "%.1f", $0) } ?? "-"
        let device = r.modeledOpsPerSecond.map { String(format: "%.0f", $0) } ?? "-"
        let ratio = r.ratio.map { String(format: "%.2f", $0) } ?? "-"
        let overhead = r.overheadMicroseconds.map { String(format: "%.1f", $0) } ?? "-"
        let who = r.servedBy.map { "auto→" + $0 } ?? r.provider
        let mechanism = r.curve.map { "\(r.mechanism) \($0)" } ?? r.mechanism
        print(Self.table.row([who, mechanism, r.operation, String(r.bits), String(format: "%.1f", r.opsPerSecond), modeled, device,
                              overhead, ref, ratio]))
        fflush(nil)  // all streams: stdout is not concurrency-safe to name in Swift 6
    }

    func printFooter(rows: [SpeedRow], platform: String, dispatch: DispatchOverhead.Result?, sodiumRatios: [(line: String, ratio: Double)]) throws {
        if json {
            try JSONOutput.print(SpeedReport(platform: platform, results: rows, dispatchOverheadNanoseconds: dispatch?.overheadNanoseconds))
            return
        }
        if let d = dispatch {
            print(String(format: "registry dispatch (select + policy + counters): %.0f ns/op  (framework %.0f ns, provider direct %.0f ns, CKM_SHA256 of 0 bytes on %@)",
                d.overheadNanoseconds, d.frameworkNanoseconds, d.directNanoseconds, d.provider))
        }
        if !sodiumRatios.isEmpty {
            let ratios = sodiumRatios.map { String(format: "%@ %.2f", $0.line, $0.ratio) }.joined(separator: ", ")
            print("sodium through the framework / libsodium called directly: \(ratios)")
        }
    }

}
