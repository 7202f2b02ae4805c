/// IKEv2 exchange types (RFC 7296 §3.1).
public enum IKEv2ExchangeType: UInt8, Sendable {
    case ikeSAInit = 34
    case ikeAuth = 35
    case createChildSA = 36
    case informational = 37
}

/// The IKE header (RFC 7296 §3.1): SPIs, next payload, version 2.0, exchange
/// type, flags (I, V, R), message ID and the length of the whole message.
public struct IKEv2Header: Sendable, Equatable {
    public struct Flags: OptionSet, Sendable, Equatable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Sent by the original initiator of the IKE SA.
        public static let initiator = Flags(rawValue: 0x08)
        /// The sender could speak a higher major version.
        public static let version = Flags(rawValue: 0x10)
        /// A response.
        public static let response = Flags(rawValue: 0x20)
    }

    public static let size = 28
    /// Major 2, minor 0.
    public static let version: UInt8 = 0x20

    public var initiatorSPI: [UInt8]
    public var responderSPI: [UInt8]
    public var nextPayload: UInt8
    public var exchangeType: UInt8
    public var flags: Flags
    public var messageID: UInt32
    public var length: UInt32

    public init(initiatorSPI: [UInt8], responderSPI: [UInt8], nextPayload: UInt8 = 0, exchange: IKEv2ExchangeType,
                flags: Flags, messageID: UInt32, length: UInt32 = 0) {
        self.initiatorSPI = initiatorSPI
        self.responderSPI = responderSPI
        self.nextPayload = nextPayload
        self.exchangeType = exchange.rawValue
        self.flags = flags
        self.messageID = messageID
        self.length = length
    }

    public var exchange: IKEv2ExchangeType? { IKEv2ExchangeType(rawValue: exchangeType) }
    public var isResponse: Bool { flags.contains(.response) }

    /// The major version of any ISAKMP/IKE header (byte 17's high nibble): 1 or 2
    /// for the messages we serve, nil for a datagram too short to be one.
    public static func majorVersion(of bytes: some Collection<UInt8>) -> UInt8? {
        guard bytes.count >= size else { return nil }
        return bytes[bytes.index(bytes.startIndex, offsetBy: 17)] >> 4
    }

    /// Reads the header of `bytes` and checks its version and length against the datagram.
    public static func parse(_ bytes: ArraySlice<UInt8>) throws -> IKEv2Header {
        try parse(bytes) { Array($0) }
    }

    /// ``parse(_:)``, with each SPI taken from `a`, `b` or eight zero bytes when
    /// equal to one of them (a responder's own SPIs: the header then copies
    /// nothing), else copied.
    static func parse(_ bytes: ArraySlice<UInt8>, reusing a: [UInt8], _ b: [UInt8]) throws -> IKEv2Header {
        try parse(bytes) { spi in
            if a.elementsEqual(spi) { return a }
            if b.elementsEqual(spi) { return b }
            if spi.allSatisfy({ $0 == 0 }) { return zeroSPI }
            return Array(spi)
        }
    }

    /// Eight zero bytes: the responder SPI of an IKE_SA_INIT request.
    static let zeroSPI = [UInt8](repeating: 0, count: 8)

    private static func parse(_ bytes: ArraySlice<UInt8>, spi: (ArraySlice<UInt8>) -> [UInt8]) throws -> IKEv2Header {
        var r = ByteReader.ikev2(bytes, context: "IKE header")
        let spiI = spi(try r.take(8, "initiator SPI"))
        let spiR = spi(try r.take(8, "responder SPI"))
        let next = try r.u8("next payload")
        let version = try r.u8("version")
        guard version >> 4 == 2 else {
            throw IKEv2Error(.invalidMajorVersion, "IKE header of major version \(version >> 4); this is IKEv2 (2)")
        }
        let exchange = try r.u8("exchange type")
        let flags = Flags(rawValue: try r.u8("flags"))
        let id = try r.u32("message ID")
        let length = try r.u32("length")
        guard Int(length) == bytes.count else {
            throw IKEv2Error.syntax("IKE header says \(length) bytes but the datagram has \(bytes.count)")
        }
        var h = IKEv2Header(initiatorSPI: spiI, responderSPI: spiR, nextPayload: next, exchange: .ikeSAInit,
                            flags: flags, messageID: id, length: length)
        h.exchangeType = exchange
        return h
    }

    public func encoded(length: Int) -> [UInt8] {
        var w = ByteWriter(capacity: Self.size)
        encode(into: &w, length: length)
        return w.bytes
    }

    func encode(into w: inout ByteWriter, length: Int) {
        w.append(initiatorSPI)
        w.append(responderSPI)
        w.u8(nextPayload)
        w.u8(Self.version)
        w.u8(exchangeType)
        w.u8(flags.rawValue)
        w.u32(messageID)
        w.u32(UInt32(length))
    }
}

/// A whole IKEv2 message: header and its payloads. The SK (or SKF) payload,
/// when present, is last and holds the protected payloads as ciphertext
/// (``IKEv2Protection`` opens and seals it).
public struct IKEv2Message: Sendable, Equatable {
    public var header: IKEv2Header
    public var payloads: [IKEv2Payload]

    public init(header: IKEv2Header, payloads: [IKEv2Payload]) {
        self.header = header
        self.payloads = payloads
    }

    /// At most this many payloads in one message (a chain of empty payloads
    /// must not cost a peer more than the datagram did to send).
    public static let maxPayloads = 64

    public static func parse(_ bytes: [UInt8]) throws -> IKEv2Message {
        try parse(bytes, header: try IKEv2Header.parse(bytes[...]))
    }

    /// The message whose header `header` was already read from `bytes` by ``IKEv2Header/parse(_:)``
    /// (the responder reads it first to route the message): its payloads.
    static func parse(_ bytes: [UInt8], header: IKEv2Header) throws -> IKEv2Message {
        let payloads = try IKEv2PayloadChain.parse(first: header.nextPayload, bytes[IKEv2Header.size...], context: "message")
        return IKEv2Message(header: header, payloads: payloads)
    }

    public func encoded() -> [UInt8] {
        let length = IKEv2Header.size + IKEv2PayloadChain.encodedCount(payloads)
        var h = header
        h.nextPayload = payloads.first?.type.rawValue ?? 0
        var w = ByteWriter(capacity: length)
        h.encode(into: &w, length: length)
        IKEv2PayloadChain.encode(payloads, into: &w)
        return w.bytes
    }

    public func first(_ type: IKEv2PayloadType) -> IKEv2Payload? { payloads.first { $0.type == type } }

    /// Each Notify payload, in order, without collecting them into an array.
    func forEachNotify(_ body: (IKEv2Notify) throws -> Void) rethrows {
        for case .notify(let n) in payloads { try body(n) }
    }

    public var notifications: [IKEv2Notify] {
        payloads.compactMap { if case .notify(let n) = $0 { return n } else { return nil } }
    }
}

/// The SK or SKF payload of a received message, its body a slice of the
/// message: `body` is IV ‖ ciphertext ‖ ICV (after SKF's Fragment Number and
/// Total Fragments, which `fragment` holds).
struct IKEv2ProtectedPayload {
    var firstInner: UInt8
    var fragment: (number: UInt16, total: UInt16)?
    var body: ArraySlice<UInt8>
}

/// Encoding and decoding of a chain of generic payloads (RFC 7296 §3.2).
public enum IKEv2PayloadChain {
    public static func parse(first: UInt8, _ bytes: ArraySlice<UInt8>, context: String) throws -> [IKEv2Payload] {
        var payloads: [IKEv2Payload] = []
        payloads.reserveCapacity(8)
        try walk(first: first, bytes, context: context) { type, critical, next, body in
            switch try IKEv2Payload.parse(type: type, critical: critical, body: body) {
            // SK and SKF end the chain; their Next Payload names the first inner one (§3.14).
            case .encrypted(_, let b): payloads.append(.encrypted(firstInner: next, body: b))
            case .fragment(let n, let t, _, let b): payloads.append(.fragment(number: n, total: t, firstInner: next, body: b))
            case let payload: payloads.append(payload)
            }
        }
        return payloads
    }

    /// The generic payload headers of a chain (RFC 7296 §3.2), each checked:
    /// at most ``IKEv2Message/maxPayloads``, lengths of at least 4 within the
    /// bytes, SK or SKF last (§3.14), nothing after the last payload. `visit`
    /// gets each payload's type, critical bit, Next Payload field and body (a
    /// slice of `bytes`, no copy), in order.
    static func walk(first: UInt8, _ bytes: ArraySlice<UInt8>, context: String,
                     _ visit: (_ type: UInt8, _ critical: Bool, _ next: UInt8, _ body: ArraySlice<UInt8>) throws -> Void) throws {
        var r = ByteReader.ikev2(bytes, contextText: context)
        var next = first
        var count = 0
        while next != 0 {
            guard count < IKEv2Message.maxPayloads else {
                throw IKEv2Error.syntax("\(context): more than \(IKEv2Message.maxPayloads) payloads")
            }
            let type = next
            next = try r.u8("next payload")
            let flags = try r.u8("payload flags")
            let length = Int(try r.u16("payload length"))
            guard length >= 4 else { throw IKEv2Error.syntax("\(context): payload \(type) of length \(length) (< 4)") }
            let body = try r.take(length - 4, "payload \(type) body")
            try visit(type, flags & 0x80 != 0, next, body)
            count += 1
            switch type {
            case IKEv2PayloadType.encrypted.rawValue:
                guard r.isAtEnd else { throw IKEv2Error.syntax("\(context): bytes after the SK payload") }
                return
            case IKEv2PayloadType.encryptedFragment.rawValue:
                guard r.isAtEnd else { throw IKEv2Error.syntax("\(context): bytes after the SKF payload") }
                return
            default:
                break
            }
        }
        guard r.isAtEnd else { throw IKEv2Error.syntax("\(context): \(r.remaining) bytes after the last payload") }
    }

    /// The SK or SKF payload that ends a protected message, read in place:
    /// the chain is walked and every payload before it parsed (and dropped),
    /// with the checks of ``parse(first:_:context:)``, but neither a payload
    /// array nor a copy of the ciphertext is made. Nil when the chain has no
    /// SK or SKF payload.
    static func protectedPayload(first: UInt8, _ bytes: ArraySlice<UInt8>, context: String) throws -> IKEv2ProtectedPayload? {
        var found: IKEv2ProtectedPayload?
        try walk(first: first, bytes, context: context) { type, critical, next, body in
            switch type {
            case IKEv2PayloadType.encrypted.rawValue:
                found = IKEv2ProtectedPayload(firstInner: next, fragment: nil, body: body)
            case IKEv2PayloadType.encryptedFragment.rawValue:
                let (number, total, rest) = try IKEv2Payload.fragmentFields(body)
                found = IKEv2ProtectedPayload(firstInner: next, fragment: (number, total), body: rest)
            default:
                _ = try IKEv2Payload.parse(type: type, critical: critical, body: body)
            }
        }
        return found
    }

    public static func encode(_ payloads: [IKEv2Payload]) -> [UInt8] {
        encode(payloads, reserving: 0)
    }

    /// The chain's bytes in an array with room for `extra` more (the SK
    /// payload's padding is appended in place).
    static func encode(_ payloads: [IKEv2Payload], reserving extra: Int) -> [UInt8] {
        var w = ByteWriter(capacity: encodedCount(payloads) + extra)
        encode(payloads, into: &w)
        return w.bytes
    }

    /// The length of ``encode(_:)``'s result.
    static func encodedCount(_ payloads: [IKEv2Payload]) -> Int {
        payloads.reduce(0) { $0 + 4 + $1.bodyCount }
    }

    /// Appends each payload's generic header and body to `w`, with no array per body.
    static func encode(_ payloads: [IKEv2Payload], into w: inout ByteWriter) {
        for (i, p) in payloads.enumerated() {
            let next: UInt8
            switch p {
            case .encrypted(let inner, _), .fragment(_, _, let inner, _): next = inner
            default: next = i + 1 < payloads.count ? payloads[i + 1].type.rawValue : 0
            }
            w.u8(next)
            w.u8(p.isCritical ? 0x80 : 0)
            w.u16(UInt16(4 + p.bodyCount))
            p.encodeBody(into: &w)
        }
    }
}
