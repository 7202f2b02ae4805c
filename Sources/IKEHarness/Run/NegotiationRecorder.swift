import CryptoFramework
import IKEProtocol

/// Collects the negotiations of a responder that is not driven by a run loop
/// (`ikebench serve`: peers decide when negotiations happen) and builds the
/// same ``RunReport`` as `ikebench run`.
public final class NegotiationRecorder: Sendable {
    /// Everything recorded, behind one lock: a negotiation takes it once.
    private let state = Locked(State())
    private let started = MonotonicClock.nanoseconds()

    struct State {
        var tally = RunTally()
        var lastSuite: IKESuite?
        /// What was negotiated by version: IKEv1 count, IKEv2 count, IKEv2 proposals in the order first seen, the last IKEv2 suite.
        var versions = Versions()
    }

    struct Versions {
        var ikev1 = 0
        var ikev2 = 0
        var ikev2Proposals: [String] = []
        var lastIKEv2: IKEv2Suite?
    }

    public init() {}

    public func record(_ outcome: NegotiationOutcome, suite: IKESuite) {
        let second = Int((MonotonicClock.nanoseconds() - started) / 1_000_000_000)
        state.withLock { s in
            s.tally.record(outcome, second: second)
            s.lastSuite = suite
            s.versions.ikev1 += 1
        }
    }

    /// An IKEv2 negotiation with the suite it settled on: timed and tallied
    /// like the others; the report then names IKEv2 and the proposals negotiated.
    public func record(_ outcome: NegotiationOutcome, ikev2Suite suite: IKEv2Suite) {
        let second = Int((MonotonicClock.nanoseconds() - started) / 1_000_000_000)
        state.withLock { s in
            s.tally.record(outcome, second: second)
            s.versions.ikev2 += 1
            // The same suite as the last one is listed already: its name (a string built per call) is not needed.
            if s.versions.lastIKEv2 != suite {
                let name = suite.proposalName
                if !s.versions.ikev2Proposals.contains(name) { s.versions.ikev2Proposals.append(name) }
                s.versions.lastIKEv2 = suite
            }
        }
    }

    public var negotiations: Int { state.withLock { $0.tally.negotiations } }

    /// The report of everything recorded so far. `suite` names the suite when
    /// none was negotiated; `concurrency` is how many peers were expected at
    /// once; `overheadSeconds` is the modeled non-cryptographic time each
    /// outcome includes. When IKEv2 was negotiated, the report names IKEv2,
    /// every proposal negotiated and `ikev2Signer`'s key (ours: the
    /// authentication we did), else IKEv1 by `ikev1Signer`'s; when IKEv1 was too, it says how many of each.
    public func report(framework: CryptoFramework, rsaBits: Int, suite fallback: IKESuite, concurrency: Int = 1,
                       overheadSeconds: Double = 0, ikev1Signer: IKESigningKey? = nil, ikev2Signer: IKEv2PrivateKey? = nil) -> RunReport {
        let (t, lastV1, v) = state.withLock { ($0.tally, $0.lastSuite, $0.versions) }
        let suite = lastV1 ?? fallback
        var report = RunReport(tally: t, framework: framework, rsaBits: rsaBits, suite: suite, concurrency: concurrency,
                               rttSeconds: 0, overheadSeconds: overheadSeconds, start: started, end: MonotonicClock.nanoseconds())
        if let ikev1Signer { report.describeIKEv1(signer: ikev1Signer) }
        if let last = v.lastIKEv2 {
            report.describeIKEv2(suite: last, signer: ikev2Signer, proposals: v.ikev2Proposals)
            if v.ikev1 > 0 { report.alsoIKEv1 = IKEv1Share(negotiations: v.ikev1, ikev2Negotiations: v.ikev2, proposal: suite.proposalName) }
        }
        return report
    }
}
