/// Reads big-endian fields from a byte slice, never past its end: every read
/// is checked against the bytes that remain, so a length taken from the wire
/// can neither overrun the buffer nor make us allocate more than we were sent.
/// ISAKMP and IKEv2 share it; each reports a short read in its own terms.
struct ByteReader {
    private let bytes: ArraySlice<UInt8>
    private(set) var position: Int
    /// What is being read, for error messages ("SA payload", "header" …):
    /// built only when an error needs it (an interpolated payload type would
    /// otherwise be formatted, by reflection, for every payload read); or,
    /// when the caller already holds it as a string, that string (a closure
    /// capturing a string costs an allocation per reader).
    private let describeContext: (() -> String)?
    private let contextText: String
    var context: String { describeContext?() ?? contextText }
    /// The error for a read past the end, given the message with its context.
    private let fault: (String) -> any Error

    /// A reader whose short reads are ISAKMP's PAYLOAD-MALFORMED.
    init(_ bytes: ArraySlice<UInt8>, context: @autoclosure @escaping () -> String) {
        self.init(bytes, describe: context, text: "") { ISAKMPError(.payloadMalformed, $0) }
    }

    init(_ bytes: ArraySlice<UInt8>, context: @autoclosure @escaping () -> String, fault: @escaping (String) -> any Error) {
        self.init(bytes, describe: context, text: "", fault: fault)
    }

    /// The context closure is stored as given (forwarding it as another
    /// autoclosure would wrap it in a new, allocated, closure).
    private init(_ bytes: ArraySlice<UInt8>, describe: (() -> String)?, text: String, fault: @escaping (String) -> any Error) {
        self.bytes = bytes
        self.position = bytes.startIndex
        self.describeContext = describe
        self.contextText = text
        self.fault = fault
    }

    /// A reader whose short reads are IKEv2's INVALID_SYNTAX (RFC 7296 §3.10.1).
    static func ikev2(_ bytes: ArraySlice<UInt8>, context: @autoclosure @escaping () -> String) -> ByteReader {
        ByteReader(bytes, describe: context, text: "", fault: IKEv2Error.syntax)
    }

    /// ``ikev2(_:context:)`` with a context the caller already holds as a string.
    static func ikev2(_ bytes: ArraySlice<UInt8>, contextText: String) -> ByteReader {
        ByteReader(bytes, describe: nil, text: contextText, fault: IKEv2Error.syntax)
    }

    var remaining: Int { bytes.endIndex - position }
    var isAtEnd: Bool { position == bytes.endIndex }

    mutating func u8(_ field: @autoclosure () -> String) throws -> UInt8 {
        try need(1, field)
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u16(_ field: @autoclosure () -> String) throws -> UInt16 {
        try need(2, field)
        defer { position += 2 }
        return UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
    }

    mutating func u32(_ field: @autoclosure () -> String) throws -> UInt32 {
        try need(4, field)
        defer { position += 4 }
        return (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[position + $1]) }
    }

    /// The next `count` bytes as a slice of the input (no copy).
    /// `field` is built only for an error message (callers interpolate payload types into it).
    mutating func take(_ count: Int, _ field: @autoclosure () -> String) throws -> ArraySlice<UInt8> {
        guard count >= 0 else { throw fault("\(context): \(field()): negative length \(count)") }
        guard count <= remaining else {
            throw fault("\(context): \(field()) needs \(count) bytes but only \(remaining) remain")
        }
        defer { position += count }
        return bytes[position..<position + count]
    }

    mutating func rest() -> ArraySlice<UInt8> {
        defer { position = bytes.endIndex }
        return bytes[position...]
    }

    private func need(_ count: Int, _ field: () -> String) throws {
        guard count <= remaining else {
            throw fault("\(context): \(field()) needs \(count) bytes but only \(remaining) remain")
        }
    }

    func malformed(_ what: String) -> ISAKMPError {
        ISAKMPError(.payloadMalformed, "\(context): \(what)")
    }
}

/// Appends big-endian fields.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { bytes.append(UInt8(v >> 8)); bytes.append(UInt8(v & 0xFF)) }
    mutating func u32(_ v: UInt32) { for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) } }
    mutating func append<S: Sequence>(_ s: S) where S.Element == UInt8 { bytes.append(contentsOf: s) }
    /// Overwrites a 16-bit field written earlier (a length known only at the end).
    mutating func patchU16(at offset: Int, _ v: UInt16) {
        bytes[offset] = UInt8(v >> 8)
        bytes[offset + 1] = UInt8(v & 0xFF)
    }
    mutating func patchU32(at offset: Int, _ v: UInt32) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: v >> UInt32(24 - 8 * i)) }
    }
}
