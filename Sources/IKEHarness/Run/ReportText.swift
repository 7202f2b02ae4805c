import CryptoFramework
import IKEProtocol
import Foundation
import TextFormat

/// The human-readable forms of the reports.
public enum ReportText {
    private static let time = SecondsFormat.text
    /// Phase I latency: label, p50, p90, p99, mean.
    static let latencyTable = TextTable([.left(22), .right(12), .right(12), .right(12), .right(12)])
    static let operationTable = TextTable([.left(12), .left(24), .left(9), .right(7), .right(12), .right(13)])
    static let scalingTable = TextTable([.left(12), .right(13), .right(10), .right(12), .right(9), .right(12), .right(12)])
    static let compareTable = TextTable([.left(24), .right(14), .right(14), .right(8)])

    public static func run(_ r: RunReport, title: String? = nil) -> String {
        var out: [String] = []
        if let title { out.append(title) }
        out.append("\(r.exchangeDescription), responder: platform \(r.platform), rtt \(time(r.rttSeconds))"
            + (r.overheadSeconds > 0 ? ", overhead \(time(r.overheadSeconds))" : ""))
        out.append(String(format: "negotiations %d, concurrency %d, elapsed %.2f s, throughput %.1f/s",
                          r.negotiations, r.concurrency, r.elapsedSeconds, r.throughputPerSecond))
        out.append(latencyTable.row([r.setupLabel, "p50", "p90", "p99", "mean"]))
        func row(_ label: String, _ l: LatencySummary) {
            out.append(latencyTable.row([label, time(l.p50), time(l.p90), time(l.p99), time(l.mean)]))
        }
        row("host", r.hostPhase1)
        if let m = r.modeledPhase1 { row("modeled (\(r.modeledChipLabel))", m) }
        out.append("")
        out.append(operationTable.row(["operation", "mechanism", "provider", "count", "host mean", "modeled mean"]))
        for o in r.operations {
            out.append(operationTable.row([o.name, o.mechanism, o.provider, String(o.count),
                                           time(o.hostSecondsMean), o.modeledSecondsMean.map(time) ?? "-"]))
        }
        let withStats = r.kstats.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
        if !withStats.isEmpty {
            out.append("")
            out.append("kstats:")
            for (provider, stats) in withStats {
                for k in stats {
                    let counters = k.counters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                    out.append("  \(provider) \(k.name)\(k.state.map { " [\($0)]" } ?? ""): \(counters)")
                }
            }
        }
        return out.joined(separator: "\n")
    }

    /// One line per concurrency level of the same workload: throughput and its
    /// ratio to the first level, with host Phase I latency.
    public static func scaling(_ reports: [RunReport], cores: Int) -> String {
        guard let first = reports.first else { return "" }
        var out: [String] = []
        out.append("\(first.setupLabel) scaling: \(first.exchangeDescription), platform \(first.platform), \(cores) core(s)")
        out.append(scalingTable.row(["concurrency", "negotiations", "elapsed", "throughput", "speedup", "host p50", "host p99"]))
        for r in reports {
            let speedup = first.throughputPerSecond > 0 ? r.throughputPerSecond / first.throughputPerSecond : 0
            out.append(scalingTable.row([String(r.concurrency), String(r.negotiations), String(format: "%.2f s", r.elapsedSeconds),
                                         String(format: "%.1f/s", r.throughputPerSecond), String(format: "%.2f×", speedup),
                                         time(r.hostPhase1.p50), time(r.hostPhase1.p99)]))
        }
        return out.joined(separator: "\n")
    }

    /// Phase I p50 next to the four public-key operations alone (the means of
    /// dh-generate, dh-derive, rsa-verify and rsa-sign, every provider together):
    /// what a served negotiation costs beyond its bignum work.
    public static func publicKeyShare(_ r: RunReport) -> String? {
        // The signatures are RSA or ECDSA (RFC 4754), whichever the suite authenticated with.
        let rsa: Set<String> = Set([IKEOperationName.dhGenerate, .dhDerive, .rsaVerify, .rsaSign].map(\.rawValue))
        let ecdsa: Set<String> = Set([IKEOperationName.dhGenerate, .dhDerive, .ecVerify, .ecSign].map(\.rawValue))
        let names = r.operations.contains { $0.name == IKEOperationName.ecSign.rawValue } ? ecdsa : rsa
        let ops = r.operations.filter { names.contains($0.name) }
        guard r.negotiations > 0, Set(ops.map(\.name)) == names else { return nil }
        let total = ops.reduce(0.0) { $0 + $1.hostSecondsMean * Double($1.count) } / Double(r.negotiations)
        return "\(r.setupLabel) p50 \(time(r.hostPhase1.p50)) (host); its four public-key operations alone: \(time(total)) per negotiation"
            + String(format: " (%.0f%%)", 100 * total / max(r.hostPhase1.p50, 1e-12))
    }

    public static func compare(_ c: CompareReport) -> String {
        var out: [String] = []
        out.append(run(c.baseline, title: "== baseline: policy as it is =="))
        out.append("")
        out.append(run(c.withoutNCP, title: "== without ncp/0: every ncp/0 mechanism and random disabled (in memory; the policy file is untouched) =="))
        out.append("")
        let ratio = { (x: Double) in String(format: "%.1f×", x) }
        out.append(compareTable.row(["\(c.baseline.setupLabel) p50", "baseline", "without ncp/0", "ratio"]))
        out.append(compareTable.row(["host", time(c.baseline.hostPhase1.p50), time(c.withoutNCP.hostPhase1.p50), ratio(c.hostRatio)]))
        if let a = c.baseline.modeledPhase1, let b = c.withoutNCP.modeledPhase1, let r = c.modeledRatio {
            out.append(compareTable.row(["modeled \(c.baseline.platform.uppercased())", time(a.p50), time(b.p50), ratio(r)]))
        }
        out.append(compareTable.row([c.baseline.ike == 2 ? "2007 T2000 (IKEv1 MM)" : "published 2007 T2000", time(Published2007.withNCPSeconds), time(Published2007.withoutNCPSeconds),
                                     ratio(Published2007.withoutNCPSeconds / Published2007.withNCPSeconds)]))
        return out.joined(separator: "\n")
    }
}
