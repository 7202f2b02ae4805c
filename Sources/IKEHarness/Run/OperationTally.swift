import CryptoFramework
import IKEProtocol
import Histogram

/// Per-task accumulation of a run: latency histograms and per-operation sums.
/// One per task, merged at the end (HdrHistogram's `add(_:)`), so the hot
/// path takes no lock.
struct RunTally {
    struct Key: Hashable { let name: IKEOperationName; let mechanism: Mechanism; let provider: String }
    /// Host and modeled time summed over `count` samples (operations, or negotiations in one second).
    struct Sums {
        var count = 0
        var hostNanoseconds: UInt64 = 0
        var modeledSeconds = 0.0
        var modeledCount = 0

        mutating func add(hostNanoseconds ns: UInt64, modeledSeconds m: Double?) {
            count += 1
            hostNanoseconds += ns
            if let m { modeledSeconds += m; modeledCount += 1 }
        }

        mutating func add(_ o: Sums) {
            count += o.count
            hostNanoseconds += o.hostNanoseconds
            modeledSeconds += o.modeledSeconds
            modeledCount += o.modeledCount
        }

        var hostSecondsMean: Double { Double(hostNanoseconds) / Double(max(count, 1)) / 1e9 }
        var modeledSecondsMean: Double? { modeledCount > 0 ? modeledSeconds / Double(modeledCount) : nil }
    }

    /// Phase I host nanoseconds; modeled nanoseconds. Up to one hour, 3 significant digits.
    var host = RunTally.histogram()
    var modeled = RunTally.histogram()
    var hasModel = false
    var operations: [Key: Sums] = [:]
    var negotiations = 0
    var timeline = RunTimeline()

    static func histogram() -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: .three)
    }

    /// `second`: whole seconds since the run began when `o` completed.
    mutating func record(_ o: NegotiationOutcome, second: Int) {
        negotiations += 1
        timeline.record(o, second: second)
        _ = host.record(max(o.hostNanoseconds, 1))
        if let m = o.modeledSeconds {
            hasModel = true
            _ = modeled.record(max(UInt64((m * 1e9).rounded()), 1))
        }
        for r in o.records {
            operations[Key(name: r.name, mechanism: r.mechanism, provider: r.provider), default: Sums()]
                .add(hostNanoseconds: r.hostNanoseconds, modeledSeconds: r.modeledSeconds)
        }
    }

    mutating func merge(_ other: RunTally) {
        host.add(other.host)
        modeled.add(other.modeled)
        hasModel = hasModel || other.hasModel
        negotiations += other.negotiations
        timeline.merge(other.timeline)
        for (k, v) in other.operations {
            operations[k, default: Sums()].add(v)
        }
    }

    static func summary(_ h: Histogram<UInt64>) -> LatencySummary {
        guard h.totalCount > 0 else { return LatencySummary(p50: 0, p90: 0, p99: 0, mean: 0) }
        return LatencySummary(
            p50: Double(h.valueAtPercentile(50)) / 1e9, p90: Double(h.valueAtPercentile(90)) / 1e9,
            p99: Double(h.valueAtPercentile(99)) / 1e9, mean: h.mean / 1e9)
    }

    var operationSummaries: [OperationSummary] {
        let order = Dictionary(uniqueKeysWithValues: IKEOperationName.allCases.enumerated().map { ($1, $0) })
        return operations.sorted {
            (order[$0.key.name]!, $0.key.mechanism.name, $0.key.provider) < (order[$1.key.name]!, $1.key.mechanism.name, $1.key.provider)
        }.map { k, s in
            OperationSummary(
                name: k.name.rawValue, mechanism: k.mechanism.name, provider: k.provider, count: s.count,
                hostSecondsMean: s.hostSecondsMean, modeledSecondsMean: s.modeledSecondsMean)
        }
    }
}
