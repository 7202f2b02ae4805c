import Charts
import Foundation
import TextFormat

extension CapacityReport {
    /// The printed table, one line per row, then each curve's knee.
    public var text: String {
        let table = TextTable([.left(9), .left(9), .right(8), .right(11), .right(12), .right(12), .left(8)], separator: "  ")
        var lines = [table.row(["platform", "ncp/0", "clients", "IKE SAs/s", "p50 setup", "p99 setup", "time"])]
        for r in rows {
            lines.append(table.row([r.platform, r.ncp ? "enabled" : "disabled", String(r.clients), Self.rate(r.saPerSecond),
                                    SecondsFormat.text(r.p50Seconds), SecondsFormat.text(r.p99Seconds), r.time]))
        }
        lines.append("")
        lines.append("knee: the fewest clients reaching 90 % of the curve's plateau (its highest rate); p99 doubles: "
            + "the fewest clients whose p99 setup time is twice the smallest load's")
        for k in knees {
            lines.append("  \(k.platform), ncp/0 \(k.ncp ? "enabled" : "disabled") (\(k.time)): plateau \(Self.rate(k.plateauSAPerSecond)) SAs/s, "
                + "knee at \(k.throughputKneeClients) client\(k.throughputKneeClients == 1 ? "" : "s"), "
                + (k.p99DoublesAtClients.map { "p99 doubles at \($0) clients" } ?? "p99 never doubles in this range"))
        }
        return lines.joined(separator: "\n")
    }

    /// A rate as the table prints it ("16,270", "12.4", "0.179").
    public static func rateText(_ v: Double) -> String { rate(v) }

    /// "16,270", "12.4", "0.179": three significant figures, grouped.
    static func rate(_ v: Double) -> String {
        if v >= 1000 { return ValueFormat.perSecond.format(v).replacingOccurrences(of: "/s", with: "") }
        return String(format: v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : v >= 1 ? "%.2f" : "%.3f", v)
    }

    /// The header lines: configuration, resources and profiles.
    public var preamble: String {
        var lines = ["ikebench capacity: \(configuration); closed loop, each client starts its next negotiation when the last is established"]
        for (name, line) in resources.sorted(by: { $0.key < $1.key }) { lines.append("  \(name): \(line)") }
        for (key, p) in profiles.sorted(by: { $0.key < $1.key }) {
            var parts = ["strand \(SecondsFormat.text(p.strandSeconds))"]
            if p.floatingPointSeconds > 0 { parts.append("of which FPU \(SecondsFormat.text(p.floatingPointSeconds))") }
            if p.cryptoUnitSeconds > 0 { parts.append("MAU \(SecondsFormat.text(p.cryptoUnitSeconds))") }
            if p.streamUnitSeconds > 0 { parts.append("stream unit \(SecondsFormat.text(p.streamUnitSeconds))") }
            lines.append("  \(key): one negotiation \(SecondsFormat.text(p.totalSeconds)) on an idle machine (\(parts.joined(separator: ", "))), "
                + "mean of \(p.negotiations) real negotiation\(p.negotiations == 1 ? "" : "s")")
        }
        if overheadSeconds > 0 { lines.append("  responder work outside the cryptography: \(SecondsFormat.text(overheadSeconds)) per negotiation, on a strand") }
        lines.append(String(format: "  virtual time: seed %llu, strand quantum %@", seed, SecondsFormat.text(quantumSeconds)))
        return lines.joined(separator: "\n")
    }
}

/// The capacity chart: SAs per second and p99 setup time against clients, one line per curve, knees marked.
public enum CapacityChart {
    public static func svg(_ report: CapacityReport, command: String? = nil, date: Date = Date()) -> String {
        var curves: [(name: String, rows: [CapacityRow])] = []
        for r in report.rows {
            let name = "\(r.platform) ncp/0 \(r.ncp ? "on" : "off")" + (r.time == CapacityTime.timed.rawValue ? " (timed)" : "")
            if let i = curves.firstIndex(where: { $0.name == name }) { curves[i].rows.append(r) } else { curves.append((name, [r])) }
        }
        let footnotes = (command.map { ["made by: \($0)"] } ?? []) + [
            "knee: fewest clients reaching 90 % of the curve's plateau; closed loop: a client starts its next negotiation when the last is established",
        ]
        let xAxis = ChartAxis(label: "concurrent initiators (log)", kind: .log, format: .plain)
        let throughput = LineChart(
            header: ChartHeader(title: "IKE SAs per second against concurrent initiators",
                                subtitles: [report.configuration] + report.resources.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" },
                                date: date, footnotes: footnotes),
            series: curves.map { c in .init(c.name, points: c.rows.map { .init(x: Double($0.clients), y: $0.saPerSecond) }) },
            xAxis: xAxis, yAxis: ChartAxis(label: "IKE SAs per second (log)", kind: .log, format: .perSecond),
            events: knees(report))
        let latency = LineChart(
            header: ChartHeader(title: "p99 IKE SA setup time against concurrent initiators", subtitles: [report.configuration], date: date),
            series: curves.map { c in .init(c.name, points: c.rows.map { .init(x: Double($0.clients), y: $0.p99Seconds) }) },
            xAxis: xAxis, yAxis: ChartAxis(label: "p99 setup time (log)", kind: .log, format: .seconds))
        return Figure(panels: [throughput, latency]).svg()
    }

    /// One mark per client count where curves bend, naming every curve whose knee it is
    /// (curves sharing a knee share a mark, so labels do not overprint).
    static func knees(_ report: CapacityReport) -> [LineChart.Event] {
        var byClients: [Int: [String]] = [:]
        for k in report.knees {
            byClients[k.throughputKneeClients, default: []].append(
                "\(k.platform) ncp/0 \(k.ncp ? "on" : "off")" + (k.time == CapacityTime.timed.rawValue ? " (timed)" : ""))
        }
        return byClients.keys.sorted().map { n in
            .init(x: Double(n), label: "knee at \(n) client\(n == 1 ? "" : "s"): " + byClients[n]!.joined(separator: ", "))
        }
    }
}
