import IKEProtocol
import NIOCore
import NIOPosix
import Synchronization

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

    /// A worker on a new socket: bound to loopback when the peer is on it, else
    /// to any address; on the next of the load's event loops (``LoadEventLoops``),
    /// which is also where its SAs' work runs.
    public func connectWorker() async throws -> Worker {
        let localHost = host.hasPrefix("127.") ? "127.0.0.1" : "0.0.0.0"
        let group = LoadEventLoops.next()
        let client = try await UDPDatagramClient.connect(host: host, port: port, localHost: localHost, group: group)
        return Worker(initiator: initiator, client: client, executor: EventLoopTaskExecutor(group.next()))
    }

    public struct Worker: Sendable {
        public let initiator: Initiator
        public let client: UDPDatagramClient
        /// The event loop of the worker's socket as a task executor: the load runs
        /// each worker's SAs there (the load generator's executor preference), so
        /// a reply's datagram resumes the exchange on the thread that read it, and
        /// the next request is written from that thread, without a hand-off to the
        /// task pool and back through the loop's wake-up descriptor each way.
        public let executor: (any TaskExecutor)?

        /// One IKE SA set up and deleted: its setup time as the initiator saw it, in nanoseconds.
        public func establish() async throws -> UInt64 { try await initiator.negotiate(over: client, observe: nil).hostNanoseconds }
        public func close() async { await client.close() }
    }
}

/// The load's event loops: one group of one thread per core, made once per
/// process (as NIO's singleton group is) and never shut down, since a task
/// whose preferred executor is a loop that has stopped would never end
/// (``EventLoopTaskExecutor``). Each worker's socket is on one of them, taken
/// in turn, and its SAs run on that loop. A group of its own per loop, so a
/// socket's loop is known without reaching into its channel.
enum LoadEventLoops {
    static let groups: [MultiThreadedEventLoopGroup] = (0..<max(1, System.coreCount)).map { _ in
        MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }
    private static let taken = Atomic<Int>(0)

    static func next() -> MultiThreadedEventLoopGroup {
        groups[taken.wrappingAdd(1, ordering: .relaxed).oldValue % groups.count]
    }
}
