import CryptoFramework
import IKEProtocol
import Histogram

/// Per-task accumulation of a run: latency histograms and per-operation sums.
/// One per task, merged at the end (HdrHistogram's `add(_:)`), so the hot
/// path takes no lock.
struct RunTally {
    /// An operation as the report lists it: the mechanism by its PKCS#11 value
    /// (which identifies it; the mechanisms are in ``mechanisms``) and the
    /// provider by its place in ``providers``. A key holds no string, so
    /// looking one up per record copies and compares no reference-counted text.
    struct Key: Hashable { let name: IKEOperationName; let mechanism: UInt64; let provider: Int }
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
    /// The mechanisms of ``operations``' keys, by value (for their names),
    /// added when an operation is first tallied.
    var mechanisms: [UInt64: Mechanism] = [:]
    /// The providers ``operations``' keys name, by the index a key holds (a handful).
    var providers: [String] = []
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
        // The records read in place, not copied out one by one (each copy retained its strings and its work tallies).
        // The provider's index is found once per run of records it served (most negotiations: one).
        o.records.withUnsafeBufferPointer { records in
            var i = records.startIndex
            while i < records.endIndex {
                let provider = providerIndex(records[i].provider)
                var j = i
                repeat {
                    // A trivial default value keeps the dictionary's in-place access free of allocation.
                    let key = Key(name: records[j].name, mechanism: records[j].mechanism.value, provider: provider)
                    if Self.add(&operations[key, default: Sums()], hostNanoseconds: records[j].hostNanoseconds,
                                modeledSeconds: records[j].modeledSeconds) {
                        mechanisms[key.mechanism] = records[j].mechanism
                    }
                    j += 1
                } while j < records.endIndex && records[j].provider == records[i].provider
                i = j
            }
        }
    }

    /// `provider`'s index in ``providers``, added when new.
    mutating func providerIndex(_ provider: String) -> Int {
        if let i = providers.firstIndex(of: provider) { return i }
        providers.append(provider)
        return providers.count - 1
    }

    mutating func merge(_ other: RunTally) {
        host.add(other.host)
        modeled.add(other.modeled)
        hasModel = hasModel || other.hasModel
        negotiations += other.negotiations
        timeline.merge(other.timeline)
        for (k, v) in other.operations {
            let key = Key(name: k.name, mechanism: k.mechanism, provider: providerIndex(other.providers[k.provider]))
            operations[key, default: Sums()].add(v)
        }
        mechanisms.merge(other.mechanisms) { mine, _ in mine }
    }

    /// Adds one operation's times to `sums`; true when it is the first.
    private static func add(_ sums: inout Sums, hostNanoseconds: UInt64, modeledSeconds: Double?) -> Bool {
        sums.add(hostNanoseconds: hostNanoseconds, modeledSeconds: modeledSeconds)
        return sums.count == 1
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
            (order[$0.key.name]!, mechanismName($0.key), providers[$0.key.provider])
                < (order[$1.key.name]!, mechanismName($1.key), providers[$1.key.provider])
        }.map { k, s in
            OperationSummary(
                name: k.name.rawValue, mechanism: mechanismName(k), provider: providers[k.provider], count: s.count,
                hostSecondsMean: s.hostSecondsMean, modeledSecondsMean: s.modeledSecondsMean)
        }
    }

    /// A key's mechanism name (its catalogued one should the tally not have it).
    private func mechanismName(_ k: Key) -> String {
        mechanisms[k.mechanism]?.name ?? Mechanism(value: k.mechanism)?.name ?? "0x" + String(k.mechanism, radix: 16)
    }
}
