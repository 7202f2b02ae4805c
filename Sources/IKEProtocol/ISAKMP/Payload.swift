import CryptoFramework

/// One top-level payload of a message, with its body (the bytes after the
/// 4-byte generic payload header — what RFC 2409 calls `<payload>_b`).
public enum Payload: Sendable, Equatable {
    case securityAssociation(SecurityAssociation)
    case keyExchange([UInt8])
    case nonce([UInt8])
    case identification(Identification)
    case signature([UInt8])
    case hash([UInt8])
    case certificate(encoding: UInt8, data: [UInt8])
    /// A payload the responder does not act on but accepts (VID, CR, N, or an
    /// unknown type without the critical bit is skipped before this).
    case other(PayloadType, body: [UInt8])

    public var type: PayloadType {
        switch self {
        case .securityAssociation: .securityAssociation
        case .keyExchange: .keyExchange
        case .nonce: .nonce
        case .identification: .identification
        case .signature: .signature
        case .hash: .hash
        case .certificate: .certificate
        case .other(let t, _): t
        }
    }

    /// The body as sent (for SAi_b and IDii_b).
    public var body: [UInt8] {
        switch self {
        case .securityAssociation(let sa): sa.encodedBody
        case .keyExchange(let b), .nonce(let b), .signature(let b), .hash(let b): b
        case .identification(let id): id.encodedBody
        case .certificate(let encoding, let data): [encoding] + data
        case .other(_, let b): b
        }
    }
}

/// An Identification payload body (RFC 2407 §4.6.2): type, protocol, port, data.
public struct Identification: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        case ipv4Address = 1
        case fqdn = 2
        case userFQDN = 3
        case ipv6Address = 5
        case derASN1DN = 9
        case keyID = 11
    }
    public var kind: Kind
    public var protocolID: UInt8
    public var port: UInt16
    public var data: [UInt8]

    public init(kind: Kind, protocolID: UInt8 = 17, port: UInt16 = 500, data: [UInt8]) {
        self.kind = kind
        self.protocolID = protocolID
        self.port = port
        self.data = data
    }

    public static func ipv4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> Identification {
        Identification(kind: .ipv4Address, data: [a, b, c, d])
    }
    public static func fqdn(_ name: String) -> Identification {
        Identification(kind: .fqdn, data: Array(name.utf8))
    }

    public var encodedBody: [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(encodedCount)
        body.append(kind.rawValue)
        body.append(protocolID)
        body.append(UInt8(port >> 8))
        body.append(UInt8(port & 0xFF))
        body.append(contentsOf: data)
        return body
    }

    /// The length of ``encodedBody``: type, protocol ID, port and data.
    var encodedCount: Int { 4 + data.count }

    /// ``encodedBody`` written into a secret's buffer (a PRF input), with no array of its own.
    func write(into w: inout SecureBytes.Writer) throws {
        try w.append(kind.rawValue)
        try w.append(protocolID)
        try w.append(UInt8(port >> 8))
        try w.append(UInt8(port & 0xFF))
        try w.append(data)
    }

    static func parse(_ body: ArraySlice<UInt8>) throws -> Identification {
        var r = ByteReader(body, context: "ID payload")
        let rawKind = try r.u8("ID type")
        guard let kind = Kind(rawValue: rawKind) else {
            throw ISAKMPError(.invalidIDInformation, "ID type \(rawKind) is not supported")
        }
        let proto = try r.u8("protocol ID")
        let port = try r.u16("port")
        let data = Array(r.rest())
        switch kind {
        case .ipv4Address where data.count != 4:
            throw ISAKMPError(.invalidIDInformation, "ID_IPV4_ADDR carries \(data.count) bytes, expected 4")
        case .ipv6Address where data.count != 16:
            throw ISAKMPError(.invalidIDInformation, "ID_IPV6_ADDR carries \(data.count) bytes, expected 16")
        case .fqdn where data.isEmpty:
            throw ISAKMPError(.invalidIDInformation, "ID_FQDN is empty")
        default: break
        }
        return Identification(kind: kind, protocolID: proto, port: port, data: data)
    }
}
