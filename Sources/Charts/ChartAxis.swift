import Foundation

/// One value axis: what it measures, in which unit, on which scale.
public struct ChartAxis: Sendable {
    public var label: String
    public var kind: Scale.Kind
    public var format: ValueFormat
    /// nil: from the data (whole decades on a log axis).
    public var domain: ClosedRange<Double>?

    public init(label: String, kind: Scale.Kind, format: ValueFormat, domain: ClosedRange<Double>? = nil) {
        self.label = label
        self.kind = kind
        self.format = format
        self.domain = domain
    }

    func resolvedDomain(values: [Double]) -> ClosedRange<Double> {
        if let domain { return domain }
        switch kind {
        case .log: return Scale.logDomain(covering: values)
        case .percentile: return 0...max(90, values.max() ?? 90)
        case .linear:
            let lo = min(0, values.min() ?? 0), hi = values.max() ?? 1
            return lo...(hi > lo ? hi : lo + 1)
        }
    }
}

/// A line across the plot at a value: a published figure, a target.
public struct ReferenceLine: Sendable {
    public var value: Double
    public var label: String
    public init(value: Double, label: String) {
        self.value = value
        self.label = label
    }
}
