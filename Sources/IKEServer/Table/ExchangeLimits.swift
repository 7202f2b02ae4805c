/// Bounds on the exchanges a responder keeps for its peers: every table a
/// peer can grow is capped and expires (a flood of message 1s, spoofed or
/// not, costs at most `maxExchanges` entries of at most `maxMessageBytes` × 2).
/// Every bound counts IKEv1 and IKEv2 exchanges together (one table,
/// ExchangeTable.swift). When the table is full, the established SA idle the
/// longest, of either version, is evicted; half-open exchanges never are.
public struct ExchangeLimits: Sendable {
    /// Exchanges kept at once, half-open and established together.
    public var maxExchanges: Int
    /// Half-open exchanges (Main Mode not finished, IKE_AUTH not verified) from one IP address, all ports together.
    public var maxHalfOpenPerPeer: Int
    /// A half-open exchange with no progress for this long is dropped. charon
    /// gives up after ~165 s of retransmissions; a real peer moves much faster.
    public var halfOpenSeconds: Double
    /// An established SA nobody deletes is forgotten this long after it opened (the Phase I / IKE SA lifetime).
    public var establishedSeconds: Double
    /// Largest datagram accepted (a Main Mode message with a certificate
    /// chain is a few KB); each exchange stores one request and one reply.
    public var maxMessageBytes: Int

    public init(maxExchanges: Int = 1024, maxHalfOpenPerPeer: Int = 64, halfOpenSeconds: Double = 30,
                establishedSeconds: Double = 28_800, maxMessageBytes: Int = 16_384) {
        self.maxExchanges = max(1, maxExchanges)
        self.maxHalfOpenPerPeer = max(1, maxHalfOpenPerPeer)
        self.halfOpenSeconds = halfOpenSeconds
        self.establishedSeconds = establishedSeconds
        self.maxMessageBytes = maxMessageBytes
    }
}
