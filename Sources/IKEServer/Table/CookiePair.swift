/// The cookies that name an exchange (RFC 2408 §2.5.3), as two integers.
struct CookiePair: Hashable, Sendable {
    let initiator: UInt64
    let responder: UInt64

    init(_ initiator: some Collection<UInt8>, _ responder: some Collection<UInt8>) {
        self.initiator = Self.integer(initiator)
        self.responder = Self.integer(responder)
    }

    /// A cookie's or SPI's bytes as the integer the table keys by (big-endian).
    static func integer(_ bytes: some Collection<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    init(initiator: UInt64, responder: UInt64) {
        self.initiator = initiator
        self.responder = responder
    }
}
