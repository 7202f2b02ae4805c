import CryptoFramework
import IKEProtocol

/// One in-process negotiation `run` can time: Main Mode or IKEv2.
public protocol TimedNegotiation: Sendable {
    func run(trace: (@Sendable (String) -> Void)?, observe: (@Sendable (IKEOperationRecord) -> Void)?) async throws -> NegotiationOutcome
}

extension MainModeNegotiation: TimedNegotiation {}

/// One IKEv2 negotiation (IKE_SA_INIT, IKE_AUTH with a child SA, as charon
/// asks by default): an untimed initiator on the host's openssl and the timed
/// responder on the framework under test, exchanging real messages. The time
/// is the responder's two turns, IKE_SA_INIT received to the IKE_AUTH
/// response built, as `serve` times it (without the network).
public struct IKEv2Negotiation: TimedNegotiation {
    public let suite: IKEv2Suite
    public let responderFramework: CryptoFramework
    public let initiatorFramework: CryptoFramework
    public let identities: IKEIdentities
    public let rttSeconds: Double
    public let overheadSeconds: Double

    public init(suite: IKEv2Suite, responderFramework: CryptoFramework, initiatorFramework: CryptoFramework,
                identities: IKEIdentities, rttSeconds: Double = 0, overheadSeconds: Double = 0) {
        self.suite = suite
        self.responderFramework = responderFramework
        self.initiatorFramework = initiatorFramework
        self.identities = identities
        self.rttSeconds = rttSeconds
        self.overheadSeconds = overheadSeconds
    }

    static let initiatorID = IKEv2Identification(ikev1: IKEIdentities.initiatorID)!
    static let responderID = IKEv2Identification(ikev1: IKEIdentities.responderID)!

    public func run(trace: (@Sendable (String) -> Void)? = nil,
                    observe: (@Sendable (IKEOperationRecord) -> Void)? = nil) async throws -> NegotiationOutcome {
        let initiator = IKEv2Initiator(
            configuration: IKEv2InitiatorConfiguration(
                suites: [suite], identity: IKEv2Identity(key: .rsa(identities.initiator), id: Self.initiatorID),
                peers: IKEv2FixedPeerKey(.rsa(identities.responder.publicKey)), responderID: Self.responderID),
            session: IKECryptoSession(framework: initiatorFramework))
        let responder = IKEv2Responder(
            configuration: IKEv2ResponderConfiguration(
                suites: [suite], identity: IKEv2Identity(key: .rsa(identities.responder), id: Self.responderID),
                peers: IKEv2FixedPeerKey(.rsa(identities.initiator.publicKey)), fragmentSize: nil),
            session: IKECryptoSession(framework: responderFramework, observe: observe))
        let pmInfo = PMInfo.next()
        var elapsed: UInt64 = 0
        trace?("Initial packet received (IKE_SA_INIT), pm_info = \(pmInfo)")
        var outgoing = [try await initiator.start()]
        for _ in 0..<4 {
            var next: [[UInt8]] = []
            for request in outgoing {
                let start = MonotonicClock.nanoseconds()
                let turn = try await responder.handle(request)
                elapsed += MonotonicClock.nanoseconds() &- start
                for reply in turn.replies {
                    switch try await initiator.receive(reply) {
                    case .send(let s): next = s
                    case .wait: break
                    case .established:
                        trace?("pm_info \(pmInfo) finished, took \(elapsed) ns")
                        return NegotiationOutcome(hostNanoseconds: elapsed, records: responder.session.records,
                                                  platform: responderFramework.platform, rttSeconds: rttSeconds,
                                                  overheadSeconds: overheadSeconds)
                    }
                }
            }
            outgoing = next
        }
        throw IKEv2Error(.unexpectedMessage, "the in-process IKEv2 negotiation did not complete")
    }
}
