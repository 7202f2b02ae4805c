/// ISAKMP payload types (RFC 2408 §3.1 "Next Payload"). A struct, not an enum,
/// so an unknown type read off the wire can be named in an error.
public struct PayloadType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let none = PayloadType(rawValue: 0)
    public static let securityAssociation = PayloadType(rawValue: 1)
    public static let proposal = PayloadType(rawValue: 2)
    public static let transform = PayloadType(rawValue: 3)
    public static let keyExchange = PayloadType(rawValue: 4)
    public static let identification = PayloadType(rawValue: 5)
    public static let certificate = PayloadType(rawValue: 6)
    public static let certificateRequest = PayloadType(rawValue: 7)
    public static let hash = PayloadType(rawValue: 8)
    public static let signature = PayloadType(rawValue: 9)
    public static let nonce = PayloadType(rawValue: 10)
    public static let notification = PayloadType(rawValue: 11)
    public static let delete = PayloadType(rawValue: 12)
    public static let vendorID = PayloadType(rawValue: 13)

    /// Types a Main Mode message may carry at the top level.
    static let topLevel: Set<PayloadType> = [
        .securityAssociation, .keyExchange, .identification, .certificate, .certificateRequest,
        .hash, .signature, .nonce, .notification, .delete, .vendorID,
    ]

    public var description: String {
        switch self {
        case .none: "NONE"
        case .securityAssociation: "SA"
        case .proposal: "P"
        case .transform: "T"
        case .keyExchange: "KE"
        case .identification: "ID"
        case .certificate: "CERT"
        case .certificateRequest: "CR"
        case .hash: "HASH"
        case .signature: "SIG"
        case .nonce: "NONCE"
        case .notification: "N"
        case .delete: "D"
        case .vendorID: "VID"
        default: "type \(rawValue)"
        }
    }
}
