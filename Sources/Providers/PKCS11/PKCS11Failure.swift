internal import CPKCS11
import CryptoFramework

/// CKR_* return values as the framework's errors (one helper for every call).
/// Device trouble (CKR_DEVICE_ERROR, CKR_DEVICE_MEMORY, CKR_SESSION_COUNT, …)
/// is recoverable, so the registry fails the request over to another provider.
enum PKCS11Failure {
    static func error(_ rv: CK_RV, _ function: String, _ module: String, fallback: CryptoError.Code? = nil) -> CryptoError {
        let code = fallback ?? self.code(rv)
        return CryptoError(code, "\(function) on \(module) returned \(name(rv))\(advice(rv))")
    }

    static func code(_ rv: CK_RV) -> CryptoError.Code {
        switch rv {
        case CKR_HOST_MEMORY: .hostMemory
        case CKR_DEVICE_ERROR, CKR_DEVICE_MEMORY, CKR_DEVICE_REMOVED, CKR_SESSION_COUNT, CKR_TOKEN_NOT_PRESENT,
            CKR_TOKEN_NOT_RECOGNIZED, CKR_GENERAL_ERROR, CKR_FUNCTION_FAILED, CKR_SESSION_CLOSED,
            CKR_SESSION_HANDLE_INVALID, CKR_OPERATION_ACTIVE:
            .deviceError
        case CKR_CRYPTOKI_NOT_INITIALIZED, CKR_FUNCTION_CANCELED: .providerFailed
        case CKR_MECHANISM_INVALID, CKR_FUNCTION_NOT_SUPPORTED: .mechanismInvalid
        case CKR_MECHANISM_PARAM_INVALID: .mechanismParamInvalid
        case CKR_KEY_SIZE_RANGE: .keySizeRange
        case CKR_DATA_LEN_RANGE, CKR_ENCRYPTED_DATA_LEN_RANGE: .dataLengthRange
        case CKR_DATA_INVALID, CKR_ENCRYPTED_DATA_INVALID, CKR_DOMAIN_PARAMS_INVALID: .dataInvalid
        case CKR_SIGNATURE_INVALID: .signatureInvalid
        case CKR_SIGNATURE_LEN_RANGE: .signatureLengthRange
        case CKR_KEY_TYPE_INCONSISTENT, CKR_KEY_HANDLE_INVALID, CKR_TEMPLATE_INCONSISTENT, CKR_TEMPLATE_INCOMPLETE,
            CKR_ATTRIBUTE_VALUE_INVALID, CKR_KEY_FUNCTION_NOT_PERMITTED:
            .keyInvalid
        case CKR_PIN_INCORRECT, CKR_PIN_LOCKED, CKR_PIN_EXPIRED, CKR_PIN_LEN_RANGE, CKR_USER_NOT_LOGGED_IN,
            CKR_ARGUMENTS_BAD:
            .argumentsBad
        default: .deviceError
        }
    }

    static func name(_ rv: CK_RV) -> String {
        let names: [CK_RV: String] = [
            CKR_OK: "CKR_OK", CKR_CANCEL: "CKR_CANCEL", CKR_HOST_MEMORY: "CKR_HOST_MEMORY",
            CKR_SLOT_ID_INVALID: "CKR_SLOT_ID_INVALID", CKR_GENERAL_ERROR: "CKR_GENERAL_ERROR",
            CKR_FUNCTION_FAILED: "CKR_FUNCTION_FAILED", CKR_ARGUMENTS_BAD: "CKR_ARGUMENTS_BAD",
            CKR_ATTRIBUTE_SENSITIVE: "CKR_ATTRIBUTE_SENSITIVE", CKR_ATTRIBUTE_TYPE_INVALID: "CKR_ATTRIBUTE_TYPE_INVALID",
            CKR_ATTRIBUTE_VALUE_INVALID: "CKR_ATTRIBUTE_VALUE_INVALID", CKR_DATA_INVALID: "CKR_DATA_INVALID",
            CKR_DATA_LEN_RANGE: "CKR_DATA_LEN_RANGE", CKR_DEVICE_ERROR: "CKR_DEVICE_ERROR",
            CKR_DEVICE_MEMORY: "CKR_DEVICE_MEMORY", CKR_DEVICE_REMOVED: "CKR_DEVICE_REMOVED",
            CKR_FUNCTION_CANCELED: "CKR_FUNCTION_CANCELED", CKR_FUNCTION_NOT_SUPPORTED: "CKR_FUNCTION_NOT_SUPPORTED",
            CKR_KEY_HANDLE_INVALID: "CKR_KEY_HANDLE_INVALID", CKR_KEY_SIZE_RANGE: "CKR_KEY_SIZE_RANGE",
            CKR_KEY_TYPE_INCONSISTENT: "CKR_KEY_TYPE_INCONSISTENT",
            CKR_KEY_FUNCTION_NOT_PERMITTED: "CKR_KEY_FUNCTION_NOT_PERMITTED",
            CKR_MECHANISM_INVALID: "CKR_MECHANISM_INVALID", CKR_MECHANISM_PARAM_INVALID: "CKR_MECHANISM_PARAM_INVALID",
            CKR_OPERATION_ACTIVE: "CKR_OPERATION_ACTIVE", CKR_PIN_INCORRECT: "CKR_PIN_INCORRECT",
            CKR_PIN_LEN_RANGE: "CKR_PIN_LEN_RANGE", CKR_PIN_LOCKED: "CKR_PIN_LOCKED",
            CKR_SESSION_CLOSED: "CKR_SESSION_CLOSED", CKR_SESSION_COUNT: "CKR_SESSION_COUNT",
            CKR_SESSION_HANDLE_INVALID: "CKR_SESSION_HANDLE_INVALID", CKR_SIGNATURE_INVALID: "CKR_SIGNATURE_INVALID",
            CKR_SIGNATURE_LEN_RANGE: "CKR_SIGNATURE_LEN_RANGE", CKR_TEMPLATE_INCOMPLETE: "CKR_TEMPLATE_INCOMPLETE",
            CKR_TEMPLATE_INCONSISTENT: "CKR_TEMPLATE_INCONSISTENT", CKR_TOKEN_NOT_PRESENT: "CKR_TOKEN_NOT_PRESENT",
            CKR_TOKEN_NOT_RECOGNIZED: "CKR_TOKEN_NOT_RECOGNIZED", CKR_USER_NOT_LOGGED_IN: "CKR_USER_NOT_LOGGED_IN",
            CKR_USER_ALREADY_LOGGED_IN: "CKR_USER_ALREADY_LOGGED_IN", CKR_BUFFER_TOO_SMALL: "CKR_BUFFER_TOO_SMALL",
            CKR_CRYPTOKI_NOT_INITIALIZED: "CKR_CRYPTOKI_NOT_INITIALIZED",
            CKR_CRYPTOKI_ALREADY_INITIALIZED: "CKR_CRYPTOKI_ALREADY_INITIALIZED",
            CKR_DOMAIN_PARAMS_INVALID: "CKR_DOMAIN_PARAMS_INVALID",
        ]
        let hex = "0x" + String(rv, radix: 16, uppercase: true)
        return names[rv].map { "\($0) (\(hex))" } ?? hex
    }

    private static func advice(_ rv: CK_RV) -> String {
        switch rv {
        case CKR_PIN_INCORRECT: ": the PIN in the module's pinfile is wrong for this token"
        case CKR_PIN_LOCKED: ": the token's user PIN is locked; reset it with the token's tools"
        case CKR_USER_NOT_LOGGED_IN: ": the token needs a login; give the module a pinfile= in kcf.conf"
        case CKR_TOKEN_NOT_PRESENT: ": no token in the slot"
        default: ""
        }
    }
}
