/// A Security Association payload body (RFC 2408 §3.4 with the IPSEC DOI of
/// RFC 2407 §4.6.1): DOI, situation, then Proposal payloads each holding
/// Transform payloads. Parsed iteratively with fixed bounds on every count.
public struct SecurityAssociation: Sendable, Equatable {
    /// IPSEC DOI (RFC 2407 §4.2).
    public static let doiIPSEC: UInt32 = 1
    /// SIT_IDENTITY_ONLY (RFC 2407 §4.2.1).
    public static let situationIdentityOnly: UInt32 = 1

    /// Bounds that keep a hostile SA from costing more than its bytes: no real
    /// Main Mode offer comes near them (racoon offers a handful of transforms).
    static let maxProposals = 16
    static let maxTransforms = 64
    static let maxAttributes = 32

    public var doi: UInt32
    public var situation: UInt32
    public var proposals: [Proposal]
    /// The body exactly as received: SAi_b enters HASH_I and HASH_R as the
    /// initiator sent it, not as we would re-encode it (RFC 2409 §5).
    public private(set) var receivedBody: [UInt8]?

    public init(doi: UInt32 = doiIPSEC, situation: UInt32 = situationIdentityOnly, proposals: [Proposal]) {
        self.doi = doi
        self.situation = situation
        self.proposals = proposals
    }

    public var encodedBody: [UInt8] { receivedBody ?? encode() }

    private func encode() -> [UInt8] {
        var w = ByteWriter(capacity: 64)
        w.u32(doi)
        w.u32(situation)
        for (i, p) in proposals.enumerated() {
            p.write(to: &w, last: i == proposals.count - 1)
        }
        return w.bytes
    }

    static func parse(_ body: ArraySlice<UInt8>) throws -> SecurityAssociation {
        var r = ByteReader(body, context: "SA payload")
        let doi = try r.u32("DOI")
        guard doi == doiIPSEC else {
            throw ISAKMPError(.doiNotSupported, "DOI \(doi) is not IPSEC (1)")
        }
        let situation = try r.u32("situation")
        guard situation == situationIdentityOnly else {
            throw ISAKMPError(.situationNotSupported, "situation 0x\(String(situation, radix: 16)) is not SIT_IDENTITY_ONLY")
        }
        var proposals: [Proposal] = []
        var next = PayloadType.proposal
        while next != .none {
            guard next == .proposal else {
                throw ISAKMPError(.badProposalSyntax, "SA payload holds a \(next) payload where a proposal was expected")
            }
            guard proposals.count < maxProposals else {
                throw ISAKMPError(.badProposalSyntax, "SA payload holds more than \(maxProposals) proposals")
            }
            let (nextType, body) = try GenericPayloadHeader.read(&r, what: "proposal")
            proposals.append(try Proposal.parse(body))
            next = nextType
        }
        guard r.isAtEnd else {
            throw r.malformed("\(r.remaining) bytes after the last proposal")
        }
        guard !proposals.isEmpty else {
            throw ISAKMPError(.badProposalSyntax, "SA payload holds no proposal")
        }
        var sa = SecurityAssociation(doi: doi, situation: situation, proposals: proposals)
        sa.receivedBody = Array(body)
        return sa
    }
}

/// A Proposal payload (RFC 2408 §3.5): for Phase I, PROTO_ISAKMP with no SPI.
public struct Proposal: Sendable, Equatable {
    /// PROTO_ISAKMP (RFC 2407 §4.4.1).
    public static let protocolISAKMP: UInt8 = 1

    public var number: UInt8
    public var protocolID: UInt8
    public var spi: [UInt8]
    public var transforms: [Transform]

    public init(number: UInt8 = 1, protocolID: UInt8 = protocolISAKMP, spi: [UInt8] = [], transforms: [Transform]) {
        self.number = number
        self.protocolID = protocolID
        self.spi = spi
        self.transforms = transforms
    }

    func write(to w: inout ByteWriter, last: Bool) {
        let start = w.bytes.count
        w.u8(last ? PayloadType.none.rawValue : PayloadType.proposal.rawValue)
        w.u8(0)
        w.u16(0)  // length, patched below
        w.u8(number)
        w.u8(protocolID)
        w.u8(UInt8(spi.count))
        w.u8(UInt8(transforms.count))
        w.append(spi)
        for (i, t) in transforms.enumerated() {
            t.write(to: &w, last: i == transforms.count - 1)
        }
        w.patchU16(at: start + 2, UInt16(w.bytes.count - start))
    }

    static func parse(_ body: ArraySlice<UInt8>) throws -> Proposal {
        var r = ByteReader(body, context: "proposal")
        let number = try r.u8("proposal number")
        let proto = try r.u8("protocol ID")
        guard proto == protocolISAKMP else {
            throw ISAKMPError(.invalidProtocolID, "proposal protocol \(proto) is not PROTO_ISAKMP (1)")
        }
        let spiSize = Int(try r.u8("SPI size"))
        let count = Int(try r.u8("number of transforms"))
        let spi = Array(try r.take(spiSize, "SPI"))
        guard count >= 1 else { throw ISAKMPError(.badProposalSyntax, "proposal \(number) has no transform") }
        guard count <= SecurityAssociation.maxTransforms else {
            throw ISAKMPError(.badProposalSyntax, "proposal \(number) declares \(count) transforms (at most \(SecurityAssociation.maxTransforms))")
        }
        var transforms: [Transform] = []
        transforms.reserveCapacity(count)  // at most maxTransforms, checked above
        var next = PayloadType.transform
        while next != .none {
            guard next == .transform else {
                throw ISAKMPError(.badProposalSyntax, "proposal \(number) holds a \(next) payload where a transform was expected")
            }
            guard transforms.count < count else {
                throw ISAKMPError(.badProposalSyntax, "proposal \(number) holds more transforms than the \(count) it declares")
            }
            let (nextType, body) = try GenericPayloadHeader.read(&r, what: "transform")
            transforms.append(try Transform.parse(body))
            next = nextType
        }
        guard transforms.count == count else {
            throw ISAKMPError(.badProposalSyntax, "proposal \(number) declares \(count) transforms but holds \(transforms.count)")
        }
        guard r.isAtEnd else { throw r.malformed("\(r.remaining) bytes after the last transform") }
        return Proposal(number: number, protocolID: proto, spi: spi, transforms: transforms)
    }
}

/// A Transform payload (RFC 2408 §3.6): KEY_IKE with its SA attributes.
public struct Transform: Sendable, Equatable {
    /// KEY_IKE (RFC 2407 §4.4.2).
    public static let keyIKE: UInt8 = 1

    public var number: UInt8
    public var transformID: UInt8
    public var attributes: [Attribute]

    public init(number: UInt8 = 1, transformID: UInt8 = keyIKE, attributes: [Attribute]) {
        self.number = number
        self.transformID = transformID
        self.attributes = attributes
    }

    /// The value of attribute `type`, if present.
    public func value(_ type: Attribute.Kind) -> UInt64? {
        attributes.first { $0.type == type.rawValue }?.integerValue
    }

    func write(to w: inout ByteWriter, last: Bool) {
        let start = w.bytes.count
        w.u8(last ? PayloadType.none.rawValue : PayloadType.transform.rawValue)
        w.u8(0)
        w.u16(0)
        w.u8(number)
        w.u8(transformID)
        w.u16(0)  // RESERVED2
        for a in attributes { a.write(to: &w) }
        w.patchU16(at: start + 2, UInt16(w.bytes.count - start))
    }

    static func parse(_ body: ArraySlice<UInt8>) throws -> Transform {
        var r = ByteReader(body, context: "transform")
        let number = try r.u8("transform number")
        let id = try r.u8("transform ID")
        guard id == keyIKE else {
            throw ISAKMPError(.invalidTransformID, "transform \(number) ID \(id) is not KEY_IKE (1)")
        }
        _ = try r.u16("RESERVED2")
        var attributes: [Attribute] = []
        // Each attribute takes at least 4 bytes: room for all of them at once.
        attributes.reserveCapacity(min(r.remaining / 4, SecurityAssociation.maxAttributes))
        while !r.isAtEnd {
            guard attributes.count < SecurityAssociation.maxAttributes else {
                throw ISAKMPError(.attributesNotSupported, "transform \(number) carries more than \(SecurityAssociation.maxAttributes) attributes")
            }
            attributes.append(try Attribute.read(&r))
        }
        return Transform(number: number, transformID: id, attributes: attributes)
    }
}

/// A data attribute (RFC 2408 §3.3): TV (AF = 1, a 16-bit value) or TLV.
public struct Attribute: Sendable, Equatable {
    /// Phase I attribute classes (RFC 2409 Appendix A).
    public enum Kind: UInt16, Sendable {
        case encryptionAlgorithm = 1
        case hashAlgorithm = 2
        case authenticationMethod = 3
        case groupDescription = 4
        case lifeType = 11
        case lifeDuration = 12
        case keyLength = 14
    }
    /// Longest variable attribute accepted: a life duration or key length
    /// needs a few bytes; anything longer is not an attribute we negotiate.
    static let maxValueBytes = 8

    public var type: UInt16
    public var value: [UInt8]

    public init(_ kind: Kind, _ value: UInt64) {
        self.type = kind.rawValue
        if value <= 0xFFFF {
            self.value = [UInt8(value >> 8), UInt8(value & 0xFF)]
        } else {
            // RFC 2408 §3.3: a value that does not fit 16 bits goes in TLV form.
            var v = value, b: [UInt8] = []
            while v > 0 { b.insert(UInt8(v & 0xFF), at: 0); v >>= 8 }
            self.value = b
        }
    }

    init(type: UInt16, value: [UInt8]) {
        self.type = type
        self.value = value
    }

    public var integerValue: UInt64 { value.reduce(0) { $0 << 8 | UInt64($1) } }

    func write(to w: inout ByteWriter) {
        if value.count == 2 {
            w.u16(0x8000 | type)
            w.append(value)
        } else {
            w.u16(type)
            w.u16(UInt16(value.count))
            w.append(value)
        }
    }

    static func read(_ r: inout ByteReader) throws -> Attribute {
        let raw = try r.u16("attribute type")
        let type = raw & 0x7FFF
        if raw & 0x8000 != 0 {
            return Attribute(type: type, value: Array(try r.take(2, "attribute value")))
        }
        let length = Int(try r.u16("attribute length"))
        guard length >= 1, length <= maxValueBytes else {
            throw ISAKMPError(.attributesNotSupported, "attribute \(type) has a \(length)-byte value (1...\(maxValueBytes) accepted)")
        }
        return Attribute(type: type, value: Array(try r.take(length, "attribute value")))
    }
}

/// The 4-byte generic payload header (RFC 2408 §3.2): next payload,
/// RESERVED (whose top bit we read as "critical", after RFC 7296 §3.2),
/// payload length including the header.
enum GenericPayloadHeader {
    static let size = 4
    static let criticalBit: UInt8 = 0x80

    /// Reads one header and the body it announces, checking the length against
    /// what remains. Returns the next payload type and the body.
    static func read(_ r: inout ByteReader, what: @autoclosure () -> String) throws -> (next: PayloadType, body: ArraySlice<UInt8>) {
        let (next, _, body) = try readWithFlags(&r, what: what())
        return (next, body)
    }

    static func readWithFlags(_ r: inout ByteReader, what: @autoclosure () -> String) throws -> (next: PayloadType, critical: Bool, body: ArraySlice<UInt8>) {
        let next = PayloadType(rawValue: try r.u8("\(what()) next payload"))
        let reserved = try r.u8("\(what()) RESERVED")
        let length = Int(try r.u16("\(what()) length"))
        guard length >= size else {
            throw r.malformed("\(what()) length \(length) is shorter than its 4-byte header")
        }
        guard length - size <= r.remaining else {
            throw r.malformed("\(what()) length \(length) runs past the \(r.remaining + size) bytes that remain")
        }
        let body = try r.take(length - size, "\(what()) body")
        return (next, reserved & criticalBit != 0, body)
    }

    static func write(_ w: inout ByteWriter, next: PayloadType, body: [UInt8], critical: Bool = false) {
        w.u8(next.rawValue)
        w.u8(critical ? criticalBit : 0)
        w.u16(UInt16(body.count + size))
        w.append(body)
    }
}
