/// An ISAKMP message: the header and its chain of payloads (RFC 2408 §3).
/// When the header's E flag is set the chain travels encrypted; the parser
/// then stops at the header and the body is decrypted by the exchange
/// (``MainModeCipher``) before ``parsePayloads(first:_:trailingAllowed:)``.
public struct ISAKMPMessage: Sendable, Equatable {
    /// Largest message accepted: what fits in one UDP datagram.
    public static let maxSize = 65_535
    /// Most top-level payloads in one message: Main Mode sends at most four.
    static let maxPayloads = 32

    public var header: ISAKMPHeader
    public var payloads: [Payload]

    public init(header: ISAKMPHeader, payloads: [Payload]) {
        self.header = header
        self.payloads = payloads
    }

    /// The first payload of `type`, if any.
    public func first(_ type: PayloadType) -> Payload? {
        payloads.first { $0.type == type }
    }

    /// The payload chain without the header.
    public static func encodePayloads(_ payloads: [Payload]) -> [UInt8] {
        var w = ByteWriter(capacity: 512)
        for (i, p) in payloads.enumerated() {
            let next = i + 1 < payloads.count ? payloads[i + 1].type : .none
            GenericPayloadHeader.write(&w, next: next, body: p.body)
        }
        return w.bytes
    }

    /// Header and `body` (plain or already encrypted) as one message, with the
    /// header's length and next-payload fields filled in.
    public static func assemble(header: ISAKMPHeader, firstPayload: PayloadType, body: [UInt8]) -> [UInt8] {
        var h = header
        h.nextPayload = firstPayload
        h.length = UInt32(ISAKMPHeader.size + body.count)
        var w = ByteWriter(capacity: ISAKMPHeader.size + body.count)
        h.write(to: &w)
        w.append(body)
        return w.bytes
    }

    /// The message in plain form (E flag clear).
    public func encoded() -> [UInt8] {
        Self.assemble(header: header, firstPayload: payloads.first?.type ?? .none, body: Self.encodePayloads(payloads))
    }

    /// Reads the header of `bytes` and returns it with the body that follows.
    /// `knownCookies`: an exchange's own cookies, which the header then shares rather than copies.
    public static func parseHeader(_ bytes: [UInt8], knownCookies: (initiator: [UInt8], responder: [UInt8]) = ([], [])) throws
        -> (header: ISAKMPHeader, body: ArraySlice<UInt8>)
    {
        guard bytes.count <= maxSize else {
            throw ISAKMPError(.payloadMalformed, "message of \(bytes.count) bytes exceeds \(maxSize)")
        }
        var r = ByteReader(bytes[...], context: "ISAKMP header")
        let header = try ISAKMPHeader.read(&r, messageSize: bytes.count, knownInitiator: knownCookies.initiator,
                                           knownResponder: knownCookies.responder)
        return (header, r.rest())
    }

    /// Parses a plain message (E flag clear).
    public static func parse(_ bytes: [UInt8], knownCookies: (initiator: [UInt8], responder: [UInt8]) = ([], [])) throws -> ISAKMPMessage {
        let (header, body) = try parseHeader(bytes, knownCookies: knownCookies)
        guard !header.flags.contains(.encryption) else {
            throw ISAKMPError(.invalidFlags, "message is encrypted; decrypt its body first")
        }
        return ISAKMPMessage(header: header, payloads: try parsePayloads(first: header.nextPayload, body))
    }

    /// Parses a payload chain starting with type `first`. Each length is checked
    /// against what remains; an unknown type with the critical bit is refused
    /// (RFC 2408 §3.2 and §5.1), one without it is skipped. After the last
    /// payload at most `trailingAllowed` bytes may follow (CBC padding).
    public static func parsePayloads(first: PayloadType, _ body: ArraySlice<UInt8>, trailingAllowed: Int = 0) throws -> [Payload] {
        var r = ByteReader(body, context: "payload chain")
        var payloads: [Payload] = []
        payloads.reserveCapacity(8)
        var type = first
        var seen = 0
        while type != .none {
            seen += 1
            guard seen <= maxPayloads else {
                throw ISAKMPError(.payloadMalformed, "message chains more than \(maxPayloads) payloads")
            }
            let (next, critical, body) = try GenericPayloadHeader.readWithFlags(&r, what: "\(type) payload")
            if PayloadType.topLevel.contains(type) {
                payloads.append(try decode(type, body))
            } else if critical || type == .proposal || type == .transform {
                throw ISAKMPError(.invalidPayloadType, "\(type) payload (\(critical ? "critical" : "not allowed at top level")) is not supported")
            }
            // else: an unknown, non-critical payload is skipped.
            type = next
        }
        guard r.remaining <= trailingAllowed else {
            throw ISAKMPError(.payloadMalformed, "\(r.remaining) bytes follow the last payload (at most \(trailingAllowed) allowed)")
        }
        return payloads
    }

    private static func decode(_ type: PayloadType, _ body: ArraySlice<UInt8>) throws -> Payload {
        switch type {
        case .securityAssociation: return .securityAssociation(try SecurityAssociation.parse(body))
        case .keyExchange:
            guard !body.isEmpty else { throw ISAKMPError(.invalidKeyInformation, "KE payload is empty") }
            return .keyExchange(Array(body))
        case .nonce:
            // RFC 2409 §5: nonces of 8 to 256 bytes.
            guard (8...256).contains(body.count) else {
                throw ISAKMPError(.payloadMalformed, "nonce of \(body.count) bytes is outside 8...256 (RFC 2409 §5)")
            }
            return .nonce(Array(body))
        case .identification: return .identification(try Identification.parse(body))
        case .signature:
            guard !body.isEmpty else { throw ISAKMPError(.invalidSignature, "SIG payload is empty") }
            return .signature(Array(body))
        case .hash: return .hash(Array(body))
        case .certificate:
            guard let encoding = body.first else { throw ISAKMPError(.invalidCertEncoding, "CERT payload is empty") }
            return .certificate(encoding: encoding, data: Array(body.dropFirst()))
        default: return .other(type, body: Array(body))
        }
    }
}
