import CryptoFramework
import IKEProtocol
import Providers

/// One row of `ikebench calibrate`: what a 2007 configuration costs on the
/// modeled T2000 at the published latencies, and what that says about the
/// two published figures. JSON field names are read by outside tools (the
/// SVG drawing of the table): keep them.
public struct ExplanationRow: Sendable, Encodable {
    public let rsaBits: Int
    public let group: Int
    public let dhPrivateBits: Int
    /// Modeled cryptography of one Phase I responder with ncp/0 serving RSA and DH.
    public let modeledWithNCPSeconds: Double
    /// The same without ncp/0: sparcfp serves everything.
    public let modeledWithoutNCPSeconds: Double
    /// 165 ms minus the modeled cryptography with ncp: the Phase I time that is not
    /// bignum work (in.iked, kernel, network), taken to be the same in both runs.
    /// Negative: this configuration's cryptography alone exceeds 165 ms.
    public let impliedNonCryptoSeconds: Double
    /// Modeled without-ncp cryptography plus the non-cryptographic time (0 if negative).
    public let predictedWithoutNCPSeconds: Double
    /// FP instructions sparcfp executes in the without-ncp Phase I.
    public let fpInstructions: Int
    /// Extra cycles per FP instruction that 7.73 s would require (negative: the
    /// configuration already costs more than 7.73 s).
    public let impliedPenaltyCycles: Double
    /// Both 2007 figures reproduced within the tolerance with no penalty: the
    /// non-crypto time is not negative and the prediction is within ±25 % of 7.73 s.
    public let consistent: Bool

    /// The row for measured model times (the arithmetic of the table, separate from running it).
    public init(configuration c: Configuration2007, withNCPSeconds: Double, withoutNCPSeconds: Double,
                fpInstructions: Int, chip: ChipModel, published: Published2007.Figures = Published2007.figures,
                tolerance: Double = PhaseOneExplanation.tolerance) {
        rsaBits = c.rsaBits
        group = c.group
        dhPrivateBits = c.dhPrivateBits
        modeledWithNCPSeconds = withNCPSeconds
        modeledWithoutNCPSeconds = withoutNCPSeconds
        impliedNonCryptoSeconds = published.withNCPSeconds - withNCPSeconds
        let overhead = max(0, impliedNonCryptoSeconds)
        predictedWithoutNCPSeconds = withoutNCPSeconds + overhead
        self.fpInstructions = fpInstructions
        impliedPenaltyCycles = FPTrapPenalty.cyclesNeeded(
            targetSeconds: published.withoutNCPSeconds - overhead, modeledSeconds: withoutNCPSeconds,
            fpInstructions: fpInstructions, chip: chip) ?? 0
        consistent = impliedNonCryptoSeconds >= 0
            && abs(predictedWithoutNCPSeconds / published.withoutNCPSeconds - 1) <= tolerance
    }
}

/// `ikebench calibrate`: the 2007 figures explained per configuration, each
/// row computed from one real negotiation with ncp/0 and one without on the
/// modeled T2000 (sparcfp's engine executing and counting every instruction).
public enum PhaseOneExplanation {
    /// How close both figures must come for a configuration to be marked consistent.
    public static let tolerance = 0.25

    /// The row of `configuration`, from real negotiations on the t2000 platform
    /// built on `chip` at no trap penalty. `identities` must hold keys of
    /// `configuration.rsaBits` bits.
    public static func row(
        _ configuration: Configuration2007, identities: IKEIdentities, chip: ChipModel = .ultraSPARCT1,
        prf: IKESuite.PRF = .sha1, cipher: IKESuite.Cipher = .des3
    ) async throws -> ExplanationRow {
        guard let suite = configuration.suite(prf: prf, cipher: cipher) else {
            throw CryptoError(.argumentsBad, "no Oakley group \(configuration.group)")
        }
        let published = chip.withFPTrapPenalty(0)
        let with = try await negotiate(suite: suite, identities: identities, chip: published, ncp: true)
        let without = try await negotiate(suite: suite, identities: identities, chip: published, ncp: false)
        return row(configuration, with: with, without: without, chip: published)
    }

    /// The row for two negotiations of `configuration` already run, with ncp/0 and without.
    public static func row(
        _ configuration: Configuration2007, with: NegotiationOutcome, without: NegotiationOutcome, chip: ChipModel
    ) -> ExplanationRow {
        ExplanationRow(
            configuration: configuration, withNCPSeconds: cryptographySeconds(with),
            withoutNCPSeconds: cryptographySeconds(without),
            fpInstructions: floatCounts(without).floatingPointOperations, chip: chip)
    }

    /// Modeled seconds of a negotiation's operations (no round trips, no overhead).
    public static func cryptographySeconds(_ outcome: NegotiationOutcome) -> Double {
        outcome.records.reduce(0) { $0 + ($1.modeledSeconds ?? 0) }
    }

    /// What sparcfp executed in a negotiation, summed from its operations' typed tallies.
    public static func floatCounts(_ outcome: NegotiationOutcome) -> FloatOpCounts {
        ModeledWork.total(FloatOpCounts.self, of: outcome.records.map(\.work))
    }

    /// Rows for every configuration, one key pair per RSA size.
    public static func rows(_ configurations: [Configuration2007], chip: ChipModel = .ultraSPARCT1,
                            prf: IKESuite.PRF = .sha1, cipher: IKESuite.Cipher = .des3) async throws -> [ExplanationRow] {
        let initiator = try MainModeNegotiation.initiatorFramework()
        var identities: [Int: IKEIdentities] = [:]
        var rows: [ExplanationRow] = []
        for c in configurations {
            if identities[c.rsaBits] == nil {
                identities[c.rsaBits] = try await IKEIdentities.generate(bits: c.rsaBits, framework: initiator)
            }
            rows.append(try await row(c, identities: identities[c.rsaBits]!, chip: chip, prf: prf, cipher: cipher))
        }
        return rows
    }

    /// One negotiation on the T2000 built on `chip`, with ncp/0 or with every
    /// ncp/0 mechanism disabled.
    public static func negotiate(
        suite: IKESuite, identities: IKEIdentities, chip: ChipModel, ncp: Bool
    ) async throws -> NegotiationOutcome {
        let framework = try CryptoFramework(platform: .t2000(chip: chip), policy: .inMemory(Policy()))
        let responder = ncp ? framework : try NCPDisabled.framework(like: framework)
        return try await MainModeNegotiation(
            suite: suite, responderFramework: responder,
            initiatorFramework: try MainModeNegotiation.initiatorFramework(), identities: identities).run()
    }

    /// Modeled cryptography of one negotiation without ncp/0 on Sun's later
    /// integer bignum (`sparcumul64`) instead of the FP path (sparcfp unloaded).
    public static func integerBignumSeconds(suite: IKESuite, identities: IKEIdentities, chip: ChipModel) async throws -> Double {
        let framework = try CryptoFramework(platform: .t2000(chip: chip, laterIntegerBignum: true), policy: .inMemory(Policy()))
        var policy = NCPDisabled.policy(of: framework)
        policy.setUnloaded(true, provider: SolarisBignumKernel.floatingPoint.providerName)
        let responder = try CryptoFramework(platform: framework.platform, policy: .inMemory(policy))
        let outcome = try await MainModeNegotiation(
            suite: suite, responderFramework: responder,
            initiatorFramework: try MainModeNegotiation.initiatorFramework(), identities: identities).run()
        return cryptographySeconds(outcome)
    }

    /// The non-cryptographic Phase I time the 165 ms run implies for a suite on
    /// `chip` (0 when the cryptography alone exceeds it): what `compare` adds.
    public static func impliedOverhead(suite: IKESuite, identities: IKEIdentities, chip: ChipModel = .ultraSPARCT1) async throws -> Double {
        let with = try await negotiate(suite: suite, identities: identities, chip: chip.withFPTrapPenalty(0), ncp: true)
        return max(0, Published2007.withNCPSeconds - cryptographySeconds(with))
    }
}

/// `cryptoadm disable provider=ncp/0 all`, in memory.
public enum NCPDisabled {
    /// `framework`'s policy with every ncp/0 mechanism and random disabled.
    public static func policy(of framework: CryptoFramework) -> Policy {
        ProviderDisabled.policy(of: framework, providers: ["ncp/0"])
    }

    /// A framework on `framework`'s platform under that policy.
    public static func framework(like framework: CryptoFramework) throws -> CryptoFramework {
        try CryptoFramework(platform: framework.platform, policy: .inMemory(policy(of: framework)))
    }
}
