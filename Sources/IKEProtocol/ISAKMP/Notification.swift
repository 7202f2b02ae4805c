/// A Notification payload body (RFC 2408 §3.14): DOI, protocol, SPI size,
/// notify message type, SPI, notification data. Phase I uses PROTO_ISAKMP
/// and the two cookies as the SPI (RFC 2408 §2.4).
public struct Notification: Sendable, Equatable {
    /// INITIAL-CONTACT (RFC 2407 §4.6.3.3).
    public static let initialContact: UInt16 = 24578

    public var protocolID: UInt8
    public var type: UInt16
    public var spi: [UInt8]
    public var data: [UInt8]

    public init(protocolID: UInt8 = Proposal.protocolISAKMP, type: UInt16, spi: [UInt8], data: [UInt8] = []) {
        self.protocolID = protocolID
        self.type = type
        self.spi = spi
        self.data = data
    }

    public var encodedBody: [UInt8] {
        var w = ByteWriter(capacity: 12 + spi.count + data.count)
        w.u32(SecurityAssociation.doiIPSEC)
        w.u8(protocolID)
        w.u8(UInt8(spi.count))
        w.u16(type)
        w.append(spi)
        w.append(data)
        return w.bytes
    }

    public static func parse(_ body: [UInt8]) throws -> Notification {
        var r = ByteReader(body[...], context: "N payload")
        _ = try r.u32("DOI")
        let proto = try r.u8("protocol ID")
        let spiSize = Int(try r.u8("SPI size"))
        let type = try r.u16("notify message type")
        let spi = Array(try r.take(spiSize, "SPI"))
        return Notification(protocolID: proto, type: type, spi: spi, data: Array(r.rest()))
    }
}

/// A Delete payload body (RFC 2408 §3.15): DOI, protocol, SPI size, number of SPIs, SPIs.
public struct Deletion: Sendable, Equatable {
    public var protocolID: UInt8
    public var spis: [[UInt8]]

    public init(protocolID: UInt8 = Proposal.protocolISAKMP, spis: [[UInt8]]) {
        self.protocolID = protocolID
        self.spis = spis
    }

    public var encodedBody: [UInt8] {
        var w = ByteWriter()
        w.u32(SecurityAssociation.doiIPSEC)
        w.u8(protocolID)
        w.u8(UInt8(spis.first?.count ?? 0))
        w.u16(UInt16(spis.count))
        for s in spis { w.append(s) }
        return w.bytes
    }

    /// At most this many SPIs are read from one payload.
    static let maxSPIs = 64

    public static func parse(_ body: [UInt8]) throws -> Deletion {
        var r = ByteReader(body[...], context: "D payload")
        _ = try r.u32("DOI")
        let proto = try r.u8("protocol ID")
        let size = Int(try r.u8("SPI size"))
        let count = Int(try r.u16("number of SPIs"))
        guard count <= maxSPIs else { throw ISAKMPError(.payloadMalformed, "D payload lists \(count) SPIs (at most \(maxSPIs))") }
        var spis: [[UInt8]] = []
        for _ in 0..<count { spis.append(Array(try r.take(size, "SPI"))) }
        return Deletion(protocolID: proto, spis: spis)
    }
}
