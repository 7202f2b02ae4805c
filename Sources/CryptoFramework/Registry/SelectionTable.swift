import Foundation
import Synchronization

/// Candidates per mechanism under one policy, precomputed so a request does one
/// dictionary look-up: devices (registration order) and software (by priority),
/// devices first or last as the platform's ``DeviceRanking`` says.
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
