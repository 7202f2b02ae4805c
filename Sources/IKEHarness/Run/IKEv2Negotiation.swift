import CryptoFramework
import IKEProtocol

/// One in-process negotiation `run` can time: Main Mode or IKEv2.
public protocol TimedNegotiation: Sendable {
    func run(trace: (@Sendable (String) -> Void)?, observe: (@Sendable (IKEOperationRecord) -> Void)?) async throws -> NegotiationOutcome
}

extension MainModeNegotiation: TimedNegotiation {}

/// The long-term signature keys of both sides of an IKEv2 negotiation: the
/// RSA keys of ``IKEIdentities`` or a pair of ECDSA keys (RFC 4754), made once
/// before timing on the initiator's openssl.
public struct IKEv2SignatureKeys: Sendable {
    public let initiator: IKEv2PrivateKey
    public let responder: IKEv2PrivateKey

    public init(initiator: IKEv2PrivateKey, responder: IKEv2PrivateKey) {
        self.initiator = initiator
        self.responder = responder
    }

    /// The RSA keys Main Mode uses.
    public init(rsa identities: IKEIdentities) {
        self.init(initiator: .rsa(identities.initiator), responder: .rsa(identities.responder))
    }

    /// Two fresh ECDSA keys on `curve` (P-256, P-384 or P-521) from `framework`.
    public static func ecdsa(curve: ECCurve, framework: CryptoFramework) async throws -> IKEv2SignatureKeys {
        guard [.p256, .p384, .p521].contains(curve) else {
            throw CryptoError(.argumentsBad, "ECDSA signs on P-256, P-384 or P-521, not \(curve)")
        }
        return IKEv2SignatureKeys(initiator: .ec(try await framework.generateECKeyPair(curve: curve)),
                                  responder: .ec(try await framework.generateECKeyPair(curve: curve)))
    }

    /// "RSA-2048" or "ECDSA P-256", as reports name the authentication.
    public var label: String { Self.label(responder) }

    static func label(_ key: IKEv2PrivateKey) -> String {
        switch key {
        case .rsa(let k): "RSA-\(k.publicKey.bits)"
        case .ec(let k):
            switch k.curve {
            case .p256: "ECDSA P-256"
            case .p384: "ECDSA P-384"
            case .p521: "ECDSA P-521"
            case .ed25519: "Ed25519"
            case .x25519: "X25519"
            }
        }
    }

    func publicKey(_ key: IKEv2PrivateKey) throws -> IKEv2PublicKey {
        guard let p = key.publicKey else { throw CryptoError(.keyInvalid, "an IKEv2 signature key without its public key") }
        return p
    }
}

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
    /// The keys both sides sign with (RSA from `identities` unless given).
    public let keys: IKEv2SignatureKeys

    public init(suite: IKEv2Suite, responderFramework: CryptoFramework, initiatorFramework: CryptoFramework,
                identities: IKEIdentities, keys: IKEv2SignatureKeys? = nil, rttSeconds: Double = 0, overheadSeconds: Double = 0) {
        self.suite = suite
        self.keys = keys ?? IKEv2SignatureKeys(rsa: identities)
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
                suites: [suite], identity: IKEv2Identity(key: keys.initiator, id: Self.initiatorID),
                peers: IKEv2FixedPeerKey(try keys.publicKey(keys.responder)), responderID: Self.responderID),
            session: IKECryptoSession(framework: initiatorFramework))
        let responder = IKEv2Responder(
            configuration: IKEv2ResponderConfiguration(
                suites: [suite], identity: IKEv2Identity(key: keys.responder, id: Self.responderID),
                peers: IKEv2FixedPeerKey(try keys.publicKey(keys.initiator)), fragmentSize: nil),
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
