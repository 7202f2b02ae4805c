import ArgumentParser
import CommandLineOptions
import CryptoFramework
import Foundation
import IKEHarness
import IKEProtocol
import Providers
import TextFormat

struct CapacityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capacity",
        abstract: "How many IKE SAs per second a responder sustains against the number of concurrent initiators.",
        discussion: """
            For each platform and with ncp/0 enabled and disabled (other devices, such as \
            t5220's n2cp/0, as the policy has them), a few real Phase I negotiations \
            are run and each responder operation's modeled time is split by what it occupied: a \
            strand, the FPU that serves its core, a MAU (as many jobs as ncp submitted) or another \
            unit the platform lists. A discrete-event simulation in virtual time then runs 1, 2, \
            4 ... 256 initiators in a closed loop over those costs, every strand, FPU and unit a \
            FIFO queue, and prints IKE SAs per second and p50/p99 setup time per row, and each \
            curve's knee (the fewest clients reaching 90 % of its plateau). The same seed gives \
            the same figures for the same profiled negotiations. With --timing timed:SCALE the smallest loads (up to --timed-clients) \
            are also run for real, concurrently, each result held for its modeled time x SCALE, \
            and printed as "timed" rows in modeled time beside the virtual ones.

            Example:
              ikebench capacity
              ikebench capacity --platform t2000,t5220,host --svg capacity.svg
              ikebench capacity --clients 1,2,4 --timing timed:20 --rsa-bits 1024 --group 2
              ikebench capacity --ike 2 --ikev2-proposal aes128-sha256-ecp256 --platform t5220 --ncp enabled

            With --ike 2 the profiled negotiations are IKEv2 (IKE_SA_INIT and IKE_AUTH with a child \
            SA, --ikev2-proposal, --ikev2-auth; one round trip of --rtt). ECDSA and ECDH without \
            ncp/0 (always on t2000) run on sparcfp's software ECC, P-256 and P-384 only; a platform \
            and ncp setting on which no provider serves an operation is left out with the reason printed.
            """)

    @Option(name: .customLong("platform"),
            help: ArgumentHelp("Platforms to load, a comma-separated list of \(Platform.all.map(\.name).joined(separator: ", ")).", valueName: "names"))
    var platformList = Platform.t2000.name

    @OptionGroup var negotiated: NegotiatedSuiteOptions

    @Option(help: "Concurrent initiators, a comma-separated list.")
    var clients = ConcurrencyLevels(levels: CapacityRun.defaultClients)

    @Option(help: "ncp/0 as the policy has it (enabled), disabled, or both.")
    var ncp: NCPSetting = .both

    @Option(help: "Real negotiations profiled per platform and ncp setting (their costs are drawn at random, by the seed, for each simulated negotiation). Default: 4 on a modeled platform, 40 on the host (host time is noisier).")
    var samples: Int?

    @Option(help: "Seed of the virtual-time run.")
    var seed: UInt64 = 1

    @Option(help: "Negotiations measured per virtual-time row, after a warm-up of two per client. Default: 8 per client, at least 400.")
    var negotiations: Int?

    @Option(help: "Responder work outside the cryptography (in.iked, the kernel), in seconds per negotiation, run on a strand.")
    var overhead: Double = 0

    @Option(help: "Modeled network round trip in seconds: two per negotiation, holding nothing.")
    var rtt: Double = 0

    @Option(name: .customLong("timed-clients"), help: "With a timed --timing: the client counts up to this one also run for real.")
    var timedClients = 4

    @Option(name: .customLong("timed-negotiations"), help: "With a timed --timing: negotiations per client in a timed row.")
    var timedNegotiations = 3

    @OptionGroup var emulation: EmulationOptions
    @OptionGroup var output: JSONOutputOption
    @OptionGroup var chart: ChartOutputOptions
    @OptionGroup var version: IKEVersionOptions

    enum NCPSetting: String, ExpressibleByArgument, CaseIterable {
        case both, enabled, disabled
        var values: [Bool] {
            switch self {
            case .both: [true, false]
            case .enabled: [true]
            case .disabled: [false]
            }
        }
    }

    var platformNames: [String] {
        platformList.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    func validate() throws {
        for name in platformNames where Platform.named(name) == nil {
            throw ValidationError("unknown platform '\(name)'; known: \(Platform.all.map(\.name).joined(separator: ", "))")
        }
        for name in platformNames where Platform.named(name)?.sharedResources == nil {
            throw ValidationError("platform '\(name)' does not describe its shared resources, so capacity cannot queue on it")
        }
        guard !platformNames.isEmpty else { throw ValidationError("--platform needs at least one name") }
        guard clients.levels.allSatisfy({ (1...4096).contains($0) }) else { throw ValidationError("--clients must each be in 1...4096") }
        if let samples, !(1...1000).contains(samples) { throw ValidationError("--samples must be in 1...1000") }
        if let negotiations, !(1...1_000_000).contains(negotiations) { throw ValidationError("--negotiations must be in 1...1000000") }
        guard overhead >= 0, overhead < 3600 else { throw ValidationError("--overhead must be in [0, 3600) seconds") }
        guard rtt >= 0, rtt < 60 else { throw ValidationError("--rtt must be in [0, 60) seconds") }
        guard (1...64).contains(timedClients) else { throw ValidationError("--timed-clients must be in 1...64") }
        guard (1...100).contains(timedNegotiations) else { throw ValidationError("--timed-negotiations must be in 1...100") }
    }

    /// A modeled platform built with `timing` and --fp-trap-penalty, or nil for one with nothing to hold (the host).
    func modeledPlatform(named name: String, timing: EmulatedTiming?) -> Platform? {
        let penalty = emulation.fpTrapPenalty
        switch name {
        case Platform.t2000.name: return .t2000(chip: penalty.map { ChipModel.ultraSPARCT1.withFPTrapPenalty($0) }, timing: timing)
        case Platform.t5220.name: return .t5220(chip: penalty.map { ChipModel.ultraSPARCT2.withFPTrapPenalty($0) }, timing: timing)
        default: return nil
        }
    }

    /// The platform whose profile is taken: its emulated providers release results at once.
    func profilingPlatform(named name: String) -> Platform {
        modeledPlatform(named: name, timing: .fast) ?? Platform.named(name)!
    }

    /// The platform built with a timed --timing, or nil when the platform has no modeled time to hold.
    func timedPlatform(named name: String) -> Platform? {
        guard case .timed? = emulation.timing else { return nil }
        return modeledPlatform(named: name, timing: emulation.timing)
    }

    func run() async throws {
        let configuration = negotiated.configuration(default: Configuration2007.mostPlausible)
        guard let suite = configuration.suite(prf: negotiated.prfValue, cipher: negotiated.cipherValue) else {
            throw ValidationError("no Oakley group \(configuration.group)")
        }
        let identities = try await IKEIdentities.generate(
            bits: configuration.rsaBits, framework: try MainModeNegotiation.initiatorFramework())
        var ikev2: (suite: IKEv2Suite, keys: IKEv2SignatureKeys)? = nil
        if let v2 = version.inProcessSuite(dhPrivate: configuration.dhPrivate) { ikev2 = (v2, try await version.keys(rsa: identities)) }
        var rows: [CapacityRow] = []
        var resources: [String: String] = [:]
        var profiles: [String: CapacityProfileSummary] = [:]
        let levels = clients.levels.sorted()
        var notes: [String] = []
        for name in platformNames {
            let platform = profilingPlatform(named: name)
            resources[name] = platform.sharedResources!.summary
            for ncp in ncp.values {
                let programs: [NegotiationProgram]
                do {
                    programs = try await CapacityRun.profile(
                        platform: platform, ncp: ncp, suite: suite, identities: identities,
                        samples: samples ?? (platform.clockHz == nil ? 40 : 4), overheadSeconds: overhead, rttSeconds: rtt,
                        ikev2: ikev2)
                } catch where ikev2 != nil {
                    notes.append("\(name) ncp/0 \(ncp ? "enabled" : "disabled"): not run — \(error)")
                    continue
                }
                profiles["\(name) ncp/0 \(ncp ? "enabled" : "disabled")"] = CapacityProfileSummary(programs)
                for n in levels {
                    rows.append(try CapacityRun.simulate(platform: platform, ncp: ncp, programs: programs, clients: n, seed: seed,
                                                         measuredNegotiations: negotiations))
                }
                if case .timed(let scale)? = emulation.timing {
                    guard let timed = timedPlatform(named: name) else {
                        notes.append("\(name): no timed rows (only a modeled platform's emulated providers have a modeled time to hold)")
                        continue
                    }
                    for n in levels where n <= timedClients {
                        rows.append(try await CapacityRun.timed(
                            timedPlatform: timed, ncp: ncp, suite: suite, rsaBits: configuration.rsaBits, identities: identities,
                            clients: n, negotiationsPerClient: timedNegotiations, scale: scale, ikev2: ikev2))
                    }
                }
            }
        }
        let report = CapacityReport(
            rows: rows,
            configuration: ikev2.map { "IKEv2 \($0.suite.proposalName), \($0.keys.label)" }
                ?? "\(configuration), \(negotiated.cipher)/\(negotiated.prf)",
            resources: resources,
            profiles: profiles, seed: seed, quantumSeconds: CapacitySimulation.defaultQuantumSeconds, overheadSeconds: overhead)
        try chart.write { CapacityChart.svg(report, command: ChartOutputOptions.commandLine) }
        if output.isOn {
            try JSONOutput.print(report)
            return
        }
        print(report.preamble)
        print("")
        print(report.text)
        for note in notes { print(note) }
        var answers: [String] = []
        for (name, box) in [(Platform.t2000.name, "T2000"), (Platform.t5220.name, "T5220")] {
            if let with = report.knee(platform: name, ncp: true), let without = report.knee(platform: name, ncp: false) {
                answers.append("a \(box) responder accepts at most \(CapacityReport.rateText(with.plateauSAPerSecond)) remote-access "
                    + "clients per second with ncp/0 and \(CapacityReport.rateText(without.plateauSAPerSecond)) with ncp/0 disabled")
            } else if ikev2 != nil, let with = report.knee(platform: name, ncp: true) {
                answers.append("a \(box) responder accepts at most \(CapacityReport.rateText(with.plateauSAPerSecond)) remote-access "
                    + "clients per second with ncp/0")
            }
        }
        if !answers.isEmpty {
            print("\nThe 2007 question, in this configuration: " + answers.joined(separator: "; ") + ".")
        }
    }
}
