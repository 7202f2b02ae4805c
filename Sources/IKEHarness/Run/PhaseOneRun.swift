import CryptoFramework
import IKEProtocol
import Providers
import Synchronization

/// The workload of a run: what each negotiation negotiates, how many, how
/// many at once.
public struct PhaseOneWorkload: Sendable {
    public var suite: IKESuite
    public var rsaBits: Int
    /// Stop after this many negotiations (nil: run for `durationSeconds`).
    public var negotiations: Int?
    /// Stop after this many seconds (nil: run `negotiations`).
    public var durationSeconds: Double?
    /// Tasks running negotiations at once.
    public var concurrency: Int
    /// Modeled network round trip, added twice to modeled Phase I (messages 2→3 and 4→5).
    public var rttSeconds: Double
    /// Modeled Phase I time outside the cryptography (in.iked, kernel), added once.
    public var overheadSeconds: Double
    public var trace: Bool
    /// Time IKEv2 with this suite instead of Main Mode (`run --ike 2`).
    public var ikev2Suite: IKEv2Suite? = nil
    /// With `ikev2Suite`: the keys both sides sign with (nil: the RSA keys of the run's identities).
    public var ikev2Keys: IKEv2SignatureKeys? = nil

    public init(suite: IKESuite, rsaBits: Int, negotiations: Int?, durationSeconds: Double? = nil,
                concurrency: Int = 1, rttSeconds: Double = 0, overheadSeconds: Double = 0, trace: Bool = false) {
        self.suite = suite
        self.rsaBits = rsaBits
        self.negotiations = negotiations
        self.durationSeconds = durationSeconds
        self.concurrency = concurrency
        self.rttSeconds = rttSeconds
        self.overheadSeconds = overheadSeconds
        self.trace = trace
    }
}

/// Runs a workload against a framework and builds the report.
public enum PhaseOneRun {
    /// `display` shows progress and the per-second provider lines; `write`
    /// takes --trace lines.
    public static func run(
        _ workload: PhaseOneWorkload, framework: CryptoFramework, identities: IKEIdentities,
        display: LiveDisplay? = nil, write: (@Sendable (String) -> Void)? = nil
    ) async throws -> RunReport {
        let negotiation: any TimedNegotiation = if let v2 = workload.ikev2Suite {
            IKEv2Negotiation(
                suite: v2, responderFramework: framework, initiatorFramework: try MainModeNegotiation.initiatorFramework(),
                identities: identities, keys: workload.ikev2Keys, rttSeconds: workload.rttSeconds, overheadSeconds: workload.overheadSeconds)
        } else {
            MainModeNegotiation(
                suite: workload.suite, responderFramework: framework,
                initiatorFramework: try MainModeNegotiation.initiatorFramework(), identities: identities,
                rttSeconds: workload.rttSeconds, overheadSeconds: workload.overheadSeconds)
        }
        let quota = NegotiationQuota(limit: workload.negotiations,
                                     deadline: workload.durationSeconds.map { MonotonicClock.nanoseconds() + UInt64($0 * 1e9) })
        let trace = workload.trace ? write : nil
        var observe: (@Sendable (IKEOperationRecord) -> Void)? = nil
        if let display {
            observe = { @Sendable record in display.observe(record) }
        }
        let start = MonotonicClock.nanoseconds()
        display?.start(total: workload.negotiations, duration: workload.durationSeconds)

        let tally = try await runTasks(workload.concurrency, negotiation: negotiation, quota: quota, start: start,
                                       trace: trace, observe: observe, display: display)
        let end = MonotonicClock.nanoseconds()
        display?.stop()

        var report = RunReport(tally: tally, framework: framework, rsaBits: workload.rsaBits, suite: workload.suite,
                               concurrency: workload.concurrency, rttSeconds: workload.rttSeconds,
                               overheadSeconds: workload.overheadSeconds, start: start, end: end)
        if let v2 = workload.ikev2Suite {
            report.describeIKEv2(suite: v2, keys: workload.ikev2Keys ?? IKEv2SignatureKeys(rsa: identities))
        }
        return report
    }
}

extension PhaseOneRun {
    /// `concurrency` tasks, each with its own tally, merged at the end.
    static func runTasks(
        _ concurrency: Int, negotiation: any TimedNegotiation, quota: NegotiationQuota, start: UInt64,
        trace: (@Sendable (String) -> Void)?, observe: (@Sendable (IKEOperationRecord) -> Void)?, display: LiveDisplay?
    ) async throws -> RunTally {
        try await withThrowingTaskGroup(of: RunTally.self, returning: RunTally.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var tally = RunTally()
                    while quota.take() {
                        let outcome: NegotiationOutcome = try await negotiation.run(trace: trace, observe: observe)
                        tally.record(outcome, second: Int((MonotonicClock.nanoseconds() - start) / 1_000_000_000))
                        display?.negotiationDone()
                    }
                    return tally
                }
            }
            var all = RunTally()
            for try await t in group { all.merge(t) }
            return all
        }
    }
}

/// Hands out negotiations to tasks until the count or the deadline is reached.
final class NegotiationQuota: Sendable {
    private let issued = Atomic<Int>(0)
    let limit: Int?
    let deadline: UInt64?

    init(limit: Int?, deadline: UInt64?) {
        self.limit = limit
        self.deadline = deadline
    }

    func take() -> Bool {
        if let deadline, MonotonicClock.nanoseconds() >= deadline { return false }
        let n = issued.add(1, ordering: .relaxed).newValue
        if let limit { return n <= limit }
        return true
    }
}
