#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NIOCore
import NIOPosix
import Synchronization

/// ``ResponderService`` on UDP (SwiftNIO `DatagramBootstrap`): one socket per
/// event loop, all bound to the same address and port (SO_REUSEPORT: the
/// kernel spreads the peers over them by their address and port, so an
/// exchange's datagrams all reach the same socket). Each loop runs the turns
/// of the datagrams its socket read — public-key work included — and writes
/// their replies itself, so a turn costs no thread hand-off and the loops use
/// every core. Reads are batched (`recvmmsg`) and the replies of a batch are
/// flushed together (`sendmmsg`). A timer expires half-open exchanges.
public final class UDPResponderServer: Sendable {
    public let service: ResponderService
    /// One per loop; internal so a test can close one as a failure would.
    let channels: [any Channel]
    private let counts: [DatagramCount]
    private let expiry: RepeatedTask
    /// Set by ``stop()`` before it closes the sockets, so their closing is not reported as a loss.
    private let stopping: StopFlag
    /// The group ``start(_:host:port:loops:)`` made for the server, shut down by ``stop()``.
    private let ownedGroup: MultiThreadedEventLoopGroup?

    /// Datagrams read per `recvmmsg` call.
    static let vectorReadCount = 16

    private init(service: ResponderService, channels: [any Channel], counts: [DatagramCount], expiry: RepeatedTask,
                 stopping: StopFlag, ownedGroup: MultiThreadedEventLoopGroup? = nil) {
        self.ownedGroup = ownedGroup
        self.stopping = stopping
        self.service = service
        self.channels = channels
        self.counts = counts
        self.expiry = expiry
    }

    /// Binds `host:port` (port 0: any free port) with `sockets` sockets, one
    /// per event loop of `group` (nil: as many as the group has loops; the
    /// `.singleton` group has one per core), and starts answering.
    ///
    /// The loops run the turns: a caller's own group may be shut down only
    /// after ``stop()`` has returned (``EventLoopTaskExecutor``).
    public static func start(_ service: ResponderService, host: String, port: Int,
                             group: MultiThreadedEventLoopGroup = .singleton, sockets: Int? = nil) async throws -> UDPResponderServer {
        let loops = Array(group.makeIterator())
        let socketCount = sockets ?? loops.count
        guard socketCount >= 1, !loops.isEmpty else {
            throw SetupError("UDP responder: \(socketCount) sockets on \(loops.count) event loops; give at least one of each")
        }
        // Port 0 with several sockets: the port comes from a probe socket bound
        // with no reuse option, which the kernel gives a port nobody holds, and
        // the group then binds that port. A socket with SO_REUSEPORT bound to
        // port 0 may be given a port another such socket of the same user holds
        // (another server's, or a test's beside it) and would silently share it.
        // The group binds right after the probe closes; should a socket take
        // the port in between, the bind fails and the next probe tries anew.
        let probes = port == 0 && socketCount > 1
        var attempt = 1
        while true {
            var boundPort = port
            if probes {
                let probe = try await DatagramBootstrap(group: loops[0]).bind(host: host, port: 0).get()
                boundPort = probe.localAddress?.port ?? 0
                try await probe.close()
            }
            do {
                return try await bind(service, host: host, port: boundPort, loops: loops, sockets: socketCount)
            } catch where probes && attempt < 3 {
                attempt += 1
            }
        }
    }

    /// Binds `sockets` sockets to `host:port` over `loops` (SO_REUSEPORT when more than one).
    private static func bind(_ service: ResponderService, host: String, port: Int, loops: [any EventLoop],
                             sockets socketCount: Int) async throws -> UDPResponderServer {
        var channels: [any Channel] = []
        var counts: [DatagramCount] = []
        var boundPort = port
        do {
            for k in 0..<socketCount {
                let loop = loops[k % loops.count]
                let count = DatagramCount()
                // No SO_REUSEADDR: a UDP unicast responder does not need it, and
                // with it a second server could bind the same port unawares.
                var bootstrap = DatagramBootstrap(group: loop)
                    .channelOption(.datagramVectorReadMessageCount, value: vectorReadCount)
                    // recvmmsg cuts the buffer into vectorReadCount equal slices, each as large as one whole datagram read.
                    .channelOption(.recvAllocator, value: DatagramReceiveBuffer.allocator(
                        maxMessageBytes: service.configuration.limits.maxMessageBytes, messages: vectorReadCount))
                if socketCount > 1 {
                    bootstrap = bootstrap.channelOption(
                        ChannelOptions.Types.SocketOption(level: .socket, name: NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
                }
                let channel = try await bootstrap
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(ResponderDatagramHandler(
                                service: service, turns: EventLoopTaskExecutor(loop), writer: ReplyWriter(channel: channel), count: count))
                        }
                    }
                    .bind(host: host, port: boundPort).get()
                channels.append(channel)
                counts.append(count)
                // Port 0: the others join the port the first one got.
                if k == 0, let p = channel.localAddress?.port { boundPort = p }
            }
        } catch {
            for c in channels { try? await c.close() }
            throw error
        }
        let expiry = channels[0].eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            service.expire()
        }
        // NIO closes a socket on most read errors; the kernel then spreads the
        // peers over the sockets left, and nothing else would say so. Reported
        // once per socket, through the observer's diagnostics; not during stop().
        let stopping = StopFlag()
        let (sockets, port) = (channels.count, boundPort)
        for (k, channel) in channels.enumerated() {
            channel.closeFuture.whenComplete { result in
                guard !stopping.value.load(ordering: .acquiring) else { return }
                let why = if case .failure(let error) = result { ": \(error)" } else { "" }
                service.observer.exchangeFailed(
                    "UDP responder: socket \(k + 1) of \(sockets) on port \(port) closed while serving\(why); "
                        + "its peers now go to the \(sockets - 1) left")
            }
        }
        return UDPResponderServer(service: service, channels: channels, counts: counts, expiry: expiry, stopping: stopping)
    }

    /// Binds `host:port` with `loops` event loops of the server's own, one
    /// socket each (nil: the `.singleton` group's, one per core); ``stop()``
    /// shuts that group down.
    public static func start(_ service: ResponderService, host: String, port: Int, loops: Int?) async throws -> UDPResponderServer {
        guard let loops else { return try await start(service, host: host, port: port) }
        guard loops >= 1 else { throw SetupError("UDP responder: \(loops) event loops; give at least one") }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: loops)
        do {
            let server = try await start(service, host: host, port: port, group: group)
            return UDPResponderServer(service: service, channels: server.channels, counts: server.counts, expiry: server.expiry,
                                      stopping: server.stopping, ownedGroup: group)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// The port bound (useful after binding port 0).
    public var port: Int { channels[0].localAddress?.port ?? 0 }

    /// How many sockets (and loops) answer on the port.
    public var socketCount: Int { channels.count }

    /// Datagrams each socket has read so far, in socket order.
    public var datagramsPerSocket: [Int] { counts.map { $0.value.load(ordering: .relaxed) } }

    /// Stops reading (every socket closed, the expiry timer cancelled), then
    /// waits for the turns already started to finish (bounded: 60 s), so their
    /// loops may be shut down once this returns. Their replies are not sent.
    /// Turns still running at the bound are an error (thrown, the server's own
    /// group left running), not a silent return.
    public func stop() async throws {
        stopping.value.store(true, ordering: .releasing)
        expiry.cancel()
        var failure: (any Error)?
        for channel in channels {
            // A socket lost while serving is closed already (and was reported then).
            do { try await channel.close() } catch ChannelError.alreadyClosed {} catch { failure = failure ?? error }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while service.turnsInFlight > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(1))
        }
        let left = service.turnsInFlight
        if left > 0 {
            // The loops still run turns: shutting them down would drop those
            // turns' jobs, and they would never end. Say so; keep the group.
            throw SetupError("UDP responder: \(left) turn(s) still running 60 s after the sockets closed; its event loops must not be shut down yet")
        }
        if let ownedGroup { try await ownedGroup.shutdownGracefully() }
        if let failure { throw failure }
    }
}

extension UDPResponderServer {
    /// A server asked for no socket or no loop, or one whose turns outlived ``stop()``'s bound.
    public struct SetupError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}

/// Whether ``UDPResponderServer/stop()`` has begun.
final class StopFlag: Sendable {
    let value = Atomic<Bool>(false)
}

/// Datagrams one socket has read.
final class DatagramCount: Sendable {
    let value = Atomic<Int>(0)
}

/// Hands every datagram to the service, with its loop as where the turn runs
/// and a way to answer its sender from that loop.
final class ResponderDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let service: ResponderService
    /// The channel's loop as a task executor: every turn of a datagram read here runs on it.
    let turns: EventLoopTaskExecutor
    let writer: ReplyWriter
    let count: DatagramCount

    init(service: ResponderService, turns: EventLoopTaskExecutor, writer: ReplyWriter, count: DatagramCount) {
        self.service = service
        self.turns = turns
        self.writer = writer
        self.count = count
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        count.value.add(1, ordering: .relaxed)
        let envelope = unwrapInboundIn(data)
        // The message is copied out of the read buffer once, without its non-ESP marker.
        let view = envelope.data.readableBytesView
        let marked = NonESPMarker.isMarked(view)
        let message = marked ? Array(view.dropFirst(NonESPMarker.bytes.count)) : Array(view)
        let remote = envelope.remoteAddress
        service.receive(message: message, marked: marked, datagramBytes: view.count, from: PeerAddress(remote), executor: turns,
                        replyingTo: ReplyWriter.Destination(writer: writer, remote: remote))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A UDP socket reports ICMP errors of earlier sends here; the exchange
        // times out on its own, so nothing more is needed.
    }
}

/// Writes replies on one channel. From its own loop (where the turns run) a
/// reply is written without a flush, and one flush is queued behind the
/// turns already queued: the replies of one read batch leave in one
/// `sendmmsg`. From any other thread, write and flush (SwiftNIO hops to the loop).
final class ReplyWriter: Sendable {
    let channel: any Channel
    /// Whether a flush is queued on the loop; touched on the loop only.
    private let flushQueued: NIOLoopBoundBox<Bool>

    init(channel: any Channel) {
        self.channel = channel
        self.flushQueued = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
    }

    /// A datagram's sender on this writer: where its turn's replies go.
    struct Destination: ReplyDestination {
        let writer: ReplyWriter
        let remote: SocketAddress
        func callAsFunction(_ reply: [UInt8], marked: Bool) { writer.send(reply, marked: marked, to: remote) }
    }

    /// Sends `reply` to `remote`, behind the non-ESP marker when `marked`
    /// (written into the datagram's buffer, not joined to the reply first).
    func send(_ reply: [UInt8], marked: Bool = false, to remote: SocketAddress) {
        let loop = channel.eventLoop
        var buffer = channel.allocator.buffer(capacity: reply.count + (marked ? NonESPMarker.bytes.count : 0))
        if marked { buffer.writeBytes(NonESPMarker.bytes) }
        buffer.writeBytes(reply)
        let envelope = AddressedEnvelope(remoteAddress: remote, data: buffer)
        guard loop.inEventLoop else {
            channel.writeAndFlush(envelope, promise: nil)
            return
        }
        channel.write(envelope, promise: nil)
        guard !flushQueued.value else { return }
        flushQueued.value = true
        loop.execute {
            self.flushQueued.value = false
            self.channel.flush()
        }
    }
}
