import ProviderGMP
import EmulatedHardware
import CryptoFramework
import Synchronization

/// The ncp per-algorithm job counters (ncp kstats rsapublic, rsaprivate, …;
/// the four EC ones only on a chip whose MAU does elliptic curves, the T2).
public enum NCPAlgorithm: String, Sendable, CaseIterable, Hashable {
    case rsaPublic = "rsapublic"
    case rsaPrivate = "rsaprivate"
    case rsaGenerate = "rsagenerate"
    case dhGenerate = "dhgenerate"
    case dhDerive = "dhderive"
    case ecdsaSign = "ecdsasign"
    case ecdsaVerify = "ecdsaverify"
    case ecGenerate = "ecgenerate"
    case ecdhDerive = "ecdhderive"

    /// The counters a device with (or without) elliptic curves keeps.
    static func kept(ellipticCurves: Bool) -> [NCPAlgorithm] {
        ellipticCurves ? allCases : [.rsaPublic, .rsaPrivate, .rsaGenerate, .dhGenerate, .dhDerive]
    }
}

/// One request on its way through a MAU: what to compute, and how to tell
/// the waiting caller. A job completes exactly once, even when a hung MAU
/// wakes up after its job was resubmitted elsewhere.
final class MAUJob: Sendable {
    let algorithm: NCPAlgorithm
    /// The arithmetic and its modeled cost; runs on a MAU worker thread.
    let compute: @Sendable () throws -> (CryptoResult, NCPJobCost)
    let context: OperationContext
    private let finish: @Sendable (Result<CryptoResult, CryptoError>) -> Void
    private let finished = Atomic<Bool>(false)

    init(
        algorithm: NCPAlgorithm, context: OperationContext,
        compute: @escaping @Sendable () throws -> (CryptoResult, NCPJobCost),
        finish: @escaping @Sendable (Result<CryptoResult, CryptoError>) -> Void
    ) {
        self.algorithm = algorithm
        self.context = context
        self.compute = compute
        self.finish = finish
    }

    var isFinished: Bool { finished.load(ordering: .acquiring) }

    /// Delivers the outcome unless another MAU already did; returns whether
    /// this call delivered it. `accounting` runs first, so counters are
    /// current by the time the caller sees its answer.
    @discardableResult
    func complete(
        _ outcome: Result<CryptoResult, CryptoError>, cost: NCPJobCost? = nil, mau: Int? = nil,
        accounting: () -> Void = {}
    ) -> Bool {
        guard finished.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return false
        }
        if case .success = outcome, let cost {
            context.addModeled(cycles: Double(cost.totalCycles), clockHz: cost.clockHz)
            // The MAU's share, for capacity models; the host cycles stay on the submitting strand.
            context.record(ResourceCycles(cryptoUnit: Double(cost.mauCycles), unitJobs: cost.mauJobs))
            context.count("ncp.mau.jobs", cost.mauJobs)
            context.count("ncp.mau.montmul", cost.montgomeryMultiplies)
        }
        if let mau { context.count("ncp.mau\(mau)") }
        accounting()
        finish(outcome)
        return true
    }
}
