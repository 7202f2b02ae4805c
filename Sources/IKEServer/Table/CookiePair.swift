/// The cookies that name an exchange (RFC 2408 §2.5.3), as two integers.
struct CookiePair: Hashable, Sendable {
    let initiator: UInt64
    let responder: UInt64

    init(_ initiator: some Collection<UInt8>, _ responder: some Collection<UInt8>) {
        self.initiator = initiator.reduce(0) { $0 << 8 | UInt64($1) }
        self.responder = responder.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
