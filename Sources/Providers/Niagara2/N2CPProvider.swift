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
    /// 3DES-CBC, AES-CBC, AES-CTR (n2cp.h's isCTR: the unit runs the counter
    /// mode itself), SHA-1, SHA-256 and their HMACs. Not here: DES, the
    /// ECB/CFB modes, RC4, MD5 and the SSL MACs (docs/t2.md), nor the AES
    /// CCM/GCM/GMAC entries of illumos' later n2cp.h.
    public static let mechanisms: [MechanismInfo] = [
        MechanismInfo(.des3CBC, minKeyBits: 192, maxKeyBits: 192, flags: [.encrypt, .decrypt, .hardware]),
        MechanismInfo(.aesCBC, minKeyBits: 128, maxKeyBits: 256, flags: [.encrypt, .decrypt, .hardware]),
        MechanismInfo(.aesCTR, minKeyBits: 128, maxKeyBits: 256, flags: [.encrypt, .decrypt, .hardware]),
        MechanismInfo(.sha1, flags: [.digest, .hardware]),
        MechanismInfo(.sha256, flags: [.digest, .hardware]),
        MechanismInfo(.sha1HMAC, minKeyBits: hmacKeyBits.lowerBound, maxKeyBits: hmacKeyBits.upperBound, flags: [.sign, .verify, .hardware]),
        MechanismInfo(.sha256HMAC, minKeyBits: hmacKeyBits.lowerBound, maxKeyBits: hmacKeyBits.upperBound, flags: [.sign, .verify, .hardware]),
    ]

    /// The n2cp kstat algorithm names (n2cp.h DS_DES3, DS_AES, DS_SHA1, DS_SHA256, DS_SHA1_HMAC, DS_SHA256_HMAC).
    static func algorithmName(_ mechanism: Mechanism) -> String? {
        switch mechanism {
        case .des3CBC: "des3"
        case .aesCBC, .aesCTR: "aes"
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
        self.algorithmCounts = Dictionary(uniqueKeysWithValues: Set(Self.mechanisms.compactMap { Self.algorithmName($0.mechanism) })
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
        let (result, queue, releaseAt) = try admitted(cost: cost, context: context) {
            try libcrypto.perform(request, context: OperationContext())
        }
        if let name = Self.algorithmName(entry.mechanism) { algorithmCounts[name]?.value.wrappingAdd(1, ordering: .relaxed) }
        return AdmittedJob(result: result, queue: queue, jobs: cost.jobs, releaseAt: releaseAt)
    }

    /// A multi-part cipher, digest or HMAC streams on libcrypto's context,
    /// each part one job on a core's unit as the driver submits it
    /// (``N2CPStream``): nothing is gathered. Nil for what libcrypto has no context for.
    public func beginStream(_ request: StreamRequest, context: OperationContext) throws -> (any ProviderStream)? {
        _ = try tableEntry(for: request.request(data: []))
        guard timing.cost(request.request(data: [])) != nil,
            let inner = try libcrypto.beginStream(request, context: OperationContext())
        else { return nil }
        return N2CPStream(inner, request: request, provider: self, context: context)
    }

    /// One part of a stream: admitted to a core's queue, computed by `compute`,
    /// charged `cost`, held for its modeled time in timed mode, then its slot released.
    func streamPart(cost: N2CPJobCost, context: OperationContext, _ compute: () throws -> [UInt8]) throws -> [UInt8] {
        let (output, queue, releaseAt) = try admitted(cost: cost, context: context, waiting: true, compute)
        defer { queue.release(jobs: cost.jobs) }
        while let release = releaseAt {
            let now = MonotonicClock.nanoseconds()
            guard now < release else { break }
            Thread.sleep(forTimeInterval: Double(release - now) / 1e9)
        }
        return output
    }

    /// Counts a finished stream in the per-algorithm kstats, as one request.
    func countStream(_ request: StreamRequest) {
        if let name = Self.algorithmName(request.mechanism) { algorithmCounts[name]?.value.wrappingAdd(1, ordering: .relaxed) }
    }

    /// Admits a job of `cost` to a core's queue and runs `compute` in its slot;
    /// charges the modeled time and, in timed mode, reserves the core's unit
    /// for it. The caller releases the queue slot (at `releaseAt` when timed).
    /// `waiting`: a part of a begun stream waits for a slot (up to a second,
    /// polling) rather than answer busy, since its context cannot move to
    /// software; a whole request answers busy at once and overflows (rule 3).
    private func admitted<Value>(
        cost: N2CPJobCost, context: OperationContext, waiting: Bool = false, _ compute: () throws -> Value
    ) throws -> (Value, CipherWorkQueue, releaseAt: UInt64?) {
        var queue: CipherWorkQueue
        var polls = 0
        while true {
            do {
                queue = try admit()
                break
            } catch let error as CryptoError where waiting && error.code == .busy && polls < 10_000 {
                polls += 1
                Thread.sleep(forTimeInterval: 100e-6)
            }
        }
        let result: Value
        do {
            result = try compute()
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
        return (result, queue, releaseAt)
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
