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
        let job = try run(request, context: context)
        defer { job.queue.release(jobs: job.jobs) }
        while let release = job.releaseAt {
            let now = MonotonicClock.nanoseconds()
            guard now < release else { break }
            Thread.sleep(forTimeInterval: Double(release - now) / 1e9)
        }
        return job.result
    }

    public func performAsync(_ request: CryptoRequest, context: OperationContext) async throws -> CryptoResult {
        let job = try run(request, context: context)
        defer { job.queue.release(jobs: job.jobs) }
        if let release = job.releaseAt {
            let now = MonotonicClock.nanoseconds()
            // A cancelled task gets its result at once: it is computed and correct.
            if release > now { try? await Task.sleep(nanoseconds: release - now) }
        }
        return job.result
    }

    /// A computed request still holding its queue slot: the caller releases
    /// the slot once the result may go (at `releaseAt` in timed mode, at once in fast mode).
    private struct AdmittedJob {
        let result: CryptoResult
        let queue: CipherWorkQueue
        let jobs: Int
        let releaseAt: UInt64?
    }

    /// Admits the request to a core's queue, computes it and charges its
    /// modeled time; in timed mode reserves the core's unit for that time.
    private func run(_ request: CryptoRequest, context: OperationContext) throws -> AdmittedJob {
        let entry = try tableEntry(for: request)
        guard let cost = timing.cost(request) else { throw unsupported(request) }
        let queue = try admit()
        let result: CryptoResult
        do {
            result = try libcrypto.perform(request, context: OperationContext())
        } catch {
            queue.release(jobs: 0)
            throw error
        }
        context.addModeled(cycles: Double(cost.totalCycles), clockHz: cost.clockHz)
        // The unit's share, for capacity models; the host cycles stay on the submitting strand.
        context.record(ResourceCycles(streamUnit: Double(cost.unitCycles), unitJobs: cost.jobs))
        context.count("n2cp.cwq\(queue.id)")
        context.count("n2cp.jobs", cost.jobs)
        var releaseAt: UInt64?
        if !context.isFrameworkCheck, let hold = mode.holdNanoseconds(modeledSeconds: cost.seconds) {
            let now = MonotonicClock.nanoseconds()
            let end = queue.reserve(holdNanoseconds: hold, now: now)
            context.count(EmulatedTiming.holdCountName, Int(clamping: end > now ? end - now : 0))
            releaseAt = end
        }
        if let name = Self.algorithmName(entry.mechanism) { algorithmCounts[name]?.value.wrappingAdd(1, ordering: .relaxed) }
        return AdmittedJob(result: result, queue: queue, jobs: cost.jobs, releaseAt: releaseAt)
    }

    /// The least-occupied queue, the first in rotation among equals; busy when all are full.
    private func admit() throws -> CipherWorkQueue {
        let count = queues.count
        let offset = Int(UInt(bitPattern: rotation.wrappingAdd(1, ordering: .relaxed).oldValue) % UInt(count))
        let ordered = (0..<count).map { queues[(offset + $0) % count] }.sorted { $0.occupancy < $1.occupancy }
        for queue in ordered where queue.admit() { return queue }
        throw CryptoError(.busy, "\(descriptor.name): every control-word queue is full (\(queues.first?.capacity ?? 0) entries each)")
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
