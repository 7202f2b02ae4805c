import CryptoFramework
import Providers
@testable import EmulatedHardware
@testable import ProviderPKCS11
@testable import ProviderSPARCFloat
import Testing

/// CKR_* → CryptoError: device trouble is recoverable (the registry fails the
/// request over), bad input is not, and every message names call, module and code.
@Suite("PKCS#11 return values as framework errors")
struct PKCS11FailureMappingTests {
    static let cases: [(rv: UInt, code: CryptoError.Code, recoverable: Bool)] = [
        (0x30, .deviceError, true),          // CKR_DEVICE_ERROR
        (0x31, .deviceError, true),          // CKR_DEVICE_MEMORY
        (0x32, .deviceError, true),          // CKR_DEVICE_REMOVED
        (0xB1, .deviceError, true),          // CKR_SESSION_COUNT
        (0x02, .hostMemory, true),           // CKR_HOST_MEMORY
        (0x70, .mechanismInvalid, true),     // CKR_MECHANISM_INVALID
        (0x62, .keySizeRange, true),         // CKR_KEY_SIZE_RANGE
        (0x190, .providerFailed, true),      // CKR_CRYPTOKI_NOT_INITIALIZED
        (0xC0, .signatureInvalid, false),    // CKR_SIGNATURE_INVALID
        (0xC1, .signatureLengthRange, false),// CKR_SIGNATURE_LEN_RANGE
        (0x21, .dataLengthRange, false),     // CKR_DATA_LEN_RANGE
        (0x71, .mechanismParamInvalid, false), // CKR_MECHANISM_PARAM_INVALID
        (0xA0, .argumentsBad, false),        // CKR_PIN_INCORRECT
    ]

    @Test func mapping() {
        for c in Self.cases {
            let error = PKCS11Failure.error(c.rv, "C_Sign", "/x/lib.so")
            #expect(error.code == c.code, "0x\(String(c.rv, radix: 16))")
            #expect(error.isRecoverable == c.recoverable, "0x\(String(c.rv, radix: 16))")
            #expect(error.message.hasPrefix("C_Sign on /x/lib.so returned CKR_"), "\(error.message)")
        }
        #expect(PKCS11Failure.error(0x8000_1234, "C_Sign", "/x/lib.so").message.hasSuffix("returned 0x80001234"))
    }
}
