import CryptoFramework
import IKEProtocol

/// Our IKEv2 initiator against a responder over UDP (`ikebench run --peer
/// --ike 2`): IKE_SA_INIT (again after INVALID_KE_PAYLOAD or a COOKIE), then
/// IKE_AUTH, childless unless asked (RFC 6023), then an INFORMATIONAL Delete
/// so the peer keeps no state. Retransmits on silence, ignores datagrams of
/// other SAs, turns a refusal into an error; timed on the initiator from
/// IKE_SA_INIT sent to the IKE_AUTH response verified.
public struct IKEv2PeerInitiator: Sendable {
    public var configuration: IKEv2InitiatorConfiguration
    public var framework: CryptoFramework
    public var nonESPMarker: Bool
    public var timeoutSeconds: Double
    public var attempts: Int

    public init(configuration: IKEv2InitiatorConfiguration, framework: CryptoFramework, nonESPMarker: Bool = false,
                timeoutSeconds: Double = 4, attempts: Int = 4) {
        self.configuration = configuration
        self.framework = framework
        self.nonESPMarker = nonESPMarker
        self.timeoutSeconds = timeoutSeconds
        self.attempts = max(1, attempts)
    }

    public func negotiate(over client: UDPDatagramClient,
                          observe: (@Sendable (IKEOperationRecord) -> Void)? = nil) async throws -> NegotiationOutcome {
        try await negotiateSuite(over: client, observe: observe).outcome
    }

    /// ``negotiate(over:observe:)``, keeping where the setup stands in `progress` as it goes.
    public func negotiate(over client: UDPDatagramClient, observe: (@Sendable (IKEOperationRecord) -> Void)?,
                          progress: inout PeerSetupProgress) async throws -> NegotiationOutcome {
        try await negotiateSuite(over: client, observe: observe, progress: &progress).outcome
    }

    /// ``negotiate(over:observe:)``, also naming the suite the responder chose.
    public func negotiateSuite(over client: UDPDatagramClient, observe: (@Sendable (IKEOperationRecord) -> Void)? = nil)
        async throws -> (outcome: NegotiationOutcome, suite: IKEv2Suite) {
        var progress = PeerSetupProgress()
        return try await negotiateSuite(over: client, observe: observe, progress: &progress)
    }

    private func negotiateSuite(over client: UDPDatagramClient, observe: (@Sendable (IKEOperationRecord) -> Void)?,
                                progress: inout PeerSetupProgress) async throws -> (outcome: NegotiationOutcome, suite: IKEv2Suite) {
        progress.version = 2
        let session = IKECryptoSession(framework: framework, observe: observe)
        let initiator = IKEv2Initiator(configuration: configuration, session: session)
        let start = MonotonicClock.nanoseconds()
        progress.startedAt = start
        var outgoing = [try await initiator.start()]
        for _ in 0..<8 {
            switch try await exchange(outgoing, initiator, client, &progress) {
            case .send(let next): outgoing = next
            case .wait: continue
            case .established:
                let elapsed = MonotonicClock.nanoseconds() &- start
                client.send(NonESPMarker.add(try await initiator.deleteRequest(), marked: nonESPMarker))
                return (NegotiationOutcome(hostNanoseconds: elapsed, records: session.records, platform: framework.platform),
                        await initiator.suite)
            }
        }
        throw IKEv2Error(.unexpectedMessage, "IKE_SA_INIT restarted too often")
    }

    /// Sends `datagrams` and feeds the answers to the initiator until it has a
    /// next step, sending again after each silent `timeoutSeconds`.
    private func exchange(_ datagrams: [[UInt8]], _ initiator: IKEv2Initiator, _ client: UDPDatagramClient,
                          _ progress: inout PeerSetupProgress) async throws -> IKEv2InitiatorStep {
        for attempt in 0..<attempts {
            // A restarted IKE_SA_INIT (after a COOKIE or INVALID_KE_PAYLOAD) has the
            // header of the first, so the first send of each request says it is new.
            if let first = datagrams.first { progress.sent(ikev2: first, anew: attempt == 0) }
            for d in datagrams { client.send(NonESPMarker.add(d, marked: nonESPMarker)) }
            let deadline = MonotonicClock.nanoseconds() + UInt64(timeoutSeconds * 1e9)
            while let datagram = await client.receive(before: deadline) {
                let reply = NonESPMarker.strip(datagram).message
                do {
                    let step = try await initiator.receive(reply)
                    if case .wait = step { continue }
                    return step
                } catch let e as IKEv2Error where e.code == .unexpectedMessage || e.code == .integrityFailure {
                    progress.ignored(e)
                    continue  // another SA's datagram, a duplicate, or one that fails its ICV
                }
            }
        }
        throw PeerInitiator.NoReply(description: "no answer after \(attempts) sends \(timeoutSeconds) s apart")
    }
}
