import Charts
import Foundation
import IKECore

/// One configuration of the calibration table, as its JSON rows carry it
/// (issue 13: rsaBits, group, dhPrivateBits, modeledWithNCPSeconds,
/// modeledWithoutNCPSeconds, impliedPenaltyCycles, consistent).
struct CalibrationChartRow: Codable, Sendable {
    let rsaBits: Int
    let group: Int
    /// Length of the DH private value; nil when the provider's default.
    let dhPrivateBits: Int?
    let modeledWithNCPSeconds: Double
    let modeledWithoutNCPSeconds: Double
    let impliedPenaltyCycles: Double
    let consistent: Bool
}

/// `ikebench calibrate --svg`: modeled Phase I per configuration, with and
/// without ncp/0, against the two 2007 figures.
enum CalibrationChart {
    static func svg(_ rows: [CalibrationChartRow], command: String, date: Date = Date()) -> String {
        let groups = rows.map { r -> BarChart.Group in
            let dh = r.dhPrivateBits.map { ", \($0)-bit DH x" } ?? ""
            let verdict = r.consistent
                ? "consistent with both 2007 figures"
                : String(format: "7.73 s needs %+.1f cycles per FP instruction", r.impliedPenaltyCycles)
            return BarChart.Group("RSA-\(r.rsaBits), group \(r.group)\(dh)", note: verdict, bars: [
                .init(series: 0, value: r.modeledWithNCPSeconds), .init(series: 1, value: r.modeledWithoutNCPSeconds),
            ])
        }
        let chart = BarChart(
            header: ChartHeader(
                title: "Which 2007 configurations explain 165 ms and 7.73 s",
                subtitles: ["platform t2000 (UltraSPARC T1, 1.2 GHz) · modeled Phase I responder at the published T1 latencies (gcc niagara.md)",
                            "dashed lines: Sun Fire T2000, Solaris 10 in.iked, 2007"],
                date: date, footnotes: ["made by: \(command)"]),
            series: [.init("modeled with ncp/0"), .init("modeled without ncp/0 (sparcfp)")],
            groups: groups,
            axis: ChartAxis(label: "modeled Phase I time (log scale)", kind: .log, format: .seconds),
            referenceLines: [
                ReferenceLine(value: Published2007.withNCPSeconds, label: "2007 with ncp: 165 ms"),
                ReferenceLine(value: Published2007.withoutNCPSeconds, label: "2007 without ncp: 7.73 s"),
            ])
        return chart.svg()
    }
}
