@testable import IKEServer
import IKEProtocol
import NIOCore
import Testing

/// The table keys peers by ``PeerAddress``, the address's bytes: the same
/// address compares equal however it was written or read, different ones
/// (IPv4 or IPv6) never do, and the per-address rules count them apart.
@Suite("Peer address")
struct PeerAddressTests {
    @Test("a socket's address and its text are the same key; the text form is inet_ntop's")
    func socketAndText() throws {
        for text in ["192.0.2.7", "127.0.0.1", "2001:db8::1", "::1", "fe80::1:2:3:4"] {
            let socket = try SocketAddress(ipAddress: text, port: 4500)
            #expect(PeerAddress(socket) == PeerAddress(text), "\(text)")
            #expect(PeerAddress(socket).description == socket.ipAddress)
            #expect(PeerAddress(socket).description == text)
        }
        // Another port is the same peer.
        #expect(PeerAddress(try SocketAddress(ipAddress: "192.0.2.7", port: 500)) == PeerAddress(try SocketAddress(ipAddress: "192.0.2.7", port: 4500)))
    }

    @Test("addresses compare by value: one address in two spellings is one peer, others are not")
    func comparisons() {
        #expect(PeerAddress("2001:db8::1") == PeerAddress("2001:0db8:0:0:0:0:0:1"))
        #expect(PeerAddress("2001:db8::1") != PeerAddress("2001:db8::2"))
        #expect(PeerAddress("2001:db8::1") != PeerAddress("2001:db9::1"))
        #expect(PeerAddress("192.0.2.1") != PeerAddress("192.0.2.2"))
        // An IPv4-mapped IPv6 address is the IPv6 socket's peer, not the IPv4 one.
        #expect(PeerAddress("::ffff:192.0.2.1") != PeerAddress("192.0.2.1"))
        #expect(PeerAddress("::ffff:192.0.2.1").description == "::ffff:192.0.2.1")
        // Not an address: kept as the name it was given.
        #expect(PeerAddress("peer.test") == .named("peer.test"))
        #expect(PeerAddress("peer.test").description == "peer.test")
        #expect(PeerAddress("192.0.2.1").bytes == [192, 0, 2, 1])
        #expect(PeerAddress("2001:db8::1").bytes == [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1])
    }

    @Test("the half-open cap counts IPv6 peers apart, and one peer's spellings together")
    func halfOpenPerIPv6Address() {
        let responder = MainModeResponder(IKEv2ServiceTests.Driver().service.configuration, observer: SilentResponderObserver())
        var table = ExchangeTable(limits: ExchangeLimits(maxExchanges: 16, maxHalfOpenPerPeer: 2, halfOpenSeconds: 3600))
        var upkeep = ExchangeTable.Upkeep()
        func open(_ n: UInt8, from host: PeerAddress) -> ExchangeTable.Opening {
            table.opening(.ikev1, initiator: [UInt8](repeating: 0, count: 7) + [n], host: host, now: 1, mayOpen: true, upkeep: &upkeep) {
                ([UInt8](repeating: 1, count: 7) + [n], .ikev1(MainModeExchange(responder: responder, pmInfo: "\(n)")))
            }
        }
        guard case .opened = open(1, from: "2001:db8::1"), case .opened = open(2, from: "2001:db8:0::1") else {
            Issue.record("two exchanges from one address should open"); return
        }
        guard case .refused(.peerCapReached) = open(3, from: "2001:db8::1") else {
            Issue.record("the third from the same address (written otherwise) is over the cap"); return
        }
        guard case .opened = open(4, from: "2001:db8::2") else { Issue.record("another IPv6 address has its own cap"); return }
        #expect(table.halfOpen(from: "2001:db8::1") == 2)
        #expect(table.halfOpen(from: "2001:db8::2") == 1)
        #expect(table.bookkeepingErrors().isEmpty)
    }
}
