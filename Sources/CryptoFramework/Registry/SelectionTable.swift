import Foundation
import Synchronization

/// Candidates per mechanism under one policy, precomputed so a request does one
/// binary search: devices (registration order) and software (by priority),
/// devices first or last as the platform's ``DeviceRanking`` says; and, for a
/// mechanism with a ``MechanismComposition``, its composed candidates (rule 6).
final class SelectionTable: Sendable {
    struct Entry: Sendable {
        let provider: Int
        let info: MechanismInfo
        let isHardware: Bool

        /// Rule 1's per-request test: the key size (and an EC key's curve) fits
        /// and the provider lists the operation's CKF flag for the mechanism.
        @inline(__always)
        func admits(keyBits: Int?, curve: ECCurve?, flag: MechanismFlags) -> Bool {
            info.accepts(keyBits: keyBits, curve: curve) && info.flags.contains(flag)
        }
    }
    let policy: Policy
    let providers: ProviderSet
    /// Whether devices, whole or composed, rank before software (rule 2, rule 6).
    let devicesFirst: Bool
    /// Mechanism values with candidates (whole or composed), sorted: a binary
    /// search of a few dozen integers costs less than hashing the mechanism per request.
    private let values: [UInt64]
    /// The candidates of `values[i]` (a parallel array, so the search reads integers only).
    let entries: [[Entry]]
    /// Rule 6's composed candidates of `values[i]`, nil for most mechanisms.
    let composed: [ComposedCandidates?]

    func candidates(for mechanism: Mechanism) -> [Entry]? { candidates(for: mechanism.value) }

    func candidates(for value: UInt64) -> [Entry]? { slot(for: value).map { entries[$0] } }

    /// The position of `value` in the parallel arrays, or nil when nothing may serve it.
    func slot(for value: UInt64) -> Int? {
        var low = 0, high = values.count
        while low < high {
            let mid = (low + high) >> 1
            if values[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low < values.count && values[low] == value ? low : nil
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
                // Software: the declared preference for this mechanism first, then the platform's order.
                if x.info.preference != y.info.preference { return x.info.preference > y.info.preference }
                let (rx, ry) = (rank(descriptors[x.provider].name), rank(descriptors[y.provider].name))
                return rx != ry ? rx < ry : a.offset < b.offset
            }.map(\.element)
        }
        var compositions: [UInt64: ComposedCandidates] = [:]
        for composition in MechanismComposition.all {
            if let made = ComposedCandidates(composition, table: table, descriptors: descriptors) {
                compositions[composition.mechanism.value] = made
                table[composition.mechanism, default: []] += []
            }
        }
        let sorted = table.sorted { $0.key.value < $1.key.value }
        self.devicesFirst = deviceRanking == .hardwareFirst
        self.values = sorted.map(\.key.value)
        self.entries = sorted.map(\.value)
        self.composed = sorted.map { compositions[$0.key.value] }
    }
}

/// Rule 6: who may serve the halves of one composable mechanism under one
/// policy. Built with the table; a request picks the device by load.
final class ComposedCandidates: Sendable {
    let composition: MechanismComposition
    /// Devices (rule 2's definition) for the raw mechanism, in registration
    /// order, that do not list the whole mechanism: a provider that lists it
    /// serves it whole or, if the policy disables it there, not at all.
    let devices: [SelectionTable.Entry]
    /// Software providers that may digest, by priority (the first that is not FAILED serves).
    let digesters: [SelectionTable.Entry]

    /// Nil when no device or no software digest may take part under the policy
    /// `candidates` was built with.
    init?(_ composition: MechanismComposition, table candidates: [Mechanism: [SelectionTable.Entry]], descriptors: [ProviderDescriptor]) {
        let devices = (candidates[composition.raw] ?? []).filter {
            $0.isHardware && descriptors[$0.provider].info(for: composition.mechanism) == nil
        }.sorted { $0.provider < $1.provider }
        let digesters = (candidates[composition.digest] ?? []).filter { !$0.isHardware && $0.info.flags.contains(.digest) }
        guard !devices.isEmpty, !digesters.isEmpty else { return nil }
        self.composition = composition
        self.devices = devices
        self.digesters = digesters
    }
}
