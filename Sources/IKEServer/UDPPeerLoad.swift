import CryptoFramework
import IKEProtocol
import NIOCore
import NIOPosix

/// An initiator that sets up one IKE SA over a connected socket and deletes
/// it: ``PeerInitiator`` (IKEv1 Main Mode) and ``IKEv2PeerInitiator``.
public protocol UDPPeerInitiator: Sendable {
    func negotiate(over client: UDPDatagramClient,
                   observe: (@Sendable (IKEOperationRecord) -> Void)?) async throws -> NegotiationOutcome
    /// The same, keeping where the setup stands in `progress` as it goes (for a failure's report).
    func negotiate(over client: UDPDatagramClient, observe: (@Sendable (IKEOperationRecord) -> Void)?,
                   progress: inout PeerSetupProgress) async throws -> NegotiationOutcome
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
    /// How many of the load's event loops the workers are spread over (nil: one per core).
    public var loops: Int?

    public init(initiator: Initiator, host: String, port: Int, label: String, loops: Int? = nil) {
        self.initiator = initiator
        self.host = host
        self.port = port
        self.label = label
        self.loops = loops
    }

    /// A worker on a new socket: bound to loopback when the peer is on it, else
    /// to any address; on the next of the load's event loops (``LoadEventLoops``),
    /// which is also where its SAs' work runs.
    public func connectWorker() async throws -> Worker {
        let localHost = host.hasPrefix("127.") ? "127.0.0.1" : "0.0.0.0"
        let group = LoadEventLoops.next(among: loops ?? System.coreCount)
        let client = try await UDPDatagramClient.connect(host: host, port: port, localHost: localHost, group: group)
        // Made on its loop: the executor's job queue is bound to the loop's thread.
        let loop = group.next()
        let executor = try await loop.submit { EventLoopTaskExecutor(loop) }.get()
        return Worker(initiator: initiator, client: client, executor: executor)
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

        /// One IKE SA set up and deleted: its setup time as the initiator saw it,
        /// in nanoseconds. A failure is a ``PeerSetupFailure``: the initiator's
        /// error with where the setup stood (the request outstanding, its SPIs, its sends).
        public func establish() async throws -> UInt64 {
            var progress = PeerSetupProgress()
            do {
                return try await initiator.negotiate(over: client, observe: nil, progress: &progress).hostNanoseconds
            } catch {
                throw PeerSetupFailure(error, progress: progress)
            }
        }
        public func close() async { await client.close() }
    }
}

/// The load's event loops: groups of one thread each, made when first
/// wanted and kept for the process (as NIO's singleton group is), never shut
/// down, since a task whose preferred executor is a loop that has stopped
/// would never end (``EventLoopTaskExecutor``). Workers take the first `count`
/// in turn; their sockets are on them, and their SAs run there. A group of its
/// own per loop, so a socket's loop is known without reaching into its channel.
enum LoadEventLoops {
    private static let state = Locked<(groups: [MultiThreadedEventLoopGroup], taken: Int)>(([], 0))

    static func next(among count: Int) -> MultiThreadedEventLoopGroup {
        let count = max(1, count)
        return state.withLock { s in
            while s.groups.count < count { s.groups.append(MultiThreadedEventLoopGroup(numberOfThreads: 1)) }
            defer { s.taken &+= 1 }
            return s.groups[s.taken % count]
        }
    }
}
