/// What kind of provider it is, from its name (Solaris' conventions).
public enum ProviderKind: String, Sendable, Hashable {
    /// A software provider: a name without `/` (`openssl`, `gmp`).
    case software
    /// A hardware provider: `name/instance` (`ncp/0`). Preferred over software.
    case hardware
    /// A PKCS#11 module, named by the absolute path of its shared library.
    case pkcs11Module

    /// The kind a provider name denotes: absolute path → module, `a/0` → hardware, else software.
    public init(providerName name: String) {
        if name.hasPrefix("/") {
            self = .pkcs11Module
        } else if name.contains("/") {
            self = .hardware
        } else {
            self = .software
        }
    }
}

/// A provider's registration: its name, kind and mechanism table, as data the
/// registry decides from (KCF's `crypto_provider_info_t`).
///
/// The name is what kcf.conf and `cryptoadm` use: a software provider's name
/// has no `/` (`openssl`), a hardware provider's is `name/instance` (`ncp/0`),
/// a PKCS#11 module's is the absolute path of its library. Names are unique
/// within a platform.
public struct ProviderDescriptor: Sendable {
    /// The provider's name, as in kcf.conf.
    public var name: String { storage.name }
    /// Software, hardware or PKCS#11 module; from the name unless given.
    public var kind: ProviderKind { storage.kind }
    /// What it serves, in PKCS#11 value order (include `random` to serve ``CryptoRequest/random(count:)``).
    public var mechanisms: [MechanismInfo] { storage.mechanisms }
    /// One line for `cryptoadm list -v` and reports.
    public var summary: String { storage.summary }

    /// The fields, shared by every copy: a descriptor is read on every request
    /// (a provider's `descriptor` getter returns a copy), and one reference
    /// costs one retain where five fields cost five.
    private final class Storage: Sendable {
        let name: String
        let kind: ProviderKind
        let mechanisms: [MechanismInfo]
        let summary: String
        /// `mechanisms`' values, for a binary search without hashing.
        let values: [UInt64]

        init(name: String, kind: ProviderKind, mechanisms: [MechanismInfo], summary: String) {
            self.name = name
            self.kind = kind
            self.mechanisms = mechanisms
            self.summary = summary
            self.values = mechanisms.map(\.mechanism.value)
        }
    }
    private let storage: Storage

    public init(name: String, kind: ProviderKind? = nil, summary: String, mechanisms: [MechanismInfo]) {
        storage = Storage(
            name: name, kind: kind ?? ProviderKind(providerName: name),
            mechanisms: mechanisms.sorted { $0.mechanism < $1.mechanism }, summary: summary)
    }

    /// The table entry for `mechanism` (the first, should a table list it twice):
    /// a binary search of the sorted values, read by providers on every request.
    public func info(for mechanism: Mechanism) -> MechanismInfo? { info(forValue: mechanism.value) }

    /// ``info(for:)`` by the mechanism's PKCS#11 value.
    public func info(forValue value: UInt64) -> MechanismInfo? {
        let values = storage.values
        var low = 0, high = values.count
        while low < high {
            let mid = (low + high) >> 1
            if values[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low < values.count && values[low] == value ? storage.mechanisms[low] : nil
    }

    /// Hardware, or a module whose token lists the mechanism with CKF_HW: such
    /// a provider is preferred like hardware for it.
    public func isHardware(for mechanism: Mechanism) -> Bool { isHardware(forValue: mechanism.value) }

    /// ``isHardware(for:)`` by the mechanism's PKCS#11 value.
    public func isHardware(forValue value: UInt64) -> Bool {
        kind == .hardware || (info(forValue: value)?.flags.contains(.hardware) ?? false)
    }
}
