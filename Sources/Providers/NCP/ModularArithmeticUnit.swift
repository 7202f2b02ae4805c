import ProviderGMP
import CryptoFramework
import EmulatedHardware
import Foundation
import Synchronization

/// A MAU's state as ncp reports it (MAU_STATE_ONLINE / _OFFLINE / _ERROR).
public enum MAUState: String, Sendable, Hashable {
    case online
    case offline
    case failed = "fail"
}

/// One Modular Arithmetic Unit: its job ring, its state and counters, and the
/// worker thread that runs its jobs one at a time (a real thread, not the
/// Swift cooperative pool: it blocks in timed mode and when hung). In fast
/// mode a job submitted to an idle unit is run by its submitter instead
/// (``enqueue(_:chosen:claimIfIdle:)``); either way one job runs at a time.
final class ModularArithmeticUnit: @unchecked Sendable {  // ring, current, state, stopping: guarded by `condition`
    let id: Int
    private let condition = MonotonicCondition()
    private var ring: MAUJobRing
    private var current: MAUJob?
    private var currentSince: UInt64 = 0
    private var state: MAUState = .online
    private var stopping = false

    // Counters read by kstats without the lock.
    let submitted = Atomic<Int>(0)
    let queueFull = Atomic<Int>(0)
    let queueBusy = Atomic<Int>(0)
    let interrupts = Atomic<Int>(0)
    let errors = Atomic<Int>(0)
    private let occupancyValue = Atomic<Int>(0)
    private let onlineValue = Atomic<Bool>(true)

    init(id: Int, ringSize: Int) {
        self.id = id
        self.ring = MAUJobRing(capacity: ringSize)
    }

    /// Jobs queued plus the one running.
    var occupancy: Int { occupancyValue.load(ordering: .relaxed) }
    var isOnline: Bool { onlineValue.load(ordering: .relaxed) }
    var currentState: MAUState { condition.locked { state } }

    enum Admission {
        /// On the ring; the worker thread will run it.
        case accepted
        /// On the ring and at once this unit's running job, to be run by the
        /// submitting thread through ``runClaimed(_:device:)``.
        case claimed
        case full
        case offline
    }

    /// Puts `job` on the ring (ncp_start → the hypervisor queue tail). A
    /// full ring counts in qfull when this MAU was the one chosen for the job.
    ///
    /// `claimIfIdle` (fast mode): when nothing is queued or running, the job
    /// goes through its ring slot straight to running, for the submitter to
    /// run on its own thread — the same steps the worker takes, without two
    /// thread hand-offs (a wake-up of the worker and one of the caller), which
    /// cost far more than a short job on a busy host.
    func enqueue(_ job: MAUJob, chosen: Bool, claimIfIdle: Bool = false) -> Admission {
        condition.lock()
        defer { condition.unlock() }
        guard state == .online, !stopping else { return .offline }
        let waiting = current != nil || !ring.isEmpty
        guard ring.push(job) else {
            if chosen { queueFull.wrappingAdd(1, ordering: .relaxed) }
            return .full
        }
        submitted.wrappingAdd(1, ordering: .relaxed)
        if waiting { queueBusy.wrappingAdd(1, ordering: .relaxed) }
        if claimIfIdle && !waiting {
            _ = ring.pop()  // the job just pushed: the ring was empty
            current = job
            currentSince = MonotonicClock.nanoseconds()
            updateOccupancy()
            return .claimed
        }
        updateOccupancy()
        condition.broadcast()
        return .accepted
    }

    /// Runs a job that ``enqueue(_:chosen:claimIfIdle:)`` claimed, on the
    /// calling thread, exactly as the worker runs one: faults and counters
    /// apply, and the watchdog sees it running. If the unit is taken out of
    /// service meanwhile, the job was resubmitted with its other jobs and is
    /// answered from there.
    func runClaimed(_ job: MAUJob, device: NCPDevice) {
        condition.lock()
        let start = currentSince
        // A hung unit: the job goes back to the head of the ring for the worker,
        // which hangs on it exactly as on any job; the submitter waits for its
        // answer like any other (an async caller holds no thread meanwhile).
        if device.faultState.isHung(id), current === job, ring.pushFront(job) {
            current = nil
            updateOccupancy()
            condition.broadcast()
            condition.unlock()
            return
        }
        while !stopping && current === job && device.faultState.isHung(id) { condition.wait() }
        let stillRunning = !stopping && current === job
        condition.unlock()
        guard stillRunning else { return }

        process(job, startedAt: start, device: device)
        finishRunning(job)
    }

    /// The unit is free again: the worker takes what queued up meanwhile.
    private func finishRunning(_ job: MAUJob) {
        condition.lock()
        if current === job { current = nil }
        updateOccupancy()
        if !ring.isEmpty { condition.broadcast() }
        condition.unlock()
    }

    /// How long the running job has been running, in nanoseconds, or nil when idle or not online.
    func runningNanoseconds() -> UInt64? {
        condition.locked {
            guard current != nil, state == .online else { return nil }
            let now = MonotonicClock.nanoseconds()  // read under the lock: never before the job's start
            return now > currentSince ? now - currentSince : 0
        }
    }

    /// Takes the unit out of service and returns every job it held (queued and
    /// running), for the device to resubmit.
    func remove(as newState: MAUState) -> [MAUJob] {
        condition.lock()
        defer { condition.unlock() }
        state = newState
        onlineValue.store(false, ordering: .relaxed)
        var jobs = ring.drain()
        if let running = current { jobs.insert(running, at: 0) }
        current = nil
        updateOccupancy()
        condition.broadcast()
        return jobs
    }

    /// Back in service (repair); also wakes a worker held by an injected hang.
    func bringOnline() {
        condition.lock()
        state = .online
        onlineValue.store(true, ordering: .relaxed)
        condition.broadcast()
        condition.unlock()
    }

    /// Wakes the worker to re-read the fault settings.
    func wake() { condition.locked { condition.broadcast() } }

    /// Ends the worker and returns the jobs still held.
    func stop() -> [MAUJob] {
        condition.lock()
        stopping = true
        var jobs = ring.drain()
        if let running = current { jobs.insert(running, at: 0) }
        current = nil
        updateOccupancy()
        condition.broadcast()
        condition.unlock()
        return jobs
    }

    private func updateOccupancy() {  // under the lock
        occupancyValue.store(ring.count + (current == nil ? 0 : 1), ordering: .relaxed)
    }

    // MARK: Worker

    /// The worker thread's body: take a job, compute it, hold it in timed
    /// mode, complete it; until ``stop()``.
    func run(device: NCPDevice) {
        while true {
            condition.lock()
            // `current` set: a submitter is running a claimed job on this unit.
            while !stopping && (ring.isEmpty || state != .online || current != nil) { condition.wait() }
            if stopping {
                condition.unlock()
                return
            }
            let job = ring.pop()!
            let start = MonotonicClock.nanoseconds()
            current = job
            currentSince = start
            updateOccupancy()
            // An injected hang: the unit makes no progress until repaired (the watchdog notices).
            while !stopping && device.faultState.isHung(id) { condition.wait() }
            condition.unlock()
            if stopping { return }

            process(job, startedAt: start, device: device)
            finishRunning(job)
        }
    }

    private func process(_ job: MAUJob, startedAt start: UInt64, device: NCPDevice) {
        guard !job.isFinished else { return }  // resubmitted elsewhere and already answered
        if device.faultState.rollJobError() {
            job.complete(.failure(CryptoError(.deviceError,
                "\(device.name): MAU \(id) reported a job error (injected fault); retry on another provider")), mau: id
            ) {
                errors.wrappingAdd(1, ordering: .relaxed)
                interrupts.wrappingAdd(1, ordering: .relaxed)
            }
            return
        }
        var outcome: Result<CryptoResult, CryptoError>
        var cost: NCPJobCost?
        do {
            let (result, modeled) = try job.compute()
            outcome = .success(result)
            cost = modeled
        } catch let error as CryptoError {
            outcome = .failure(error)
        } catch {
            outcome = .failure(CryptoError(.deviceError, "\(device.name): MAU \(id): \(error)"))
        }
        // A corrupted private-key result on the device's output path: after the
        // arithmetic, before release. The framework's
        // s^e mod n check (Selection rule 5) must catch it.
        if job.algorithm == .rsaPrivate, case .success(.bytes(var signature)) = outcome, !signature.isEmpty,
            device.faultState.rollCorruption()
        {
            signature[signature.count - 1] ^= 0x01
            outcome = .success(.bytes(signature))
        }
        if let cost, let hold = device.configuration.mode.holdNanoseconds(modeledSeconds: cost.seconds) {
            holdUntil(start &+ hold)
            job.context.count(EmulatedTiming.holdCountName, Int(clamping: hold))
        }
        job.complete(outcome, cost: cost, mau: id) {
            interrupts.wrappingAdd(1, ordering: .relaxed)
            if case .success = outcome { device.algorithmCounters.increment(job.algorithm) }
        }
    }

    /// Timed mode: the job's completion waits for its modeled latency.
    private func holdUntil(_ deadline: UInt64) {
        condition.lock()
        defer { condition.unlock() }
        // The hold is the unit working as modeled, not a lack of progress: the
        // watchdog's clock for this job starts again when the hold ends.
        currentSince = max(currentSince, deadline)
        while !stopping {
            guard MonotonicClock.nanoseconds() < deadline else { return }
            condition.wait(untilNanoseconds: deadline)
        }
    }
}
