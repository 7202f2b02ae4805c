import ArgumentParser
import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import IKEServer
import Providers

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer real IKEv1 peers (strongSwan, racoon ...): a Main Mode responder with RSA signatures on UDP.",
        discussion: """
            Each negotiation is timed on the responder from message 1 received to message 6 sent, \
            the boundaries of the 2007 DTrace script, and reported as `ikebench run` reports \
            (p50/p90/p99, negotiations per second, per-operation providers, modeled T1 time). \
            Quick Mode is refused with a Notify: Phase I is the benchmark. The policy file is \
            watched: a `cryptoadm disable provider=ncp/0 all` shows in the next negotiations. \
            The bound address is printed on stderr ("listening on HOST:PORT"); --port 0 takes a free port.

            Example:
              ikebench serve --port 5500 --key serve.key --cert serve.crt --trust peer.crt --trace
              ikebench serve --port 5500 --key serve.key --cert serve.crt --trust ca.crt --platform t2000 --timed
            ikebench serve --port 5500 --key serve.key --trust peer.crt --duration 60 --svg serve.svg
            """)

    @Option(help: "Address to listen on.")
    var address = "127.0.0.1"

    @Option(help: "UDP port to listen on (0: any free port).")
    var port = 500

    @OptionGroup var identity: PeerIdentityOptions

    @Option(help: "Acceptable proposals, strongSwan style (CIPHER-HASH-GROUP, e.g. aes128-sha256-modp2048; repeatable). Default: 3des, aes128, aes256 x sha1, sha256 x modp1024, modp1536, modp2048.")
    var proposal: [String] = []

    @Option(help: "The platform whose providers serve the responder: host or t2000.")
    var platform = "host"

    @Flag(help: "t2000: each emulated operation takes its modeled T1 time on the wall clock, so a peer waits as a T2000's client would.")
    var timed = false

    @Option(help: "Policy file (kcf.conf). Default: $CRYPTOFRAMEWORK_CONF, else ~/.config/cryptoframework/kcf.conf.")
    var config: String?

    @Option(help: "Stop after this many negotiations.")
    var negotiations: Int?

    @Option(help: "Stop after this many seconds.")
    var duration: Double?

    @Flag(help: "Print the report as JSON (the same keys as `ikebench run --json`).")
    var json = false

    @Flag(help: "Print DTrace-style lines for every negotiation, as the 2007 script did.")
    var trace = false

    @Flag(help: "Print why each refused exchange failed (stderr).")
    var verbose = false

    @OptionGroup var chart: ChartOutputOptions

    func validate() throws {
        try identity.validateRequired(for: "serve")
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard Platform.named(platform) != nil else { throw ValidationError("--platform \(platform): use host or t2000") }
        if timed && platform != Platform.t2000.name { throw ValidationError("--timed needs --platform t2000") }
        if let negotiations, negotiations < 1 { throw ValidationError("--negotiations must be at least 1") }
        if let duration, !(duration > 0 && duration <= 86_400) { throw ValidationError("--duration must be in (0, 86400] seconds") }
        for p in proposal where IKESuite(proposalName: p) == nil {
            throw ValidationError("--proposal \(p): use CIPHER-HASH-GROUP with 3des/aes128/aes256, sha1/sha256, modp1024/modp1536/modp2048")
        }
    }

    var suites: [IKESuite] {
        proposal.isEmpty ? IKESuite.defaultResponderSuites : proposal.compactMap { IKESuite(proposalName: $0) }
    }

    func run() async throws {
        let me = try identity.identity()
        let peers = try identity.peers()
        let chosenPlatform = timed ? Platform.t2000(timing: .timed(scale: 1))
                                   : Platform.named(platform)!
        let framework = try CryptoFramework(platform: chosenPlatform, policy: config.map { .file(URL(fileURLWithPath: $0)) } ?? .default)
        let display = LiveDisplay.forTerminal(json: json)
        let stop = StopSignal()
        let lines: FileHandle = json ? .standardError : .standardOutput
        let write: @Sendable (String) -> Void = { lines.write(Data(($0 + "\n").utf8)) }
        let errors: @Sendable (String) -> Void = { StandardError.write($0 + "\n") }
        let recorder = NegotiationRecorder()
        let observer = ServeObserver(
            recorder: recorder, display: display, completions: CompletionCounter(), target: negotiations, stop: stop,
            traceLine: trace ? write : nil, failureLine: verbose ? errors : nil)
        let service = ResponderService(
            ResponderServiceConfiguration(
                responder: MainModeResponderConfiguration(suites: suites, identity: me, peers: peers,
                                                          requestCertificate: peers.hasAuthorities,
                                                          certificateAuthorities: peers.authorityNames),
                framework: framework),
            observer: observer)
        let server = try await UDPResponderServer.start(service, host: address, port: port)
        errors("ikebench serve: listening on \(address):\(server.port), platform \(chosenPlatform.name)\(timed ? " (timed)" : ""), "
               + "ID \(me.id), proposals \(suites.map(\.proposalName).joined(separator: " "))")
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

        let report = recorder.report(framework: framework, rsaBits: me.key.publicKey.bits, suite: suites[0])
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
