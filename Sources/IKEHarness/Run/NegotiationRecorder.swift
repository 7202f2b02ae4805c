import CryptoFramework
import IKEProtocol

/// Collects the negotiations of a responder that is not driven by a run loop
/// (`ikebench serve`: peers decide when negotiations happen) and builds the
/// same ``RunReport`` as `ikebench run`.
public final class NegotiationRecorder: Sendable {
    private let tally = Locked(RunTally())
    private let lastSuite = Locked<IKESuite?>(nil)
    /// What was negotiated by version: IKEv1 count, IKEv2 count, IKEv2 proposals in the order first seen, the last IKEv2 suite.
    private let versions = Locked(Versions())
    private let started = MonotonicClock.nanoseconds()

    struct Versions {
        var ikev1 = 0
        var ikev2 = 0
        var ikev2Proposals: [String] = []
        var lastIKEv2: IKEv2Suite?
    }

    public init() {}

    public func record(_ outcome: NegotiationOutcome, suite: IKESuite) {
        let second = Int((MonotonicClock.nanoseconds() - started) / 1_000_000_000)
        tally.withLock { $0.record(outcome, second: second) }
        lastSuite.withLock { $0 = suite }
        versions.withLock { $0.ikev1 += 1 }
    }

    /// An IKEv2 negotiation with the suite it settled on: timed and tallied
    /// like the others; the report then names IKEv2 and the proposals negotiated.
    public func record(_ outcome: NegotiationOutcome, ikev2Suite suite: IKEv2Suite) {
        let second = Int((MonotonicClock.nanoseconds() - started) / 1_000_000_000)
        tally.withLock { $0.record(outcome, second: second) }
        versions.withLock { v in
            v.ikev2 += 1
            // The same suite as the last one is listed already: its name (a string built per call) is not needed.
            if v.lastIKEv2 != suite {
                let name = suite.proposalName
                if !v.ikev2Proposals.contains(name) { v.ikev2Proposals.append(name) }
            }
            v.lastIKEv2 = suite
        }
    }

    public var negotiations: Int { tally.withLock { $0.negotiations } }

    /// The report of everything recorded so far. `suite` names the suite when
    /// none was negotiated; `concurrency` is how many peers were expected at
    /// once; `overheadSeconds` is the modeled non-cryptographic time each
    /// outcome includes. When IKEv2 was negotiated, the report names IKEv2,
    /// every proposal negotiated and `ikev2Signer`'s key (ours: the
    /// authentication we did), else IKEv1 by `ikev1Signer`'s; when IKEv1 was too, it says how many of each.
    public func report(framework: CryptoFramework, rsaBits: Int, suite fallback: IKESuite, concurrency: Int = 1,
                       overheadSeconds: Double = 0, ikev1Signer: IKESigningKey? = nil, ikev2Signer: IKEv2PrivateKey? = nil) -> RunReport {
        let t = tally.withLock { $0 }
        let suite = lastSuite.withLock { $0 } ?? fallback
        var report = RunReport(tally: t, framework: framework, rsaBits: rsaBits, suite: suite, concurrency: concurrency,
                               rttSeconds: 0, overheadSeconds: overheadSeconds, start: started, end: MonotonicClock.nanoseconds())
        if let ikev1Signer { report.describeIKEv1(signer: ikev1Signer) }
        let v = versions.withLock { $0 }
        if let last = v.lastIKEv2 {
            report.describeIKEv2(suite: last, signer: ikev2Signer, proposals: v.ikev2Proposals)
            if v.ikev1 > 0 { report.alsoIKEv1 = IKEv1Share(negotiations: v.ikev1, ikev2Negotiations: v.ikev2, proposal: suite.proposalName) }
        }
        return report
    }
}
