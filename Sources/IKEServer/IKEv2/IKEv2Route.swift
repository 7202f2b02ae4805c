import IKEProtocol

/// What the service reads of an IKEv2 header to place a datagram in the
/// table: its SPIs as the table's integers, the exchange type, the flags and
/// the message ID. It checks what ``IKEv2Header/parse(_:)`` checks — at
/// least a header's 28 bytes, major version 2, a length field equal to the
/// datagram's length — so it refuses exactly the datagrams that parse
/// refuses, without the arrays and the error context parse makes for each
/// datagram (the responder parses the whole message in its turn).
struct IKEv2Route {
    let spis: CookiePair
    let exchangeType: UInt8
    let flags: IKEv2Header.Flags
    let messageID: UInt32

    init?(_ m: [UInt8]) {
        guard m.count >= IKEv2Header.size, m[17] >> 4 == 2,
              Int(HeaderBytes.u32(m, 24)) == m.count else { return nil }
        spis = CookiePair(initiator: HeaderBytes.u64(m, 0), responder: HeaderBytes.u64(m, 8))
        exchangeType = m[18]
        flags = IKEv2Header.Flags(rawValue: m[19])
        messageID = HeaderBytes.u32(m, 20)
    }

    var exchange: IKEv2ExchangeType? { IKEv2ExchangeType(rawValue: exchangeType) }
    var isResponse: Bool { flags.contains(.response) }
    /// A zero responder SPI: an IKE_SA_INIT, new or retransmitted.
    var opening: Bool { spis.responder == 0 }
    /// The initiator's SPI as a trace line shows it, as `ikebench load`
    /// reports a failed setup's SPIi (``HeaderBytes/hex(_:)``).
    var initiatorSPIText: String { HeaderBytes.hex(spis.initiator) }
}
