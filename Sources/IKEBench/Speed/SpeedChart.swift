import Charts
import Foundation

/// `ikebench speed --svg`: host ops/s per provider for each mechanism, key
/// size and operation on a log axis, with the `openssl speed` figure of the
/// same run beside (outlined) where there is one.
enum SpeedChart {
    static let referenceName = "openssl speed (same run)"

    static func caseLabel(_ r: SpeedRow) -> String {
        r.mechanism.hasPrefix("CKM_DH") ? "DH MODP-\(r.bits) \(r.operation)" : "RSA-\(r.bits) \(r.operation)"
    }

    static func svg(_ rows: [SpeedRow], platform: String, threads: Int, seconds: Double, rounds: Int,
                    command: String, date: Date = Date()) -> String {
        var providers: [String] = []
        for r in rows where !providers.contains(r.provider) { providers.append(r.provider) }
        let hasReference = rows.contains { $0.referenceOpsPerSecond != nil }
        var series = providers.map { BarChart.Series($0) }
        if hasReference { series.append(.init(referenceName, outlined: true, color: 6)) }

        var caseOrder: [String] = []
        var byCase: [String: [SpeedRow]] = [:]
        for r in rows {
            let key = "\(r.mechanism) \(r.operation) \(r.bits)"
            if byCase[key] == nil { caseOrder.append(key) }
            byCase[key, default: []].append(r)
        }
        let groups = caseOrder.map { key -> BarChart.Group in
            let rs = byCase[key]!
            var bars = rs.map { BarChart.Bar(series: providers.firstIndex(of: $0.provider)!, value: $0.opsPerSecond) }
            if let reference = rs.compactMap(\.referenceOpsPerSecond).first {
                bars.append(.init(series: providers.count, value: reference))
            }
            return BarChart.Group(caseLabel(rs[0]), note: rs[0].mechanism, bars: bars)
        }
        let chart = BarChart(
            header: ChartHeader(
                title: "Operations per second through the framework, per provider",
                subtitles: ["platform \(platform) · \(threads) thread(s) · best of \(rounds) round(s) of \(ValueFormat.compact(seconds)) s per bar",
                            "host time; each bar pinned to one provider (selection, policy and accounting included)"],
                date: date, footnotes: ["made by: \(command)"]),
            series: series, groups: groups,
            axis: ChartAxis(label: "operations per second (log scale)", kind: .log, format: .perSecond))
        return chart.svg()
    }
}
