import IKEProtocol
import Foundation
import Histogram

/// Phase I time at percentiles spread evenly on HdrHistogram's percentile
/// axis (log of 1 / (1 − p)): eight points a decade — 0, 25, 43.8 … 90, … 99
/// … — up to the resolution the sample count supports, then the maximum.
public struct PercentilePoint: Sendable, Encodable, Equatable {
    public let percentile: Double
    public let seconds: Double
}

public struct LatencyDistribution: Sendable, Encodable, Equatable {
    public let host: [PercentilePoint]
    public let modeled: [PercentilePoint]?

    enum CodingKeys: String, CodingKey { case host, modeled }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(host, forKey: .host)
        try c.encode(modeled, forKey: .modeled)
    }

    static let pointsPerDecade = 8.0

    /// The percentiles for `count` samples: beyond 1 − 1/count a percentile
    /// says nothing the maximum does not, so the last point is the maximum,
    /// placed at 1 − 1/count.
    static func percentiles(count: UInt64) -> [Double] {
        guard count > 1 else { return [0] }
        let last = 100 * (1 - 1 / Double(count))
        var out: [Double] = []
        var k = 0.0
        while true {
            let p = 100 * (1 - pow10(-k / pointsPerDecade))
            if p >= last - 1e-9 { break }
            out.append((p * 1e4).rounded() / 1e4)
            k += 1
        }
        out.append((last * 1e4).rounded() / 1e4)
        return out
    }

    static func points(_ h: Histogram<UInt64>) -> [PercentilePoint] {
        guard h.totalCount > 0 else { return [] }
        let ps = percentiles(count: h.totalCount)
        return ps.enumerated().map { i, p in
            let ns = i == ps.count - 1 ? h.max : h.valueAtPercentile(p)
            return PercentilePoint(percentile: p, seconds: Double(ns) / 1e9)
        }
    }

    private static func pow10(_ x: Double) -> Double { Foundation.pow(10, x) }
}
