/// Which providers exist and which clock cost models use (docs/DESIGN.md "Platform").
///
/// The Providers module defines `.host` and `.t2000`; the framework core knows
/// no provider by name. An out-of-tree package builds its own platform from
/// these and its own providers:
///
/// ```swift
/// let mine = Platform(
///     name: "host+counting", clockHz: nil,
///     softwarePriority: ["counting"] + Platform.host.softwarePriority,
///     deviceRanking: Platform.host.deviceRanking,
///     makeProviders: { try Platform.host.makeProviders() + [CountingDigestProvider()] })
/// ```
///
/// See <doc:WritingAProvider>.
public struct Platform: Sendable {
    /// The platform's name (`host`, `t2000`), shown in reports and errors.
    public let name: String
    /// The clock that modeled cycles are converted with, when the platform is modeled.
    public let clockHz: Double?
    /// The modeled processor whose parameters the platform hands its providers, if any.
    public let chip: ChipModel?
    /// Software providers in order of preference (earlier is preferred).
    public var softwarePriority: [String]
    /// Where devices (hardware providers, and modules listing a mechanism with
    /// CKF_HW) rank against software in default selection. A pinned view, and
    /// the policy (`cryptoadm disable provider=ncp/0 …`), are the same under both.
    public var deviceRanking: DeviceRanking
    /// Builds this platform's providers; called once per framework.
    public let makeProviders: @Sendable () throws -> [any CryptoProvider]
    /// Builds the provider for a PKCS#11 module that the policy installs (a
    /// kcf.conf line naming an absolute `.so` path), given its policy entry
    /// (`pinfile=`, `slot=`, `token=`). Nil: this platform cannot load modules,
    /// and an installed module is listed as failed. A module that fails to load
    /// is listed as failed with the error; it never stops the framework.
    public var makeModuleProvider: (@Sendable (_ path: String, _ policy: ProviderPolicy) throws -> any CryptoProvider)?
    /// What concurrent clients queue for on this platform (strands, FPUs,
    /// crypto and stream units), for `ikebench capacity`: a modeled platform
    /// starts with its chip's (``SharedResources/init(chip:)``) and may add
    /// units; nil when the platform does not say.
    public var sharedResources: SharedResources?

    public init(
        name: String, clockHz: Double?, softwarePriority: [String], deviceRanking: DeviceRanking = .hardwareFirst,
        makeProviders: @escaping @Sendable () throws -> [any CryptoProvider],
        makeModuleProvider: (@Sendable (_ path: String, _ policy: ProviderPolicy) throws -> any CryptoProvider)? = nil
    ) {
        self.name = name
        self.clockHz = clockHz
        self.chip = nil
        self.sharedResources = nil
        self.softwarePriority = softwarePriority
        self.deviceRanking = deviceRanking
        self.makeProviders = makeProviders
        self.makeModuleProvider = makeModuleProvider
    }

    /// A modeled platform: its clock is `chip`'s, and `makeProviders` builds
    /// providers that take their cost parameters from `chip`.
    public init(
        name: String, chip: ChipModel, softwarePriority: [String], deviceRanking: DeviceRanking = .hardwareFirst,
        makeProviders: @escaping @Sendable () throws -> [any CryptoProvider],
        makeModuleProvider: (@Sendable (_ path: String, _ policy: ProviderPolicy) throws -> any CryptoProvider)? = nil
    ) {
        self.name = name
        self.clockHz = chip.clockHz
        self.chip = chip
        self.sharedResources = SharedResources(chip: chip)
        self.softwarePriority = softwarePriority
        self.deviceRanking = deviceRanking
        self.makeProviders = makeProviders
        self.makeModuleProvider = makeModuleProvider
    }
}

/// How default selection ranks devices against software (docs/DESIGN.md, Selection rule 2).
public enum DeviceRanking: Sendable, Hashable {
    /// KCF's rule: devices first, the least loaded of them; software, by
    /// priority, when no device may serve. Right where the devices are real
    /// hardware beside a slow CPU (the T2000's MAUs beside its FP bignum).
    case hardwareFirst
    /// Software first, by priority; devices serve what no software provider may
    /// (policy, key size, FAILED, a recoverable failure). Right where a device
    /// cannot beat the CPU it runs beside: on the host, ncp/0 is an emulation
    /// that computes on the host's own cores, so putting it first only adds its
    /// queueing to the fastest software's time.
    case softwareFirst
}
