import ArgumentParser
import CryptoFramework
import Foundation
import IKECore
import Providers

struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run the same Phase I workload with ncp/0 as the policy has it, then with ncp/0 disabled.",
        discussion: """
            The second run uses a copy of the policy, in memory, with every ncp/0 mechanism and \
            random disabled (`cryptoadm disable provider=ncp/0 all`); the policy file is not \
            touched. Defaults follow the 2007 experiment: t2000, RSA-1024, group 2, 3DES/SHA-1, \
            no modeled network delay. The published figures (165 ms, 7.73 s) are printed for reference.
            """)

    @OptionGroup var options: WorkloadOptions

    func validate() throws {
        guard options.concurrency.levels.count == 1 else {
            throw ValidationError("compare takes one --concurrency level; `ikebench run --concurrency 1,2,4` compares levels")
        }
    }

    /// Enough for a stable p99 while `make bench` stays quick: without ncp/0 a
    /// negotiation costs ~2 ms of host time in release (sparcfp's FP engine;
    /// ~50 ms in debug), so both sides together take a few seconds.
    static let defaultNegotiations = 500

    func run() async throws {
        let platform = options.platform(default: "t2000")
        let baselineFramework = try CryptoFramework(platform: platform, policy: options.policySource)
        var withoutPolicy = baselineFramework.policy
        let ncpMechanisms = baselineFramework.provider(named: "ncp/0")?.descriptor.mechanisms.map(\.mechanism) ?? []
        withoutPolicy.disable(provider: "ncp/0", mechanisms: ncpMechanisms + [.random])
        let withoutFramework = try CryptoFramework(platform: platform, policy: .inMemory(withoutPolicy))

        let identities = try await IKEIdentities.generate(
            bits: options.rsaBits, framework: try MainModeNegotiation.initiatorFramework())
        let workload = options.workload(defaultNegotiations: Self.defaultNegotiations)
        let note = """
            ikebench compare: platform \(platform.name), RSA-\(options.rsaBits), group \(options.group), \
            \(options.cipher)/\(options.prf), rtt \(options.rtt) s, overhead \(options.overhead) s, \
            sparcfp FP trap penalty \(options.fpTrapPenalty) cycles, \
            \(workload.negotiations.map { "\($0) negotiations" } ?? "\(options.duration ?? 0) s") per side, concurrency \(options.concurrency)
            (defaults follow the 2007 T2000 run: Solaris 10 in.iked Phase I defaults 3DES/SHA-1/group 2, 1024-bit ikecert keys)
            \(Published2007.line)
            """
        if !options.json { print(note) }
        let display = LiveDisplay.forTerminal(json: options.json)
        let baseline = try await PhaseOneRun.run(workload, framework: baselineFramework, identities: identities,
                                                 display: display, write: options.traceWriter)
        let without = try await PhaseOneRun.run(workload, framework: withoutFramework, identities: identities,
                                                display: display, write: options.traceWriter)
        let report = CompareReport(baseline: baseline, withoutNCP: without)
        if options.json {
            try JSONOutput.print(report)
        } else {
            print(ReportText.compare(report))
        }
    }
}
