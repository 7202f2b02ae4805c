/// The ISAKMP fixed header (RFC 2408 §3.1): 28 bytes in front of every message.
public struct ISAKMPHeader: Sendable, Equatable {
    public static let size = 28
    /// Version 1.0: major 1 in the high nibble, minor 0 (RFC 2408 §3.1).
    public static let version: UInt8 = 0x10

    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// E: the payloads after the header are encrypted (RFC 2408 §3.1).
        public static let encryption = Flags(rawValue: 0x01)
        /// C: commit.
        public static let commit = Flags(rawValue: 0x02)
        /// A: authentication only.
        public static let authenticationOnly = Flags(rawValue: 0x04)
        static let defined: Flags = [.encryption, .commit, .authenticationOnly]
    }

    /// Exchange types (RFC 2408 §3.1, RFC 2409 §5).
    public enum ExchangeType: UInt8, Sendable {
        case base = 1
        /// Identity Protection — IKE's Main Mode.
        case identityProtection = 2
        case authenticationOnly = 3
        case aggressive = 4
        case informational = 5
        /// Quick Mode (RFC 2409 §5.5): parsed so that a responder can refuse it with a Notify.
        case quickMode = 32
    }

    public var initiatorCookie: [UInt8]
    public var responderCookie: [UInt8]
    public var nextPayload: PayloadType
    public var exchangeType: ExchangeType
    public var flags: Flags
    public var messageID: UInt32
    /// Total message length, header included.
    public var length: UInt32

    public init(initiatorCookie: [UInt8], responderCookie: [UInt8], nextPayload: PayloadType,
                exchangeType: ExchangeType = .identityProtection, flags: Flags = [], messageID: UInt32 = 0, length: UInt32 = 0) {
        self.initiatorCookie = initiatorCookie
        self.responderCookie = responderCookie
        self.nextPayload = nextPayload
        self.exchangeType = exchangeType
        self.flags = flags
        self.messageID = messageID
        self.length = length
    }

    /// Eight zero bytes: the responder cookie of message 1.
    static let zeroCookie = [UInt8](repeating: 0, count: 8)

    private static func cookie(_ bytes: ArraySlice<UInt8>, _ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        if a.elementsEqual(bytes) { return a }
        if b.elementsEqual(bytes) { return b }
        if bytes.allSatisfy({ $0 == 0 }) { return zeroCookie }
        return Array(bytes)
    }

    func write(to w: inout ByteWriter) {
        w.append(initiatorCookie)
        w.append(responderCookie)
        w.u8(nextPayload.rawValue)
        w.u8(Self.version)
        w.u8(exchangeType.rawValue)
        w.u8(flags.rawValue)
        w.u32(messageID)
        w.u32(length)
    }

    /// Reads and checks the header of `message`; the length field must equal the bytes received.
    /// A cookie equal to `knownInitiator` or `knownResponder` (an exchange's
    /// own, after message 1) is that array, and a zero cookie the shared
    /// ``zeroCookie``: the header then copies nothing.
    static func read(_ r: inout ByteReader, messageSize: Int, knownInitiator: [UInt8] = [], knownResponder: [UInt8] = []) throws -> ISAKMPHeader {
        guard messageSize >= size else {
            throw ISAKMPError(.payloadMalformed, "message of \(messageSize) bytes is shorter than the 28-byte ISAKMP header")
        }
        let icky = cookie(try r.take(8, "initiator cookie"), knownInitiator, knownResponder)
        let rcky = cookie(try r.take(8, "responder cookie"), knownInitiator, knownResponder)
        let next = PayloadType(rawValue: try r.u8("next payload"))
        let version = try r.u8("version")
        guard version >> 4 == 1 else {
            throw ISAKMPError(.invalidMajorVersion, "ISAKMP major version \(version >> 4), expected 1")
        }
        guard version & 0x0F == 0 else {
            throw ISAKMPError(.invalidMinorVersion, "ISAKMP minor version \(version & 0x0F), expected 0")
        }
        let rawExchange = try r.u8("exchange type")
        guard let exchange = ExchangeType(rawValue: rawExchange) else {
            throw ISAKMPError(.invalidExchangeType, "exchange type \(rawExchange) is not defined by RFC 2408")
        }
        let flags = Flags(rawValue: try r.u8("flags"))
        guard Flags.defined.isSuperset(of: flags) else {
            throw ISAKMPError(.invalidFlags, "flags 0x\(String(flags.rawValue, radix: 16)) set undefined bits")
        }
        let messageID = try r.u32("message ID")
        let length = try r.u32("length")
        guard length == messageSize else {
            throw ISAKMPError(.payloadMalformed, "header length \(length) does not match the \(messageSize) bytes received")
        }
        guard icky.contains(where: { $0 != 0 }) else {
            throw ISAKMPError(.invalidCookie, "initiator cookie is zero")
        }
        return ISAKMPHeader(initiatorCookie: icky, responderCookie: rcky, nextPayload: next,
                            exchangeType: exchange, flags: flags, messageID: messageID, length: length)
    }
}
