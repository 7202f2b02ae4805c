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
final class ModularArithmeticUnit: @unchecked Sendable {  // ring, current, progress, state, stopping: guarded by `condition`
    let id: Int
    private let condition = MonotonicCondition()
    private var ring: MAUJobRing
    private var current: MAUJob?
    private var currentSince: UInt64 = 0
    /// How the running job is getting on, for the watchdog (``runningNanoseconds()``).
    private var progress = JobProgress()
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
            progress = JobProgress(runner: ThreadCPUClock.current())  // the submitter computes it
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
            progress = JobProgress()
            updateOccupancy()
            condition.broadcast()
            condition.unlock()
            return
        }
        // The ring was full: the submitter stalls with the unit.
        stallWhileHung(device.faultState) { current === job }
        let stillRunning = !stopping && current === job
        condition.unlock()
        guard stillRunning else { return }

        process(job, startedAt: start, device: device)
        finishRunning(job)
    }

    /// The unit is free again: the worker takes what queued up meanwhile.
    private func finishRunning(_ job: MAUJob) {
        condition.lock()
        if current === job {
            current = nil
            progress = JobProgress()
        }
        updateOccupancy()
        if !ring.isEmpty { condition.broadcast() }
        condition.unlock()
    }

    /// The running job's time on this unit as the watchdog judges a hang, or
    /// nil when idle or not online. `device`: while an injected hang stalls
    /// the job, the wall time since it stalled (the unit does nothing);
    /// otherwise the CPU time the host thread computing it has spent on it
    /// since the watchdog first looked (only a computation that never ends
    /// grows it). Time the host does not give that thread — a loaded machine,
    /// a sanitizer, a preempted or starved worker — is in neither, so a slow
    /// host never looks like a hung unit. `wall`: the plain wall time since the
    /// job started (restarted when a timed hold ends), for a generous backstop.
    /// Read under the lock: the computing thread cannot finish the job, and
    /// so cannot end, while its clock is read.
    func runningNanoseconds() -> (device: UInt64, wall: UInt64)? {
        condition.locked {
            guard current != nil, state == .online else { return nil }
            let now = MonotonicClock.nanoseconds()
            let wall = now > currentSince ? now - currentSince : 0
            if let since = progress.stalledSince { return (now > since ? now - since : 0, wall) }
            guard let cpu = progress.runner?.nanoseconds() else { return (0, wall) }
            let first = progress.cpuFirstSeen ?? cpu
            progress.cpuFirstSeen = first
            return (cpu > first ? cpu - first : 0, wall)
        }
    }

    /// Waits (under the lock), stalled, while an injected hang holds this
    /// unit and `holding()`; the watchdog counts the stall in wall time.
    private func stallWhileHung(_ faults: NCPFaultState, while holding: () -> Bool) {
        guard !stopping, holding(), faults.isHung(id) else { return }
        progress.stalledSince = MonotonicClock.nanoseconds()
        while !stopping && holding() && faults.isHung(id) { condition.wait() }
        progress.stalledSince = nil
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
        progress = JobProgress()
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
        progress = JobProgress()
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
        let clock = ThreadCPUClock.current()
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
            progress = JobProgress(runner: clock)
            updateOccupancy()
            // An injected hang: the unit makes no progress until repaired (the watchdog notices).
            stallWhileHung(device.faultState) { true }
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
        // watchdog's wall-clock backstop for this job starts again when the
        // hold ends (its CPU clock does not run while the thread waits).
        currentSince = max(currentSince, deadline)
        while !stopping {
            guard MonotonicClock.nanoseconds() < deadline else { return }
            condition.wait(untilNanoseconds: deadline)
        }
    }
}

/// What the watchdog knows of a running job's progress (a unit's, under its lock).
private struct JobProgress {
    /// The CPU clock of the host thread computing the job (its submitter, or the unit's worker).
    var runner: ThreadCPUClock?
    /// That clock's reading when the watchdog first looked at the job.
    var cpuFirstSeen: UInt64?
    /// When an injected hang stalled the job.
    var stalledSince: UInt64?
}
