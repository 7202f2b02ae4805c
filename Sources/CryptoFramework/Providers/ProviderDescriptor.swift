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
    private var byMechanism: [Mechanism: MechanismInfo] { storage.byMechanism }

    /// The fields, shared by every copy: a descriptor is read on every request
    /// (a provider's `descriptor` getter returns a copy), and one reference
    /// costs one retain where five fields cost five.
    private final class Storage: Sendable {
        let name: String
        let kind: ProviderKind
        let mechanisms: [MechanismInfo]
        let summary: String
        let byMechanism: [Mechanism: MechanismInfo]

        init(name: String, kind: ProviderKind, mechanisms: [MechanismInfo], summary: String) {
            self.name = name
            self.kind = kind
            self.mechanisms = mechanisms
            self.summary = summary
            self.byMechanism = Dictionary(mechanisms.map { ($0.mechanism, $0) }, uniquingKeysWith: { a, _ in a })
        }
    }
    private let storage: Storage

    public init(name: String, kind: ProviderKind? = nil, summary: String, mechanisms: [MechanismInfo]) {
        storage = Storage(
            name: name, kind: kind ?? ProviderKind(providerName: name),
            mechanisms: mechanisms.sorted { $0.mechanism < $1.mechanism }, summary: summary)
    }

    public func info(for mechanism: Mechanism) -> MechanismInfo? { byMechanism[mechanism] }

    /// Hardware, or a module whose token lists the mechanism with CKF_HW: such
    /// a provider is preferred like hardware for it.
    public func isHardware(for mechanism: Mechanism) -> Bool {
        kind == .hardware || (byMechanism[mechanism]?.flags.contains(.hardware) ?? false)
    }
}
