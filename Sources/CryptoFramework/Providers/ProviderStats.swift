import Synchronization

/// Cheap per-provider counters: lock-free atomics on the request path.
public final class ProviderStats: Sendable {
    private let requestsCounter = Atomic<Int>(0)
    private let completedCounter = Atomic<Int>(0)
    private let errorsCounter = Atomic<Int>(0)
    private let failoversCounter = Atomic<Int>(0)
    private let checkFailuresCounter = Atomic<Int>(0)
    private let inFlightCounter = Atomic<Int>(0)

    public init() {}

    func begin() {
        requestsCounter.wrappingAdd(1, ordering: .relaxed)
        inFlightCounter.wrappingAdd(1, ordering: .relaxed)
    }
    func end(_ outcome: Outcome) {
        inFlightCounter.wrappingSubtract(1, ordering: .relaxed)
        switch outcome {
        case .completed: completedCounter.wrappingAdd(1, ordering: .relaxed)
        case .failedOver: failoversCounter.wrappingAdd(1, ordering: .relaxed)
        case .error: errorsCounter.wrappingAdd(1, ordering: .relaxed)
        case .checkFailed:
            checkFailuresCounter.wrappingAdd(1, ordering: .relaxed)
            failoversCounter.wrappingAdd(1, ordering: .relaxed)
        }
    }

    enum Outcome { case completed, failedOver, error, checkFailed }

    /// A consistent-enough copy of the counters.
    public var snapshot: ProviderStatsSnapshot {
        ProviderStatsSnapshot(
            requests: requestsCounter.load(ordering: .relaxed),
            completed: completedCounter.load(ordering: .relaxed),
            errors: errorsCounter.load(ordering: .relaxed),
            failovers: failoversCounter.load(ordering: .relaxed),
            resultCheckFailures: checkFailuresCounter.load(ordering: .relaxed),
            inFlight: inFlightCounter.load(ordering: .relaxed))
    }
}

/// Counters of one provider at one moment.
public struct ProviderStatsSnapshot: Sendable, Hashable, Codable {
    /// Attempts sent to the provider.
    public let requests: Int
    /// Attempts it completed (including those answering "invalid signature").
    public let completed: Int
    /// Attempts that ended in an unrecoverable error (bad input).
    public let errors: Int
    /// Attempts that failed recoverably and went to another provider.
    public let failovers: Int
    /// Hardware RSA private results rejected by the framework's check (rule 5).
    public let resultCheckFailures: Int
    public let inFlight: Int
}
