import ArgumentParser
import CommandLineOptions
import CryptoFramework
import Foundation
import IKEHarness
import Providers
import Retell

struct RetellCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retell",
        abstract: "The 2007 experiment with a real IKE daemon: strongSwan's charon on the framework's PKCS#11 module, ncp/0 disabled while it runs.",
        discussion: """
            Sets up two strongSwan charons on 127.0.0.1, each with its own strongswan.conf, swanctl \
            directory, vici socket and a private /run (unshare -m; root is needed), and no child SA, so \
            the machine's IPsec state is untouched. The responder's RSA key and certificate are written \
            to the token of libCryptoFrameworkPKCS11.so; its pkcs11 plugin (use_dh, use_pubkey, use_rng, \
            loaded before openssl) sends every public-key operation of Phase I through the framework on \
            the emulated T2000, timed (--timing, default timed), so the initiator waits as in.iked's \
            clients waited. The initiator is an ordinary charon. Both propose the Phase I suite that \
            --rsa-bits, --group, --prf and --cipher name (default: RSA-2048, group 14, 3DES, SHA-1, the \
            configuration `ikebench calibrate` finds consistent with both 2007 figures with charon's \
            full-length DH values; Solaris 10's defaults are --rsa-bits 1024 --group 2).

            It runs --negotiations IKEv1 Main Mode negotiations (RSA signatures), then \
            `cryptoadm disable provider=ncp/0 all` while the responder keeps running, as many again, then \
            `cryptoadm enable provider=ncp/0 all` and one more, and prints side by side: Phase I p50 from \
            the responder charon's log and from the initiator, the providers that served each public-key \
            operation (the responder's published kstats), the same configuration under `ikebench serve` \
            when this build has it, and the 2007 figures. The initiator's first retransmission waits \
            --retransmit-timeout seconds (charon's default, 4 s, is shorter than a Phase I without ncp/0 \
            with the calibrated penalty); retransmissions that still happen are counted.

            EXAMPLES:
              make retell
              ikebench retell --negotiations 3 --rsa-bits 1024 --group 2
              ikebench retell --timing timed:0.1 --fp-trap-penalty 100
            """)

    @OptionGroup var count: NegotiationCountOption
    @OptionGroup var negotiated: NegotiatedSuiteOptions
    @OptionGroup var emulation: EmulationOptions

    @Option(help: "The PKCS#11 module charon loads. Default: libCryptoFrameworkPKCS11.so beside this ikebench.")
    var module: String?

    @Option(help: "The cryptoadm that switches ncp/0. Default: cryptoadm beside this ikebench.")
    var cryptoadm: String?

    @Option(help: "Seconds before the initiator's first retransmission.")
    var retransmitTimeout = 120.0

    @Option(help: "Keep the charons' files, logs and kstats in this directory (default: a temporary one, removed).")
    var workDirectory: String?

    /// Negotiations with ncp/0 enabled, and again after it is disabled, when --negotiations is not given.
    static let defaultNegotiations = 5

    /// The 2007 configuration both charons negotiate: what --rsa-bits, --group,
    /// --prf and --cipher name, else the one that explains both 2007 figures.
    var suiteConfiguration: Configuration2007 { negotiated.configuration(default: Configuration2007.mostPlausible) }

    func validate() throws {
        guard negotiated.dhPrivateLength != .short else {
            throw ValidationError("--dh-private short: charon draws full-length DH private values")
        }
        guard retransmitTimeout > 0 else { throw ValidationError("--retransmit-timeout must be positive.") }
    }

    func run() async throws {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        var options = RetellOptions(
            module: module ?? here.appendingPathComponent("libCryptoFrameworkPKCS11.so").path,
            cryptoadm: cryptoadm ?? here.appendingPathComponent("cryptoadm").path)
        options.negotiations = count.negotiations ?? Self.defaultNegotiations
        options.rsaBits = suiteConfiguration.rsaBits
        options.proposal = suiteConfiguration.suite(prf: negotiated.prfValue, cipher: negotiated.cipherValue)!.proposalName
        options.timing = emulation.timing ?? .timed(scale: 1)
        options.fpTrapPenalty = emulation.fpTrapPenalty
        options.initiatorRetransmitTimeout = retransmitTimeout
        options.ikebench = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        if let workDirectory {
            options.workDirectory = URL(fileURLWithPath: workDirectory, isDirectory: true)
            try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        }
        let result = try await RetellRun.run(options) { line in
            StandardError.write(line + "\n")
        }
        print(RetellReport.text(result), terminator: "")
    }
}
