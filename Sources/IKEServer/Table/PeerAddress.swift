#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NIOCore

/// A peer's address as the exchange table keys it: its IP address, without
/// the port (an exchange is its peer's from any port; RFC 7296 §2.11 lets a
/// NAT change it). Kept as the address's own bytes, so finding an exchange
/// costs no text: IPv4 and IPv6 addresses compare by value, each family
/// apart (an IPv4-mapped IPv6 address is an IPv6 address, as the socket gave
/// it). What is no IP address (a name a caller gave) is kept as that text.
/// Its text form (``description``) is `inet_ntop`'s, built only for messages.
public enum PeerAddress: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// An IPv4 address, in network byte order.
    case v4(UInt32)
    /// An IPv6 address: its first and last 8 bytes, in network byte order.
    case v6(UInt64, UInt64)
    /// Not an IP address: the text a caller named the peer by.
    case named(String)

    /// The IP address of a datagram's sender (a Unix socket's path: named).
    public init(_ address: SocketAddress) {
        switch address {
        case .v4(let a):
            self = .v4(a.address.sin_addr.s_addr)
        case .v6(let a):
            var raw = a.address.sin6_addr
            self = withUnsafeBytes(of: &raw) { b in
                .v6(b.loadUnaligned(fromByteOffset: 0, as: UInt64.self), b.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            }
        case .unixDomainSocket:
            self = .named(address.description)
        }
    }

    /// An address as text: an IPv4 or IPv6 address in any form `inet_pton`
    /// reads is kept as its bytes (so "::1" and "0::1" are one peer), anything else as the text.
    /// Text and socket addresses agree for plain addresses; they differ where the socket
    /// says more than the text: a scoped IPv6 text ("fe80::1%eth0") is kept as a name,
    /// and an IPv4 peer of a dual-stack socket arrives as its IPv4-mapped IPv6 address.
    public init(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self = .v4(v4.s_addr)
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self = withUnsafeBytes(of: &v6) { b in
                .v6(b.loadUnaligned(fromByteOffset: 0, as: UInt64.self), b.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            }
            return
        }
        self = .named(text)
    }

    /// A literal address (tests write peers so).
    public init(stringLiteral text: String) { self.init(text) }

    /// The address's bytes on the wire (4 or 16), or a name's UTF-8: what a
    /// stateless cookie covers as the initiator's IP (RFC 7296 §2.6).
    public var bytes: [UInt8] {
        switch self {
        case .v4(var a): withUnsafeBytes(of: &a) { Array($0) }
        case .v6(var high, var low): withUnsafeBytes(of: &high) { Array($0) } + withUnsafeBytes(of: &low) { Array($0) }
        case .named(let text): Array(text.utf8)
        }
    }

    /// `inet_ntop`'s form ("192.0.2.1", "2001:db8::1"), or the name.
    public var description: String {
        switch self {
        case .v4(let a):
            var raw = in_addr(s_addr: a)
            return Self.text(AF_INET, &raw, Int(INET_ADDRSTRLEN))
        case .v6:
            var raw = in6_addr()
            let b = bytes
            withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: b) }
            return Self.text(AF_INET6, &raw, Int(INET6_ADDRSTRLEN))
        case .named(let text):
            return text
        }
    }

    private static func text(_ family: Int32, _ raw: UnsafeRawPointer, _ length: Int) -> String {
        var buffer = [CChar](repeating: 0, count: length)
        guard inet_ntop(family, raw, &buffer, socklen_t(length)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
