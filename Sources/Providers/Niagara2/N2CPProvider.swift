import CryptoFramework
import EmulatedHardware
import Foundation
import Synchronization

/// `n2cp/0`: the Solaris n2cp driver over the UltraSPARC T2's per-core
/// cipher/hash units, emulated. A request goes to the least-occupied core's
/// control-word queue (``CipherWorkQueue``: 32 entries, n2cp.h CWQ_NENTRIES);
/// a full queue everywhere answers busy and the framework overflows to
/// software. The answer is computed by the `libcrypto` provider the platform
/// hands in (real AES, 3DES, SHA and HMAC); only its time is the unit's, from
/// ``N2CPTimingModel``. In timed mode a request holds its core's unit for its
/// modeled time, queued behind the requests ahead of it on that core.
public final class N2CPProvider: CryptoProvider {
    /// HMAC keys of 1 to 256 bytes (n2cp.h HMAC_MIN_KEY_LEN, HMAC_MAX_KEY_LEN = CW_MAX_KEY_LEN).
    public static let hmacKeyBits = 8...2048

    /// What this framework's catalog has of n2cp's table (n2cp.h n2cp_mech_type_t):
    /// 3DES-CBC, AES-CBC, SHA-1, SHA-256 and their HMACs. Not here: DES, the
    /// ECB/CFB modes, RC4, MD5 and the SSL MACs (not in the catalog); AES-CTR
    /// joins when the catalog has CKM_AES_CTR (docs/t2.md).
    public static let mechanisms: [MechanismInfo] = [
        MechanismInfo(.des3CBC, minKeyBits: 192, maxKeyBits: 192, flags: [.encrypt, .decrypt, .hardware]),
        MechanismInfo(.aesCBC, minKeyBits: 128, maxKeyBits: 256, flags: [.encrypt, .decrypt, .hardware]),
        MechanismInfo(.sha1, flags: [.digest, .hardware]),
        MechanismInfo(.sha256, flags: [.digest, .hardware]),
        MechanismInfo(.sha1HMAC, minKeyBits: hmacKeyBits.lowerBound, maxKeyBits: hmacKeyBits.upperBound, flags: [.sign, .verify, .hardware]),
        MechanismInfo(.sha256HMAC, minKeyBits: hmacKeyBits.lowerBound, maxKeyBits: hmacKeyBits.upperBound, flags: [.sign, .verify, .hardware]),
    ]

    /// The n2cp kstat algorithm names (n2cp.h DS_DES3, DS_AES, DS_SHA1, DS_SHA256, DS_SHA1_HMAC, DS_SHA256_HMAC).
    static func algorithmName(_ mechanism: Mechanism) -> String? {
        switch mechanism {
        case .des3CBC: "des3"
        case .aesCBC: "aes"
        case .sha1: "sha1"
        case .sha256: "sha256"
        case .sha1HMAC: "sha1hmac"
        case .sha256HMAC: "sha256hmac"
        default: nil
        }
    }

    public let descriptor: ProviderDescriptor
    public let timing: N2CPTimingModel
    public let mode: EmulatedTiming
    let queues: [CipherWorkQueue]
    private let libcrypto: any CryptoProvider
    private let rotation = Atomic<Int>(0)
    private let algorithmCounts: [String: AlgorithmCounter]

    /// An n2cp on `chip`, which must have cipher/hash units (nil otherwise).
    public init?(chip: ChipModel, instance: Int = 0, mode: EmulatedTiming = .fast, libcrypto: any CryptoProvider) {
        guard let timing = N2CPTimingModel(chip: chip), let units = chip.streamUnits else { return nil }
        self.timing = timing
        self.mode = mode
        self.libcrypto = libcrypto
        self.queues = (0..<units.count).map { CipherWorkQueue(id: $0, capacity: units.queueEntries) }
        self.algorithmCounts = Dictionary(uniqueKeysWithValues: Self.mechanisms.compactMap { Self.algorithmName($0.mechanism) }
            .map { ($0, AlgorithmCounter()) })
        self.descriptor = ProviderDescriptor(
            name: "n2cp/\(instance)", kind: .hardware,
            summary: "Niagara-2 crypto provider: \(units.count) \(chip.name) cipher/hash units, one control-word queue per core (emulated)",
            mechanisms: Self.mechanisms)
    }

    public var load: Int { queues.reduce(0) { $0 + $1.occupancy } }

    public func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
        let (result, release) = try run(request, context: context)
        if release > 0 { Self.sleep(until: release) }
        return result
    }

    public func performAsync(_ request: CryptoRequest, context: OperationContext) async throws -> CryptoResult {
        let (result, release) = try run(request, context: context)
        if release > 0 {
            let now = MonotonicClock.nanoseconds()
            if release > now { try? await Task.sleep(nanoseconds: release - now) }
        }
        return result
    }

    /// Admits the request to a core's queue, computes it, charges its modeled
    /// time and returns the result with the monotonic time at which it may be
    /// released (0: at once). The slot is held until then.
    private func run(_ request: CryptoRequest, context: OperationContext) throws -> (CryptoResult, UInt64) {
        let entry = try tableEntry(for: request)
        guard let cost = timing.cost(request) else { throw unsupported(request) }
        let queue = try admit()
        var released = false
        defer { if !released { queue.release(jobs: 0) } }
        let result = try libcrypto.perform(request, context: OperationContext())
        context.addModeled(cycles: Double(cost.totalCycles), clockHz: cost.clockHz)
        context.count("n2cp.cwq\(queue.id)")
        context.count("n2cp.jobs", cost.jobs)
        var releaseAt: UInt64 = 0
        if !context.isFrameworkCheck, let hold = mode.holdNanoseconds(modeledSeconds: cost.seconds) {
            releaseAt = queue.reserve(holdNanoseconds: hold, now: MonotonicClock.nanoseconds())
            let now = MonotonicClock.nanoseconds()
            context.count(EmulatedTiming.holdCountName, Int(clamping: releaseAt > now ? releaseAt - now : 0))
        }
        if let name = Self.algorithmName(entry.mechanism) { algorithmCounts[name]?.value.wrappingAdd(1, ordering: .relaxed) }
        if releaseAt > 0 {
            // The slot stays taken until the unit is done with the job.
            released = true
            Self.releaseLater(queue, jobs: cost.jobs, at: releaseAt)
        } else {
            released = true
            queue.release(jobs: cost.jobs)
        }
        return (result, releaseAt)
    }

    /// The least-occupied queue, the first in rotation among equals; busy when all are full.
    private func admit() throws -> CipherWorkQueue {
        let count = queues.count
        let offset = Int(UInt(bitPattern: rotation.wrappingAdd(1, ordering: .relaxed).oldValue) % UInt(count))
        let ordered = (0..<count).map { queues[(offset + $0) % count] }.sorted { $0.occupancy < $1.occupancy }
        for queue in ordered where queue.admit() { return queue }
        throw CryptoError(.busy, "\(descriptor.name): every control-word queue is full (\(queues.first?.capacity ?? 0) entries each)")
    }

    private static func sleep(until deadline: UInt64) {
        while true {
            let now = MonotonicClock.nanoseconds()
            guard now < deadline else { return }
            Thread.sleep(forTimeInterval: Double(deadline - now) / 1e9)
        }
    }

    /// Frees a timed job's slot when its reservation ends (the caller is
    /// released at the same moment; the slot's accounting must not wait for it).
    private static func releaseLater(_ queue: CipherWorkQueue, jobs: Int, at deadline: UInt64) {
        let now = MonotonicClock.nanoseconds()
        let delay = deadline > now ? deadline - now : 0
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(clamping: delay))) {
            queue.release(jobs: jobs)
        }
    }

    public var kstats: [Kstat] {
        var out = [Kstat(name: "n2cp0", counters: ["cwqsonline": queues.count], state: "online")]
        for q in queues {
            out.append(Kstat(
                name: "n2cp0.cwq\(q.id)",
                counters: ["submit": q.submitted.load(ordering: .relaxed), "cwcount": q.controlWords.load(ordering: .relaxed),
                           "qfull": q.queueFull.load(ordering: .relaxed), "qbusy": q.queueBusy.load(ordering: .relaxed)],
                state: "online"))
        }
        out.append(Kstat(name: "n2cp0.algorithms",
                         counters: algorithmCounts.mapValues { $0.value.load(ordering: .relaxed) }))
        return out
    }
}

/// One per-algorithm counter (an atomic in a class, so a fixed dictionary can hold it).
final class AlgorithmCounter: Sendable {
    let value = Atomic<Int>(0)
}
