import Synchronization

/// Cheap per-provider counters: lock-free atomics on the request path.
public final class ProviderStats: Sendable {
    private let requestsCounter = Atomic<Int>(0)
    private let completedCounter = Atomic<Int>(0)
    private let errorsCounter = Atomic<Int>(0)
    private let failoversCounter = Atomic<Int>(0)
    private let checkFailuresCounter = Atomic<Int>(0)
    private let inFlightCounter = Atomic<Int>(0)
    /// Completed requests per kind of request, indexed by ``ServedOperation``.
    private let servedCounters = ServedOperation.allCases.map { _ in AtomicCounter() }

    public init() {}

    /// Counts one request this provider completed, by what it was.
    func served(_ request: CryptoRequest) {
        servedCounters[ServedOperation(request).index].value.wrappingAdd(1, ordering: .relaxed)
    }

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
            inFlight: inFlightCounter.load(ordering: .relaxed),
            served: Dictionary(uniqueKeysWithValues: ServedOperation.allCases.compactMap { op in
                let n = servedCounters[op.index].value.load(ordering: .relaxed)
                return n == 0 ? nil : (op.rawValue, n)
            }))
    }
}

/// One counter for an array of them (`Atomic` itself cannot be an array element).
private final class AtomicCounter: Sendable {
    let value = Atomic<Int>(0)
}

/// What a provider served, as its kstats name it: the kind of request, with
/// key generation split into RSA and DH (the four operations of IKE Phase I
/// are sign, verify, generateDHKeyPair and deriveDH).
public enum ServedOperation: String, Sendable, CaseIterable, Codable {
    case sign, verify, digest, mac, encrypt, decrypt
    case generateRSAKeyPair, generateDHKeyPair, deriveDH, random

    public init(_ request: CryptoRequest) {
        switch request {
        case .sign: self = .sign
        case .verify: self = .verify
        case .digest: self = .digest
        case .mac: self = .mac
        case .encrypt: self = .encrypt
        case .decrypt: self = .decrypt
        case .generateRSAKeyPair: self = .generateRSAKeyPair
        case .generateDHKeyPair: self = .generateDHKeyPair
        case .deriveDH: self = .deriveDH
        case .random: self = .random
        }
    }

    fileprivate var index: Int { Self.allCases.firstIndex(of: self)! }
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
    /// Completed requests by ``ServedOperation`` raw value (kinds never served are absent).
    public let served: [String: Int]
}
