import CryptoFramework
import Providers

/// `ikebench calibrate`: the sparcfp workload of one real negotiation (its
/// symmetric requests with their sizes, taken from the responder's reports)
/// handed to ``SPARCFloatCalibration``.
public enum PhaseOneCalibration {
    public static func workload(suite: IKESuite, rsaBits: Int) async throws -> SPARCFloatWorkload {
        let initiator = try MainModeNegotiation.initiatorFramework()
        let identities = try await IKEIdentities.generate(bits: rsaBits, framework: initiator)
        let responder = try CryptoFramework(platform: .host, policy: .inMemory(Policy())).pinned(to: "openssl")
        let outcome = try await MainModeNegotiation(
            suite: suite, responderFramework: responder, initiatorFramework: initiator, identities: identities).run()
        let symmetric = outcome.records.compactMap { r -> SPARCFloatWorkload.SymmetricStep? in
            switch r.name {
            case .prf, .hash, .encrypt, .decrypt: SPARCFloatWorkload.SymmetricStep(r.mechanism, bytes: r.dataBytes, keyBytes: r.keyBytes)
            default: nil
            }
        }
        return SPARCFloatWorkload(rsaBits: rsaBits, dhGroup: suite.group, symmetric: symmetric)
    }

    public static func solve(measuredSeconds: Double, suite: IKESuite, rsaBits: Int) async throws -> CalibrationResult {
        let w = try await workload(suite: suite, rsaBits: rsaBits)
        return try SPARCFloatCalibration.solvePenalty(measuredSeconds: measuredSeconds, workload: w)
    }
}
