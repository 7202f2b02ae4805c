import Charts
import Foundation
import IKEProtocol
import IKEHarness

/// `ikebench calibrate --svg`: the explanation table as a chart — per 2007
/// configuration, the modeled cryptography with and without ncp/0 and the
/// without-ncp Phase I it predicts (plus the non-cryptographic time the 165 ms
/// run implies), against the 165 ms and 7.73 s lines. The bars are the
/// `--json` rows' numbers.
enum CalibrationChart {
    static func svg(_ rows: [ExplanationRow], command: String, date: Date = Date()) -> String {
        let groups = rows.map { r -> BarChart.Group in
            let verdict = r.consistent
                ? "✓ explains both 2007 figures, no penalty"
                : String(format: "7.73 s needs %+.1f cycles per FP instruction", r.impliedPenaltyCycles)
            return BarChart.Group("RSA-\(r.rsaBits), group \(r.group), \(r.dhPrivateBits)-bit DH x", note: verdict, bars: [
                .init(series: 0, value: r.modeledWithNCPSeconds), .init(series: 1, value: r.modeledWithoutNCPSeconds),
                .init(series: 2, value: r.predictedWithoutNCPSeconds),
            ], highlighted: r.consistent)
        }
        let chart = BarChart(
            header: ChartHeader(
                title: "Which 2007 configurations explain 165 ms and 7.73 s",
                subtitles: ["platform t2000 (UltraSPARC T1, 1.2 GHz) · modeled Phase I responder at the published T1 latencies (gcc niagara.md), no FP penalty",
                            "predicted = modeled without ncp/0 + the non-cryptographic time that 165 ms implies",
                            "dashed: Sun Fire T2000, Solaris 10 in.iked, 2007 · tinted: consistent with both figures within 25 %"],
                date: date, footnotes: ["made by: \(command)"]),
            series: [.init("modeled with ncp/0 (cryptography)"), .init("modeled without ncp/0 (sparcfp)"),
                     .init("predicted without ncp/0", outlined: true, color: 1)],
            groups: groups,
            axis: ChartAxis(label: "Phase I time (log scale)", kind: .log, format: .seconds),
            referenceLines: [
                ReferenceLine(value: Published2007.withNCPSeconds, label: "2007 with ncp: 165 ms"),
                ReferenceLine(value: Published2007.withoutNCPSeconds, label: "2007 without ncp: 7.73 s"),
            ])
        return chart.svg()
    }
}
