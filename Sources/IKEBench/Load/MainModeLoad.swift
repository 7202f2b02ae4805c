import CryptoFramework
import IKEHarness
import IKEProtocol
import IKEServer

/// IKEv1 Main Mode as a ``LoadInitiator``: each worker is `PeerInitiator` on
/// a socket of its own, setting up an ISAKMP SA and deleting it.
struct MainModeLoad: LoadInitiator {
    let initiator: PeerInitiator
    let peer: PeerAddress

    var label: String {
        "IKEv1 Main Mode \(initiator.suite.proposalName), \(initiator.suite.authentication == .rsaSignatures ? "RSA-\(initiator.identity.signingKey.bits)" : "\(initiator.suite.authentication)") signatures"
    }

    func makeWorker() async throws -> any LoadWorker {
        let localHost = peer.host.hasPrefix("127.") ? "127.0.0.1" : "0.0.0.0"
        return Worker(initiator: initiator,
                      client: try await UDPDatagramClient.connect(host: peer.host, port: peer.port, localHost: localHost))
    }

    struct Worker: LoadWorker {
        let initiator: PeerInitiator
        let client: UDPDatagramClient

        func establish() async throws -> UInt64 { try await initiator.negotiate(over: client).hostNanoseconds }
        func close() async { await client.close() }
    }
}
