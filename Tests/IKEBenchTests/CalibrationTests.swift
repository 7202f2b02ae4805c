import CryptoFramework
import IKECore
import Providers
import Testing

@Suite("Calibration to the 2007 figures")
struct CalibrationTests {
    /// Modeled Phase I of one negotiation on `platform` under `policy`, plus `overhead`.
    func modeledPhaseI(_ platform: Platform, policy: Policy, overhead: Double) async throws -> Double {
        let fw = try CryptoFramework(platform: platform, policy: .inMemory(policy))
        let outcome = try await MainModeNegotiation(
            suite: IKETestSupport.suite(), responderFramework: fw,
            initiatorFramework: IKETestSupport.initiatorFramework, identities: IKETestSupport.identities,
            overheadSeconds: overhead
        ).run()
        return try #require(outcome.modeledSeconds)
    }

    @Test("the solved penalty and overhead reproduce both published times when run")
    func solvedModelReproducesBothFigures() async throws {
        let solved = try await PhaseOneCalibration.solve(
            measuredSeconds: 7.73, withNCPMeasuredSeconds: 0.165, suite: IKETestSupport.suite(), rsaBits: 1024)
        // The T1 FP was emulated in 2007: the penalty must be far above the published latencies.
        #expect(solved.result.penaltyCycles > 100)
        #expect(solved.otherSeconds > 0.1 && solved.otherSeconds < 0.165)

        let platform = Platform.t2000(costModel: T1CostModel.t2000.withTrapPenalty(solved.result.penaltyCycles))
        var withoutNCP = Policy()
        withoutNCP.disable(provider: "ncp/0", mechanisms: NCPProvider().descriptor.mechanisms.map(\.mechanism) + [.random])
        let with = try await modeledPhaseI(platform, policy: Policy(), overhead: solved.otherSeconds)
        let without = try await modeledPhaseI(platform, policy: withoutNCP, overhead: solved.otherSeconds)
        // Exponents are random per negotiation, so each run differs slightly from the solved one.
        #expect(abs(with - 0.165) / 0.165 < 0.01, "with ncp: \(with) s")
        #expect(abs(without - 7.73) / 7.73 < 0.03, "without ncp: \(without) s")
    }
}
