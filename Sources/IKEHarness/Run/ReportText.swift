import CryptoFramework
import IKEProtocol
import Foundation

/// The human-readable forms of the reports.
public enum ReportText {
    /// Left- (negative width) or right-aligned column; Foundation's `%-22@` does not pad on Linux.
    public static func col(_ s: String, _ width: Int) -> String {
        let pad = String(repeating: " ", count: max(0, abs(width) - s.count))
        return width < 0 ? s + pad : pad + s
    }
    public static func cols(_ fields: [(String, Int)]) -> String {
        fields.map { col($0.0, $0.1) }.joined(separator: " ")
    }
    public static func time(_ s: Double) -> String {
        s >= 1 ? String(format: "%.3f s", s) : s >= 1e-3 ? String(format: "%.3f ms", s * 1e3) : String(format: "%.1f µs", s * 1e6)
    }

    public static func run(_ r: RunReport, title: String? = nil) -> String {
        var out: [String] = []
        if let title { out.append(title) }
        out.append("IKE Phase I (Main Mode, RSA signatures), responder: platform \(r.platform), RSA-\(r.rsaBits), group \(r.group), \(r.cipher)/\(r.prf), rtt \(time(r.rttSeconds))"
            + (r.overheadSeconds > 0 ? ", overhead \(time(r.overheadSeconds))" : ""))
        out.append(String(format: "negotiations %d, concurrency %d, elapsed %.2f s, throughput %.1f/s",
                          r.negotiations, r.concurrency, r.elapsedSeconds, r.throughputPerSecond))
        out.append(cols([("Phase I", -22), ("p50", 12), ("p90", 12), ("p99", 12), ("mean", 12)]))
        func row(_ label: String, _ l: LatencySummary) {
            out.append(cols([(label, -22), (time(l.p50), 12), (time(l.p90), 12), (time(l.p99), 12), (time(l.mean), 12)]))
        }
        row("host", r.hostPhase1)
        if let m = r.modeledPhase1 { row("modeled (T1 1.2 GHz)", m) }
        out.append("")
        out.append(cols([("operation", -12), ("mechanism", -24), ("provider", -9), ("count", 7), ("host mean", 12), ("modeled mean", 13)]))
        for o in r.operations {
            out.append(cols([(o.name, -12), (o.mechanism, -24), (o.provider, -9), (String(o.count), 7),
                             (time(o.hostSecondsMean), 12), (o.modeledSecondsMean.map(time) ?? "-", 13)]))
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
        out.append("Phase I scaling: platform \(first.platform), RSA-\(first.rsaBits), group \(first.group), \(first.cipher)/\(first.prf), \(cores) core(s)")
        out.append(cols([("concurrency", -12), ("negotiations", 13), ("elapsed", 10), ("throughput", 12), ("speedup", 9),
                         ("host p50", 12), ("host p99", 12)]))
        for r in reports {
            let speedup = first.throughputPerSecond > 0 ? r.throughputPerSecond / first.throughputPerSecond : 0
            out.append(cols([(String(r.concurrency), -12), (String(r.negotiations), 13), (String(format: "%.2f s", r.elapsedSeconds), 10),
                             (String(format: "%.1f/s", r.throughputPerSecond), 12), (String(format: "%.2f×", speedup), 9),
                             (time(r.hostPhase1.p50), 12), (time(r.hostPhase1.p99), 12)]))
        }
        return out.joined(separator: "\n")
    }

    /// Phase I p50 next to the four public-key operations alone (the means of
    /// dh-generate, dh-derive, rsa-verify and rsa-sign, every provider together):
    /// what a served negotiation costs beyond its bignum work.
    public static func publicKeyShare(_ r: RunReport) -> String? {
        let names: Set<String> = [IKEOperationName.dhGenerate, .dhDerive, .rsaVerify, .rsaSign].map(\.rawValue).reduce(into: []) { $0.insert($1) }
        let ops = r.operations.filter { names.contains($0.name) }
        guard r.negotiations > 0, Set(ops.map(\.name)) == names else { return nil }
        let total = ops.reduce(0.0) { $0 + $1.hostSecondsMean * Double($1.count) } / Double(r.negotiations)
        return "Phase I p50 \(time(r.hostPhase1.p50)) (host); its four public-key operations alone: \(time(total)) per negotiation"
            + String(format: " (%.0f%%)", 100 * total / max(r.hostPhase1.p50, 1e-12))
    }

    public static func compare(_ c: CompareReport) -> String {
        var out: [String] = []
        out.append(run(c.baseline, title: "== baseline: policy as it is =="))
        out.append("")
        out.append(run(c.withoutNCP, title: "== without ncp/0: every ncp/0 mechanism and random disabled (in memory; the policy file is untouched) =="))
        out.append("")
        let ratio = { (x: Double) in String(format: "%.1f×", x) }
        out.append(cols([("Phase I p50", -24), ("baseline", 14), ("without ncp/0", 14), ("ratio", 8)]))
        out.append(cols([("host", -24), (time(c.baseline.hostPhase1.p50), 14), (time(c.withoutNCP.hostPhase1.p50), 14),
                         (ratio(c.hostRatio), 8)]))
        if let a = c.baseline.modeledPhase1, let b = c.withoutNCP.modeledPhase1, let r = c.modeledRatio {
            out.append(cols([("modeled T2000", -24), (time(a.p50), 14), (time(b.p50), 14), (ratio(r), 8)]))
        }
        out.append(cols([("published 2007 T2000", -24), (time(Published2007.withNCPSeconds), 14),
                         (time(Published2007.withoutNCPSeconds), 14),
                         (ratio(Published2007.withoutNCPSeconds / Published2007.withNCPSeconds), 8)]))
        return out.joined(separator: "\n")
    }
}
