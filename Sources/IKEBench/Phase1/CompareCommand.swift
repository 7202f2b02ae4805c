import ArgumentParser
import CommandLineOptions
import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import Providers
import TextFormat

struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run the same Phase I workload with ncp/0 as the policy has it, then with ncp/0 disabled.",
        discussion: """
            The second run uses a copy of the policy, in memory, with every ncp/0 mechanism and \
            random disabled (`cryptoadm disable provider=ncp/0 all`); the policy file is not \
            touched. On t2000 the configuration defaults to the one judged most plausible for the \
            2007 run (printed with the reason; every row of `ikebench calibrate` is one \
            --rsa-bits/--group/--dh-private away), 3DES/SHA-1, no network delay, and the modeled \
            Phase I adds the non-cryptographic time the 2007 with-ncp figure implies (165 ms minus \
            the modeled cryptography with ncp; --overhead overrides it). --fp-trap-penalty is a \
            what-if, never the default.

            Example:
              ikebench compare
              ikebench compare --rsa-bits 1024 --group 2 --dh-private short
              ikebench compare --rsa-bits 1024 --group 2 --fp-trap-penalty 100
              ikebench compare --platform t5220
              ikebench compare --platform t5220 --ike 2 --ikev2-proposal aes128-sha256-ecp256

            With --platform t5220 (UltraSPARC T2) it also prints the T2000's and the T5220's modeled \
            Phase I side by side: with ncp/0, without it, without n2cp/0 and without both, for IKEv1 \
            as in 2007 and for IKEv2 with ECDSA P-256 + ECP-256, saying which provider served each \
            IKEv2 operation.

            With --ike 2 both runs are IKEv2 (IKE_SA_INIT and IKE_AUTH with a child SA, in process), \
            --ikev2-proposal (default aes128-sha256-modp2048) and --ikev2-auth choose the suite and \
            the signatures; on a modeled platform the non-cryptographic time added is the IKEv1 \
            figure's (--rsa-bits/--group/--dh-private choose the IKEv1 configuration it comes from). \
            On t2000, and on t5220 without ncp/0, ECDSA and ECDH (P-256, P-384) run on sparcfp's \
            software ECC (Solaris' NSS ECC over integer MPI; the T1's MAU did no ECC).
            """)

    @OptionGroup var framework: FrameworkOptions
    @OptionGroup var options: WorkloadOptions
    @OptionGroup var chart: ChartOutputOptions
    @OptionGroup var version: IKEVersionOptions

    /// --platform, else t2000, built with --timing and --fp-trap-penalty (checked in validate()).
    private var platform: Platform {
        get throws { try framework.platform(default: Platform.t2000.name) }
    }

    func validate() throws {
        _ = try platform
        guard options.concurrency.levels.count == 1 else {
            throw ValidationError("compare takes one --concurrency level; `ikebench run --concurrency 1,2,4` compares levels")
        }
    }

    /// Enough for a stable median while `make bench` stays quick: without ncp/0
    /// a negotiation of the default configuration costs tens of ms of host time
    /// in release (sparcfp's FP engine on 2048-bit operands).
    static let defaultNegotiations = 40

    func run() async throws {
        let platform = try self.platform
        let negotiated = options.negotiated
        let modeled = platform.chip != nil
        // On a modeled platform the defaults are the plausible 2007 configuration; on the host, Solaris' defaults.
        let configuration = negotiated.configuration(
            default: modeled ? Configuration2007.mostPlausible : Configuration2007.solaris10Defaults)
        guard let suite = configuration.suite(prf: negotiated.prfValue, cipher: negotiated.cipherValue) else {
            throw ValidationError("no Oakley group \(configuration.group)")
        }
        let baselineFramework = try CryptoFramework(platform: platform, policy: framework.policy.source)
        let withoutFramework = try NCPDisabled.framework(like: baselineFramework)
        let identities = try await IKEIdentities.generate(
            bits: configuration.rsaBits, framework: try MainModeNegotiation.initiatorFramework())

        let v2Suite = version.inProcessSuite(dhPrivate: configuration.dhPrivate)
        let v2Keys = version.ike == 2 ? try await version.keys(rsa: identities) : nil
        var lines = [v2Suite.map { v2 in
            "ikebench compare: platform \(platform.name), IKEv2 \(v2.proposalName), \(v2Keys?.label ?? "")"
                + " (non-cryptographic time from IKEv1 \(configuration))"
        } ?? "ikebench compare: platform \(platform.name), \(configuration), \(options.cipher)/\(options.prf)"]
        if modeled && negotiated.rsaBits == nil && negotiated.group == nil && negotiated.dhPrivate == nil {
            lines.append(Configuration2007.mostPlausibleReason)
        }
        let overhead: Double
        if let given = options.overhead {
            overhead = given
            lines.append(String(format: "non-cryptographic Phase I time added: %.1f ms (--overhead)", given * 1e3))
        } else if modeled, let chip = platform.chip {
            // Known only from the T2000's 165 ms: a T5220 gets the T2000's non-cryptographic time.
            let measured = platform.name == Platform.t5220.name ? ChipModel.ultraSPARCT1 : chip
            overhead = try await PhaseOneExplanation.impliedOverhead(suite: suite, identities: identities, chip: measured)
            lines.append(String(format: """
                non-cryptographic Phase I time added to every modeled negotiation: %.1f ms, derived from the \
                2007 with-ncp run (165 ms minus this configuration's modeled cryptography with ncp at the \
                published latencies), taken to be the same without ncp
                """, overhead * 1e3))
        } else {
            overhead = 0
        }
        if let penalty = framework.emulation.fpTrapPenalty, penalty > 0 {
            lines.append(String(format: """
                what-if: every sparcfp FP instruction costs %.1f extra cycles, as if emulated in a trap handler \
                (the T1 documentation says these instructions run in hardware)
                """, penalty))
        }
        var workload = options.workload(
            suite: suite, rsaBits: configuration.rsaBits, overhead: overhead, defaultNegotiations: Self.defaultNegotiations)
        workload.ikev2Suite = v2Suite
        workload.ikev2Keys = v2Keys
        lines.append("""
            rtt \(options.rtt) s, \(workload.negotiations.map { "\($0) negotiations" } ?? "\(options.run.duration ?? 0) s") \
            per side, concurrency \(options.concurrency)
            """)
        lines.append(Published2007.line)
        if !framework.json { print(lines.joined(separator: "\n")) }
        let display = LiveDisplay.forTerminal(json: framework.json)
        let write = options.run.traceWriter(json: framework.json)
        let baseline: RunReport
        do {
            baseline = try await PhaseOneRun.run(workload, framework: baselineFramework, identities: identities,
                                                 display: display, write: write)
        } catch where v2Suite != nil {
            throw CryptoError(.mechanismInvalid, "IKEv2 \(v2Suite!.proposalName) with \(v2Keys?.label ?? "") cannot run on \(platform.name): \(error) "
                + "(sparcfp's software ECC serves P-256 and P-384 only; the T1's MAU did no ECC); "
                + "try --ikev2-proposal aes128-sha256-ecp256 or aes128-sha256-modp2048 --ikev2-auth rsa")
        }
        let without: RunReport
        do {
            without = try await PhaseOneRun.run(workload, framework: withoutFramework, identities: identities,
                                                display: display, write: write)
        } catch where v2Suite != nil {
            // IKEv2 whose operations no provider serves without ncp/0 (e.g. a curve sparcfp's ECC does not model).
            let reason = "\(error)"
            if framework.json {
                try JSONOutput.print(PartialCompareReport(baseline: baseline, withoutNCPNotRun: reason))
                return
            }
            print(ReportText.run(baseline, title: "== baseline: policy as it is =="))
            print("")
            print("== without ncp/0: not run — \(reason)")
            try await printPlatformComparison(platform: platform, configuration: configuration, identities: identities)
            return
        }
        let report = CompareReport(baseline: baseline, withoutNCP: without)
        try chart.write { PhaseOneCharts.compare(report, command: ChartOutputOptions.commandLine) }
        if framework.json {
            try JSONOutput.print(report)
            return
        }
        print(ReportText.compare(report))
        if platform.name == Platform.t5220.name {
            try await printPlatformComparison(platform: platform, configuration: configuration, identities: identities)
        } else if modeled, v2Suite == nil, let chip = platform.chip {
            let integer = try await PhaseOneExplanation.integerBignumSeconds(suite: suite, identities: identities, chip: chip)
            print("without ncp/0 on Sun's later sun4v integer bignum (-DUMUL64, provider sparcumul64) instead of the FP path: "
                + "modeled \(SecondsFormat.text(integer)) of cryptography, \(SecondsFormat.text(integer + overhead)) with the "
                + "non-cryptographic time (one negotiation)")
        }
    }

    /// The T1 beside the T2 (t5220 only): the IKEv1 rows of `configuration`, then IKEv2 with ECDSA P-256 + ECP-256.
    private func printPlatformComparison(platform: Platform, configuration: Configuration2007, identities: IKEIdentities) async throws {
        guard platform.name == Platform.t5220.name else { return }
        let negotiated = options.negotiated
        let rows = try await PlatformComparison.rows(
            configuration, identities: identities, prf: negotiated.prfValue, cipher: negotiated.cipherValue)
        print("")
        print(PlatformComparison.text(rows))
        let ecdsa = try await IKEv2SignatureKeys.ecdsa(curve: .p256, framework: try MainModeNegotiation.initiatorFramework())
        let v2Rows = try await PlatformComparison.ikev2Rows(
            suite: IKEv2Suite(proposalName: PlatformComparison.ikev2Proposal)!, keys: ecdsa,
            identities: identities, nonCryptoSeconds: rows.first?.nonCryptoSeconds ?? 0)
        print("")
        print(PlatformComparison.ikev2Text(v2Rows))
    }
}

/// `compare --ike 2 --json` when the run without ncp/0 cannot happen (an operation only ncp/0 serves).
struct PartialCompareReport: Encodable {
    let baseline: RunReport
    let withoutNCPNotRun: String
    enum CodingKeys: String, CodingKey { case baseline, withoutNCP, withoutNCPNotRun }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(baseline, forKey: .baseline)
        try c.encodeNil(forKey: .withoutNCP)
        try c.encode(withoutNCPNotRun, forKey: .withoutNCPNotRun)
    }
}
