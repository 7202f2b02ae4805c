import CryptoFramework
import IKEProtocol
import NIOCore
import NIOPosix

/// One UDP socket talking to one peer: send a datagram, wait (bounded) for
/// the next one from that peer. What the initiator of `ikebench run --peer` uses.
public final class UDPDatagramClient: Sendable {
    private let channel: any Channel
    private let mailbox: DatagramMailbox
    public let remote: SocketAddress

    private init(channel: any Channel, mailbox: DatagramMailbox, remote: SocketAddress) {
        self.channel = channel
        self.mailbox = mailbox
        self.remote = remote
    }

    /// A socket on an ephemeral port of `localHost`, sending to `host:port`.
    /// Datagrams longer than `maxMessageBytes` (after a non-ESP marker) are dropped.
    /// `group` must outlive the client: its loop also times the waits of ``receive(timeout:)``.
    public static func connect(host: String, port: Int, localHost: String = "0.0.0.0",
                               maxMessageBytes: Int = ExchangeLimits().maxMessageBytes,
                               group: MultiThreadedEventLoopGroup = .singleton) async throws -> UDPDatagramClient {
        let remote = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let loop = group.next()
        let mailbox = DatagramMailbox(loop: loop)
        let channel = try await DatagramBootstrap(group: loop)
            .channelOption(.recvAllocator, value: DatagramReceiveBuffer.allocator(maxMessageBytes: maxMessageBytes))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        MailboxDatagramHandler(mailbox: mailbox, remote: remote, maxMessageBytes: maxMessageBytes))
                }
            }
            .bind(host: localHost, port: 0).get()
        return UDPDatagramClient(channel: channel, mailbox: mailbox, remote: remote)
    }

    public var localPort: Int { channel.localAddress?.port ?? 0 }

    public func send(_ bytes: [UInt8]) {
        let buffer = channel.allocator.buffer(bytes: bytes)
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: buffer), promise: nil)
    }

    /// Sends to another port of the peer's host (a responder answering whichever
    /// port an initiator's socket has). Datagrams are still read only from the peer's address.
    public func send(_ bytes: [UInt8], toPort port: Int) throws {
        let address = try SocketAddress.makeAddressResolvingHost(remote.ipAddress ?? "127.0.0.1", port: port)
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: bytes)), promise: nil)
    }

    /// The next datagram from the peer, or nil after `timeout` seconds.
    public func receive(timeout: Double) async -> [UInt8]? {
        await mailbox.next(timeout: timeout)
    }

    /// The next datagram from the peer, or nil once `deadline`
    /// (``MonotonicClock`` nanoseconds) has passed. The clock is read once: read
    /// twice (whether the deadline passed, then the time left), a thread
    /// preempted in between found it passed and the unsigned subtraction trapped.
    public func receive(before deadline: UInt64) async -> [UInt8]? {
        let now = MonotonicClock.nanoseconds()
        guard now < deadline else { return nil }
        return await receive(timeout: Double(deadline - now) / 1e9)
    }

    public func close() async {
        try? await channel.close()
    }
}

/// Datagrams received and not yet taken, and the one task waiting for one.
/// The wait's timeout is a task scheduled on the socket's event loop and
/// cancelled when the datagram comes (no task and timer of the pool per wait).
final class DatagramMailbox: Sendable {
    private struct State {
        var queue: [[UInt8]] = []
        var waiter: CheckedContinuation<[UInt8]?, Never>?
        var waiterID = 0
        var timeout: Scheduled<Void>?
    }
    private let state = Locked(State())
    private let loop: any EventLoop
    /// Datagrams kept unread at most (a peer cannot grow the queue without bound).
    static let capacity = 64

    init(loop: any EventLoop) { self.loop = loop }

    func deliver(_ bytes: [UInt8]) {
        let (waiter, timeout) = state.withLock { s -> (CheckedContinuation<[UInt8]?, Never>?, Scheduled<Void>?) in
            if let w = s.waiter {
                s.waiter = nil
                defer { s.timeout = nil }
                return (w, s.timeout)
            }
            if s.queue.count < Self.capacity { s.queue.append(bytes) }
            return (nil, nil)
        }
        timeout?.cancel()
        waiter?.resume(returning: bytes)
    }

    func next(timeout: Double) async -> [UInt8]? {
        await withCheckedContinuation { (c: CheckedContinuation<[UInt8]?, Never>) in
            let id: Int? = state.withLock { s in
                if !s.queue.isEmpty { c.resume(returning: s.queue.removeFirst()); return nil }
                s.waiterID += 1
                s.waiter = c
                return s.waiterID
            }
            guard let id else { return }
            // Ends this wait with nil unless a datagram (or a later wait) came first.
            let expire: @Sendable () -> Void = {
                let expired = self.state.withLock { s -> CheckedContinuation<[UInt8]?, Never>? in
                    guard s.waiterID == id, let w = s.waiter else { return nil }
                    s.waiter = nil
                    s.timeout = nil
                    return w
                }
                expired?.resume(returning: nil)
            }
            let seconds = timeout.isFinite ? min(max(timeout, 0), 86_400) : 0
            let scheduled = loop.scheduleTask(in: .nanoseconds(Int64(seconds * 1e9)), expire)
            // A loop that shuts down (or was down) fails its scheduled tasks instead of
            // running them: the wait then ends at once rather than never.
            scheduled.futureResult.whenFailure { _ in expire() }
            state.withLock { s in if s.waiterID == id, s.waiter != nil { s.timeout = scheduled } }
        }
    }
}

final class MailboxDatagramHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let mailbox: DatagramMailbox
    let remote: SocketAddress
    let maxMessageBytes: Int

    init(mailbox: DatagramMailbox, remote: SocketAddress, maxMessageBytes: Int) {
        self.mailbox = mailbox
        self.remote = remote
        self.maxMessageBytes = maxMessageBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        // Only the peer we talk to; anything else on this port is ignored.
        guard envelope.remoteAddress.ipAddress == remote.ipAddress else { return }
        // Filled the buffer: possibly cut short, so not a message to parse (the exchange times out).
        guard !DatagramReceiveBuffer.isOversize(envelope.data.readableBytes, maxMessageBytes: maxMessageBytes) else { return }
        mailbox.deliver(Array(envelope.data.readableBytesView))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}
