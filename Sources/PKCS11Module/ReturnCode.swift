package import CPKCS11
import CryptoFramework

/// A PKCS#11 return value thrown through the module's Swift code; the entry
/// point hands `rv` back to the caller.
package struct CryptokiError: Error, Equatable {
    package let rv: CK_RV
    package init(_ rv: CK_RV) { self.rv = rv }

    package static let argumentsBad = CryptokiError(CKR_ARGUMENTS_BAD)
    package static let notInitialized = CryptokiError(CKR_CRYPTOKI_NOT_INITIALIZED)
    package static let slotInvalid = CryptokiError(CKR_SLOT_ID_INVALID)
    package static let sessionInvalid = CryptokiError(CKR_SESSION_HANDLE_INVALID)
    package static let objectInvalid = CryptokiError(CKR_OBJECT_HANDLE_INVALID)
    package static let keyInvalid = CryptokiError(CKR_KEY_HANDLE_INVALID)
    package static let mechanismInvalid = CryptokiError(CKR_MECHANISM_INVALID)
    package static let mechanismParamInvalid = CryptokiError(CKR_MECHANISM_PARAM_INVALID)
    package static let operationActive = CryptokiError(CKR_OPERATION_ACTIVE)
    package static let operationNotInitialized = CryptokiError(CKR_OPERATION_NOT_INITIALIZED)
    package static let templateIncomplete = CryptokiError(CKR_TEMPLATE_INCOMPLETE)
    package static let templateInconsistent = CryptokiError(CKR_TEMPLATE_INCONSISTENT)
    package static let attributeTypeInvalid = CryptokiError(CKR_ATTRIBUTE_TYPE_INVALID)
    package static let attributeValueInvalid = CryptokiError(CKR_ATTRIBUTE_VALUE_INVALID)
    package static let attributeReadOnly = CryptokiError(CKR_ATTRIBUTE_READ_ONLY)
    package static let keyTypeInconsistent = CryptokiError(CKR_KEY_TYPE_INCONSISTENT)
    package static let keyFunctionNotPermitted = CryptokiError(CKR_KEY_FUNCTION_NOT_PERMITTED)
    package static let userNotLoggedIn = CryptokiError(CKR_USER_NOT_LOGGED_IN)
    package static let sessionReadOnly = CryptokiError(CKR_SESSION_READ_ONLY)
    package static let pinIncorrect = CryptokiError(CKR_PIN_INCORRECT)
    package static let pinLenRange = CryptokiError(CKR_PIN_LEN_RANGE)
    package static let deviceError = CryptokiError(CKR_DEVICE_ERROR)
    package static let functionFailed = CryptokiError(CKR_FUNCTION_FAILED)
    package static let generalError = CryptokiError(CKR_GENERAL_ERROR)
    package static let dataLenRange = CryptokiError(CKR_DATA_LEN_RANGE)
    package static let encryptedDataLenRange = CryptokiError(CKR_ENCRYPTED_DATA_LEN_RANGE)
    package static let encryptedDataInvalid = CryptokiError(CKR_ENCRYPTED_DATA_INVALID)
    package static let tokenNotRecognized = CryptokiError(CKR_TOKEN_NOT_RECOGNIZED)
}

/// Which step of an operation failed: framework errors map to different
/// return values at set-up (C_SignInit, C_GenerateKeyPair, C_DeriveKey, where
/// a mechanism or key problem may be reported) and on the data (C_Sign,
/// C_Encrypt, where only data, device and memory problems may be).
enum OperationStep {
    case setup
    case data
    case verify
    case decrypt
    /// C_WrapKey's encryption of the key, C_UnwrapKey's decryption of it.
    case wrap
    case unwrap
}

/// The one table from the framework's errors to PKCS#11 return values. Only
/// values the specification lists for the step's functions come out of it.
func returnValue(for error: CryptoError, step: OperationStep) -> CK_RV {
    switch (error.code, step) {
    case (.mechanismInvalid, .setup), (.mechanismNotSupported, .setup): return CKR_MECHANISM_INVALID
    case (.mechanismParamInvalid, .setup), (.mechanismParamInvalid, .wrap), (.mechanismParamInvalid, .unwrap):
        return CKR_MECHANISM_PARAM_INVALID
    case (.dataLengthRange, .wrap): return CKR_KEY_SIZE_RANGE  // the key does not fit the wrapping mechanism
    case (.keySizeRange, .wrap): return CKR_WRAPPING_KEY_SIZE_RANGE
    case (.dataLengthRange, .unwrap): return CKR_WRAPPED_KEY_LEN_RANGE
    case (.dataInvalid, .unwrap): return CKR_WRAPPED_KEY_INVALID
    case (.keySizeRange, .unwrap): return CKR_UNWRAPPING_KEY_SIZE_RANGE
    case (.keySizeRange, .setup): return CKR_KEY_SIZE_RANGE
    case (.keyInvalid, .setup): return CKR_KEY_TYPE_INCONSISTENT
    case (.argumentsBad, .setup): return CKR_TEMPLATE_INCONSISTENT
    case (.dataInvalid, .setup): return CKR_MECHANISM_PARAM_INVALID  // a DH peer value outside 2..p-2
    case (.dataLengthRange, .setup): return CKR_MECHANISM_PARAM_INVALID
    case (.dataLengthRange, .decrypt): return CKR_ENCRYPTED_DATA_LEN_RANGE
    case (.dataInvalid, .decrypt): return CKR_ENCRYPTED_DATA_INVALID
    case (.dataLengthRange, _): return CKR_DATA_LEN_RANGE
    case (.dataInvalid, _): return CKR_DATA_INVALID
    case (.signatureInvalid, .verify): return CKR_SIGNATURE_INVALID
    case (.signatureLengthRange, .verify): return CKR_SIGNATURE_LEN_RANGE
    case (.signatureInvalid, _), (.signatureLengthRange, _): return CKR_DATA_INVALID
    case (.busy, _), (.deviceError, _), (.providerFailed, _): return CKR_DEVICE_ERROR
    case (.hostMemory, _): return CKR_HOST_MEMORY
    case (.canceled, _): return CKR_FUNCTION_CANCELED
    default: return CKR_FUNCTION_FAILED
    }
}

extension CryptokiError {
    init(_ error: CryptoError, step: OperationStep) {
        self.init(returnValue(for: error, step: step))
    }
}

/// pkcs11.h's `((unsigned long)-1L)`, a cast the Swift importer does not bring over.
let CK_UNAVAILABLE_INFORMATION = CK_ULONG.max
