import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import IKEServer
import IKETestKit
import Synchronization

/// A ``ResponderService`` driven without a socket: datagrams in, the replies
/// it sends collected, every operation counted (to see that a retransmission
/// redoes no crypto).
final class ServiceDriver: Sendable {
    let service: ResponderService
    /// The negotiations the service completed.
    let recorder = NegotiationRecorder()
    private let sent = Locked<[[UInt8]]>([])

    init(limits: ExchangeLimits = ExchangeLimits(), framework: CryptoFramework = IKETestSupport.host,
         suites: [IKESuite] = IKESuite.defaultResponderSuites, peers: (any PeerKeyResolver)? = nil,
         certificate: [UInt8]? = nil) {
        let ids = IKETestSupport.identities
        let counter = OperationCounter()
        service = ResponderService(
            ResponderServiceConfiguration(
                responder: MainModeResponderConfiguration(
                    suites: suites, identity: MainModeIdentity(key: ids.responder, id: IKEIdentities.responderID, certificate: certificate),
                    peers: peers ?? FixedPeerKey(ids.initiator.publicKey)),
                framework: framework, limits: limits),
            observer: RecordingObserver(recorder: recorder, operations: counter))
        self.counter = counter
    }

    private let counter: OperationCounter
    var operationCount: Int { counter.count.load(ordering: .relaxed) }

    /// Hands `datagram` to the service as if from `host`, waits for its processing, returns what was sent back.
    @discardableResult
    func deliver(_ datagram: [UInt8], from host: String = "192.0.2.1") async -> [[UInt8]] {
        let before = sent.withLock { $0.count }
        let task = service.receive(datagram, from: host) { [sent] reply in sent.withLock { $0.append(reply) } }
        await task?.value
        return sent.withLock { Array($0[before...]) }
    }

    /// Like ``deliver(_:from:)``, with a peer that answers the service's first
    /// reply at once (as Libreswan follows message 6 with Quick Mode): `next`
    /// is handed to the service from inside its send of that reply, and the
    /// send returns only once `next` has been handled, so `next` lands in
    /// whatever the service does between sending a reply and moving on. The
    /// wait blocks the sending thread; it is bounded (10 s) so a machine with
    /// one cooperative thread only loses the window, never hangs.
    @discardableResult
    func deliver(_ datagram: [UInt8], from host: String = "192.0.2.1", answeredAtOnceBy next: [UInt8]) async -> [[UInt8]] {
        let before = sent.withLock { $0.count }
        let answered = Locked(false)
        let task = service.receive(datagram, from: host) { [sent, service] reply in
            sent.withLock { $0.append(reply) }
            guard answered.withLock({ was in defer { was = true }; return !was }) else { return }
            let handled = DispatchSemaphore(value: 0)
            let followUp = service.receive(next, from: host) { reply in sent.withLock { $0.append(reply) } }
            Task {
                await followUp?.value
                handled.signal()
            }
            _ = handled.wait(timeout: .now() + 10)
        }
        await task?.value
        return sent.withLock { Array($0[before...]) }
    }

    /// An initiator speaking to this service's responder identity.
    func initiator(suite: IKESuite = IKETestSupport.suite(14, .sha256, .aes128), key: RSAPrivateKey? = nil) -> MainModeInitiator {
        let ids = IKETestSupport.identities
        return MainModeInitiator(suite: suite, session: IKECryptoSession(framework: IKETestSupport.initiatorFramework),
                                 identity: key ?? ids.initiator, responderKey: ids.responder.publicKey, id: IKEIdentities.initiatorID)
    }
}
