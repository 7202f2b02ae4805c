/// An SA payload (RFC 7296 §3.3): proposals, each with its protocol, SPI and transforms.
public struct IKEv2SA: Sendable, Equatable {
    public var proposals: [IKEv2Proposal]

    public init(proposals: [IKEv2Proposal]) { self.proposals = proposals }

    /// Bounds on what one SA payload may hold (a peer's offer is walked in full).
    public static let maxProposals = 32
    public static let maxTransforms = 64

    static func parse(_ body: ArraySlice<UInt8>) throws -> IKEv2SA {
        var r = ByteReader.ikev2(body, context: "SA payload")
        let proposals = try substructures(&r, type: 2, name: "proposal", limit: maxProposals, within: "SA payload", reserving: 4,
                                          parse: IKEv2Proposal.parse)
        guard r.isAtEnd else { throw IKEv2Error.syntax("SA payload: \(r.remaining) bytes after the last proposal") }
        guard !proposals.isEmpty else { throw IKEv2Error.syntax("SA payload without proposals") }
        return IKEv2SA(proposals: proposals)
    }

    /// The chain of proposal (type 2) or transform (type 3) substructures at
    /// `r` (RFC 7296 §3.3.1, §3.3.2): each a "last" byte (0, or `type` when
    /// another follows), a reserved byte, its length (≥ 8) and its body;
    /// at most `limit` of them within the enclosing `within`.
    static func substructures<T>(
        _ r: inout ByteReader, type: UInt8, name: String, limit: Int, within: String, reserving expected: Int,
        parse: (ArraySlice<UInt8>) throws -> T
    ) throws -> [T] {
        var items: [T] = []
        items.reserveCapacity(min(expected, limit))  // a hint: the chain itself decides how many there are
        var last = type
        while last == type {
            guard items.count < limit else { throw IKEv2Error.syntax("\(within) with more than \(limit) \(name)s") }
            last = try r.u8("last substruc")
            guard last == 0 || last == type else { throw IKEv2Error.syntax("\(name) substructure type \(last) (0 or \(type))") }
            _ = try r.u8("reserved")
            let length = Int(try r.u16("\(name) length"))
            guard length >= 8 else { throw IKEv2Error.syntax("\(name) of length \(length) (< 8)") }
            items.append(try parse(try r.take(length - 4, "\(name) body")))
        }
        return items
    }

    /// An offer's proposals are numbered 1, 2, … (RFC 7296 §3.3.1); a response carries the one it took, with its number.
    func checkOfferNumbering() throws {
        for (i, p) in proposals.enumerated() where Int(p.number) != i + 1 {
            throw IKEv2Error.syntax("proposal \(i + 1) is numbered \(p.number) (RFC 7296 §3.3.1: 1, 2, …)")
        }
    }

    var encoded: [UInt8] {
        var w = ByteWriter(capacity: encodedCount)
        encode(into: &w)
        return w.bytes
    }

    /// The length of ``encoded``.
    var encodedCount: Int { proposals.reduce(0) { $0 + 4 + $1.encodedBodyCount } }

    func encode(into w: inout ByteWriter) {
        for (i, p) in proposals.enumerated() {
            w.u8(i + 1 < proposals.count ? 2 : 0)
            w.u8(0)
            w.u16(UInt16(4 + p.encodedBodyCount))
            p.encodeBody(into: &w)
        }
    }
}

/// One proposal: a protocol (IKE, AH, ESP), its SPI, and the transforms it allows.
public struct IKEv2Proposal: Sendable, Equatable {
    public static let protocolIKE: UInt8 = 1
    public static let protocolAH: UInt8 = 2
    public static let protocolESP: UInt8 = 3

    public var number: UInt8
    public var protocolID: UInt8
    public var spi: [UInt8]
    public var transforms: [IKEv2Transform]

    public init(number: UInt8 = 1, protocolID: UInt8, spi: [UInt8] = [], transforms: [IKEv2Transform]) {
        self.number = number
        self.protocolID = protocolID
        self.spi = spi
        self.transforms = transforms
    }

    static func parse(_ body: ArraySlice<UInt8>) throws -> IKEv2Proposal {
        var r = ByteReader.ikev2(body, context: "proposal")
        let number = try r.u8("proposal number")
        let proto = try r.u8("protocol ID")
        let spiSize = Int(try r.u8("SPI size"))
        let count = Int(try r.u8("number of transforms"))
        let spi = Array(try r.take(spiSize, "SPI"))
        let transforms = try IKEv2SA.substructures(&r, type: 3, name: "transform", limit: IKEv2SA.maxTransforms,
                                                   within: "proposal", reserving: count, parse: IKEv2Transform.parse)
        guard r.isAtEnd else { throw IKEv2Error.syntax("proposal \(number): \(r.remaining) bytes after the last transform") }
        guard transforms.count == count else {
            throw IKEv2Error.syntax("proposal \(number) says \(count) transforms and holds \(transforms.count)")
        }
        return IKEv2Proposal(number: number, protocolID: proto, spi: spi, transforms: transforms)
    }

    var encodedBody: [UInt8] {
        var w = ByteWriter(capacity: encodedBodyCount)
        encodeBody(into: &w)
        return w.bytes
    }

    var encodedBodyCount: Int { transforms.reduce(4 + spi.count) { $0 + 4 + $1.encodedBodyCount } }

    func encodeBody(into w: inout ByteWriter) {
        w.u8(number)
        w.u8(protocolID)
        w.u8(UInt8(spi.count))
        w.u8(UInt8(transforms.count))
        w.append(spi)
        for (i, t) in transforms.enumerated() {
            w.u8(i + 1 < transforms.count ? 3 : 0)
            w.u8(0)
            w.u16(UInt16(4 + t.encodedBodyCount))
            t.encodeBody(into: &w)
        }
    }

    /// The transforms of one type, in the peer's order.
    public func transforms(_ type: IKEv2TransformType) -> [IKEv2Transform] { transforms.filter { $0.type == type.rawValue } }
}

/// Transform types (RFC 7296 §3.3.2).
public enum IKEv2TransformType: UInt8, Sendable, CaseIterable {
    case encryption = 1
    case prf = 2
    case integrity = 3
    case keyExchange = 4
    case extendedSequenceNumbers = 5
}

/// One transform: its type, ID and attributes (only Key Length, type 14, is defined).
public struct IKEv2Transform: Sendable, Equatable, Hashable {
    public var type: UInt8
    public var id: UInt16
    /// Key Length attribute (TV, type 14) in bits, when present.
    public var keyLength: UInt16?
    /// True when an attribute other than Key Length was present: §3.3.6 says
    /// such a transform is not understood, so it is never chosen.
    public var hasUnknownAttributes: Bool

    public init(_ type: IKEv2TransformType, _ id: UInt16, keyLength: UInt16? = nil) {
        self.type = type.rawValue
        self.id = id
        self.keyLength = keyLength
        self.hasUnknownAttributes = false
    }

    static let keyLengthAttribute: UInt16 = 14

    static func parse(_ body: ArraySlice<UInt8>) throws -> IKEv2Transform {
        var r = ByteReader.ikev2(body, context: "transform")
        let type = try r.u8("transform type")
        _ = try r.u8("reserved")
        let id = try r.u16("transform ID")
        var t = IKEv2Transform(.encryption, id)
        t.type = type
        while !r.isAtEnd {
            let format = try r.u16("attribute type")
            if format & 0x8000 != 0 {
                let value = try r.u16("attribute value")
                if format & 0x7FFF == keyLengthAttribute, t.keyLength == nil { t.keyLength = value } else { t.hasUnknownAttributes = true }
            } else {
                let length = Int(try r.u16("attribute length"))
                _ = try r.take(length, "attribute value")
                t.hasUnknownAttributes = true
            }
        }
        return t
    }

    var encodedBody: [UInt8] {
        var w = ByteWriter(capacity: encodedBodyCount)
        encodeBody(into: &w)
        return w.bytes
    }

    var encodedBodyCount: Int { keyLength == nil ? 4 : 8 }

    func encodeBody(into w: inout ByteWriter) {
        w.u8(type)
        w.u8(0)
        w.u16(id)
        if let keyLength {
            w.u16(0x8000 | Self.keyLengthAttribute)
            w.u16(keyLength)
        }
    }
}
