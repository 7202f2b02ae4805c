import CryptoFramework
import IKEProtocol
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
        /// Phase I times of the negotiations completed in the second.
        var negotiations = RunTally.Sums()
        /// Operations served per provider.
        var providers: [String: Int] = [:]
    }
    var buckets: [Int: Bucket] = [:]

    mutating func record(_ o: NegotiationOutcome, second: Int) {
        o.records.withUnsafeBufferPointer { records in
            Self.record(o, records, into: &buckets[second, default: Bucket()])
        }
    }

    /// The second's bucket found once per negotiation; its records read in
    /// place (not copied out one by one), and a run of records served by the
    /// same provider (most negotiations: all of them) counted with one look-up.
    private static func record(_ o: NegotiationOutcome, _ records: UnsafeBufferPointer<IKEOperationRecord>, into bucket: inout Bucket) {
        bucket.negotiations.add(hostNanoseconds: o.hostNanoseconds, modeledSeconds: o.modeledSeconds)
        var i = records.startIndex
        while i < records.endIndex {
            var j = i + 1
            while j < records.endIndex && records[j].provider == records[i].provider { j += 1 }
            bucket.providers[records[i].provider, default: 0] += j - i
            i = j
        }
    }

    mutating func merge(_ other: RunTimeline) {
        for (second, o) in other.buckets {
            buckets[second, default: Bucket()].negotiations.add(o.negotiations)
            buckets[second, default: Bucket()].providers.merge(o.providers, uniquingKeysWith: +)
        }
    }

    /// Seconds in order; a second in which nothing completed is left out.
    var seconds: [TimelineSecond] {
        buckets.keys.sorted().compactMap { s in
            let b = buckets[s]!
            guard b.negotiations.count > 0 else { return nil }
            return TimelineSecond(
                second: s + 1, negotiations: b.negotiations.count,
                hostSecondsMean: b.negotiations.hostSecondsMean, modeledSecondsMean: b.negotiations.modeledSecondsMean,
                providers: b.providers)
        }
    }
}
