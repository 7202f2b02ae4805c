import CryptoFramework
import Foundation
@testable import ProviderNCP
import ProcessSupport
import TestSupport
import Testing

/// The watchdog judges a hang by the device's own progress: a job whose host
/// computation is slow is not a hung MAU, however long it takes in wall time;
/// an injected hang (NCPFaultTests, NCPCorrectnessTests) and a computation
/// that never ends are.
@Suite("ncp/0 watchdog: a slow host is not a hung MAU")
struct NCPWatchdogTests {
    /// A job whose computation is `work`; `answers` counts its successful answers.
    static func job(answers: Locked<Int>, _ work: @escaping @Sendable () -> Void) -> MAUJob {
        MAUJob(algorithm: .rsaPublic, context: OperationContext(), compute: {
            work()
            return (.verified(true), NCPJobCost(mauCycles: 1, clockHz: 1e9))
        }, finish: { outcome in
            if case .success = outcome { answers.withLock { $0 += 1 } }
        })
    }

    /// Submits `job` from a thread of its own (a claimed job runs on its submitter).
    static func submit(_ job: MAUJob, to device: NCPDevice) {
        Thread { try? device.submit(job) }.start()
    }

    @Test("jobs the host takes 10× the hang bound to compute complete on their MAU; none is taken offline")
    func slowHostIsNoHang() async throws {
        let device = NCPDevice(configuration: NCPConfiguration(mauCount: 1, hangTimeoutSeconds: 0.05))
        defer { device.shutdown() }
        let answers = Locked(0)
        // Sleeping uses no CPU: to every clock but the wall's, the host is simply
        // not running the MAU's thread (preempted, starved, a sanitizer build).
        let slow = { @Sendable in Thread.sleep(forTimeInterval: 0.5) }
        // On one MAU at once: the first is run by its submitter, the second waits on the ring for the worker.
        Self.submit(Self.job(answers: answers, slow), to: device)
        Self.submit(Self.job(answers: answers, slow), to: device)
        #expect(try await Polling.until { answers.withLock { $0 } == 2 }, "both jobs answered")
        #expect(device.hangsDetected.load(ordering: .relaxed) == 0)
        #expect(device.maus[0].isOnline)
        #expect(device.maus[0].interrupts.load(ordering: .relaxed) == 2, "the MAU answered both")
        #expect(device.resubmitted.load(ordering: .relaxed) == 0)
    }

    @Test("a computation that never ends is still a hang: its MAU goes offline, the job is answered by another")
    func runawayComputationIsAHang() async throws {
        let device = NCPDevice(configuration: NCPConfiguration(mauCount: 2, hangTimeoutSeconds: 0.05))
        defer { device.shutdown() }
        let answers = Locked(0), runs = Locked(0)
        // The first run burns CPU until the job is answered (30 s at most: a failing
        // test must not spin for ever); the run on the MAU it is resubmitted to returns at once.
        Self.submit(Self.job(answers: answers) {
            guard runs.withLock({ $0 += 1; return $0 }) == 1 else { return }
            let end = MonotonicClock.nanoseconds() + 30_000_000_000
            while MonotonicClock.nanoseconds() < end && answers.withLock({ $0 }) == 0 {}
        }, to: device)
        #expect(try await Polling.until { answers.withLock { $0 } == 1 }, "the job is answered")
        #expect(device.hangsDetected.load(ordering: .relaxed) == 1)
        #expect(device.resubmitted.load(ordering: .relaxed) == 1)
        let offline = try #require(device.maus.first { !$0.isOnline })
        #expect(device.maus.filter { !$0.isOnline }.count == 1)
        #expect(offline.interrupts.load(ordering: .relaxed) == 0, "the runaway MAU answered nothing")
    }
}
