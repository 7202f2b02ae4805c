import IKEProtocol
import Charts
import Foundation

/// The charts of a Phase I run and of a compare, drawn from the reports
/// whose JSON the same command prints: every number drawn is a number of that
/// JSON. `ikebench serve` draws its runs with ``run(_:command:date:)`` too.
public enum PhaseOneCharts {
    /// "platform t2000 · RSA-1024 · group 2 · 3des/sha1 · rtt 0 s · overhead 0 s".
    static func configuration(_ r: RunReport) -> String {
        (r.ike == 2 ? "IKEv2 \(r.proposal ?? "") · \(r.authentication) · platform \(r.platform)"
            : "platform \(r.platform) · RSA-\(r.rsaBits) · group \(r.group) · \(r.cipher)/\(r.prf)") + " · rtt \(ValueFormat.seconds.tick(r.rttSeconds))"
            + (r.overheadSeconds > 0 ? " · overhead \(ValueFormat.seconds.format(r.overheadSeconds))" : "")
    }

    static func footnotes(command: String?) -> [String] {
        (command.map { ["made by: \($0)"] } ?? []) + [
            "Phase I: IKEv1 Main Mode responder, message 1 received to message 6 built (the 2007 DTrace interval); "
                + "IKE SA: IKEv2 responder, IKE_SA_INIT received to IKE_AUTH response built; "
                + "modeled: the chip's time of its operations at the published latencies"
        ]
    }

    /// Phase I p50 with the policy as it is and with ncp/0 disabled: host,
    /// modeled T2000 and the published 2007 figures, on a log axis.
    public static func compare(_ c: CompareReport, command: String? = nil, date: Date = Date()) -> String {
        let (a, b) = (c.baseline, c.withoutNCP)
        var groups: [BarChart.Group] = [
            .init("host", note: String(format: "ratio %.1f×", c.hostRatio),
                  bars: [.init(series: 0, value: a.hostPhase1.p50), .init(series: 1, value: b.hostPhase1.p50)]),
        ]
        if let ma = a.modeledPhase1, let mb = b.modeledPhase1, let ratio = c.modeledRatio {
            groups.append(.init("modeled T2000", note: String(format: "ratio %.1f×", ratio),
                                bars: [.init(series: 0, value: ma.p50), .init(series: 1, value: mb.p50)]))
        }
        groups.append(.init(
            "published 2007 T2000",
            note: String(format: "ratio %.1f×", Published2007.withoutNCPSeconds / Published2007.withNCPSeconds),
            bars: [.init(series: 2, value: Published2007.withNCPSeconds), .init(series: 3, value: Published2007.withoutNCPSeconds)]))
        let chart = BarChart(
            header: ChartHeader(
                title: a.ike == 2 ? "IKEv2 IKE SA setup with and without ncp/0 (p50)" : "IKE Phase I with and without ncp/0 (p50)",
                subtitles: [configuration(a), "\(a.negotiations) + \(b.negotiations) negotiations, concurrency \(a.concurrency)"],
                date: date,
                footnotes: footnotes(command: command) + ["published: Sun Fire T2000, Solaris 10 in.iked, 2007 (outlined bars)"]),
            series: [.init("policy as it is (ncp/0 enabled)"), .init("ncp/0 disabled"),
                     .init("2007 with ncp", outlined: true, color: 0), .init("2007 ncp disabled", outlined: true, color: 1)],
            groups: groups,
            axis: ChartAxis(label: "Phase I responder time, p50 (log scale)", kind: .log, format: .seconds))
        return chart.svg()
    }

    /// The latency distribution (HdrHistogram percentiles on a log axis) and,
    /// for a run of two seconds or more or one in which the policy changed,
    /// Phase I per second with every policy change the framework applied marked.
    public static func run(_ r: RunReport, command: String? = nil, date: Date = Date()) -> String {
        Figure(panels: [distribution(r, command: command, date: date)] + (timeline(r, date: date).map { [$0] } ?? [])).svg()
    }

    static func distribution(_ r: RunReport, command: String?, date: Date) -> LineChart {
        let d = r.distribution ?? LatencyDistribution(host: [], modeled: nil)
        let points = { (ps: [PercentilePoint]) in ps.map { LineChart.Point(x: $0.percentile, y: $0.seconds) } }
        var series = [LineChart.Series("host", points: points(d.host))]
        if let m = d.modeled { series.append(.init("modeled \(r.platform.uppercased()) (\(r.modeledChipLabel))", points: points(m))) }
        return LineChart(
            header: ChartHeader(
                title: "IKE Phase I latency distribution (responder)",
                subtitles: [configuration(r), String(format: "%d negotiations, concurrency %d, %.1f negotiations/s",
                                                     r.negotiations, r.concurrency, r.throughputPerSecond)],
                date: date, footnotes: footnotes(command: command)),
            series: series,
            xAxis: ChartAxis(label: "percentile (HdrHistogram: log of 1 / (1 − p); last point = maximum)",
                             kind: .percentile, format: .percent),
            yAxis: ChartAxis(label: "Phase I time (log)", kind: .log, format: .seconds))
    }

    /// Nil when the run lasted under two seconds and no policy changed (nothing to see over time).
    static func timeline(_ r: RunReport, date: Date) -> LineChart? {
        guard r.timeline.count >= 2 || !r.policyChanges.isEmpty else { return nil }
        // A second's mean is drawn at its middle: the entry `second` covers [second − 1, second).
        var series = [LineChart.Series("host mean", points: r.timeline.map { .init(x: Double($0.second) - 0.5, y: $0.hostSecondsMean) })]
        let modeled = r.timeline.compactMap { t in t.modeledSecondsMean.map { LineChart.Point(x: Double(t.second) - 0.5, y: $0) } }
        if !modeled.isEmpty { series.append(.init("modeled T2000 mean", points: modeled)) }
        let last = Double(r.timeline.map(\.second).max() ?? 1)
        return LineChart(
            header: ChartHeader(
                title: "Phase I over time" + (r.policyChanges.isEmpty ? "" : ", with the policy changes applied during the run"),
                subtitles: [configuration(r)], date: date),
            series: series,
            xAxis: ChartAxis(label: "seconds since the run began", kind: .linear, format: .plain, domain: 0...last),
            yAxis: ChartAxis(label: "Phase I mean per second (log)", kind: .log, format: .seconds),
            events: r.policyChanges.map { .init(x: $0.atSeconds, label: String(format: "policy applied at %.1f s: ", $0.atSeconds) + $0.summary) })
    }
}
