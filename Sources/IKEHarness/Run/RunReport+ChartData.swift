import CryptoFramework
import IKEProtocol

extension RunReport {
    /// The report of the negotiations in `tally`, run between `start` and `end`
    /// (CLOCK_MONOTONIC ns): what every producer of a RunReport (`run`, `serve`,
    /// `run --peer`) builds, so their JSON and charts carry the same fields.
    init(tally: RunTally, framework: CryptoFramework, rsaBits: Int, suite: IKESuite, concurrency: Int,
         rttSeconds: Double, overheadSeconds: Double, start: UInt64, end: UInt64) {
        let elapsed = Double(end - start) / 1e9
        self.init(
            platform: framework.platform.name, rsaBits: rsaBits, group: suite.groupNumber,
            prf: suite.prf.rawValue, cipher: suite.cipher.rawValue,
            negotiations: tally.negotiations, concurrency: concurrency, rttSeconds: rttSeconds,
            overheadSeconds: overheadSeconds,
            elapsedSeconds: elapsed,
            hostPhase1: RunTally.summary(tally.host),
            modeledPhase1: tally.hasModel ? RunTally.summary(tally.modeled) : nil,
            throughputPerSecond: Double(tally.negotiations) / max(elapsed, 1e-9),
            operations: tally.operationSummaries, kstats: RunReport.kstats(of: framework))
        authentication = "RSA-\(rsaBits)"
        addChartData(from: tally, framework: framework, start: start, end: end)
    }

    /// Adds what the charts draw — the percentile distribution, the per-second
    /// timeline, the policy changes the framework applied between `start` and
    /// `end` (CLOCK_MONOTONIC ns) — to a report built from `tally`.
    private mutating func addChartData(from tally: RunTally, framework: CryptoFramework, start: UInt64, end: UInt64) {
        distribution = LatencyDistribution(
            host: LatencyDistribution.points(tally.host),
            modeled: tally.hasModel ? LatencyDistribution.points(tally.modeled) : nil)
        timeline = tally.timeline.seconds
        policyChanges = PolicyChangeMark.marks(framework.policyChanges, start: start, end: end)
    }
}
