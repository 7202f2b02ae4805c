import NIOCore
import NIOPosix

/// ``ResponderService`` on a UDP socket (SwiftNIO `DatagramBootstrap`): the
/// channel handler only moves datagrams; a timer expires half-open exchanges.
public final class UDPResponderServer: Sendable {
    public let service: ResponderService
    private let channel: any Channel
    private let expiry: RepeatedTask

    private init(service: ResponderService, channel: any Channel, expiry: RepeatedTask) {
        self.service = service
        self.channel = channel
        self.expiry = expiry
    }

    /// Binds `host:port` (port 0: any free port) and starts answering.
    public static func start(_ service: ResponderService, host: String, port: Int,
                             group: MultiThreadedEventLoopGroup = .singleton) async throws -> UDPResponderServer {
        let channel = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.recvAllocator, value: DatagramReceiveBuffer.allocator(maxMessageBytes: service.configuration.limits.maxMessageBytes))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ResponderDatagramHandler(service: service, light: EventLoopTaskExecutor(channel.eventLoop)))
                }
            }
            .bind(host: host, port: port).get()
        let expiry = channel.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            service.expire()
        }
        return UDPResponderServer(service: service, channel: channel, expiry: expiry)
    }

    /// The port bound (useful after binding port 0).
    public var port: Int { channel.localAddress?.port ?? 0 }

    public func stop() async throws {
        expiry.cancel()
        try await channel.close()
    }
}

/// Hands every datagram to the service with a way to answer its sender.
final class ResponderDatagramHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let service: ResponderService
    /// The channel's loop as a task executor, for the turns without public-key work.
    let light: EventLoopTaskExecutor

    init(service: ResponderService, light: EventLoopTaskExecutor) {
        self.service = service
        self.light = light
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let bytes = Array(envelope.data.readableBytesView)
        let remote = envelope.remoteAddress
        let channel = context.channel
        service.receive(bytes, from: remote.ipAddress ?? "\(remote)", lightTurns: light) { reply in
            let buffer = channel.allocator.buffer(bytes: reply)
            channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: buffer), promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A UDP socket reports ICMP errors of earlier sends here; the exchange
        // times out on its own, so nothing more is needed.
    }
}
