/// Why an IKEv2 message was refused or an exchange failed. The codes are RFC
/// 7296 §3.10.1's error notify types (what the peer is told), plus two that
/// are never sent: a message out of order, and a failure of the framework.
public struct IKEv2Error: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: UInt16, Sendable, Equatable {
        case unsupportedCriticalPayload = 1
        case invalidIKESPI = 4
        case invalidMajorVersion = 5
        case invalidSyntax = 7
        case invalidMessageID = 9
        case invalidSPI = 11
        case noProposalChosen = 14
        case invalidKEPayload = 17
        case authenticationFailed = 24
        case singlePairRequired = 34
        case noAdditionalSAs = 35
        case tsUnacceptable = 38
        case temporaryFailure = 43
        /// Not sent: a message that arrives out of order or names no exchange we keep (dropped).
        case unexpectedMessage = 0xFF00
        /// Not sent: the framework failed an operation.
        case cryptoFailure = 0xFF01
        /// Not sent: the SK payload's ICV or decryption failed (RFC 7296 §2.21.2: drop silently).
        case integrityFailure = 0xFF02
    }

    public let code: Code
    public let message: String
    /// The Notify's data when refused (INVALID_KE_PAYLOAD: the group we accept).
    public let notifyData: [UInt8]

    public init(_ code: Code, _ message: String, notifyData: [UInt8] = []) {
        self.code = code
        self.message = message
        self.notifyData = notifyData
    }

    /// True for codes RFC 7296 lets a responder send back as a Notify.
    public var isNotifiable: Bool { code.rawValue < 0x4000 }

    public var description: String { "\(code) (\(code.rawValue)): \(message)" }

    static func syntax(_ what: String) -> IKEv2Error { IKEv2Error(.invalidSyntax, what) }
}

/// Reads big-endian fields from an IKEv2 message, never past its end (the
/// same discipline as the ISAKMP reader: every length from the wire is checked
/// against the bytes that remain).
struct IKEv2Reader {
    private let bytes: ArraySlice<UInt8>
    private(set) var position: Int
    let context: String

    init(_ bytes: ArraySlice<UInt8>, context: String) {
        self.bytes = bytes
        self.position = bytes.startIndex
        self.context = context
    }

    var remaining: Int { bytes.endIndex - position }
    var isAtEnd: Bool { position == bytes.endIndex }

    mutating func u8(_ field: String) throws -> UInt8 {
        try need(1, field)
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u16(_ field: String) throws -> UInt16 {
        try need(2, field)
        defer { position += 2 }
        return UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
    }

    mutating func u32(_ field: String) throws -> UInt32 {
        try need(4, field)
        defer { position += 4 }
        return (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[position + $1]) }
    }

    mutating func take(_ count: Int, _ field: String) throws -> ArraySlice<UInt8> {
        guard count >= 0 else { throw IKEv2Error.syntax("\(context): \(field): negative length \(count)") }
        try need(count, field)
        defer { position += count }
        return bytes[position..<position + count]
    }

    mutating func rest() -> ArraySlice<UInt8> {
        defer { position = bytes.endIndex }
        return bytes[position...]
    }

    private func need(_ count: Int, _ field: String) throws {
        guard count <= remaining else {
            throw IKEv2Error.syntax("\(context): \(field) needs \(count) bytes but only \(remaining) remain")
        }
    }
}

/// Appends big-endian fields.
struct IKEv2Writer {
    private(set) var bytes: [UInt8] = []
    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { bytes.append(UInt8(v >> 8)); bytes.append(UInt8(v & 0xFF)) }
    mutating func u32(_ v: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
    }
    mutating func append<S: Sequence>(_ s: S) where S.Element == UInt8 { bytes.append(contentsOf: s) }
    mutating func patchU16(at offset: Int, _ v: UInt16) {
        bytes[offset] = UInt8(v >> 8)
        bytes[offset + 1] = UInt8(v & 0xFF)
    }
    mutating func patchU32(at offset: Int, _ v: UInt32) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: v >> UInt32(24 - 8 * i)) }
    }
}
