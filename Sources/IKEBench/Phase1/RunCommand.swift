import ArgumentParser
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

    @OptionGroup var options: WorkloadOptions
    @OptionGroup var chart: ChartOutputOptions

    @Option(help: "Negotiate with a real responder at HOST:PORT over UDP instead of the in-process one.")
    var peer: String?

    @OptionGroup var wire: PeerIdentityOptions

    /// Negotiations when neither --negotiations nor --duration is given.
    static let defaultNegotiations = 200

    func validate() throws {
        if let peer {
            _ = try PeerAddress(peer)
            try wire.validateRequired(for: "--peer")
            if options.concurrency.levels.count > 1 {
                throw ValidationError("--peer runs one concurrency level; give --concurrency a single number")
            }
        }
    }

    func run() async throws {
        let platform = options.platform(default: "host")
        let rsaBits = options.negotiated.rsaBits ?? Defaults2007.rsaBits
        var reports: [RunReport] = []
        if let peer {
            let framework = try CryptoFramework(platform: platform, policy: options.policySource)
            let workload = options.workload(
                suite: options.negotiated.suite, rsaBits: rsaBits, overhead: options.overhead ?? 0,
                defaultNegotiations: Self.defaultNegotiations)
            reports.append(try await PeerRun(workload: workload, framework: framework, peer: try PeerAddress(peer),
                                             identity: try wire.identity(), trust: try wire.peers())
                .run(display: .forTerminal(json: options.json), write: options.traceWriter))
        } else {
            let identities = try await IKEIdentities.generate(
                bits: rsaBits, framework: try MainModeNegotiation.initiatorFramework())
            for level in options.concurrency.levels {
                let framework = try CryptoFramework(platform: platform, policy: options.policySource)
                let workload = options.workload(
                    suite: options.negotiated.suite, rsaBits: rsaBits, overhead: options.overhead ?? 0,
                    defaultNegotiations: Self.defaultNegotiations, concurrency: level)
                reports.append(try await PhaseOneRun.run(
                    workload, framework: framework,
                    identities: identities, display: .forTerminal(json: options.json), write: options.traceWriter))
            }
        }
        if let last = reports.last {
            try chart.write { PhaseOneCharts.run(last, command: ChartOutputOptions.commandLine) }
        }
        if options.json {
            if reports.count == 1 { try JSONOutput.print(reports[0]) } else { try JSONOutput.print(reports) }
        } else if reports.count == 1 {
            print(ReportText.run(reports[0]))
        } else {
            print(ReportText.scaling(reports, cores: ProcessInfo.processInfo.activeProcessorCount))
        }
    }
}
