import ArgumentParser
import CryptoFramework
import Foundation
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
            the emulated T2000, timed (CRYPTOFRAMEWORK_TIMING), so the initiator waits as in.iked's \
            clients waited. The initiator is an ordinary charon.

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
              ikebench retell --negotiations 3 --rsa-bits 1024 --proposal 3des-sha1-modp1024
            """)

    @Option(help: "Negotiations with ncp/0 enabled, and again after it is disabled.")
    var negotiations = 5

    @Option(help: "RSA modulus bits of both charons' keys. 2048 with group 14 and charon's full-length DH values is the configuration `ikebench calibrate` finds consistent with both 2007 figures; in.iked's ikecert default was 1024.")
    var rsaBits = 2048

    @Option(help: "strongSwan's IKE proposal: in.iked's 3DES and SHA-1 with Oakley group 14 (modp2048); 3des-sha1-modp1024 is Solaris 10's default group 2.")
    var proposal = "3des-sha1-modp2048"

    @Option(help: "Real time per modeled second inside charon (CRYPTOFRAMEWORK_TIMING=timed:SCALE); 0 is fast.")
    var scale = 1.0

    @Option(help: "sparcfp's FP trap penalty in cycles per FP instruction, the emulation what-if; default: the published latencies, no penalty.")
    var fpTrapPenalty: Double?

    @Option(help: "The PKCS#11 module charon loads. Default: libCryptoFrameworkPKCS11.so beside this ikebench.")
    var module: String?

    @Option(help: "The cryptoadm that switches ncp/0. Default: cryptoadm beside this ikebench.")
    var cryptoadm: String?

    @Option(help: "Seconds before the initiator's first retransmission.")
    var retransmitTimeout = 120.0

    @Option(help: "Keep the charons' files, logs and kstats in this directory (default: a temporary one, removed).")
    var workDirectory: String?

    func validate() throws {
        guard negotiations >= 1 else { throw ValidationError("--negotiations must be at least 1.") }
        guard scale >= 0, scale.isFinite else { throw ValidationError("--scale must be a number >= 0.") }
        guard fpTrapPenalty.map({ $0 >= 0 && $0.isFinite }) ?? true else { throw ValidationError("--fp-trap-penalty must be >= 0.") }
        guard retransmitTimeout > 0 else { throw ValidationError("--retransmit-timeout must be positive.") }
    }

    func run() async throws {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        var options = RetellOptions(
            module: module ?? here.appendingPathComponent("libCryptoFrameworkPKCS11.so").path,
            cryptoadm: cryptoadm ?? here.appendingPathComponent("cryptoadm").path)
        options.negotiations = negotiations
        options.rsaBits = rsaBits
        options.proposal = proposal
        options.timing = scale > 0 ? .timed(scale: scale) : .fast
        options.fpTrapPenalty = fpTrapPenalty
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
