import CryptoFramework
import IKEProtocol

/// Collects the negotiations of a responder that is not driven by a run loop
/// (`ikebench serve`: peers decide when negotiations happen) and builds the
/// same ``RunReport`` as `ikebench run`.
public final class NegotiationRecorder: Sendable {
    private let tally = Locked(RunTally())
    private let lastSuite = Locked<IKESuite?>(nil)
    private let started = MonotonicClock.nanoseconds()

    public init() {}

    public func record(_ outcome: NegotiationOutcome, suite: IKESuite) {
        let second = Int((MonotonicClock.nanoseconds() - started) / 1_000_000_000)
        tally.withLock { $0.record(outcome, second: second) }
        lastSuite.withLock { $0 = suite }
    }

    /// An IKEv2 negotiation: timed and tallied like the others, the report's suite left as it is.
    public func record(_ outcome: NegotiationOutcome) {
        let second = Int((MonotonicClock.nanoseconds() - started) / 1_000_000_000)
        tally.withLock { $0.record(outcome, second: second) }
    }

    public var negotiations: Int { tally.withLock { $0.negotiations } }

    /// The report of everything recorded so far. `suite` names the suite when
    /// none was negotiated; `concurrency` is how many peers were expected at
    /// once; `overheadSeconds` is the modeled non-cryptographic time each outcome includes.
    public func report(framework: CryptoFramework, rsaBits: Int, suite fallback: IKESuite, concurrency: Int = 1,
                       overheadSeconds: Double = 0) -> RunReport {
        let t = tally.withLock { $0 }
        let suite = lastSuite.withLock { $0 } ?? fallback
        return RunReport(tally: t, framework: framework, rsaBits: rsaBits, suite: suite, concurrency: concurrency,
                         rttSeconds: 0, overheadSeconds: overheadSeconds, start: started, end: MonotonicClock.nanoseconds())
    }
}
