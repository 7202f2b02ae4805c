import CryptoFramework
import IKEHarness
import IKEProtocol
import IKEServer
import NIOPosix

/// `ikebench serve`'s responder with both IKE versions on one port, as the
/// service and socket tests set it up: IKEv1 Main Mode with the default
/// suites and IKEv2 with `aes128-sha256-ecp256`, on the host platform, the
/// RSA keys of ``IKETestSupport/identities``, each side trusting the other's
/// bare public key. ``start(_:group:)`` and ``serving(_:group:_:)`` serve it
/// on 127.0.0.1 on a port the kernel picks.
package enum TwoVersionResponder {
    /// The one IKEv2 proposal both sides use.
    package static let ikev2Suite = IKEv2Suite(proposalName: "aes128-sha256-ecp256")!
    /// IKEv2's IDs, the IKEv1 ones respelled.
    package static let initiatorID = IKEv2Identification(ikev1: IKEIdentities.initiatorID)!
    package static let responderID = IKEv2Identification(ikev1: IKEIdentities.responderID)!
    /// Thresholds no test's load reaches: IKE_SA_INIT is never asked for a COOKIE.
    package static let noCookies = IKEv2CookiePolicy(threshold: 1024, thresholdPerAddress: 1024)

    /// The service's configuration: both versions, `limits` for the shared table,
    /// `cookies` for IKEv2, and `fragmentSize` as IKEv2's MTU (nil: never fragments).
    package static func configuration(limits: ExchangeLimits = ExchangeLimits(), cookies: IKEv2CookiePolicy = noCookies,
                                      fragmentSize: Int? = nil) -> ResponderServiceConfiguration {
        let ids = IKETestSupport.identities
        return ResponderServiceConfiguration(
            responder: MainModeResponderConfiguration(
                suites: IKESuite.defaultResponderSuites,
                identity: MainModeIdentity(key: ids.responder, id: IKEIdentities.responderID),
                peers: FixedPeerKey(ids.initiator.publicKey)),
            framework: IKETestSupport.host, limits: limits,
            ikev2: IKEv2ResponderConfiguration(
                suites: [ikev2Suite], identity: IKEv2Identity(key: .rsa(ids.responder), id: responderID),
                peers: IKEv2FixedPeerKey(.rsa(ids.initiator.publicKey)), fragmentSize: fragmentSize),
            ikev2Cookies: cookies)
    }

    /// A service of ``configuration(limits:cookies:fragmentSize:)`` telling `observer`.
    package static func service(limits: ExchangeLimits = ExchangeLimits(), cookies: IKEv2CookiePolicy = noCookies,
                                fragmentSize: Int? = nil,
                                observer: any ResponderObserver = SilentResponderObserver()) -> ResponderService {
        ResponderService(configuration(limits: limits, cookies: cookies, fragmentSize: fragmentSize), observer: observer)
    }

    /// What an IKEv2 initiator that this responder accepts offers: the same
    /// proposal, the initiator's key and ID, the responder's key trusted, no
    /// child SA asked for.
    package static func ikev2Initiator() -> IKEv2InitiatorConfiguration {
        let ids = IKETestSupport.identities
        return IKEv2InitiatorConfiguration(
            suites: [ikev2Suite], identity: IKEv2Identity(key: .rsa(ids.initiator), id: initiatorID),
            peers: IKEv2FixedPeerKey(.rsa(ids.responder.publicKey)), requestChildSA: false)
    }

    /// Serves `service` on 127.0.0.1 on a free port, one socket per loop of
    /// `group`. The caller stops it (``UDPResponderServer/stop()``); a caller's
    /// own group may be shut down only after that.
    package static func start(_ service: ResponderService, group: MultiThreadedEventLoopGroup = .singleton) async throws -> UDPResponderServer {
        try await UDPResponderServer.start(service, host: "127.0.0.1", port: 0, group: group)
    }

    /// Serves `service` as ``start(_:group:)`` does while `body` runs, and
    /// stops it when `body` returns or throws (a failed test leaves no socket open).
    package static func serving<T>(_ service: ResponderService, group: MultiThreadedEventLoopGroup = .singleton,
                                   _ body: (UDPResponderServer) async throws -> T) async throws -> T {
        let server = try await start(service, group: group)
        let result: T
        do {
            result = try await body(server)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
        return result
    }
}
