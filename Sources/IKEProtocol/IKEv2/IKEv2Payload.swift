/// IKEv2 payload types (RFC 7296 §3.2; SKF: RFC 7383 §2.5).
public enum IKEv2PayloadType: UInt8, Sendable {
    case none = 0
    case securityAssociation = 33
    case keyExchange = 34
    case identificationInitiator = 35
    case identificationResponder = 36
    case certificate = 37
    case certificateRequest = 38
    case authentication = 39
    case nonce = 40
    case notify = 41
    case delete = 42
    case vendorID = 43
    case trafficSelectorInitiator = 44
    case trafficSelectorResponder = 45
    case encrypted = 46
    case configuration = 47
    case eap = 48
    case encryptedFragment = 53
}

/// One payload of an IKEv2 message, its body decoded where we act on it.
public enum IKEv2Payload: Sendable, Equatable {
    case securityAssociation(IKEv2SA)
    case keyExchange(group: UInt16, data: [UInt8])
    case nonce([UInt8])
    case identificationInitiator(IKEv2Identification)
    case identificationResponder(IKEv2Identification)
    case certificate(encoding: UInt8, data: [UInt8])
    case certificateRequest(encoding: UInt8, data: [UInt8])
    case authentication(method: UInt8, data: [UInt8])
    case notify(IKEv2Notify)
    case delete(IKEv2Delete)
    case vendorID([UInt8])
    case trafficSelectorInitiator([IKEv2TrafficSelector])
    case trafficSelectorResponder([IKEv2TrafficSelector])
    /// SK: `firstInner` is the type of the first protected payload; `body` is IV ‖ ciphertext ‖ ICV.
    case encrypted(firstInner: UInt8, body: [UInt8])
    /// SKF (RFC 7383): fragment `number` of `total`; `firstInner` only in fragment 1 (0 in the others).
    case fragment(number: UInt16, total: UInt16, firstInner: UInt8, body: [UInt8])
    /// A payload we carry but do not act on (CP, EAP, an unknown non-critical type).
    case other(type: UInt8, critical: Bool, body: [UInt8])

    public var type: IKEv2PayloadType {
        switch self {
        case .securityAssociation: .securityAssociation
        case .keyExchange: .keyExchange
        case .nonce: .nonce
        case .identificationInitiator: .identificationInitiator
        case .identificationResponder: .identificationResponder
        case .certificate: .certificate
        case .certificateRequest: .certificateRequest
        case .authentication: .authentication
        case .notify: .notify
        case .delete: .delete
        case .vendorID: .vendorID
        case .trafficSelectorInitiator: .trafficSelectorInitiator
        case .trafficSelectorResponder: .trafficSelectorResponder
        case .encrypted: .encrypted
        case .fragment: .encryptedFragment
        case .other(let t, _, _): IKEv2PayloadType(rawValue: t) ?? .none
        }
    }

    /// The type byte as sent (an unknown type keeps its own).
    public var typeValue: UInt8 {
        if case .other(let t, _, _) = self { return t }
        return type.rawValue
    }

    var isCritical: Bool {
        if case .other(_, let c, _) = self { return c }
        return false
    }

    /// Sizes the parser accepts for nonces (RFC 7296 §2.10: 16 to 256 octets).
    public static let nonceSizes = 16...256

    static func parse(type: UInt8, critical: Bool, body: ArraySlice<UInt8>) throws -> IKEv2Payload {
        guard let t = IKEv2PayloadType(rawValue: type) else {
            // §2.5: an unknown payload with the critical bit set is refused; otherwise skipped.
            if critical {
                throw IKEv2Error(.unsupportedCriticalPayload, "payload type \(type) is critical and not understood")
            }
            return .other(type: type, critical: false, body: Array(body))
        }
        // The reader's context is built only for an error; naming the type in a
        // literal per case keeps the autoclosure free of captures (no allocation).
        switch t {
        case .securityAssociation:
            return .securityAssociation(try IKEv2SA.parse(body))
        case .keyExchange:
            var r = ByteReader.ikev2(body, context: "payload keyExchange")
            let group = try r.u16("DH group")
            _ = try r.u16("reserved")
            let data = Array(r.rest())
            guard !data.isEmpty else { throw IKEv2Error.syntax("KE payload without key exchange data") }
            return .keyExchange(group: group, data: data)
        case .nonce:
            guard IKEv2Payload.nonceSizes.contains(body.count) else {
                throw IKEv2Error.syntax("nonce of \(body.count) bytes; RFC 7296 §2.10 allows 16 to 256")
            }
            return .nonce(Array(body))
        case .identificationInitiator, .identificationResponder:
            let id = try IKEv2Identification.parse(body)
            return t == .identificationInitiator ? .identificationInitiator(id) : .identificationResponder(id)
        case .certificate, .certificateRequest:
            var r = t == .certificate ? ByteReader.ikev2(body, context: "payload certificate")
                : ByteReader.ikev2(body, context: "payload certificateRequest")
            let encoding = try r.u8("certificate encoding")
            let data = Array(r.rest())
            return t == .certificate ? .certificate(encoding: encoding, data: data) : .certificateRequest(encoding: encoding, data: data)
        case .authentication:
            var r = ByteReader.ikev2(body, context: "payload authentication")
            let method = try r.u8("auth method")
            _ = try r.take(3, "reserved")
            let data = Array(r.rest())
            guard !data.isEmpty else { throw IKEv2Error.syntax("AUTH payload without authentication data") }
            return .authentication(method: method, data: data)
        case .notify:
            return .notify(try IKEv2Notify.parse(body))
        case .delete:
            return .delete(try IKEv2Delete.parse(body))
        case .vendorID:
            return .vendorID(Array(body))
        case .trafficSelectorInitiator, .trafficSelectorResponder:
            let ts = try IKEv2TrafficSelector.parseList(body)
            return t == .trafficSelectorInitiator ? .trafficSelectorInitiator(ts) : .trafficSelectorResponder(ts)
        case .encrypted:
            return .encrypted(firstInner: 0, body: Array(body))  // firstInner is set by the chain parser
        case .encryptedFragment:
            let (number, total, rest) = try fragmentFields(body)
            return .fragment(number: number, total: total, firstInner: 0, body: Array(rest))
        case .configuration, .eap, .none:
            return .other(type: type, critical: critical, body: Array(body))
        }
    }

    /// An SKF body's Fragment Number and Total Fragments (RFC 7383 §2.5),
    /// checked (1 ≤ number ≤ total), and the IV ‖ ciphertext ‖ ICV after them.
    static func fragmentFields(_ body: ArraySlice<UInt8>) throws -> (number: UInt16, total: UInt16, rest: ArraySlice<UInt8>) {
        var r = ByteReader.ikev2(body, context: "payload encryptedFragment")
        let number = try r.u16("fragment number")
        let total = try r.u16("total fragments")
        guard number >= 1, total >= 1, number <= total else {
            throw IKEv2Error.syntax("SKF fragment \(number) of \(total)")
        }
        return (number, total, r.rest())
    }

    public var body: [UInt8] {
        var w = ByteWriter(capacity: bodyCount)
        encodeBody(into: &w)
        return w.bytes
    }

    /// The length of ``body``, computed without encoding it (to size one buffer for a whole message).
    var bodyCount: Int {
        switch self {
        case .securityAssociation(let sa): return sa.encodedCount
        case .keyExchange(_, let data): return 4 + data.count
        case .nonce(let n): return n.count
        case .identificationInitiator(let id), .identificationResponder(let id): return id.encodedCount
        case .certificate(_, let d), .certificateRequest(_, let d): return 1 + d.count
        case .authentication(_, let d): return 4 + d.count
        case .notify(let n): return n.encodedCount
        case .delete(let d): return d.encodedCount
        case .vendorID(let v): return v.count
        case .trafficSelectorInitiator(let ts), .trafficSelectorResponder(let ts): return IKEv2TrafficSelector.encodedCount(ts)
        case .encrypted(_, let b): return b.count
        case .fragment(_, _, _, let b): return 4 + b.count
        case .other(_, _, let b): return b.count
        }
    }

    /// Appends ``body`` to `w` (no intermediate array).
    func encodeBody(into w: inout ByteWriter) {
        switch self {
        case .securityAssociation(let sa): sa.encode(into: &w)
        case .keyExchange(let group, let data):
            w.u16(group)
            w.u16(0)
            w.append(data)
        case .nonce(let n): w.append(n)
        case .identificationInitiator(let id), .identificationResponder(let id): id.encode(into: &w)
        case .certificate(let e, let d), .certificateRequest(let e, let d):
            w.u8(e)
            w.append(d)
        case .authentication(let m, let d):
            w.u8(m)
            w.u8(0)
            w.u16(0)
            w.append(d)
        case .notify(let n): n.encode(into: &w)
        case .delete(let d): d.encode(into: &w)
        case .vendorID(let v): w.append(v)
        case .trafficSelectorInitiator(let ts), .trafficSelectorResponder(let ts): IKEv2TrafficSelector.encodeList(ts, into: &w)
        case .encrypted(_, let b): w.append(b)
        case .fragment(let n, let t, _, let b):
            w.u16(n)
            w.u16(t)
            w.append(b)
        case .other(_, _, let b): w.append(b)
        }
    }
}

/// IDi/IDr (RFC 7296 §3.5): ID type, three reserved bytes, data. The body
/// after the generic header is what the AUTH computation MACs (RestOfIDPayload).
public struct IKEv2Identification: Sendable, Equatable, Hashable, CustomStringConvertible {
    public enum Kind: UInt8, Sendable {
        case ipv4Address = 1
        case fqdn = 2
        case rfc822Address = 3
        case ipv6Address = 5
        case derASN1DN = 9
        case derASN1GN = 10
        case keyID = 11
    }

    public var kind: UInt8
    public var data: [UInt8]

    public init(kind: Kind, data: [UInt8]) {
        self.kind = kind.rawValue
        self.data = data
    }

    public static func fqdn(_ name: String) -> IKEv2Identification { IKEv2Identification(kind: .fqdn, data: Array(name.utf8)) }

    static func parse(_ body: ArraySlice<UInt8>) throws -> IKEv2Identification {
        var r = ByteReader.ikev2(body, context: "ID payload")
        let kind = try r.u8("ID type")
        _ = try r.take(3, "reserved")
        let data = Array(r.rest())
        guard !data.isEmpty else { throw IKEv2Error.syntax("ID payload without identification data") }
        guard let k = Kind(rawValue: kind) else { throw IKEv2Error.syntax("ID type \(kind) is not one of RFC 7296 §3.5's") }
        switch k {
        case .ipv4Address where data.count != 4, .ipv6Address where data.count != 16:
            throw IKEv2Error.syntax("ID of type \(kind) with \(data.count) bytes of address")
        default: break
        }
        return IKEv2Identification(kind: k, data: data)
    }

    /// ID type ‖ reserved ‖ data: RestOfInitIDPayload / RestOfRespIDPayload (§2.15).
    public var encoded: [UInt8] {
        var w = ByteWriter(capacity: encodedCount)
        encode(into: &w)
        return w.bytes
    }

    /// The length of ``encoded``.
    var encodedCount: Int { 4 + data.count }

    func encode(into w: inout ByteWriter) {
        w.u8(kind)
        w.u8(0)
        w.u16(0)
        w.append(data)
    }

    /// The same ID in IKEv1's form (ID type values 1, 2, 3, 5, 9, 11 mean the same).
    public var ikev1: Identification? {
        guard let k = Identification.Kind(rawValue: kind) else { return nil }
        return Identification(kind: k, data: data)
    }

    public init?(ikev1 id: Identification) {
        guard let k = Kind(rawValue: id.kind.rawValue) else { return nil }
        self.init(kind: k, data: id.data)
    }

    public var description: String {
        ikev1.map(\.description) ?? "id-type-\(kind):\(data.count) bytes"
    }
}

/// A Notify payload (RFC 7296 §3.10).
public struct IKEv2Notify: Sendable, Equatable {
    public var protocolID: UInt8
    public var spi: [UInt8]
    public var type: UInt16
    public var data: [UInt8]

    public init(type: UInt16, protocolID: UInt8 = 0, spi: [UInt8] = [], data: [UInt8] = []) {
        self.protocolID = protocolID
        self.spi = spi
        self.type = type
        self.data = data
    }

    public init(error: IKEv2Error.Code, data: [UInt8] = []) {
        self.init(type: error.rawValue, data: data)
    }

    /// Status types we send or read (RFC 7296 §3.10.1, RFC 7383, RFC 7427, RFC 6023).
    public enum Status {
        public static let initialContact: UInt16 = 16384
        public static let natDetectionSourceIP: UInt16 = 16388
        public static let natDetectionDestinationIP: UInt16 = 16389
        public static let cookie: UInt16 = 16390
        public static let useTransportMode: UInt16 = 16391
        public static let httpCertLookupSupported: UInt16 = 16392
        public static let espTFCPaddingNotSupported: UInt16 = 16394
        public static let nonFirstFragmentsAlso: UInt16 = 16395
        public static let mobikeSupported: UInt16 = 16396
        public static let childlessIKEv2Supported: UInt16 = 16418
        public static let ikev2FragmentationSupported: UInt16 = 16430
        public static let signatureHashAlgorithms: UInt16 = 16431
    }

    public var isError: Bool { type < 16384 }

    static func parse(_ body: ArraySlice<UInt8>) throws -> IKEv2Notify {
        var r = ByteReader.ikev2(body, context: "Notify payload")
        let proto = try r.u8("protocol ID")
        let spiSize = Int(try r.u8("SPI size"))
        let type = try r.u16("notify type")
        let spi = Array(try r.take(spiSize, "SPI"))
        return IKEv2Notify(type: type, protocolID: proto, spi: spi, data: Array(r.rest()))
    }

    var encoded: [UInt8] {
        var w = ByteWriter(capacity: encodedCount)
        encode(into: &w)
        return w.bytes
    }

    /// The length of ``encoded``.
    var encodedCount: Int { 4 + spi.count + data.count }

    func encode(into w: inout ByteWriter) {
        w.u8(protocolID)
        w.u8(UInt8(spi.count))
        w.u16(type)
        w.append(spi)
        w.append(data)
    }
}

/// A Delete payload (RFC 7296 §3.11).
public struct IKEv2Delete: Sendable, Equatable {
    public var protocolID: UInt8
    public var spis: [[UInt8]]

    public init(protocolID: UInt8, spis: [[UInt8]]) {
        self.protocolID = protocolID
        self.spis = spis
    }

    static func parse(_ body: ArraySlice<UInt8>) throws -> IKEv2Delete {
        var r = ByteReader.ikev2(body, context: "Delete payload")
        let proto = try r.u8("protocol ID")
        let size = Int(try r.u8("SPI size"))
        let count = Int(try r.u16("number of SPIs"))
        guard count * size == r.remaining else {
            throw IKEv2Error.syntax("Delete payload names \(count) SPIs of \(size) bytes in \(r.remaining) bytes")
        }
        if proto == IKEv2Proposal.protocolIKE, size != 0 || count != 0 {
            throw IKEv2Error.syntax("an IKE SA's Delete carries no SPI (RFC 7296 §3.11)")
        }
        var spis: [[UInt8]] = []
        for i in 0..<count { spis.append(Array(try r.take(size, "SPI \(i + 1)"))) }
        return IKEv2Delete(protocolID: proto, spis: spis)
    }

    var encoded: [UInt8] {
        var w = ByteWriter(capacity: encodedCount)
        encode(into: &w)
        return w.bytes
    }

    /// The length of ``encoded``.
    var encodedCount: Int { 4 + spis.reduce(0) { $0 + $1.count } }

    func encode(into w: inout ByteWriter) {
        w.u8(protocolID)
        w.u8(UInt8(spis.first?.count ?? 0))
        w.u16(UInt16(truncatingIfNeeded: spis.count))
        for spi in spis { w.append(spi) }
    }
}

/// One traffic selector (RFC 7296 §3.13.1): IPv4 or IPv6 address and port ranges.
public struct IKEv2TrafficSelector: Sendable, Equatable {
    public static let ipv4Range: UInt8 = 7
    public static let ipv6Range: UInt8 = 8

    public var type: UInt8
    public var ipProtocol: UInt8
    public var startPort: UInt16
    public var endPort: UInt16
    public var startAddress: [UInt8]
    public var endAddress: [UInt8]

    public init(type: UInt8, ipProtocol: UInt8 = 0, startPort: UInt16 = 0, endPort: UInt16 = 0xFFFF,
                startAddress: [UInt8], endAddress: [UInt8]) {
        self.type = type
        self.ipProtocol = ipProtocol
        self.startPort = startPort
        self.endPort = endPort
        self.startAddress = startAddress
        self.endAddress = endAddress
    }

    /// 0.0.0.0–255.255.255.255, every protocol and port.
    public static let anyIPv4 = IKEv2TrafficSelector(type: ipv4Range, startAddress: [0, 0, 0, 0], endAddress: [255, 255, 255, 255])

    static func parseList(_ body: ArraySlice<UInt8>) throws -> [IKEv2TrafficSelector] {
        var r = ByteReader.ikev2(body, context: "TS payload")
        let count = Int(try r.u8("number of TSs"))
        _ = try r.take(3, "reserved")
        guard count >= 1 else { throw IKEv2Error.syntax("TS payload with no traffic selector") }
        var list: [IKEv2TrafficSelector] = []
        for i in 0..<count {
            let type = try r.u8("TS \(i + 1) type")
            let proto = try r.u8("TS \(i + 1) IP protocol")
            let length = Int(try r.u16("TS \(i + 1) length"))
            let addressBytes: Int
            switch type {
            case ipv4Range: addressBytes = 4
            case ipv6Range: addressBytes = 16
            default: throw IKEv2Error.syntax("traffic selector type \(type) (7 IPv4 and 8 IPv6 are served)")
            }
            guard length == 8 + 2 * addressBytes else {
                throw IKEv2Error.syntax("traffic selector of type \(type) with length \(length), not \(8 + 2 * addressBytes)")
            }
            let start = try r.u16("start port")
            let end = try r.u16("end port")
            let a = address(try r.take(addressBytes, "start address"))
            let b = address(try r.take(addressBytes, "end address"))
            list.append(IKEv2TrafficSelector(type: type, ipProtocol: proto, startPort: start, endPort: end, startAddress: a, endAddress: b))
        }
        guard r.isAtEnd else { throw IKEv2Error.syntax("TS payload: \(r.remaining) bytes after its \(count) selectors") }
        return list
    }

    /// The all-zeros and all-ones addresses of each family: the ends of every
    /// "any address" selector, shared by the selectors that read them.
    private static let ipv4Zeros: [UInt8] = [0, 0, 0, 0]
    private static let ipv4Ones: [UInt8] = [255, 255, 255, 255]
    private static let ipv6Zeros = [UInt8](repeating: 0, count: 16)
    private static let ipv6Ones = [UInt8](repeating: 255, count: 16)

    /// An address read from a TS payload: one of the shared arrays above when
    /// equal to it (most selectors span all addresses), else a copy.
    static func address(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        let (zeros, ones) = bytes.count == 4 ? (ipv4Zeros, ipv4Ones) : (ipv6Zeros, ipv6Ones)
        if zeros.elementsEqual(bytes) { return zeros }
        if ones.elementsEqual(bytes) { return ones }
        return Array(bytes)
    }

    static func encodeList(_ list: [IKEv2TrafficSelector]) -> [UInt8] {
        var w = ByteWriter(capacity: encodedCount(list))
        encodeList(list, into: &w)
        return w.bytes
    }

    /// The length of ``encodeList(_:)``'s result.
    static func encodedCount(_ list: [IKEv2TrafficSelector]) -> Int {
        list.reduce(4) { $0 + 8 + $1.startAddress.count + $1.endAddress.count }
    }

    static func encodeList(_ list: [IKEv2TrafficSelector], into w: inout ByteWriter) {
        w.u8(UInt8(list.count))
        w.u8(0)
        w.u16(0)
        for ts in list {
            w.u8(ts.type)
            w.u8(ts.ipProtocol)
            w.u16(UInt16(8 + ts.startAddress.count + ts.endAddress.count))
            w.u16(ts.startPort)
            w.u16(ts.endPort)
            w.append(ts.startAddress)
            w.append(ts.endAddress)
        }
    }
}
