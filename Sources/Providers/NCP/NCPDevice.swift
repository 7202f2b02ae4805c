import ProviderGMP
import EmulatedHardware
import CryptoFramework
import Foundation
import Synchronization

/// The emulated ncp device: its MAUs, job submission across them, the
/// watchdog that takes a hung MAU offline, fault state and counters. Worker
/// threads start on the first job, so building a provider (as `cryptoadm
/// list` does for every platform) costs no threads.
final class NCPDevice: Sendable {
    let configuration: NCPConfiguration
    /// "ncp/0"
    let name: String
    /// "ncp0", the kstat module name.
    let kstatModule: String
    let maus: [ModularArithmeticUnit]
    let faultState: NCPFaultState
    let algorithmCounters = NCPAlgorithmCounters()
    /// The per-algorithm counters this device reports (its kstats).
    let algorithms: [NCPAlgorithm]
    let resubmitted = Atomic<Int>(0)
    let hangsDetected = Atomic<Int>(0)

    private let started = Locked(false)
    /// The MAU workers and the watchdog, joined by ``shutdown()``.
    private let threads = Locked<[JoinableThread]>([])
    private let rotation = Atomic<Int>(0)
    private let watchdogWake = MonotonicCondition()
    private let stopping = Atomic<Bool>(false)
    /// The least wall time one job may take before the watchdog gives up on
    /// it whatever its CPU clock says (a computation blocked for good): ten
    /// minutes, far past anything a loaded host does to a millisecond job.
    static let wallClockBackstopNanoseconds: UInt64 = 600_000_000_000

    init(configuration: NCPConfiguration, ellipticCurves: Bool = false) {
        self.configuration = configuration
        self.algorithms = NCPAlgorithm.kept(ellipticCurves: ellipticCurves)
        self.name = "ncp/\(configuration.instance)"
        self.kstatModule = "ncp\(configuration.instance)"
        self.maus = (0..<configuration.mauCount).map { ModularArithmeticUnit(id: $0, ringSize: configuration.ringSize) }
        self.faultState = NCPFaultState(configuration.faults)
    }

    /// True when no MAU is online: KCF's FAILED state, the framework uses software.
    var isFailed: Bool { !maus.contains { $0.isOnline } }

    /// Jobs queued and running on every MAU.
    var load: Int { maus.reduce(0) { $0 + $1.occupancy } }

    // MARK: Submission

    /// Queues `job` on the least-occupied online MAU. Throws `busy` when every
    /// ring is full (the framework then overflows to software) and
    /// `providerFailed` when no MAU is online. In fast mode a job that finds
    /// its MAU idle is run here, on the submitting thread, before this returns
    /// (``ModularArithmeticUnit/enqueue(_:chosen:claimIfIdle:)``).
    func submit(_ job: MAUJob) throws {
        startIfNeeded()
        let runHere = configuration.mode == .fast
        switch place(job, excluding: nil, claimIfIdle: runHere) {
        case .queued: return
        case .claimed(let mau): mau.runClaimed(job, device: self)
        case .refused(let error): throw error
        }
    }

    private enum Placement {
        case queued
        case claimed(ModularArithmeticUnit)
        case refused(CryptoError)
    }

    /// Puts `job` on a MAU's ring, or says why not.
    private func place(_ job: MAUJob, excluding excluded: Int?, claimIfIdle: Bool = false) -> Placement {
        let count = maus.count
        let first = rotation.wrappingAdd(1, ordering: .relaxed).oldValue
        // Unsigned: the rotation counter may wrap past Int.max.
        let offset = Int(UInt(bitPattern: first) % UInt(count))
        func eligible(_ k: Int) -> ModularArithmeticUnit? {
            let mau = maus[(offset + k) % count]
            return mau.isOnline && mau.id != excluded ? mau : nil
        }
        // The least-occupied MAU, the first in rotation among equals, is the one
        // chosen (its qfull counts a refusal); found without allocating.
        var chosen: ModularArithmeticUnit?
        for k in 0..<count {
            guard let mau = eligible(k) else { continue }
            if chosen == nil || mau.occupancy < chosen!.occupancy { chosen = mau }
        }
        guard let chosen else {
            return .refused(CryptoError(.providerFailed, "\(name): no MAU is online; the device is in the FAILED state"))
        }
        switch chosen.enqueue(job, chosen: true, claimIfIdle: claimIfIdle) {
        case .accepted: return .queued
        case .claimed: return .claimed(chosen)
        case .full, .offline: break
        }
        // The others are a second chance before answering busy.
        let others = (0..<count).compactMap(eligible).filter { $0 !== chosen }.sorted { $0.occupancy < $1.occupancy }
        for mau in others {
            switch mau.enqueue(job, chosen: false, claimIfIdle: claimIfIdle) {
            case .accepted: return .queued
            case .claimed: return .claimed(mau)
            case .full, .offline: continue
            }
        }
        return .refused(CryptoError(.busy, "\(name): every MAU job ring is full (\(configuration.ringSize) entries each)"))
    }

    /// Sends the jobs of a MAU taken out of service to the others; a job no
    /// other MAU can take fails with a recoverable error (another provider serves it).
    private func resubmit(_ jobs: [MAUJob], from source: Int) {
        // Never claimed: the caller (the watchdog, an administrator) must not
        // become a MAU; the other units' workers run what is resubmitted.
        for job in jobs where !job.isFinished {
            if case .refused(let error) = place(job, excluding: source) {
                job.complete(.failure(error))
            } else {
                resubmitted.wrappingAdd(1, ordering: .relaxed)
            }
        }
    }

    // MARK: Service state

    /// Takes MAU `id` out of service (`.offline` or `.failed`) and resubmits its jobs.
    func takeOutOfService(_ id: Int, as state: MAUState) {
        guard maus.indices.contains(id) else { return }
        resubmit(maus[id].remove(as: state), from: id)
    }

    /// Every MAU back online, every injected fault cleared.
    func repair() {
        faultState.clear()
        for mau in maus { mau.bringOnline() }
    }

    /// Wakes the workers to re-read changed fault settings (a hang lifted).
    func faultsChanged() {
        for mau in maus { mau.wake() }
    }

    // MARK: Threads

    private func startIfNeeded() {
        let first = started.withLock { wasStarted -> Bool in
            defer { wasStarted = true }
            return !wasStarted
        }
        guard first else { return }
        var started = maus.map { mau in JoinableThread(name: "\(kstatModule).mau\(mau.id)") { [self] in mau.run(device: self) } }
        started.append(JoinableThread(name: "\(kstatModule).watchdog") { [self] in watch() })
        threads.withLock { $0 = started }
    }

    /// The stall check (ncp's job timeout): a MAU whose running job has made
    /// no progress for `hangTimeoutSeconds` is taken offline and its jobs
    /// resubmitted. Progress is judged by the device's own clock
    /// (``ModularArithmeticUnit/runningNanoseconds()``): a job stalled by an
    /// injected hang counts wall time, a job being computed counts only the
    /// CPU its host thread spends on it, so a slow or loaded host (a worker
    /// waiting for a core, a sanitizer build) cannot pass for a hung unit.
    /// Wall time alone trips it only past a generous backstop.
    private func watch() {
        let timeout = UInt64(max(configuration.hangTimeoutSeconds, 0.001) * 1e9)
        let backstop = max(10 * timeout, Self.wallClockBackstopNanoseconds)
        let interval = UInt64(min(max(configuration.hangTimeoutSeconds / 4, 0.005), 1.0) * 1e9)
        while !stopping.load(ordering: .relaxed) {
            watchdogWake.lock()
            watchdogWake.wait(untilNanoseconds: MonotonicClock.nanoseconds() + interval)
            watchdogWake.unlock()
            if stopping.load(ordering: .relaxed) { return }
            for mau in maus {
                guard let running = mau.runningNanoseconds(), running.device > timeout || running.wall > backstop
                else { continue }
                mau.errors.wrappingAdd(1, ordering: .relaxed)
                hangsDetected.wrappingAdd(1, ordering: .relaxed)
                takeOutOfService(mau.id, as: .offline)
            }
        }
    }

    /// Stops the threads and waits for them to end; jobs still held fail recoverably.
    func shutdown() {
        stopping.store(true, ordering: .relaxed)
        watchdogWake.lock()
        watchdogWake.broadcast()
        watchdogWake.unlock()
        for mau in maus {
            for job in mau.stop() {
                job.complete(.failure(CryptoError(.providerFailed, "\(name) was detached with the job pending")))
            }
        }
        for thread in threads.withLock({ $0 }) { thread.join() }
    }
}

/// Per-algorithm completed-job counters (ncp's n_stats[DS_…]).
final class NCPAlgorithmCounters: Sendable {
    private let rsaPublic = Atomic<Int>(0)
    private let rsaPrivate = Atomic<Int>(0)
    private let rsaGenerate = Atomic<Int>(0)
    private let dhGenerate = Atomic<Int>(0)
    private let dhDerive = Atomic<Int>(0)
    private let ecdsaSign = Atomic<Int>(0)
    private let ecdsaVerify = Atomic<Int>(0)
    private let ecGenerate = Atomic<Int>(0)
    private let ecdhDerive = Atomic<Int>(0)

    func increment(_ algorithm: NCPAlgorithm) {
        switch algorithm {
        case .rsaPublic: rsaPublic.wrappingAdd(1, ordering: .relaxed)
        case .rsaPrivate: rsaPrivate.wrappingAdd(1, ordering: .relaxed)
        case .rsaGenerate: rsaGenerate.wrappingAdd(1, ordering: .relaxed)
        case .dhGenerate: dhGenerate.wrappingAdd(1, ordering: .relaxed)
        case .dhDerive: dhDerive.wrappingAdd(1, ordering: .relaxed)
        case .ecdsaSign: ecdsaSign.wrappingAdd(1, ordering: .relaxed)
        case .ecdsaVerify: ecdsaVerify.wrappingAdd(1, ordering: .relaxed)
        case .ecGenerate: ecGenerate.wrappingAdd(1, ordering: .relaxed)
        case .ecdhDerive: ecdhDerive.wrappingAdd(1, ordering: .relaxed)
        }
    }

    func value(_ algorithm: NCPAlgorithm) -> Int {
        switch algorithm {
        case .rsaPublic: rsaPublic.load(ordering: .relaxed)
        case .rsaPrivate: rsaPrivate.load(ordering: .relaxed)
        case .rsaGenerate: rsaGenerate.load(ordering: .relaxed)
        case .dhGenerate: dhGenerate.load(ordering: .relaxed)
        case .dhDerive: dhDerive.load(ordering: .relaxed)
        case .ecdsaSign: ecdsaSign.load(ordering: .relaxed)
        case .ecdsaVerify: ecdsaVerify.load(ordering: .relaxed)
        case .ecGenerate: ecGenerate.load(ordering: .relaxed)
        case .ecdhDerive: ecdhDerive.load(ordering: .relaxed)
        }
    }
}
