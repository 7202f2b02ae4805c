import CryptoFramework
import Synchronization

/// A software provider written outside the framework: CKM_SHA256 in pure
/// Swift, counting what it serves. It declares its one mechanism as data; the
/// registry decides when to call it.
public final class CountingDigestProvider: CryptoProvider {
    public static let name = "counting"

    public let descriptor = ProviderDescriptor(
        name: CountingDigestProvider.name, kind: .software,
        summary: "Example out-of-tree provider: SHA-256 in pure Swift, counting requests",
        mechanisms: [MechanismInfo(.sha256, flags: .digest)])

    private let served = Atomic<Int>(0)
    private let bytes = Atomic<Int>(0)

    public init() {}

    /// Digests served so far.
    public var requestCount: Int { served.load(ordering: .relaxed) }
    /// Bytes hashed so far.
    public var byteCount: Int { bytes.load(ordering: .relaxed) }

    /// Counters for `kstat`-style reports (the framework shows them per provider).
    public var kstats: [Kstat] {
        [Kstat(name: "counting0.digest", counters: ["requests": requestCount, "bytes": byteCount])]
    }

    public func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
        guard case .digest(.sha256, let data) = request else { throw unsupported(request) }
        served.add(1, ordering: .relaxed)
        bytes.add(data.count, ordering: .relaxed)
        return .bytes(SHA256.hash(data))
    }
}

extension Platform {
    /// The host's providers plus ``CountingDigestProvider``, preferred for SHA-256.
    public static func hostWithCounting(_ counting: CountingDigestProvider, base: Platform) -> Platform {
        Platform(
            name: base.name + "+counting", clockHz: base.clockHz,
            softwarePriority: [CountingDigestProvider.name] + base.softwarePriority, deviceRanking: base.deviceRanking,
            makeProviders: { try base.makeProviders() + [counting] },
            makeModuleProvider: base.makeModuleProvider)
    }
}
