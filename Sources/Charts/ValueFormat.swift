import Foundation
import TextFormat

/// How a chart writes a value: on a bar, at a tick, in a tooltip. The text on
/// a bar is the value of the run's JSON written with one of these, so a test
/// can compare the two.
public struct ValueFormat: Sendable {
    public let format: @Sendable (Double) -> String
    /// The shorter form used at axis ticks.
    public let tick: @Sendable (Double) -> String

    public init(format: @escaping @Sendable (Double) -> String, tick: @escaping @Sendable (Double) -> String) {
        self.format = format
        self.tick = tick
    }

    /// Seconds in the unit that suits them: "752.6 µs", "1.281 ms", "7.730 s".
    public static let seconds = ValueFormat(
        format: SecondsFormat.text,
        tick: { s in
            if s == 0 { return "0 s" }
            let (value, unit) = s >= 1 ? (s, "s") : s >= 1e-3 ? (s * 1e3, "ms") : s >= 1e-6 ? (s * 1e6, "µs") : (s * 1e9, "ns")
            return compact(value) + " " + unit
        })

    /// Operations per second: "3,784/s" on bars, "10k" at ticks.
    public static let perSecond = ValueFormat(
        format: { v in grouped(v) + "/s" },
        tick: { v in
            v >= 1e6 ? compact(v / 1e6) + "M" : v >= 1e3 ? compact(v / 1e3) + "k" : compact(v)
        })

    /// Plain numbers (counts, cycles).
    public static let plain = ValueFormat(format: { grouped($0) }, tick: { compact($0) })

    /// Percent for the percentile axis: "99.9%".
    public static let percent = ValueFormat(format: { compact($0) + "%" }, tick: { compact($0) + "%" })

    /// A round number without trailing zeros ("2", "2.5", "0.25").
    public static func compact(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        var s = String(format: "%.4f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// One decimal under 100, none above, thousands separated by commas.
    static func grouped(_ v: Double) -> String {
        if abs(v) < 100 { return String(format: "%.1f", v) }
        let digits = String(Int(v.rounded()))
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0, i % 3 == 0, c != "-" { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
}
