/// The administrator's policy for one provider: which mechanisms are disabled
/// (`random` included), whether a software provider is unloaded, and for a
/// PKCS#11 module how to reach its token.
public struct ProviderPolicy: Sendable, Hashable {
    public var disabled: Set<Mechanism>
    public var unloaded: Bool
    /// A PKCS#11 module's login PIN is read from this file (`pinfile=`); the
    /// PIN itself never appears in kcf.conf or on a command line.
    public var pinFile: String?
    /// A PKCS#11 module's slot (`slot=N`); nil: chosen by ``tokenLabel`` or the first slot with a token.
    public var slot: Int?
    /// A PKCS#11 module's token, by label (`token=LABEL`).
    public var tokenLabel: String?

    public init(
        disabled: Set<Mechanism> = [], unloaded: Bool = false,
        pinFile: String? = nil, slot: Int? = nil, tokenLabel: String? = nil
    ) {
        self.disabled = disabled
        self.unloaded = unloaded
        self.pinFile = pinFile
        self.slot = slot
        self.tokenLabel = tokenLabel
    }

    /// Nothing disabled, not unloaded, no module option: the line of a software
    /// or hardware provider can be dropped from kcf.conf. (A module's line is
    /// its installation and stays until `uninstall`.)
    public var isDefault: Bool { disabled.isEmpty && !unloaded && pinFile == nil && slot == nil && tokenLabel == nil }
}

/// Which providers may serve which mechanisms: kcf.conf as a value. A provider
/// without an entry has everything enabled.
public struct Policy: Sendable, Hashable {
    /// Entries in the order they appear (and will be written) in kcf.conf.
    public private(set) var providerNames: [String] = []
    private var entries: [String: ProviderPolicy] = [:]

    public init() {}

    public subscript(provider name: String) -> ProviderPolicy {
        get { entries[name] ?? ProviderPolicy() }
        set {
            if entries[name] == nil { providerNames.append(name) }
            entries[name] = newValue
        }
    }

    /// Whether `provider` may serve `mechanism` under this policy.
    public func allows(provider name: String, mechanism: Mechanism) -> Bool {
        guard let entry = entries[name] else { return true }
        return !entry.unloaded && !entry.disabled.contains(mechanism)
    }

    /// Whether the provider is loaded (not `unload`ed).
    public func isActive(provider name: String) -> Bool {
        !(entries[name]?.unloaded ?? false)
    }

    /// Disables `mechanisms` for `provider`; returns those that were not already disabled.
    @discardableResult
    public mutating func disable(provider name: String, mechanisms: some Sequence<Mechanism>) -> Set<Mechanism> {
        var entry = self[provider: name]
        let added = Set(mechanisms).subtracting(entry.disabled)
        entry.disabled.formUnion(added)
        self[provider: name] = entry
        return added
    }

    /// Enables `mechanisms` for `provider`; returns those that were disabled before.
    @discardableResult
    public mutating func enable(provider name: String, mechanisms: some Sequence<Mechanism>) -> Set<Mechanism> {
        var entry = self[provider: name]
        let removed = entry.disabled.intersection(mechanisms)
        entry.disabled.subtract(removed)
        self[provider: name] = entry
        return removed
    }

    /// Marks a software provider inactive (`cryptoadm unload`) or active again.
    public mutating func setUnloaded(_ unloaded: Bool, provider name: String) {
        var entry = self[provider: name]
        entry.unloaded = unloaded
        self[provider: name] = entry
    }

    /// Drops entries that say nothing (everything enabled, loaded), as Solaris
    /// removes a provider's kcf.conf line when all is enabled again. A PKCS#11
    /// module's entry is its installation and is kept.
    public mutating func removeDefaultEntries() {
        func drop(_ name: String) -> Bool {
            ProviderKind(providerName: name) != .pkcs11Module && (entries[name]?.isDefault ?? true)
        }
        providerNames.removeAll(where: drop)
        entries = entries.filter { !drop($0.key) }
    }

    /// PKCS#11 modules installed by this policy (`cryptoadm install`): every
    /// module path with an entry, in file order.
    public var installedModules: [String] {
        providerNames.filter { ProviderKind(providerName: $0) == .pkcs11Module }
    }

    /// Whether the module at `path` has an entry (is installed).
    public func isInstalled(module path: String) -> Bool {
        entries[path] != nil && ProviderKind(providerName: path) == .pkcs11Module
    }

    /// Removes a provider's entry entirely (uninstall).
    public mutating func removeEntry(provider name: String) {
        providerNames.removeAll { $0 == name }
        entries[name] = nil
    }

    /// Providers with an entry, with their policies, in file order.
    public var entriesInOrder: [(name: String, policy: ProviderPolicy)] {
        providerNames.map { ($0, entries[$0]!) }
    }

    public static func == (lhs: Policy, rhs: Policy) -> Bool {
        var l = lhs, r = rhs
        l.removeDefaultEntries()
        r.removeDefaultEntries()
        return l.entries == r.entries
    }
    public func hash(into hasher: inout Hasher) {
        var copy = self
        copy.removeDefaultEntries()
        hasher.combine(copy.entries)
    }
}
