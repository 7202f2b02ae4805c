import IKEProtocol

/// An initiator that sets up one IKE SA over a connected socket and deletes
/// it: ``PeerInitiator`` (IKEv1 Main Mode) and ``IKEv2PeerInitiator``.
public protocol UDPPeerInitiator: Sendable {
    func negotiate(over client: UDPDatagramClient,
                   observe: (@Sendable (IKEOperationRecord) -> Void)?) async throws -> NegotiationOutcome
}

extension PeerInitiator: UDPPeerInitiator {}
extension IKEv2PeerInitiator: UDPPeerInitiator {}

/// One initiator as a load on `host:port`: each worker gets a socket of its
/// own and sets up IKE SAs one after another. `ikebench load` and the tests
/// make it a load generator's initiator (IKEHarness's `LoadInitiator`, which
/// this target does not depend on) with `makeWorker` as the worker.
public struct UDPPeerLoad<Initiator: UDPPeerInitiator>: Sendable {
    public let initiator: Initiator
    public let host: String
    public let port: Int
    public let label: String

    public init(initiator: Initiator, host: String, port: Int, label: String) {
        self.initiator = initiator
        self.host = host
        self.port = port
        self.label = label
    }

    /// A worker on a new socket: bound to loopback when the peer is on it, else to any address.
    public func connectWorker() async throws -> Worker {
        let localHost = host.hasPrefix("127.") ? "127.0.0.1" : "0.0.0.0"
        return Worker(initiator: initiator, client: try await UDPDatagramClient.connect(host: host, port: port, localHost: localHost))
    }

    public struct Worker: Sendable {
        public let initiator: Initiator
        public let client: UDPDatagramClient

        /// One IKE SA set up and deleted: its setup time as the initiator saw it, in nanoseconds.
        public func establish() async throws -> UInt64 { try await initiator.negotiate(over: client, observe: nil).hostNanoseconds }
        public func close() async { await client.close() }
    }
}
