import ArgumentParser
import CommandLineOptions
import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import Providers

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Time IKE Phase I (Main Mode, RSA signatures) on the responder, through the framework.",
        discussion: """
            Each negotiation exchanges real ISAKMP messages 1 to 6 with an initiator that runs \
            on the host's openssl and is not timed. The responder's time runs from message 1 \
            received to message 6 built. The policy file is watched: a `cryptoadm disable \
            provider=ncp/0 all` in another terminal shows in the per-second lines of a long run.

            With --peer HOST:PORT the initiator is ours, on the framework under test, and the \
            responder is a real one over UDP (strongSwan's charon, say): each negotiation is \
            timed on the initiator from message 1 sent to message 6 verified, and --key, --cert, \
            --id and --trust say who we are and whom we trust.

            Example:
              ikebench run --platform t2000 --negotiations 20
              ikebench run --duration 30 --concurrency 2
              ikebench run --negotiations 2000 --concurrency 1,2,4
              ikebench run --peer 127.0.0.1:4500 --key me.key --cert me.crt --trust charon.crt --group 14

            With several --concurrency levels, the same workload runs once per level \
            (fresh framework, same keys) and one scaling table is printed: throughput, its ratio \
            to the first level, and host Phase I p50/p99.
            """)

    @OptionGroup var framework: FrameworkOptions
    @OptionGroup var options: WorkloadOptions
    @OptionGroup var chart: ChartOutputOptions

    @Option(help: "Negotiate with a real responder at HOST:PORT over UDP instead of the in-process one.")
    var peer: String?

    @OptionGroup var wire: PeerIdentityOptions

    @OptionGroup var version: IKEVersionOptions

    /// Negotiations when neither --negotiations nor --duration is given.
    static let defaultNegotiations = 200

    /// --platform, else host, built with --timing and --fp-trap-penalty (checked in validate()).
    private var platform: Platform {
        get throws { try framework.platform(default: Platform.host.name) }
    }

    func validate() throws {
        _ = try platform
        if let peer {
            _ = try PeerAddress(peer)
            try wire.validateRequired(for: "--peer")
            if version.ikev2Auth != nil { throw ValidationError("--ikev2-auth is for the in-process run; with --peer, --key says how we sign") }
            if options.concurrency.levels.count > 1 {
                throw ValidationError("--peer runs one concurrency level; give --concurrency a single number")
            }
        }
    }

    func run() async throws {
        let platform = try self.platform
        let rsaBits = options.negotiated.rsaBits ?? Defaults2007.rsaBits
        var reports: [RunReport] = []
        if let peer {
            let fw = try CryptoFramework(platform: platform, policy: framework.policy.source)
            let workload = options.workload(
                suite: options.negotiated.suite, rsaBits: rsaBits, overhead: options.overhead ?? 0,
                defaultNegotiations: Self.defaultNegotiations)
            let v2 = version.offeredSuites
            reports.append(try await PeerRun(workload: workload, framework: fw, peer: try PeerAddress(peer),
                                             identity: try wire.identity(), trust: try wire.peers(), ikev2: v2)
                .run(display: .forTerminal(json: framework.json), write: options.run.traceWriter(json: framework.json)))
        } else {
            let identities = try await IKEIdentities.generate(
                bits: rsaBits, framework: try MainModeNegotiation.initiatorFramework())
            let v2Keys = version.ike == 2 ? try await version.keys(rsa: identities) : nil
            for level in options.concurrency.levels {
                let fw = try CryptoFramework(platform: platform, policy: framework.policy.source)
                var workload = options.workload(
                    suite: options.negotiated.suite, rsaBits: rsaBits, overhead: options.overhead ?? 0,
                    defaultNegotiations: Self.defaultNegotiations, concurrency: level)
                workload.ikev2Suite = version.inProcessSuite(dhPrivate: options.negotiated.dhPrivateLength)
                workload.ikev2Keys = v2Keys
                reports.append(try await PhaseOneRun.run(
                    workload, framework: fw, identities: identities, display: .forTerminal(json: framework.json),
                    write: options.run.traceWriter(json: framework.json)))
            }
        }
        if let last = reports.last {
            try chart.write { PhaseOneCharts.run(last, command: ChartOutputOptions.commandLine) }
        }
        if framework.json {
            if reports.count == 1 { try JSONOutput.print(reports[0]) } else { try JSONOutput.print(reports) }
        } else if reports.count == 1 {
            print(ReportText.run(reports[0]))
        } else {
            print(ReportText.scaling(reports, cores: ProcessInfo.processInfo.activeProcessorCount))
        }
    }
}
