import Foundation

/// Maps data values to pixels along one axis.
public struct Scale: Sendable {
    public enum Kind: Sendable {
        case linear
        /// Base-10 logarithmic: for values spanning decades (µs to s, 10 to 100k ops/s).
        case log
        /// HdrHistogram's percentile axis: position log10(1 / (1 − p/100)), so
        /// 90, 99, 99.9 % are equally spaced and the tail is visible.
        case percentile
    }

    public let kind: Kind
    public let domain: ClosedRange<Double>
    public let range: ClosedRange<Double>
    /// Pixel axis runs from `range.upperBound` down to `range.lowerBound` (a y axis).
    public let reversed: Bool

    public init(kind: Kind, domain: ClosedRange<Double>, range: ClosedRange<Double>, reversed: Bool = false) {
        self.kind = kind
        // 100 % is infinitely far on a percentile axis (and 100·(1 − 10⁻¹⁷) == 100 in
        // doubles): keep the domain below it, where `transform` stops.
        if kind == .percentile {
            let top = Self.highestPercentile
            self.domain = min(domain.lowerBound, top)...min(domain.upperBound, top)
        } else {
            self.domain = domain
        }
        self.range = range
        self.reversed = reversed
    }

    /// The highest percentile an axis shows (eight nines).
    static let highestPercentile = 99.999_999
    /// Decades a log axis labels at most (a domain reaching down to 0 would have infinitely many).
    static let maxLogDecades = 12.0

    func transform(_ v: Double) -> Double {
        switch kind {
        case .linear: v
        case .log: log10(max(v, .leastNormalMagnitude))
        case .percentile: -log10(max(1 - min(v, Self.highestPercentile) / 100, 1e-12))
        }
    }

    /// Pixel position of `value` (values outside the domain are clamped to it).
    public func position(_ value: Double) -> Double {
        let (lo, hi) = (transform(domain.lowerBound), transform(domain.upperBound))
        let t = hi > lo ? (transform(min(max(value, domain.lowerBound), domain.upperBound)) - lo) / (hi - lo) : 0.5
        let span = range.upperBound - range.lowerBound
        return reversed ? range.upperBound - t * span : range.lowerBound + t * span
    }

    /// Tick values inside the domain: decades (with 2 and 5 when the domain
    /// spans few of them) on a log axis, 0 / 90 / 99 / 99.9 … on a percentile
    /// axis, round steps on a linear one.
    public var ticks: [Double] {
        switch kind {
        case .log:
            guard domain.upperBound > 0, domain.upperBound.isFinite else { return [] }
            // log10(0) is −inf: a domain starting at or below 0 gets labels for its top decades only.
            let hi = ceil(log10(domain.upperBound))
            let lo = max(domain.lowerBound > 0 ? floor(log10(domain.lowerBound)) : -.infinity, hi - Self.maxLogDecades)
            let multiples: [Double] = hi - lo <= 2 ? [1, 2, 5] : [1]
            var out: [Double] = []
            var e = lo
            while e <= hi {
                for m in multiples {
                    let v = m * pow(10, e)
                    if v >= domain.lowerBound * (1 - 1e-9), v <= domain.upperBound * (1 + 1e-9) { out.append(v) }
                }
                e += 1
            }
            return out
        case .percentile:
            // 50 and 75 % too: the first decade would otherwise have no label between 0 and 90.
            var out: [Double] = [0, 50, 75].filter { $0 <= domain.upperBound }
            var nines = 1.0
            // The domain stops at eight nines (init); nine bounds the loop whatever the rounding.
            while nines <= 9 {
                let p = 100 * (1 - pow(10, -nines))
                if p > domain.upperBound + 1e-9 { break }
                out.append(p)
                nines += 1
            }
            return out
        case .linear:
            let span = domain.upperBound - domain.lowerBound
            guard span > 0 else { return [domain.lowerBound] }
            let raw = span / 6
            let magnitude = pow(10, floor(log10(raw)))
            let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
            var out: [Double] = []
            var v = ceil(domain.lowerBound / step) * step
            while v <= domain.upperBound + step * 1e-9 {
                out.append(v)
                v += step
            }
            return out
        }
    }

    /// A log domain from whole decades around the values (at least one decade wide).
    public static func logDomain(covering values: [Double]) -> ClosedRange<Double> {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        guard let lo = positive.min(), let hi = positive.max() else { return 1...10 }
        let a = pow(10, floor(log10(lo)))
        var b = pow(10, ceil(log10(hi)))
        if b <= a { b = a * 10 }
        return a...b
    }
}
