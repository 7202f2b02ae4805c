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
            """)

    @OptionGroup var options: WorkloadOptions

    /// Negotiations when neither --negotiations nor --duration is given.
    static let defaultNegotiations = 200

    func run() async throws {
        let platform = options.platform(default: "host")
        let framework = try CryptoFramework(platform: platform, policy: options.policySource)
        let rsaBits = options.negotiated.rsaBits ?? Defaults2007.rsaBits
        let identities = try await IKEIdentities.generate(
            bits: rsaBits, framework: try MainModeNegotiation.initiatorFramework())
        let workload = options.workload(
            suite: options.negotiated.suite, rsaBits: rsaBits, overhead: options.overhead ?? 0,
            defaultNegotiations: Self.defaultNegotiations)
        let report = try await PhaseOneRun.run(
            workload, framework: framework,
            identities: identities, display: .forTerminal(json: options.json), write: options.traceWriter)
        if options.json {
            try JSONOutput.print(report)
        } else {
            print(ReportText.run(report))
        }
    }
}
