import Foundation
import Synchronization

/// The provider registry: which providers exist, the policy in force, and
/// selection with failover after KCF's `kcf_get_mech_provider` (DESIGN.md,
/// "Selection"). Decides from data only — descriptors, policy, load.
final class Registry: Sendable {
    let platform: Platform
    private let policyHolder: PolicyHolder
    /// Publishes the providers' counters to a file when the environment asks (KstatPublisher.swift).
    let kstatPublisher: KstatPublisher?

    /// The platform's providers, then a provider for each PKCS#11 module the
    /// policy installs (through `platform.makeModuleProvider`). A module
    /// installed while the framework runs is attached when the policy that
    /// installs it is applied; one uninstalled serves no new request (it stays
    /// in the set, so indices held by requests in flight remain valid).
    init(platform: Platform, policy source: PolicySource, warn: @escaping @Sendable (String) -> Void, kstatDirectory: URL?) throws {
        self.platform = platform
        let base = try ProviderSet(platform: platform)
        policyHolder = try PolicyHolder(source: source, warn: warn) { [platform] policy, previous in
            let providers = (previous ?? base).attaching(modulesOf: policy, platform: platform)
            return SelectionTable(
                providers: providers, policy: policy, softwarePriority: platform.softwarePriority,
                deviceRanking: platform.deviceRanking)
        }
        kstatPublisher = kstatDirectory.map(KstatPublisher.init(directory:))
        kstatPublisher?.write(self)
    }

    /// The providers now (the set grows when a policy installs a module).
    var providerSet: ProviderSet { policyHolder.current().providers }
    var providers: [any CryptoProvider] { providerSet.providers }
    var descriptors: [ProviderDescriptor] { providerSet.descriptors }
    var stats: [ProviderStats] { providerSet.stats }
    var loadErrors: [String: CryptoError] { providerSet.loadErrors }

    func index(of name: String) -> Int? { providerSet.indexByName[name] }

    var policy: Policy { policyHolder.current().policy }
    var policyLoadError: CryptoError? { policyHolder.lastLoadError }

    func setPolicy(_ policy: Policy) { policyHolder.replace(with: policy) }
    var policyChanges: [PolicyChange] { policyHolder.changes }
    func reloadPolicy() throws { try policyHolder.reloadNow() }

    // MARK: Selection

    /// The provider to try next for `request`, or nil when no candidate is left.
    /// Rule 1 (candidates), rule 2 (hardware first, least loaded; then software by priority).
    /// Returns the chosen index with the provider set it indexes (one snapshot per attempt).
    /// `now` is the caller's clock reading, for the policy file's periodic check.
    func select(
        _ request: SelectionKey, tried: borrowing TriedSet, pinned: Int?, now: UInt64
    ) -> (index: Int, providers: ProviderSet)? {
        let table = policyHolder.current(now: now)
        guard let index = select(request, in: table, tried: tried, pinned: pinned) else { return nil }
        return (index, table.providers)
    }

    private func select(_ request: SelectionKey, in table: SelectionTable, tried: borrowing TriedSet, pinned: Int?) -> Int? {
        guard let candidates = table.candidates(for: request.mechanism) else { return nil }
        let bits = request.keyBits
        let flag = request.flag
        var bestHardware: (index: Int, load: Int)?
        for entry in candidates {
            let i = entry.provider
            if let pinned, i != pinned { continue }
            if tried.contains(i) { continue }
            guard entry.admits(keyBits: bits, flag: flag) else { continue }
            let provider = table.providers.providers[i]
            if provider.isFailed { continue }
            if entry.isHardware {
                let load = provider.load
                if bestHardware == nil || load < bestHardware!.load { bestHardware = (i, load) }
                continue
            }
            return bestHardware?.index ?? i
        }
        return bestHardware?.index
    }

    /// Rule 1 for a request that is not made yet: the providers that may serve
    /// `mechanism` with `flag` at `keyBits` now, in rule 2's order before load
    /// (devices by registration, software by priority, ranked as the platform says).
    func eligible(mechanism: Mechanism, flag: MechanismFlags, keyBits: Int?) -> [Int] {
        let table = policyHolder.current()
        return (table.candidates(for: mechanism) ?? []).filter {
            $0.admits(keyBits: keyBits, flag: flag) && !table.providers.providers[$0.provider].isFailed
        }.map(\.provider)
    }

    /// The preferred software provider allowed to serve `request` (for the
    /// framework's own checks, which must not depend on a device).
    func softwareProvider(for request: CryptoRequest) -> Int? {
        let table = policyHolder.current()
        return table.candidates(for: request.mechanism)?.first { entry in
            !entry.isHardware && entry.admits(keyBits: request.keyBits, flag: request.requiredFlag)
                && !table.providers.providers[entry.provider].isFailed
        }?.provider
    }

    /// Why nothing (more) can serve `request`: a message naming the mechanism,
    /// the key size and what each provider had against it.
    func noProviderError(_ request: CryptoRequest, failures: [(Int, CryptoError)], pinned: Int?) -> CryptoError {
        let descriptors = self.descriptors
        let mech = request.mechanism
        let op = request.operationName
        if !failures.isEmpty {
            let list = failures.map { "\(descriptors[$0.0].name) (\($0.1))" }.joined(separator: "; ")
            let last = failures.last!.1
            return CryptoError(last.code, "\(mech) \(op) failed on every provider tried: \(list)")
        }
        let scope = pinned.map { [$0] } ?? Array(descriptors.indices)
        let offering = scope.filter { descriptors[$0].info(for: mech) != nil }
        if offering.isEmpty {
            let who = pinned.map { "provider \(descriptors[$0].name) does not" } ?? "no provider on platform \(platform.name) does"
            return CryptoError(.mechanismNotSupported, "\(who) offer \(mech)")
        }
        let policy = self.policy
        let allowed = offering.filter { policy.allows(provider: descriptors[$0].name, mechanism: mech) }
        if allowed.isEmpty {
            let names = offering.map { descriptors[$0].name }.joined(separator: ", ")
            return CryptoError(.mechanismNotSupported,
                "\(mech) is disabled by policy for every provider that offers it (\(names)); see `cryptoadm list -p`")
        }
        let flag = request.requiredFlag
        let capable = allowed.filter { descriptors[$0].info(for: mech)!.flags.contains(flag) }
        if capable.isEmpty {
            let names = allowed.map { descriptors[$0].name }.joined(separator: ", ")
            return CryptoError(.mechanismInvalid, "\(mech) cannot \(op) on \(names)")
        }
        let fitting = capable.filter { descriptors[$0].info(for: mech)!.accepts(keyBits: request.keyBits) }
        if fitting.isEmpty, let bits = request.keyBits {
            let ranges = capable.map {
                let info = descriptors[$0].info(for: mech)!
                return "\(descriptors[$0].name): \(info.minKeyBits)...\(info.maxKeyBits)"
            }.joined(separator: ", ")
            return CryptoError(.keySizeRange, "no active provider supports \(bits)-bit keys for \(mech) (\(ranges))")
        }
        let names = fitting.map { descriptors[$0].name }.joined(separator: ", ")
        return CryptoError(.providerFailed, "every provider that could serve \(mech) is in the FAILED state (\(names))")
    }
}

/// What selection reads of a request, taken out once per request: plain
/// values only, so passing the key between the steps of a request copies no
/// reference (a key binds as one reference, since its fields live in one object).
struct SelectionKey {
    /// The mechanism's PKCS#11 value (``Mechanism/value``).
    let mechanism: UInt64
    let keyBits: Int?
    let flag: MechanismFlags
    /// What the request is, for the counters and the report.
    let served: ServedOperation

    var isRSAPrivateOperation: Bool { served == .sign }
    var servedIndex: Int { served.index }

    init(_ request: CryptoRequest) {
        served = ServedOperation(request)
        mechanism = request.mechanism.value
        keyBits = request.keyBits
        flag = served.requiredFlag
    }
}

/// Providers already tried for one request (rule 3), as a bit set that grows
/// if the provider set does while the request is in flight. The first 64
/// providers (every platform's, and most module sets) live inline, so a
/// request allocates nothing for it.
struct TriedSet: ~Copyable {
    private var first: UInt64 = 0
    private var more: [UInt64] = []
    init() {}
    func contains(_ i: Int) -> Bool {
        if i < 64 { return first & (1 << UInt64(i)) != 0 }
        let word = (i >> 6) - 1
        return word < more.count && more[word] & (1 << UInt64(i & 63)) != 0
    }
    mutating func insert(_ i: Int) {
        if i < 64 {
            first |= 1 << UInt64(i)
            return
        }
        let word = (i >> 6) - 1
        while word >= more.count { more.append(0) }
        more[word] |= 1 << UInt64(i & 63)
    }
}

/// The providers a framework has: the platform's, then the PKCS#11 modules
/// attached from the policy. Immutable; a new set only ever appends, so an
/// index names the same provider in every later set.
final class ProviderSet: Sendable {
    let providers: [any CryptoProvider]
    let descriptors: [ProviderDescriptor]
    let stats: [ProviderStats]
    let indexByName: [String: Int]
    /// Why an installed PKCS#11 module could not be loaded, by path.
    let loadErrors: [String: CryptoError]
    /// Modules attached from the policy: they serve only while it installs them.
    let fromPolicy: Set<Int>

    /// The platform's own providers.
    convenience init(platform: Platform) throws {
        let made = try platform.makeProviders()
        var seen: [String: Int] = [:]
        for (i, p) in made.enumerated() {
            let name = p.descriptor.name
            guard seen[name] == nil else {
                throw CryptoError(.argumentsBad, "platform \(platform.name) registers two providers named \(name)")
            }
            seen[name] = i
        }
        self.init(providers: made, stats: made.map { _ in ProviderStats() }, indexByName: seen, loadErrors: [:], fromPolicy: [])
    }

    private init(
        providers: [any CryptoProvider], stats: [ProviderStats], indexByName: [String: Int],
        loadErrors: [String: CryptoError], fromPolicy: Set<Int>
    ) {
        self.providers = providers
        self.descriptors = providers.map(\.descriptor)
        self.stats = stats
        self.indexByName = indexByName
        self.loadErrors = loadErrors
        self.fromPolicy = fromPolicy
    }

    /// This set with a provider for every module `policy` installs that it
    /// lacks (a module that fails to load is attached as an unavailable
    /// provider carrying the reason); `self` when there is none.
    func attaching(modulesOf policy: Policy, platform: Platform) -> ProviderSet {
        let missing = policy.installedModules.filter { self.indexByName[$0] == nil }
        guard !missing.isEmpty else { return self }
        var providers = self.providers, stats = self.stats, indexByName = self.indexByName
        var loadErrors = self.loadErrors, fromPolicy = self.fromPolicy
        for path in missing {
            let provider: any CryptoProvider
            do {
                guard let make = platform.makeModuleProvider else {
                    throw CryptoError(.notSupported, "platform \(platform.name) cannot load PKCS#11 modules")
                }
                provider = try make(path, policy[provider: path])
            } catch {
                let failure = error as? CryptoError ?? CryptoError(.deviceError, "\(error)")
                loadErrors[path] = failure
                provider = UnavailableModuleProvider(path: path, error: failure)
            }
            indexByName[path] = providers.count
            fromPolicy.insert(providers.count)
            providers.append(provider)
            stats.append(ProviderStats())
        }
        return ProviderSet(
            providers: providers, stats: stats, indexByName: indexByName, loadErrors: loadErrors, fromPolicy: fromPolicy)
    }
}

/// Candidates per mechanism under one policy, precomputed so a request does one
/// dictionary look-up: devices (registration order) and software (by priority),
/// devices first or last as the platform's ``DeviceRanking`` says.
final class SelectionTable: Sendable {
    struct Entry: Sendable {
        let provider: Int
        let info: MechanismInfo
        let isHardware: Bool

        /// Rule 1's per-request test: the key size fits and the provider lists
        /// the operation's CKF flag for the mechanism.
        @inline(__always)
        func admits(keyBits: Int?, flag: MechanismFlags) -> Bool {
            info.accepts(keyBits: keyBits) && info.flags.contains(flag)
        }
    }
    let policy: Policy
    let providers: ProviderSet
    /// Mechanism values with candidates, sorted: a binary search of a few
    /// dozen integers costs less than hashing the mechanism per request.
    private let values: [UInt64]
    /// The candidates of `values[i]` (a parallel array, so the search reads integers only).
    private let entries: [[Entry]]

    func candidates(for mechanism: Mechanism) -> [Entry]? { candidates(for: mechanism.value) }

    func candidates(for value: UInt64) -> [Entry]? {
        var low = 0, high = values.count
        while low < high {
            let mid = (low + high) >> 1
            if values[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low < values.count && values[low] == value ? entries[low] : nil
    }

    init(providers: ProviderSet, policy: Policy, softwarePriority: [String], deviceRanking: DeviceRanking) {
        self.policy = policy
        self.providers = providers
        let descriptors = providers.descriptors
        func rank(_ name: String) -> Int { softwarePriority.firstIndex(of: name) ?? softwarePriority.count }
        var table: [Mechanism: [Entry]] = [:]
        for (i, d) in descriptors.enumerated() where policy.isActive(provider: d.name) {
            if providers.fromPolicy.contains(i), !policy.isInstalled(module: d.name) { continue }
            for info in d.mechanisms where policy.allows(provider: d.name, mechanism: info.mechanism) {
                table[info.mechanism, default: []].append(
                    Entry(provider: i, info: info, isHardware: d.isHardware(for: info.mechanism)))
            }
        }
        for (mech, entries) in table {
            table[mech] = entries.enumerated().sorted { a, b in
                let (x, y) = (a.element, b.element)
                if x.isHardware != y.isHardware { return x.isHardware == (deviceRanking == .hardwareFirst) }
                if x.isHardware { return a.offset < b.offset }
                let (rx, ry) = (rank(descriptors[x.provider].name), rank(descriptors[y.provider].name))
                return rx != ry ? rx < ry : a.offset < b.offset
            }.map(\.element)
        }
        let sorted = table.sorted { $0.key.value < $1.key.value }
        self.values = sorted.map(\.key.value)
        self.entries = sorted.map(\.value)
    }
}

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

    /// Makes `table` (or an equal one published before) the one in force.
    private func publish(_ table: SelectionTable) {
        published.update { _, kept in
            (kept.first { $0.providers === table.providers && $0.policy == table.policy } ?? table, ())
        }
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
