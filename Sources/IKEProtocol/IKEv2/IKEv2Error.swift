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

    /// A message after IKE_SA_INIT whose chain does not end in the SK payload it needs.
    static func missingSK(_ header: IKEv2Header) -> IKEv2Error {
        syntax("\(header.exchange.map { "\($0)" } ?? "exchange \(header.exchangeType)") message without an SK payload")
    }
}
