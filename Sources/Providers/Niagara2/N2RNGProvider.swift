import CryptoFramework
import EmulatedHardware
import Synchronization

/// `n2rng/0`: the UltraSPARC T2's on-chip random number generator behind
/// Solaris' n2rng driver, emulated. The bytes come from the `source` provider
/// the platform hands in (libsodium's generator); the time is the chip's
/// (``ChipModel/RandomUnit``: one hypervisor call per `bytesPerCall` bytes).
/// kstats as n2rng(7D): status, rngjobs, rngbytes.
public final class N2RNGProvider: CryptoProvider {
    public let descriptor: ProviderDescriptor
    private let unit: ChipModel.RandomUnit
    private let clockHz: Double
    private let source: any CryptoProvider
    private let jobs = Atomic<Int>(0)
    private let bytes = Atomic<Int>(0)

    /// An n2rng on `chip`, which must have a random unit (nil otherwise).
    public init?(chip: ChipModel, instance: Int = 0, source: any CryptoProvider) {
        guard let unit = chip.randomUnit else { return nil }
        self.unit = unit
        self.clockHz = chip.clockHz
        self.source = source
        self.descriptor = ProviderDescriptor(
            name: "n2rng/\(instance)", kind: .hardware,
            summary: "Niagara-2 random number generator: the \(chip.name)'s on-chip RNG (emulated)",
            mechanisms: [MechanismInfo(.random, flags: [.generate, .hardware])])
    }

    /// Modeled cycles of `count` random bytes.
    public func cycles(bytes count: Int) -> Int {
        max(1, (count + unit.bytesPerCall - 1) / unit.bytesPerCall) * unit.callCycles
    }

    public func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
        _ = try tableEntry(for: request)
        guard case .random(let count) = request else { throw unsupported(request) }
        let result = try source.perform(request, context: OperationContext())
        context.addModeled(cycles: Double(cycles(bytes: count)), clockHz: clockHz)
        jobs.wrappingAdd(1, ordering: .relaxed)
        bytes.wrappingAdd(count, ordering: .relaxed)
        return result
    }

    public var kstats: [Kstat] {
        [Kstat(name: "n2rng0", counters: ["rngjobs": jobs.load(ordering: .relaxed), "rngbytes": bytes.load(ordering: .relaxed)],
               state: "online")]
    }
}
