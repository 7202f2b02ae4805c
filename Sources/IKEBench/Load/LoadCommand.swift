import ArgumentParser
import CommandLineOptions
import CryptoFramework
import Foundation
import IKEHarness
import IKEProtocol
import IKEServer
import Providers

/// `ikebench load`: the same initiator load against any IKE responder
/// (`ikebench serve`, strongSwan's charon …), for comparing responders on one
/// machine. `make bench-responders` runs it against both.
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Set up IKE SAs against a responder from many concurrent initiators and report SAs per second and setup time.",
        discussion: """
            --concurrency initiators (tasks, each on its own UDP socket) set up IKEv1 Main Mode SAs \
            (IKEv2 childless IKE SAs with --ike 2), signed as --key (RSA or ECDSA), back to back for --duration seconds, deleting each SA once set up. \
            Reported: SAs set up and failed, SAs per second, setup time p50/p90/p99 on the initiator \
            (message 1 sent to message 6 verified), and the CPU the initiator used. A failed setup is \
            counted by its reason and the load goes on.

            The load may skip work a real initiator must do, never the responder's. --reuse-dh sends \
            one key-exchange value of ours (drawn once per run: a MODP value, short as RFC 3526 \
            suggests, or an ECP/Curve25519 key pair) in every exchange, IKEv1 and IKEv2, so the \
            initiator does the agreement and no key generation per SA. --unverified-responder takes \
            the responder's signature (IKEv1 SIG_R, IKEv2 AUTH) without verifying it; the rest of \
            its last message is still checked (it decrypts and parses, carries its ID and a \
            signature of the form and size a key we trust for that ID makes; a refusal is a \
            failure). The responder still draws a fresh value of its own, does the agreement, \
            verifies our signature and signs its own each time.

            --public-key-baseline also times, single-threaded and after the load, what a responder's \
            public-key work alone costs per SA in CPU: its DH key pair (--responder-dh-private), the \
            DH agreement, the verification of our signature and its own signature (with a key \
            of the kind and size of ours), through the framework on --platform.

            Example:
              ikebench load --peer 127.0.0.1:5500 --key me.key --cert me.crt --trust serve.crt \\
                  --proposal aes128-sha256-modp2048 --concurrency 8 --duration 10 --reuse-dh --unverified-responder
            """)

    @Option(help: "The responder, HOST:PORT.")
    var peer: String

    @OptionGroup var identity: PeerIdentityOptions

    @Option(help: "The IKE proposal every initiator offers, strongSwan style (CIPHER-HASH-GROUP).")
    var proposal = "aes128-sha256-modp2048"

    @Option(help: "IKE version: 1 (Main Mode) or 2 (IKE_SA_INIT + IKE_AUTH, childless, RFC 6023).")
    var ike = 1

    @Option(help: "Initiators at once (each a task with its own UDP socket).")
    var concurrency = 8

    @Option(help: "Seconds of load.")
    var duration = 10.0

    @Option(help: "Event loops (threads) the initiators are spread over, each running the SAs of the sockets on it (0: one per core).")
    var loops = 0

    @Option(help: "Seconds before an initiator sends its message again, and how many sends before it gives up.")
    var timeout = 4.0

    @Flag(help: "Send one key-exchange value of ours (MODP or EC, drawn once) in every exchange, IKEv1 and IKEv2 (a load generator's shortcut; the responder's work is unchanged).")
    var reuseDH = false

    @Flag(help: "Do not verify the responder's signature (SIG_R, AUTH); the rest of its message is checked (a load generator's shortcut; the responder's work is unchanged).")
    var unverifiedResponder = false

    @Flag(help: "Also time the responder's public-key operations alone, per SA, in CPU (single-threaded, after the load).")
    var publicKeyBaseline = false

    @Option(name: .customLong("responder-dh-private"), help: "The responder's DH private length for --public-key-baseline: full or short.")
    var responderDHPrivate = DHPrivateValueLength.short.rawValue

    @OptionGroup var framework: FrameworkOptions

    func validate() throws {
        _ = try PeerAddress(peer)
        try identity.validateRequired(for: "load")
        guard ike == 1 || ike == 2 else { throw ValidationError("--ike must be 1 or 2") }
        if ike == 2, IKEv2Suite(proposalName: proposal) == nil {
            throw ValidationError("--proposal \(proposal): not an IKEv2 proposal (aes128/aes256-sha256/sha384/sha512-modp2048/ecp256/ecp384/x25519, aes128gcm16/aes256gcm16-prfsha256/prfsha384-GROUP …)")
        }
        guard suite != nil else { throw ValidationError("--proposal \(proposal): use CIPHER-HASH-GROUP") }
        guard (1...1024).contains(concurrency) else { throw ValidationError("--concurrency must be 1...1024") }
        guard duration > 0, duration <= 86_400 else { throw ValidationError("--duration must be in (0, 86400] seconds") }
        guard (0...1024).contains(loops) else { throw ValidationError("--loops must be 0 (one per core) ... 1024") }
        guard timeout > 0, timeout <= 60 else { throw ValidationError("--timeout must be in (0, 60] seconds") }
        guard DHPrivateValueLength(rawValue: responderDHPrivate) != nil else {
            throw ValidationError("--responder-dh-private \(responderDHPrivate): use full or short")
        }
        _ = try framework.platform(default: Platform.host.name)
    }

    /// The shortcuts the load takes, by option name, for the report.
    var shortcuts: [String] {
        (reuseDH ? ["reuse-dh"] : []) + (unverifiedResponder ? ["unverified-responder"] : [])
    }

    /// The IKEv1 suite of the proposal; for IKEv2, one with its key exchange,
    /// which is all the public-key baseline reads (an IKEv2 proposal such as
    /// aes256gcm16-prfsha384-ecp384 has no IKEv1 spelling).
    var suite: IKESuite? {
        guard ike == 2 else { return IKESuite(proposalName: proposal) }
        guard let v2 = IKEv2Suite(proposalName: proposal), let exchange = IKEKeyExchange(number: Int(v2.group.number)) else { return nil }
        return IKESuite(keyExchange: exchange, prf: .sha256, cipher: .aes128)
    }

    func run() async throws {
        let suite = self.suite!
        let platform = try framework.platform(default: Platform.host.name)
        let fw = try CryptoFramework(platform: platform, policy: framework.policy.source)
        let me = try identity.identity()
        let trust = try identity.peers()
        let address = try PeerAddress(peer)
        var initiator = PeerInitiator(suite: suite, identity: me, responders: trust, framework: fw,
                                      requestCertificate: trust.hasAuthorities,
                                      nonESPMarker: PeerInitiator.markerNeeded(peerPort: address.port),
                                      timeoutSeconds: timeout, attempts: 3)
        // One key-exchange value for every SA (the default short private length for MODP), drawn here, untimed.
        let keySession = IKECryptoSession(framework: fw)
        if reuseDH, ike == 1 { initiator.reusedKeyExchange = try await keySession.generateKeyExchange(suite) }
        initiator.skipsResponderSignatureCheck = unverifiedResponder
        let load: any LoadInitiator
        if ike == 2 {
            // The baseline below is the same four operations: a KE pair and agreement, verify and sign.
            guard let me2 = IKEv2Identity(me) else { throw ValidationError("--id: this ID type has no IKEv2 equivalent") }
            let v2Suite = IKEv2Suite(proposalName: proposal)!
            var configuration = IKEv2InitiatorConfiguration(
                suites: [v2Suite], identity: me2, peers: trust, requestChildSA: false,
                certificateRequest: trust.hasAuthorities ? trust.authorityKeyHashes(framework: fw) : nil, sendCertificate: true)
            if reuseDH { configuration.reusedKeyExchange = try await keySession.generateKeyExchange(v2Suite.group) }
            configuration.skipsResponderSignatureCheck = unverifiedResponder
            load = UDPPeerLoad(ikev2: IKEv2PeerInitiator(configuration: configuration, framework: fw,
                                                            nonESPMarker: PeerInitiator.markerNeeded(peerPort: address.port),
                                                            timeoutSeconds: timeout, attempts: 3), peer: address,
                               loops: loops == 0 ? nil : loops)
        } else {
            load = UDPPeerLoad(mainMode: initiator, peer: address, loops: loops == 0 ? nil : loops)
        }
        if !framework.json {
            StandardError.write("ikebench load: \(load.label) → \(peer), \(concurrency) initiators for \(duration) s"
                                + (reuseDH ? ", one reused key-exchange value" : "")
                                + (unverifiedResponder ? ", the responder's signature not verified" : "") + "\n")
        }
        let report = try await LoadGenerator(concurrency: concurrency, durationSeconds: duration).run(load)
        var baseline: ResponderPublicKeyBaseline?
        if publicKeyBaseline {
            // The baseline times the responder's four operations with a key of ours' kind and size.
            baseline = try await ResponderPublicKeyBaseline.measure(
                suite: suite.withDHPrivate(DHPrivateValueLength(rawValue: responderDHPrivate)!), key: me.signingKey, framework: fw)
        }
        if framework.json {
            // The JSON has them too (load.firstFailures); stderr says so for a script that keeps only counts.
            if !report.firstFailures.isEmpty {
                StandardError.write((["ikebench load: \(report.failed) setup(s) failed; the first in full:"]
                                     + LoadText.failureLines(report.firstFailures)).joined(separator: "\n") + "\n")
            }
            try JSONOutput.print(LoadOutput(load: report, initiatorShortcuts: shortcuts, publicKeyBaseline: baseline))
        } else {
            print(LoadText.report(report))
            if let baseline { print(LoadText.baseline(baseline)) }
        }
    }
}

/// `ikebench load --json`.
struct LoadOutput: Encodable {
    let load: LoadReport
    /// The work our initiators skipped (never the responder's): "reuse-dh", "unverified-responder".
    let initiatorShortcuts: [String]
    let publicKeyBaseline: ResponderPublicKeyBaseline?
}
