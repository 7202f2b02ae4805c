import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import IKEServer
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
         suites: [IKESuite] = IKESuite.defaultResponderSuites, peers: (any PeerKeyResolver)? = nil) {
        let ids = IKETestSupport.identities
        let counter = OperationCounter()
        service = ResponderService(
            ResponderServiceConfiguration(
                responder: MainModeResponderConfiguration(
                    suites: suites, identity: MainModeIdentity(key: ids.responder, id: IKEIdentities.responderID),
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

    /// An initiator speaking to this service's responder identity.
    func initiator(suite: IKESuite = IKETestSupport.suite(14, .sha256, .aes128), key: RSAPrivateKey? = nil) -> MainModeInitiator {
        let ids = IKETestSupport.identities
        return MainModeInitiator(suite: suite, session: IKECryptoSession(framework: IKETestSupport.initiatorFramework),
                                 identity: key ?? ids.initiator, responderKey: ids.responder.publicKey, id: IKEIdentities.initiatorID)
    }
}

final class OperationCounter: Sendable {
    let count = Atomic<Int>(0)
}
