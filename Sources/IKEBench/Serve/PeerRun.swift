import ArgumentParser
import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import IKEServer

/// `HOST:PORT` of --peer.
struct PeerAddress {
    let host: String
    let port: Int

    init(_ text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65_535).contains(port), colon > text.startIndex
        else { throw ValidationError("--peer \(text): use HOST:PORT") }
        self.host = String(text[..<colon])
        self.port = port
    }
}

/// `ikebench run --peer`: negotiations of our initiator with a real responder,
/// `concurrency` at once (each on its own socket), timed on the initiator.
struct PeerRun {
    let workload: PhaseOneWorkload
    let framework: CryptoFramework
    let peer: PeerAddress
    let identity: MainModeIdentity
    let trust: PeerTrust
    /// IKEv2 suites to offer (`--ike 2`); nil: IKEv1 Main Mode with the workload's suite.
    var ikev2: [IKEv2Suite]? = nil

    func run(display: LiveDisplay, write: @escaping @Sendable (String) -> Void) async throws -> RunReport {
        let recorder = NegotiationRecorder()
        let initiator = PeerInitiator(suite: workload.suite, identity: identity, responders: trust, framework: framework,
                                      requestCertificate: trust.hasAuthorities,
                                      nonESPMarker: PeerInitiator.markerNeeded(peerPort: peer.port))
        var v2Initiator: IKEv2PeerInitiator?
        if let ikev2 {
            guard let me = IKEv2Identity(identity) else { throw ValidationError("--id: this ID type has no IKEv2 equivalent") }
            v2Initiator = IKEv2PeerInitiator(configuration: IKEv2InitiatorConfiguration(suites: ikev2, identity: me, peers: trust, requestChildSA: false,
                                                                               certificateRequest: trust.hasAuthorities ? trust.authorityKeyHashes(framework: framework) : nil,
                                                                               sendCertificate: true),
                                    framework: framework, nonESPMarker: PeerInitiator.markerNeeded(peerPort: peer.port))
        }
        let v2 = v2Initiator
        let deadline = workload.durationSeconds.map { MonotonicClock.nanoseconds() + UInt64($0 * 1e9) }
        let issued = Locked(0)
        let limit = workload.negotiations
        let take: @Sendable () -> Bool = {
            if let deadline, MonotonicClock.nanoseconds() >= deadline { return false }
            return issued.withLock { n in n += 1; return limit.map { n <= $0 } ?? true }
        }
        let trace = workload.trace ? write : nil
        display.start(total: workload.negotiations, duration: workload.durationSeconds)
        defer { display.stop() }
        let localHost = peer.host.hasPrefix("127.") ? "127.0.0.1" : "0.0.0.0"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<workload.concurrency {
                group.addTask {
                    let client = try await UDPDatagramClient.connect(host: peer.host, port: peer.port, localHost: localHost)
                    do {
                        while take() {
                            let pm = PMInfo.next()
                            trace?("Initial packet sent, pm_info = \(pm)")
                            let outcome: NegotiationOutcome
                            if let v2 {
                                let (o, suite) = try await v2.negotiateSuite(over: client, observe: { display.observe($0) })
                                outcome = o
                                recorder.record(o, ikev2Suite: suite)
                            } else {
                                outcome = try await initiator.negotiate(over: client, observe: { display.observe($0) })
                                recorder.record(outcome, suite: workload.suite)
                            }
                            trace?("pm_info \(pm) finished, took \(outcome.hostNanoseconds) ns")
                            display.negotiationDone()
                        }
                    } catch {
                        await client.close()
                        throw error
                    }
                    await client.close()
                }
            }
            try await group.waitForAll()
        }
        return recorder.report(framework: framework, rsaBits: identity.signingKey.bits, suite: workload.suite,
                               concurrency: workload.concurrency, ikev1Signer: identity.signingKey,
                               ikev2Signer: v2?.configuration.identity.key)
    }
}
