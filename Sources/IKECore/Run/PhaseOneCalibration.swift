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

    /// Modeled Phase I of one responder on the t2000 platform as it is (ncp/0
    /// serving the public-key work, sparcfp the rest): the cryptographic part of
    /// a with-ncp measurement.
    public static func modeledWithNCP(suite: IKESuite, rsaBits: Int) async throws -> Double {
        let initiator = try MainModeNegotiation.initiatorFramework()
        let identities = try await IKEIdentities.generate(bits: rsaBits, framework: initiator)
        let responder = try CryptoFramework(platform: .t2000, policy: .inMemory(Policy()))
        let outcome = try await MainModeNegotiation(
            suite: suite, responderFramework: responder, initiatorFramework: initiator, identities: identities).run()
        return outcome.records.reduce(0) { $0 + ($1.modeledSeconds ?? 0) }
    }

    /// Both published figures at once: the with-ncp measurement minus its modeled
    /// cryptography is the Phase I time that is not bignum work (in.iked, the
    /// kernel, the network); the FP penalty is solved for what is left of the
    /// without-ncp measurement.
    public static func solve(
        measuredSeconds: Double, withNCPMeasuredSeconds: Double, suite: IKESuite, rsaBits: Int
    ) async throws -> (result: CalibrationResult, modeledWithNCP: Double, otherSeconds: Double) {
        let cryptoWithNCP = try await modeledWithNCP(suite: suite, rsaBits: rsaBits)
        let other = max(0, withNCPMeasuredSeconds - cryptoWithNCP)
        let result = try await solve(measuredSeconds: measuredSeconds - other, suite: suite, rsaBits: rsaBits)
        return (result, cryptoWithNCP, other)
    }
}
