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
    public static func connect(host: String, port: Int, localHost: String = "0.0.0.0",
                               maxMessageBytes: Int = ExchangeLimits().maxMessageBytes,
                               group: MultiThreadedEventLoopGroup = .singleton) async throws -> UDPDatagramClient {
        let remote = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let mailbox = DatagramMailbox()
        let channel = try await DatagramBootstrap(group: group)
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

    public func close() async {
        try? await channel.close()
    }
}

/// Datagrams received and not yet taken, and the one task waiting for one.
final class DatagramMailbox: Sendable {
    private struct State {
        var queue: [[UInt8]] = []
        var waiter: CheckedContinuation<[UInt8]?, Never>?
        var waiterID = 0
    }
    private let state = Locked(State())
    /// Datagrams kept unread at most (a peer cannot grow the queue without bound).
    static let capacity = 64

    func deliver(_ bytes: [UInt8]) {
        let waiter = state.withLock { s -> CheckedContinuation<[UInt8]?, Never>? in
            if let w = s.waiter { s.waiter = nil; return w }
            if s.queue.count < Self.capacity { s.queue.append(bytes) }
            return nil
        }
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
            Task {
                try? await Task.sleep(nanoseconds: UInt64(max(timeout, 0) * 1e9))
                let expired = self.state.withLock { s -> CheckedContinuation<[UInt8]?, Never>? in
                    guard s.waiterID == id, let w = s.waiter else { return nil }
                    s.waiter = nil
                    return w
                }
                expired?.resume(returning: nil)
            }
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
