import CryptoFramework

extension RunReport {
    /// Adds what the charts draw — the percentile distribution, the per-second
    /// timeline, the policy changes the framework applied between `start` and
    /// `end` (CLOCK_MONOTONIC ns) — to a report built from `tally`. Every
    /// producer of a RunReport (`run`, `serve`) calls it, so their JSON and
    /// charts carry the same fields.
    mutating func addChartData(from tally: RunTally, framework: CryptoFramework, start: UInt64, end: UInt64) {
        distribution = LatencyDistribution(
            host: LatencyDistribution.points(tally.host),
            modeled: tally.hasModel ? LatencyDistribution.points(tally.modeled) : nil)
        timeline = tally.timeline.seconds
        policyChanges = PolicyChangeMark.marks(framework.policyChanges, start: start, end: end)
    }
}
