import Foundation

/// How every report, table and chart writes a duration.
public enum SecondsFormat {
    /// Seconds in the unit that suits them, to three decimals (one for µs):
    /// "752.6 µs", "1.281 ms", "7.730 s".
    public static func text(_ seconds: Double) -> String {
        if seconds >= 1 { return String(format: "%.3f s", seconds) }
        if seconds >= 1e-3 { return String(format: "%.3f ms", seconds * 1e3) }
        return String(format: "%.1f µs", seconds * 1e6)
    }
}
