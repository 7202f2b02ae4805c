import Foundation
import Synchronization

/// Holds the policy in force and notices changes to its file: at most every
/// `checkInterval`, one request stats the file; a changed file is parsed and,
/// if valid, applied to new requests (rule 4). A malformed new file leaves the
/// last good policy in force and is reported, never half-applied.
final class PolicyHolder: Sendable {
    static let checkIntervalNanoseconds: UInt64 = 100_000_000

    private let store: PolicyStore?
    private let state: Locked<State>
    /// Where a policy file that could not be applied is reported.
    private let warn: @Sendable (String) -> Void
    private let lastCheck = Atomic<UInt64>(0)
    /// Builds the table for a policy from the previous table's providers (nil the first time).
    private let builder: @Sendable (Policy, ProviderSet?) -> SelectionTable
    /// Serializes builds: a module must be attached once, even when two
    /// threads apply a policy at the same time.
    private let building = Locked(())

    private struct State {
        var policy: Policy
        var stamp: FileStamp?
        var loadError: CryptoError?
        /// The most recent policies applied after the first, oldest first.
        var changes: [PolicyChange] = []
    }

    /// The table in force, read by every request without a lock. Every table
    /// published stays alive with the holder, one per distinct policy and
    /// provider set: a policy seen again reuses its table, so flipping between
    /// policies does not grow the list.
    private let published: Published<SelectionTable>

    /// Counts publications: raised after each table is put in force, so a
    /// value read before and again after a computation from the table in force
    /// is the same only if no table was published in between, even one
    /// published before (a policy flipped back reuses its table object).
    private let publications = Atomic<UInt64>(0)

    /// Makes `table` (or an equal one published before) the one in force.
    private func publish(_ table: SelectionTable) {
        published.update { _, kept in
            (kept.first { $0.providers === table.providers && $0.policy == table.policy } ?? table, ())
        }
        publications.add(1, ordering: .sequentiallyConsistent)
    }

    /// How many tables have been published (``publications``), after checking the file when due as ``current(now:)`` does.
    func generation() -> UInt64 {
        _ = current()
        return publications.load(ordering: .sequentiallyConsistent)
    }

    /// Puts `policy` in force with its table, and remembers the change. Under the state lock.
    private func apply(_ policy: Policy, table: SelectionTable, in s: inout State) {
        if policy != s.policy {
            s.changes.append(PolicyChange(appliedAtNanoseconds: MonotonicClock.nanoseconds(), previous: s.policy, policy: policy))
            if s.changes.count > Self.changesKept { s.changes.removeFirst(s.changes.count - Self.changesKept) }
        }
        s.policy = policy
        publish(table)
    }

    /// Bounds the change history of a long-running process.
    static let changesKept = 64

    var changes: [PolicyChange] { state.withLock { $0.changes } }

    /// The policy `source` holds, in force with the table `builder` makes of it.
    init(
        source: PolicySource, warn: @escaping @Sendable (String) -> Void,
        builder: @escaping @Sendable (Policy, ProviderSet?) -> SelectionTable
    ) throws {
        self.warn = warn
        self.builder = builder
        let initial: State
        switch source {
        case .inMemory(let policy):
            store = nil
            initial = State(policy: policy)
        case .file(let url):
            let s = PolicyStore(url: url)
            store = s
            let stamp = s.stamp()
            initial = State(policy: try s.load(), stamp: stamp)
        case .default:
            let s = PolicyStore(url: PolicyStore.defaultURL())
            store = s
            let stamp = s.stamp()
            initial = State(policy: try s.load(), stamp: stamp)
        }
        state = Locked(initial)
        published = Published(builder(initial.policy, nil))
    }

    /// The policy in force (without checking the file).
    var policy: Policy { state.withLock { $0.policy } }

    func current(now: UInt64 = MonotonicClock.nanoseconds()) -> SelectionTable {
        if store != nil { checkFileIfDue(now: now) }
        return published.value
    }

    var lastLoadError: CryptoError? { state.withLock { $0.loadError } }

    func replace(with policy: Policy) {
        building.withLock { _ in
            let table = builder(policy, published.value.providers)
            state.withLock { apply(policy, table: table, in: &$0) }
        }
    }

    func reloadNow() throws {
        guard let store else { return }
        let stamp = store.stamp()
        let policy = try store.load()
        if state.withLock({ $0.policy == policy }) {
            state.withLock {
                $0.stamp = stamp
                $0.loadError = nil
            }
            return
        }
        building.withLock { _ in
            let table = builder(policy, published.value.providers)
            state.withLock {
                apply(policy, table: table, in: &$0)
                $0.stamp = stamp
                $0.loadError = nil
            }
        }
    }

    private func checkFileIfDue(now: UInt64) {
        let last = lastCheck.load(ordering: .relaxed)
        guard now &- last >= Self.checkIntervalNanoseconds,
            lastCheck.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged,
            let store
        else { return }
        let stamp = store.stamp()
        // Two writes of equal size within one mtime tick can share a stamp, so
        // a file changed in the last two seconds is re-read even when it looks the same.
        let recentlyWritten = stamp.map { realtimeNanoseconds() - $0.modificationNanoseconds < 2_000_000_000 } ?? false
        guard recentlyWritten || stamp != state.withLock({ $0.stamp }) else { return }
        do {
            try reloadNow()
        } catch let error as CryptoError {
            let isNew = state.withLock { s -> Bool in
                defer { s.stamp = stamp; s.loadError = error }
                return s.loadError != error
            }
            if isNew {
                warn("cryptoframework: policy file changed but was not applied, keeping the previous policy: \(error)")
            }
        } catch {
            state.withLock { $0.stamp = stamp }
        }
    }
}
