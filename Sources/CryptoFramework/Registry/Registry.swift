import Foundation
import Synchronization

/// The provider registry: which providers exist, the policy in force, and
/// selection with failover after KCF's `kcf_get_mech_provider` (docs/DESIGN.md,
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
    /// Policy and providers together, one object per distinct pair.
    var selectionTable: SelectionTable { policyHolder.current() }
    /// Raised whenever a table is put in force (``CryptoFramework/selectionGeneration``).
    var selectionGeneration: UInt64 { policyHolder.generation() }
    var policyLoadError: CryptoError? { policyHolder.lastLoadError }

    func setPolicy(_ policy: Policy) { policyHolder.replace(with: policy) }
    var policyChanges: [PolicyChange] { policyHolder.changes }
    func reloadPolicy() throws { try policyHolder.reloadNow() }

    // MARK: Selection

    /// The provider to try next for `request`, or nil when no candidate is left.
    /// Rule 1 (candidates), rule 2 (hardware first, least loaded; then software by priority),
    /// rule 6 (a device for the raw half of a composable mechanism).
    /// Returns the chosen index with the provider set it indexes (one snapshot
    /// per attempt) and, when the choice is composed, the composition's candidates.
    /// `now` is the caller's clock reading, for the policy file's periodic check.
    func select(
        _ request: SelectionKey, tried: borrowing TriedSet, pinned: Int?, now: UInt64
    ) -> (index: Int, providers: ProviderSet, composed: ComposedCandidates?)? {
        let table = policyHolder.current(now: now)
        guard let slot = table.slot(for: request.mechanism) else { return nil }
        let bits = request.keyBits
        let curve = request.curve
        let flag = request.flag
        var bestHardware: (index: Int, load: Int)?
        // The candidates are read in place (iterating the array copied each
        // entry, its mechanism information retained and released, per request).
        let firstSoftware: (index: Int, composed: ComposedCandidates?)? = table.entries[slot].withUnsafeBufferPointer { entries in
            for k in entries.indices {
                let i = entries[k].provider
                if let pinned, i != pinned { continue }
                if tried.contains(i) { continue }
                guard entries[k].admits(keyBits: bits, curve: curve, flag: flag) else { continue }
                let provider = table.providers.providers[i]
                if provider.isFailed { continue }
                if entries[k].isHardware {
                    let load = provider.load
                    if bestHardware == nil || load < bestHardware!.load { bestHardware = (i, load) }
                    continue
                }
                // The first software candidate: devices ranked before it (whole, and composed on hardwareFirst) win.
                if table.devicesFirst, let composed = table.composed[slot],
                    let device = composedDevice(composed, request, table, tried: tried, pinned: pinned, lighterThan: bestHardware?.load)
                {
                    return (device, composed)
                }
                return (bestHardware?.index ?? i, nil)
            }
            return nil
        }
        if let firstSoftware { return (firstSoftware.index, table.providers, firstSoftware.composed) }
        if let composed = table.composed[slot],
            let device = composedDevice(
                composed, request, table, tried: tried, pinned: pinned,
                lighterThan: table.devicesFirst ? bestHardware?.load : bestHardware.map { _ in Int.min })
        {
            return (device, table.providers, composed)
        }
        return bestHardware.map { ($0.index, table.providers, nil) }
    }

    /// Rule 6: the least-loaded device that may serve `composed`'s raw half for
    /// `request` (rule 1 on the raw mechanism, the pin naming the device), if
    /// one is strictly lighter than `bound` (the best whole device's load: a
    /// tie goes to the whole mechanism) and a software provider may digest.
    private func composedDevice(
        _ composed: ComposedCandidates, _ request: SelectionKey, _ table: SelectionTable,
        tried: borrowing TriedSet, pinned: Int?, lighterThan bound: Int?
    ) -> Int? {
        if composed.composition.signOnly, request.served != .sign { return nil }
        guard digester(composed, table.providers) != nil else { return nil }
        var best: (index: Int, load: Int)?
        for entry in composed.devices {
            let i = entry.provider
            if let pinned, i != pinned { continue }
            if tried.contains(i) { continue }
            guard entry.admits(keyBits: request.keyBits, curve: request.curve, flag: request.flag) else { continue }
            let provider = table.providers.providers[i]
            if provider.isFailed { continue }
            let load = provider.load
            if let bound, load >= bound { continue }
            if best == nil || load < best!.load { best = (i, load) }
        }
        return best?.index
    }

    /// Rule 6's digest half: the preferred software provider that may digest
    /// for `composed` and is not FAILED (not subject to a pin: a pinned device
    /// still needs its digest from somewhere).
    func digester(_ composed: ComposedCandidates, _ set: ProviderSet) -> Int? {
        composed.digesters.first { !set.providers[$0.provider].isFailed }?.provider
    }

    /// Rule 1 for a request that is not made yet: the providers that may serve
    /// `mechanism` with `flag` at `keyBits` (on `curve`, for EC) now, in rule 2's
    /// order before load (devices by registration, software by priority, ranked as the platform says).
    func eligible(mechanism: Mechanism, flag: MechanismFlags, keyBits: Int?, curve: ECCurve? = nil) -> [Int] {
        let table = policyHolder.current()
        return (table.candidates(for: mechanism) ?? []).filter {
            $0.admits(keyBits: keyBits, curve: curve, flag: flag) && !table.providers.providers[$0.provider].isFailed
        }.map(\.provider)
    }

    /// The preferred software provider allowed to serve `request` (for the
    /// framework's own checks, which must not depend on a device).
    func softwareProvider(for request: CryptoRequest) -> Int? {
        let table = policyHolder.current()
        return table.candidates(for: request.mechanism)?.first { entry in
            !entry.isHardware && entry.admits(keyBits: request.keyBits, curve: request.curve, flag: request.requiredFlag)
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
        let sized = capable.filter { descriptors[$0].info(for: mech)!.accepts(keyBits: request.keyBits) }
        if sized.isEmpty, let bits = request.keyBits {
            let ranges = capable.map {
                let info = descriptors[$0].info(for: mech)!
                return "\(descriptors[$0].name): \(info.minKeyBits)...\(info.maxKeyBits)"
            }.joined(separator: ", ")
            return CryptoError(.keySizeRange, "no active provider supports \(bits)-bit keys for \(mech) (\(ranges))")
        }
        let fitting = sized.filter { descriptors[$0].info(for: mech)!.accepts(keyBits: request.keyBits, curve: request.curve) }
        if fitting.isEmpty, let curve = request.curve {
            // A key the mechanism cannot use at all says so, not which curves are served.
            if let error = ECInputRules.keyFamilyError(mech, curve: curve) { return error }
            let served = sized.map { "\(descriptors[$0].name): \(descriptors[$0].info(for: mech)!.curves)" }.joined(separator: "; ")
            return CryptoError(.keySizeRange, "no active provider serves \(mech) on \(curve) (\(served))")
        }
        let names = fitting.map { descriptors[$0].name }.joined(separator: ", ")
        return CryptoError(.providerFailed, "every provider that could serve \(mech) is in the FAILED state (\(names))")
    }
}
