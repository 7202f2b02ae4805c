import ArgumentParser
import CryptoFramework
import Foundation
import IKECore
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

            Example:
              ikebench run --platform t2000 --negotiations 20
              ikebench run --duration 30 --concurrency 2
              ikebench run --negotiations 2000 --concurrency 1,2,4

            With several --concurrency levels, the same workload runs once per level \
            (fresh framework, same keys) and one scaling table is printed: throughput, its ratio \
            to the first level, and host Phase I p50/p99.
            """)

    @OptionGroup var options: WorkloadOptions
    @OptionGroup var chart: ChartOutputOptions

    /// Negotiations when neither --negotiations nor --duration is given.
    static let defaultNegotiations = 200

    func run() async throws {
        let platform = options.platform(default: "host")
        let rsaBits = options.negotiated.rsaBits ?? Defaults2007.rsaBits
        let identities = try await IKEIdentities.generate(
            bits: rsaBits, framework: try MainModeNegotiation.initiatorFramework())
        var reports: [RunReport] = []
        for level in options.concurrency.levels {
            let framework = try CryptoFramework(platform: platform, policy: options.policySource)
            let workload = options.workload(
                suite: options.negotiated.suite, rsaBits: rsaBits, overhead: options.overhead ?? 0,
                defaultNegotiations: Self.defaultNegotiations, concurrency: level)
            let report = try await PhaseOneRun.run(
                workload, framework: framework,
                identities: identities, display: .forTerminal(json: options.json), write: options.traceWriter)
            reports.append(report)
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
