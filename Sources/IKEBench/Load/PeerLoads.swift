import IKEHarness
import IKEServer

/// Our initiators as `ikebench load`'s load: each worker is the initiator on a
/// socket of its own. IKEv1 sets up an ISAKMP SA by Main Mode; IKEv2 asks a
/// childless IKE SA (RFC 6023, so neither responder touches the kernel), timed
/// from IKE_SA_INIT sent to the IKE_AUTH response verified. Both delete it.
extension UDPPeerLoad: LoadInitiator {
    public func makeWorker() async throws -> any LoadWorker { try await connectWorker() }
}

extension UDPPeerLoad.Worker: LoadWorker {}

/// A failed setup of ours says its request and the exchange's SPIs in its
/// description, and leaves them out of its reason: the load counts it by the reason.
extension PeerSetupFailure: LoadSetupError {}

extension UDPPeerLoad where Initiator == PeerInitiator {
    init(mainMode initiator: PeerInitiator, peer: PeerAddress, loops: Int? = nil) {
        let signatures = initiator.suite.authentication == .rsaSignatures
            ? "RSA-\(initiator.identity.signingKey.bits)" : "\(initiator.suite.authentication)"
        self.init(initiator: initiator, host: peer.host, port: peer.port,
                  label: "IKEv1 Main Mode \(initiator.suite.proposalName), \(signatures) signatures", loops: loops)
    }
}

extension UDPPeerLoad where Initiator == IKEv2PeerInitiator {
    init(ikev2 initiator: IKEv2PeerInitiator, peer: PeerAddress, loops: Int? = nil) {
        let suite = initiator.configuration.suites[0]
        self.init(initiator: initiator, host: peer.host, port: peer.port,
                  label: "IKEv2 \(suite.proposalName), \(initiator.configuration.identity.key.publicKey?.description ?? "EC") signatures",
                  loops: loops)
    }
}
