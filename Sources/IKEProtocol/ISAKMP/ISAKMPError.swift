/// Why a message was refused or a negotiation failed. The codes are RFC 2408
/// §3.14.1's notify message types (what an ISAKMP peer would send back), plus
/// one for a failure of the cryptographic framework itself.
public struct ISAKMPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Int, Sendable, Equatable {
        case invalidPayloadType = 1
        case doiNotSupported = 2
        case situationNotSupported = 3
        case invalidCookie = 4
        case invalidMajorVersion = 5
        case invalidMinorVersion = 6
        case invalidExchangeType = 7
        case invalidFlags = 8
        case invalidMessageID = 9
        case invalidProtocolID = 10
        case invalidTransformID = 12
        case attributesNotSupported = 13
        case noProposalChosen = 14
        case badProposalSyntax = 15
        case payloadMalformed = 16
        case invalidKeyInformation = 17
        case invalidIDInformation = 18
        case invalidCertEncoding = 19
        case invalidHashInformation = 23
        case authenticationFailed = 24
        case invalidSignature = 25
        /// Not an RFC 2408 notify type: a message that arrives out of order.
        case unexpectedMessage = 8192
        /// Not an RFC 2408 notify type: the framework failed an operation.
        case cryptoFailure = 8193
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
