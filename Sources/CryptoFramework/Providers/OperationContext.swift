import Synchronization

/// Per-request scratch space a provider writes into while serving: modeled
/// cost, and free-form detail for the report. One per attempt.
///
/// Most requests (every software provider on the host) write nothing, so the
/// locked state is made on the first write: an unused context is one small
/// allocation, and reading it takes no lock.
public final class OperationContext: Sendable {
    private struct State {
        var modeledCycles: Double = 0
        var clockHz: Double? = nil
        var counts: [String: Int] = [:]
        var work = ModeledWork()
    }
    private final class Storage: Sendable {
        let state = Locked(State())
    }
    /// Set once, on the first write; holds a +1 reference released in deinit.
    /// (An atomic reference of a concrete class: Synchronization's generic
    /// AtomicLazyReference looked up its type metadata on every load.)
    private let storage = Atomic<Unmanaged<Storage>?>(nil)

    /// The framework's own check of a device's result (Selection rule 5) served
    /// by a software provider: an emulated provider computes it but does not
    /// hold it for its modeled time, since the check is the framework's work on
    /// the host, not an operation of the platform being modeled.
    public let isFrameworkCheck: Bool

    /// True when the framework has already held this very request to its input
    /// rules (``CryptoRequest/checkInputs()``) before handing it to the
    /// provider: a provider may then skip repeating those checks on its own
    /// path (an ECDH peer's point, validated once per request). False, the
    /// default, for a provider driven directly, which must check for itself.
    public let inputsChecked: Bool

    public init(isFrameworkCheck: Bool = false, inputsChecked: Bool = false) {
        self.isFrameworkCheck = isFrameworkCheck
        self.inputsChecked = inputsChecked
    }

    deinit { storage.load(ordering: .acquiring)?.release() }

    private var state: Locked<State> {
        if let box = storage.load(ordering: .acquiring) { return box.takeUnretainedValue().state }
        let made = Unmanaged.passRetained(Storage())
        let (exchanged, original) = storage.compareExchange(expected: nil, desired: made, ordering: .acquiringAndReleasing)
        if exchanged { return made.takeUnretainedValue().state }
        made.release()
        return original!.takeUnretainedValue().state
    }

    private func read<R>(_ empty: R, _ body: (State) -> R) -> R {
        guard let box = storage.load(ordering: .acquiring) else { return empty }
        return box.takeUnretainedValue().state.withLock { body($0) }
    }

    /// Adds `cycles` of modeled time on a clock of `clockHz` (one clock per request).
    public func addModeled(cycles: Double, clockHz: Double) {
        state.withLock {
            $0.modeledCycles += cycles
            $0.clockHz = clockHz
        }
    }

    /// Adds to a named operation count (e.g. "fmul", "fadd" for an FP engine).
    public func count(_ name: String, _ n: Int = 1) {
        state.withLock { $0.counts[name, default: 0] += n }
    }

    /// Adds a typed tally of modeled work (read back by type from the report's ``OperationReport/work``).
    public func record<T: WorkTally>(_ tally: T) {
        state.withLock { $0.work.add(tally) }
    }

    /// The typed tallies recorded so far.
    public var work: ModeledWork { read(ModeledWork()) { $0.work } }

    public var modeledCycles: Double? {
        read(nil) { $0.clockHz == nil ? nil : $0.modeledCycles }
    }
    public var modeledSeconds: Double? {
        read(nil) { s in s.clockHz.map { s.modeledCycles / $0 } }
    }
    public var counts: [String: Int] { read([:]) { $0.counts } }

    /// Cycles, seconds and counts read under one lock, for the report.
    var snapshot: (cycles: Double?, seconds: Double?, counts: [String: Int], work: ModeledWork) {
        read((nil, nil, Dictionary(), ModeledWork())) { s in
            guard let hz = s.clockHz else { return (nil, nil, s.counts, s.work) }
            return (s.modeledCycles, s.modeledCycles / hz, s.counts, s.work)
        }
    }
}

/// What the framework can tell about one completed operation.
public struct OperationReport: Sendable {
    /// The provider that served the request (for a composed request, its raw half).
    public let provider: String
    public let mechanism: Mechanism
    public let operation: String
    /// Providers that were tried and failed recoverably before this one, with why.
    public let failovers: [(provider: String, error: CryptoError)]
    /// Host wall-clock time of the serving attempt, in nanoseconds.
    public let hostNanoseconds: UInt64
    /// Modeled cycles and seconds, where the provider has a cost model.
    public let modeledCycles: Double?
    public let modeledSeconds: Double?
    /// Operation counts the provider recorded (e.g. FP multiplies), by display name.
    public let counts: [String: Int]
    /// The same work as typed tallies, for cost models (``ModeledWork/tally(_:)``).
    public let work: ModeledWork
    /// For a request served composed (Selection rule 6): the halves. Nil when
    /// one provider served the mechanism whole. Host time, modeled time and
    /// counts above are both halves' together; `work` is the raw half's.
    public let composedWith: ComposedHalves?
}

/// The two halves of a request served composed (Selection rule 6): the raw
/// mechanism on ``OperationReport/provider``, the digest on a software provider.
public struct ComposedHalves: Sendable, Hashable {
    /// What the report's provider served (CKM_RSA_PKCS over a DigestInfo, CKM_ECDSA over the hash).
    public let rawMechanism: Mechanism
    /// The software provider that computed the digest, and its mechanism (CKM_SHA256).
    public let digestProvider: String
    public let digestMechanism: Mechanism
    /// The digest half's host time and modeled time, where modeled.
    public let digestHostNanoseconds: UInt64
    public let digestModeledSeconds: Double?
}

/// A result together with its report.
public struct Reported<Value: Sendable>: Sendable {
    public let value: Value
    public let report: OperationReport
}
