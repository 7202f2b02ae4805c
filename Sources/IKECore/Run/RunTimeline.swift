import CryptoFramework
import Foundation

/// One second of a run: the negotiations that completed in it, their mean
/// Phase I time, and who served the responder's operations.
public struct TimelineSecond: Sendable, Encodable, Equatable {
    /// Seconds since the run began; this entry covers [second − 1, second).
    public let second: Int
    public let negotiations: Int
    public let hostSecondsMean: Double
    public let modeledSecondsMean: Double?
    /// Operations served per provider in this second.
    public let providers: [String: Int]

    enum CodingKeys: String, CodingKey { case second, negotiations, hostSecondsMean, modeledSecondsMean, providers }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(second, forKey: .second)
        try c.encode(negotiations, forKey: .negotiations)
        try c.encode(hostSecondsMean, forKey: .hostSecondsMean)
        try c.encode(modeledSecondsMean, forKey: .modeledSecondsMean)
        try c.encode(providers, forKey: .providers)
    }
}

/// A policy the framework applied during the run, at `atSeconds` since its start.
public struct PolicyChangeMark: Sendable, Encodable, Equatable {
    public let atSeconds: Double
    public let summary: String

    /// The framework's changes that fall inside the run, relative to its start.
    static func marks(_ changes: [PolicyChange], start: UInt64, end: UInt64) -> [PolicyChangeMark] {
        changes.filter { $0.appliedAtNanoseconds >= start && $0.appliedAtNanoseconds <= end }.map {
            PolicyChangeMark(atSeconds: Double($0.appliedAtNanoseconds - start) / 1e9, summary: $0.summary)
        }
    }
}

/// Per-second sums of one task, merged at the end like the histograms.
struct RunTimeline {
    struct Bucket {
        var negotiations = 0
        var hostNanoseconds: UInt64 = 0
        var modeledSeconds = 0.0
        var modeledCount = 0
        var providers: [String: Int] = [:]
    }
    var buckets: [Int: Bucket] = [:]

    mutating func record(_ o: NegotiationOutcome, second: Int) {
        var b = buckets[second, default: Bucket()]
        b.negotiations += 1
        b.hostNanoseconds += o.hostNanoseconds
        if let m = o.modeledSeconds {
            b.modeledSeconds += m
            b.modeledCount += 1
        }
        for r in o.records { b.providers[r.provider, default: 0] += 1 }
        buckets[second] = b
    }

    mutating func merge(_ other: RunTimeline) {
        for (second, o) in other.buckets {
            var b = buckets[second, default: Bucket()]
            b.negotiations += o.negotiations
            b.hostNanoseconds += o.hostNanoseconds
            b.modeledSeconds += o.modeledSeconds
            b.modeledCount += o.modeledCount
            b.providers.merge(o.providers, uniquingKeysWith: +)
            buckets[second] = b
        }
    }

    /// Seconds in order; a second in which nothing completed is left out.
    var seconds: [TimelineSecond] {
        buckets.keys.sorted().compactMap { s in
            let b = buckets[s]!
            guard b.negotiations > 0 else { return nil }
            return TimelineSecond(
                second: s + 1, negotiations: b.negotiations,
                hostSecondsMean: Double(b.hostNanoseconds) / Double(b.negotiations) / 1e9,
                modeledSecondsMean: b.modeledCount > 0 ? b.modeledSeconds / Double(b.modeledCount) : nil,
                providers: b.providers)
        }
    }
}
