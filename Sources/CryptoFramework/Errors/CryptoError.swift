/// The framework's one error type. Codes mirror KCF's CRYPTO_* results
/// (illumos `sys/crypto/common.h`); the message says what to do about it.
public struct CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable, CaseIterable {
        /// CRYPTO_MECHANISM_INVALID: the provider (or every provider) does not offer the mechanism.
        case mechanismInvalid = "CRYPTO_MECHANISM_INVALID"
        /// CRYPTO_MECH_NOT_SUPPORTED: no active provider may serve the request.
        case mechanismNotSupported = "CRYPTO_MECH_NOT_SUPPORTED"
        case mechanismParamInvalid = "CRYPTO_MECHANISM_PARAM_INVALID"
        case keySizeRange = "CRYPTO_KEY_SIZE_RANGE"
        case keyInvalid = "CRYPTO_KEY_TYPE_INCONSISTENT"
        case argumentsBad = "CRYPTO_ARGUMENTS_BAD"
        case dataLengthRange = "CRYPTO_DATA_LEN_RANGE"
        case dataInvalid = "CRYPTO_DATA_INVALID"
        case signatureInvalid = "CRYPTO_SIGNATURE_INVALID"
        case signatureLengthRange = "CRYPTO_SIGNATURE_LEN_RANGE"
        /// CRYPTO_BUSY: a device's queue is full; another provider may take the job.
        case busy = "CRYPTO_BUSY"
        case deviceError = "CRYPTO_DEVICE_ERROR"
        /// CRYPTO_PROVIDER_FAILED (KCF: the provider is in the FAILED state or detached).
        case providerFailed = "CRYPTO_FAILED"
        case hostMemory = "CRYPTO_HOST_MEMORY"
        case unknownProvider = "CRYPTO_UNKNOWN_PROVIDER"
        /// A policy file (kcf.conf) that cannot be read, parsed or written.
        case policyInvalid = "CRYPTO_POLICY_INVALID"
        case fileError = "CRYPTO_FILE_ERROR"
        case notSupported = "CRYPTO_NOT_SUPPORTED"
        case canceled = "CRYPTO_CANCELED"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Whether the registry should retry the request on another provider
    /// (docs/DESIGN.md, Selection rule 3): busy, device error, key size out of a
    /// provider's range, provider failed or detached, mechanism not offered.
    public var isRecoverable: Bool {
        switch code {
        case .busy, .deviceError, .keySizeRange, .providerFailed, .mechanismInvalid, .hostMemory:
            return true
        default:
            return false
        }
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
