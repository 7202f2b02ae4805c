import Foundation

/// What one process publishes about its framework's providers (see
/// ``KstatPublisher``): Solaris showed the same with `kstat -m ncp`; here a
/// process writes it to `$CRYPTOFRAMEWORK_KSTAT_DIR/<pid>.<n>.json` and
/// `cryptoadm kstat` reads it.
public struct KstatDocument: Codable, Sendable, Hashable {
    public let pid: Int32
    /// The framework's number within its process (0 for the first).
    public let framework: Int
    /// The process name (`charon`, `ikebench`).
    public let program: String
    public let platform: String
    /// When the document was written, seconds since 1970.
    public let updated: Double
    public let providers: [ProviderKstats]

    public init(pid: Int32, framework: Int, program: String, platform: String, updated: Double, providers: [ProviderKstats]) {
        self.pid = pid
        self.framework = framework
        self.program = program
        self.platform = platform
        self.updated = updated
        self.providers = providers
    }

    /// This document with provider `name` alone, or nil when it has no such provider.
    public func only(provider name: String) -> KstatDocument? {
        let kept = providers.filter { $0.name == name }
        guard !kept.isEmpty else { return nil }
        return KstatDocument(pid: pid, framework: framework, program: program, platform: platform, updated: updated, providers: kept)
    }

    /// The provider called `name`, if the document has it.
    public func provider(_ name: String) -> ProviderKstats? { providers.first { $0.name == name } }
}

/// One provider's counters in a ``KstatDocument``.
public struct ProviderKstats: Codable, Sendable, Hashable {
    public let name: String
    /// `software`, `hardware` or `pkcs11Module` (``ProviderKind``).
    public let kind: String
    /// Whether the policy in force loads it (`cryptoadm unload` makes it inactive).
    public let active: Bool
    /// The framework's counters of it, with what it served per kind of request.
    public let stats: ProviderStatsSnapshot
    /// The provider's own statistics (an ncp device's MAUs and algorithms).
    public let kstats: [Kstat]

    public init(name: String, kind: String, active: Bool, stats: ProviderStatsSnapshot, kstats: [Kstat]) {
        self.name = name
        self.kind = kind
        self.active = active
        self.stats = stats
        self.kstats = kstats
    }
}
