import CryptoFramework
import IKEProtocol
import Providers
import Synchronization

/// The long-term RSA signature keys of both sides, made once before timing.
public struct IKEIdentities: Sendable {
    public let initiator: RSAPrivateKey
    public let responder: RSAPrivateKey
    public static let initiatorID = Identification.ipv4(192, 168, 1, 10)
    public static let responderID = Identification.fqdn("responder.ikebench.example")

    public init(initiator: RSAPrivateKey, responder: RSAPrivateKey) {
        self.initiator = initiator
        self.responder = responder
    }

    /// Two fresh keys from `framework` (the initiator's openssl view).
    public static func generate(bits: Int, framework: CryptoFramework) async throws -> IKEIdentities {
        IKEIdentities(initiator: try await framework.generateRSAKeyPair(bits: bits),
                      responder: try await framework.generateRSAKeyPair(bits: bits))
    }
}

/// One Main Mode negotiation: an untimed initiator on the host's openssl and
/// the timed responder on the framework under test, exchanging real messages.
public struct MainModeNegotiation: Sendable {
    public let suite: IKESuite
    public let responderFramework: CryptoFramework
    public let initiatorFramework: CryptoFramework
    public let identities: IKEIdentities
    public let rttSeconds: Double
    /// Modeled Phase I time outside the cryptography (in.iked, kernel), added once.
    public let overheadSeconds: Double

    public init(suite: IKESuite, responderFramework: CryptoFramework, initiatorFramework: CryptoFramework,
                identities: IKEIdentities, rttSeconds: Double = 0, overheadSeconds: Double = 0) {
        self.suite = suite
        self.responderFramework = responderFramework
        self.initiatorFramework = initiatorFramework
        self.identities = identities
        self.rttSeconds = rttSeconds
        self.overheadSeconds = overheadSeconds
    }

    /// The initiator's framework: host platform, empty in-memory policy, pinned to openssl.
    public static func initiatorFramework() throws -> CryptoFramework {
        try CryptoFramework(platform: .host, policy: .inMemory(Policy())).pinned(to: "openssl")
    }

    /// Runs messages 1–6. `trace` receives DTrace-style lines; `observe` every responder operation.
    public func run(
        trace: (@Sendable (String) -> Void)? = nil,
        observe: (@Sendable (IKEOperationRecord) -> Void)? = nil
    ) async throws -> NegotiationOutcome {
        let initiator = MainModeInitiator(
            suite: suite, session: IKECryptoSession(framework: initiatorFramework), identity: identities.initiator,
            responderKey: identities.responder.publicKey, id: IKEIdentities.initiatorID)
        let responder = MainModeResponder(
            suite: suite, session: IKECryptoSession(framework: responderFramework, observe: observe),
            identity: identities.responder, initiatorKey: identities.initiator.publicKey, id: IKEIdentities.responderID)
        let pmInfo = PMInfo.next()

        var elapsed: UInt64 = 0
        func turn(_ message: [UInt8]) async throws -> [UInt8] {
            let start = MonotonicClock.nanoseconds()
            let reply = try await responder.receive(message)
            elapsed += MonotonicClock.nanoseconds() &- start
            trace?("return 16384 - Success")
            return reply
        }
        let m1 = initiator.start()
        trace?("Initial packet received, pm_info = \(pmInfo)")
        let m2 = try await turn(m1)
        let m4 = try await turn(try await initiator.message3(after: m2))
        let m6 = try await turn(try await initiator.message5(after: m4))
        trace?("pm_info \(pmInfo) finished, took \(elapsed) ns")
        try await initiator.finish(m6)

        return NegotiationOutcome(hostNanoseconds: elapsed, records: responder.session.records,
                                  platform: responderFramework.platform, rttSeconds: rttSeconds, overheadSeconds: overheadSeconds)
    }
}
