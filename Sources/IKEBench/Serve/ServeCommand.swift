import ArgumentParser
import CommandLineOptions
import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import IKEServer
import Providers

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer real IKE peers (strongSwan, racoon ...) on UDP: IKEv1 Main Mode and IKEv2 (IKE_SA_INIT, IKE_AUTH) on one port, RSA signatures (IKEv1 also ECDSA, RFC 4754).",
        discussion: """
            Each negotiation is timed on the responder from message 1 received to message 6 sent, \
            the boundaries of the 2007 DTrace script (IKEv2: IKE_SA_INIT received to the IKE_AUTH response sent), and reported as `ikebench run` reports \
            (p50/p90/p99, negotiations per second, per-operation providers, modeled T1 time). \
            Quick Mode is refused with a Notify: Phase I is the benchmark. The policy file is \
            watched: a `cryptoadm disable provider=ncp/0 all` shows in the next negotiations. \
            The bound address is printed on stderr ("listening on HOST:PORT"); --port 0 takes a free port. \
            --json prints the report with the keys of `ikebench run --json`. --duration and --negotiations \
            stop it; so do SIGINT and SIGTERM, with the report.

            Example:
              ikebench serve --port 5500 --key serve.key --cert serve.crt --trust peer.crt --trace
              ikebench serve --port 5500 --key serve.key --cert serve.crt --trust ca.crt --platform t2000 --timing timed
              ikebench serve --port 5500 --key serve.key --trust peer.crt --platform t2000 --dh-private full --overhead 0.08
              ikebench serve --port 5500 --key serve.key --trust peer.crt --duration 60 --svg serve.svg
              ikebench serve --port 5500 --key serve.key --trust peer.crt --loops 1
            """)

    @Option(help: "Address to listen on.")
    var address = "127.0.0.1"

    @Option(help: "UDP port to listen on (0: any free port).")
    var port = 500

    @Option(help: "Event loops, each with its own socket on the port (SO_REUSEPORT) and running the turns of the datagrams that socket reads, public-key work included (0: one per core).")
    var loops = 0

    @OptionGroup var identity: PeerIdentityOptions

    @Option(help: "Acceptable proposals, strongSwan style (CIPHER-HASH-GROUP, e.g. aes128-sha256-modp2048 or aes128-sha256-ecp256; repeatable). Default: 3des, aes128, aes256 x sha1, sha256 x modp1024, modp1536, modp2048. The authentication method follows --key: RSA signatures, or ECDSA (RFC 4754) for a P-256/384/521 key.")
    var proposal: [String] = []

    @Option(name: .customLong("dh-private"),
            help: "Our DH private values: full (as long as the prime: Solaris softtoken without CKA_VALUE_BITS, compare's default) or short (twice the group's strength, RFC 3526; what OpenSSL 3.0 draws for charon). Every provider draws this length, so a policy change while serving compares providers, not configurations.")
    var dhPrivate: String = DHPrivateValueLength.fullLength.rawValue

    @Option(help: "Modeled Phase I time outside the cryptography (the daemon, the kernel) in seconds, added to each negotiation's modeled time as `compare --overhead` does (compare prints the figure the 2007 run implies).")
    var overhead: Double = 0

    @Option(name: .customLong("ikev2-proposal"), help: "Acceptable IKEv2 proposals, strongSwan style (aes128|aes256-sha256|sha384|sha512[-prfsha256|384|512]-GROUP, or AES-GCM-16 (RFC 5282) aes128gcm16|aes256gcm16-prfsha256|384|512-GROUP; GROUP modp2048|ecp256|ecp384|x25519; repeatable). Default: all of those.")
    var ikev2Proposal: [String] = []

    @Option(name: .customLong("ikev2-fragment-size"), help: "IKEv2: fragment IKE_AUTH responses (RFC 7383) larger than this IP datagram size when the peer supports it; 0: never.")
    var ikev2FragmentSize = 1280

    @Option(name: .customLong("ikev2-cookie-threshold"), help: "IKEv2: demand a stateless COOKIE (RFC 7296 section 2.6) once this many exchanges, IKEv1 and IKEv2 together, are half-open (strongSwan's default 30; 0: always).")
    var ikev2CookieThreshold = 30

    @Option(name: .customLong("ikev2-cookie-threshold-ip"), help: "IKEv2: the same, counted per peer address, both versions (strongSwan's default 3; 0: always).")
    var ikev2CookieThresholdIP = 3

    @Flag(name: .customLong("ikev2-rsa-pss"), help: "IKEv2: sign with RSASSA-PSS (RFC 7427) instead of PKCS#1 v1.5 when the peer accepts RFC 7427.")
    var ikev2RSAPSS = false

    @OptionGroup var framework: FrameworkOptions
    @OptionGroup var run: NegotiationRunOptions

    @Flag(help: "Print why each refused exchange failed (stderr).")
    var verbose = false

    @OptionGroup var chart: ChartOutputOptions

    /// --platform, else host, built with --timing and --fp-trap-penalty (checked in validate()).
    private var platform: Platform {
        get throws { try framework.platform(default: Platform.host.name) }
    }

    func validate() throws {
        try identity.validateRequired(for: "serve")
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard (0...1024).contains(loops) else { throw ValidationError("--loops must be 0 (one per core) ... 1024") }
        _ = try platform
        guard DHPrivateValueLength(rawValue: dhPrivate) != nil else { throw ValidationError("--dh-private \(dhPrivate): use full or short") }
        guard overhead >= 0, overhead < 3600 else { throw ValidationError("--overhead must be in [0, 3600) seconds") }
        for p in ikev2Proposal where IKEv2Suite(proposalName: p) == nil {
            throw ValidationError("--ikev2-proposal \(p): use aes128/aes256-sha256/sha384/sha512[-prfsha256/384/512]-GROUP or aes128gcm16/aes256gcm16-prfsha256/384/512-GROUP, GROUP modp2048/modp3072/modp4096/ecp256/ecp384/x25519")
        }
        guard ikev2FragmentSize == 0 || ikev2FragmentSize >= 576 else { throw ValidationError("--ikev2-fragment-size must be 0 or at least 576") }
        for p in proposal where IKESuite(proposalName: p) == nil {
            throw ValidationError("--proposal \(p): use CIPHER-HASH-GROUP with 3des/aes128/aes256, sha1/sha256, modp1024/modp1536/modp2048/…, ecp256/ecp384/ecp521 or curve25519")
        }
    }

    /// The acceptable suites, each with our DH private length set, so ncp/0 and
    /// sparcfp (whose defaults differ) draw the same.
    var suites: [IKESuite] {
        let length = DHPrivateValueLength(rawValue: dhPrivate) ?? .fullLength
        return (proposal.isEmpty ? IKESuite.defaultResponderSuites : proposal.compactMap { IKESuite(proposalName: $0) })
            .map { $0.withDHPrivate(length) }
    }

    /// The IKEv2 suites, their MODP private length set from --dh-private as IKEv1's.
    var ikev2Suites: [IKEv2Suite] {
        let length = DHPrivateValueLength(rawValue: dhPrivate) ?? .fullLength
        return (ikev2Proposal.isEmpty ? IKEv2Suite.defaultResponderSuites : ikev2Proposal.compactMap { IKEv2Suite(proposalName: $0) })
            .map { suite in
                var s = suite
                if case .modp(let g) = s.group { s.dhPrivateBits = length.bits(for: g) }
                return s
            }
    }

    func run() async throws {
        let peers = try identity.peers()
        let platform = try self.platform
        let fw = try CryptoFramework(platform: platform, policy: framework.policy.source)
        let me = try identity.identity(framework: fw)
        // IKEv1 has one authentication method for both sides: ours, decided by our key.
        // An Ed25519 key has none (it signs in IKEv2 only, RFC 8420): IKEv1 offers
        // are then refused with NO-PROPOSAL-CHOSEN, which says why.
        let method = me.authentication
        let suites = method.map { m in self.suites.map { $0.authenticated(by: m) } } ?? self.suites
        guard let me2 = IKEv2Identity(me, rsaPSS: ikev2RSAPSS) else { throw ValidationError("--id: this ID type has no IKEv2 equivalent") }
        let ikev2 = IKEv2ResponderConfiguration(suites: ikev2Suites, identity: me2, peers: peers,
                                                certificateAuthorities: peers.authorityKeyHashes(framework: fw),
                                                fragmentSize: ikev2FragmentSize == 0 ? nil : ikev2FragmentSize)
        let json = framework.json, negotiations = run.negotiations, duration = run.duration
        let display = LiveDisplay.forTerminal(json: json)
        let stop = StopSignal()
        let errors: @Sendable (String) -> Void = { StandardError.write($0 + "\n") }
        let recorder = NegotiationRecorder()
        let observer = ServeObserver(
            recorder: recorder, display: display, completions: CompletionCounter(), target: negotiations, stop: stop,
            traceLine: run.trace ? run.traceWriter(json: json) : nil, failureLine: verbose ? errors : nil)
        let service = ResponderService(
            ResponderServiceConfiguration(
                responder: MainModeResponderConfiguration(suites: suites, identity: me, peers: peers,
                                                          requestCertificate: peers.hasAuthorities,
                                                          certificateAuthorities: peers.authorityNames),
                framework: fw, modeledOverheadSeconds: overhead, ikev2: ikev2,
                ikev2Cookies: IKEv2CookiePolicy(threshold: ikev2CookieThreshold, thresholdPerAddress: ikev2CookieThresholdIP)),
            observer: observer)
        let server = try await UDPResponderServer.start(service, host: address, port: port, loops: loops == 0 ? nil : loops)
        let v1Proposals: String = method == nil ? "none (IKEv1 cannot sign with this key)"
            : suites.map(\.proposalName).joined(separator: " ")
        let timing = framework.emulation.timing.map { " (\($0.text))" } ?? ""
        errors("ikebench serve: listening on \(address):\(server.port) (\(server.socketCount == 1 ? "1 socket on 1 event loop" : "\(server.socketCount) sockets, one event loop each")), platform \(platform.name)\(timing), "
               + "ID \(me.id), proposals \(v1Proposals), "
               + "\(dhPrivate)-length DH private values" + (overhead > 0 ? ", modeled overhead \(overhead) s" : "")
               + "; IKEv2 proposals \(ikev2Suites.map(\.proposalName).joined(separator: " "))")
        display.start(total: negotiations, duration: duration)
        let signals = SignalWatch { stop.fire() }
        if let duration {
            Task { try? await Task.sleep(nanoseconds: UInt64(duration * 1e9)); stop.fire() }
        }
        await stop.wait()
        signals.cancel()
        display.stop()
        let boundPort = server.port
        try await server.stop()

        let report = recorder.report(framework: fw, rsaBits: me.signingKey.bits, suite: suites[0], overheadSeconds: overhead,
                                     ikev1Signer: me.signingKey, ikev2Signer: me2.key)
        try chart.write { PhaseOneCharts.run(report, command: ChartOutputOptions.commandLine) }
        if json {
            try JSONOutput.print(report)
        } else {
            print(ReportText.run(report, title: "ikebench serve on \(address):\(boundPort)"))
            if let line = ReportText.publicKeyShare(report) { print(line) }
            print("")
            print("served: " + ServerCounters.Name.allCases.map { "\($0.rawValue)=\(service.counters[$0])" }.joined(separator: " "))
        }
    }
}

/// What serve does with its responder's events: the report's recorder, the
/// live display, the --negotiations count, --trace and --verbose lines.
struct ServeObserver: ResponderObserver {
    let recorder: NegotiationRecorder
    let display: LiveDisplay
    let completions: CompletionCounter
    let target: Int?
    let stop: StopSignal
    let traceLine: (@Sendable (String) -> Void)?
    let failureLine: (@Sendable (String) -> Void)?

    func operationDone(_ record: IKEOperationRecord) { display.observe(record) }

    func negotiationEstablished(_ outcome: NegotiationOutcome, suite: IKESuite) {
        recorder.record(outcome, suite: suite)
        display.negotiationDone()
        if let target, completions.increment() >= target { stop.fire() }
    }

    func ikev2NegotiationEstablished(_ outcome: NegotiationOutcome, suite: IKEv2Suite) {
        recorder.record(outcome, ikev2Suite: suite)
        display.negotiationDone()
        if let target, completions.increment() >= target { stop.fire() }
    }

    var tracing: Bool { traceLine != nil }
    func trace(_ line: String) { traceLine?(line) }
    func exchangeFailed(_ line: String) { failureLine?(line) }
}

/// Counts completed negotiations (for --negotiations).
final class CompletionCounter: Sendable {
    private let count = Locked(0)
    func increment() -> Int { count.withLock { $0 += 1; return $0 } }
}

/// Fires once; `wait` returns when it has.
final class StopSignal: Sendable {
    private let state = Locked<(fired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func fire() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            guard !s.fired else { return [] }
            s.fired = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let fired = state.withLock { s -> Bool in
                if !s.fired { s.waiters.append(c) }
                return s.fired
            }
            if fired { c.resume() }
        }
    }
}

/// SIGINT and SIGTERM end the serve with its report instead of killing it.
final class SignalWatch: @unchecked Sendable {  // the sources are set in init and only cancelled after; DispatchSource is thread-safe
    private let sources: [any DispatchSourceSignal]

    init(_ handler: @escaping @Sendable () -> Void) {
        sources = [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    func cancel() { sources.forEach { $0.cancel() } }
}
