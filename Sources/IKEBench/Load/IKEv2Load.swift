import CryptoFramework
import IKEHarness
import IKEProtocol
import IKEServer

/// IKEv2 as a ``LoadInitiator`` (`ikebench load --ike 2`): each worker is
/// `IKEv2PeerInitiator` on a socket of its own, asking a childless IKE SA
/// (RFC 6023, so neither responder touches the kernel), timed from
/// IKE_SA_INIT sent to the IKE_AUTH response verified, then deleting it.
struct IKEv2Load: LoadInitiator {
    let initiator: IKEv2PeerInitiator
    let peer: PeerAddress

    var label: String {
        let suite = initiator.configuration.suites[0]
        return "IKEv2 \(suite.proposalName), \(initiator.configuration.identity.key.publicKey?.description ?? "EC") signatures"
    }

    func makeWorker() async throws -> any LoadWorker {
        let localHost = peer.host.hasPrefix("127.") ? "127.0.0.1" : "0.0.0.0"
        return Worker(initiator: initiator,
                      client: try await UDPDatagramClient.connect(host: peer.host, port: peer.port, localHost: localHost))
    }

    struct Worker: LoadWorker {
        let initiator: IKEv2PeerInitiator
        let client: UDPDatagramClient

        func establish() async throws -> UInt64 { try await initiator.negotiate(over: client).hostNanoseconds }
        func close() async { await client.close() }
    }
}
