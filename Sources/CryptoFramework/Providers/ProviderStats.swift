import Synchronization

/// Cheap per-provider counters: lock-free atomics on the request path, two
/// read-modify-writes per completed request (requests up, then the kind served
/// up). Completions are the sum of the kinds served, and requests in flight are
/// requests minus every outcome.
public final class ProviderStats: Sendable {
    private let requestsCounter = Atomic<Int>(0)
    private let errorsCounter = Atomic<Int>(0)
    private let failoversCounter = Atomic<Int>(0)
    private let checkFailuresCounter = Atomic<Int>(0)
    /// Completed requests per kind of request, indexed by ``ServedOperation``.
    private let servedCounters = ServedOperation.allCases.map { _ in AtomicCounter() }

    public init() {}

    /// An attempt sent to the provider.
    func begin() {
        requestsCounter.wrappingAdd(1, ordering: .relaxed)
    }

    /// The attempt completed: one more of the ``ServedOperation`` at `servedIndex`.
    func completed(servedIndex: Int) {
        servedCounters[servedIndex].value.wrappingAdd(1, ordering: .relaxed)
    }

    /// The attempt did not complete.
    func end(_ outcome: Failure) {
        switch outcome {
        case .failedOver: failoversCounter.wrappingAdd(1, ordering: .relaxed)
        case .error: errorsCounter.wrappingAdd(1, ordering: .relaxed)
        case .checkFailed:
            checkFailuresCounter.wrappingAdd(1, ordering: .relaxed)
            failoversCounter.wrappingAdd(1, ordering: .relaxed)
        }
    }

    enum Failure { case failedOver, error, checkFailed }

    /// A consistent-enough copy of the counters. The outcomes are read before
    /// the requests, so every counter, requests included, only grows from one
    /// snapshot to the next, and in flight is never negative.
    public var snapshot: ProviderStatsSnapshot {
        let served = ServedOperation.allCases.map { servedCounters[$0.index].value.load(ordering: .relaxed) }
        let completed = served.reduce(0, &+)
        let errors = errorsCounter.load(ordering: .relaxed)
        let failovers = failoversCounter.load(ordering: .relaxed)
        let checkFailures = checkFailuresCounter.load(ordering: .relaxed)
        let requests = requestsCounter.load(ordering: .relaxed)
        return ProviderStatsSnapshot(
            requests: requests,
            completed: completed,
            errors: errors,
            failovers: failovers,
            resultCheckFailures: checkFailures,
            inFlight: max(0, requests &- completed &- errors &- failovers),
            served: Dictionary(uniqueKeysWithValues: zip(ServedOperation.allCases, served).compactMap { op, n in
                n == 0 ? nil : (op.rawValue, n)
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
    case signEC, verifyEC, generateECKeyPair, deriveECDH

    public init(_ request: CryptoRequest) { self = request.servedOperation }

    /// The switch of ``init(_:)``, run on a request borrowed in place (see
    /// ``CryptoRequest/servedOperation``).
    fileprivate init(switching request: borrowing CryptoRequest) {
        switch request {
        case .sign: self = .sign
        case .verify: self = .verify
        case .digest: self = .digest
        case .mac: self = .mac
        case .encrypt, .encryptRSA: self = .encrypt
        case .decrypt, .decryptRSA: self = .decrypt
        case .generateRSAKeyPair: self = .generateRSAKeyPair
        case .generateDHKeyPair: self = .generateDHKeyPair
        case .deriveDH: self = .deriveDH
        case .random: self = .random
        case .signEC: self = .signEC
        case .verifyEC: self = .verifyEC
        case .generateECKeyPair: self = .generateECKeyPair
        case .deriveECDH: self = .deriveECDH
        }
    }

    /// The CKF flag a provider must list to serve it (``CryptoRequest/requiredFlag``):
    /// an HMAC is a signature in PKCS#11's terms.
    var requiredFlag: MechanismFlags {
        switch self {
        case .sign, .mac, .signEC: .sign
        case .verify, .verifyEC: .verify
        case .digest: .digest
        case .encrypt: .encrypt
        case .decrypt: .decrypt
        case .generateRSAKeyPair, .generateDHKeyPair, .generateECKeyPair: .generateKeyPair
        case .deriveDH, .deriveECDH: .derive
        case .random: []
        }
    }

    /// The operation's short name in reports and errors (``CryptoRequest/operationName``).
    var operationName: String {
        switch self {
        case .sign, .signEC: "sign"
        case .verify, .verifyEC: "verify"
        case .digest: "digest"
        case .mac: "mac"
        case .encrypt: "encrypt"
        case .decrypt: "decrypt"
        case .generateRSAKeyPair, .generateDHKeyPair, .generateECKeyPair: "generate"
        case .deriveDH, .deriveECDH: "derive"
        case .random: "random"
        }
    }

    /// The position in `allCases`, without building `allCases` (the request path reads it).
    var index: Int {
        switch self {
        case .sign: 0
        case .verify: 1
        case .digest: 2
        case .mac: 3
        case .encrypt: 4
        case .decrypt: 5
        case .generateRSAKeyPair: 6
        case .generateDHKeyPair: 7
        case .deriveDH: 8
        case .random: 9
        case .signEC: 10
        case .verifyEC: 11
        case .generateECKeyPair: 12
        case .deriveECDH: 13
        }
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
    /// Completed requests by ``ServedOperation`` raw value (kinds never served are absent).
    public let served: [String: Int]
}

extension CryptoRequest {
    /// What the request is, for the counters and the report. A property, so
    /// the request is read where it lies: ``ServedOperation/init(_:)``, an
    /// initializer, takes its argument owned, and every caller on the request
    /// path copied the whole request for it (a retain and a release of its
    /// mechanism name, key and data).
    var servedOperation: ServedOperation { ServedOperation(switching: self) }
}
