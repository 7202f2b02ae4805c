import FuzzTargets
import IKETestKit
import Testing

/// Inputs the fuzzers once crashed on, replayed through the same entry points:
/// each must now come out refused (a CKR_* / Notify), never a trap.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    /// C_CreateObject with an attribute whose ulValueLen is CK_UNAVAILABLE_INFORMATION
    /// (~0): Template converted the length to Int before checking it and trapped
    /// in the caller's process; it is CKR_ATTRIBUTE_VALUE_INVALID now.
    @Test("pkcs11-template: a length of ~0 or ≥ 2^63 in a template is refused, not a trap")
    func unavailableLengthInTemplate() throws {
        let target = try #require(FuzzTarget.named("pkcs11-template"))
        // Call 0 (C_CreateObject), no key-pair split; CKA_CLASS (type 0) = CKO_DATA (8 zero bytes);
        // CKA_VALUE (type 5) passed with CK_UNAVAILABLE_INFORMATION as its length (mode 6).
        let input: [UInt8] = [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 5, 6 << 5]
        #expect(target.run(input) == .refused)
    }

    /// C_GenerateKeyPair (RSA, 1024 bits) whose private template says CKA_TOKEN = 0x0a: the module
    /// kept the byte as given, so a find for CKA_TOKEN = CK_TRUE missed the token key (and the
    /// target's cleanup left it behind, which LeakSanitizer then reported). CK_BBOOLs are now
    /// stored as CK_TRUE/CK_FALSE and matched as booleans.
    @Test("pkcs11-template: a CK_BBOOL of 0x0a is true, and CKA_TOKEN = CK_TRUE finds it")
    func nonCanonicalBoolean() throws {
        let target = try #require(FuzzTarget.named("pkcs11-template"))
        // Call 1, mechanism 0 (CKM_RSA_PKCS_KEY_PAIR_GEN); one public attribute: CKA_MODULUS_BITS (type 24)
        // = 1024; then the private template: CKA_TOKEN (type 1) = 0x0a.
        let input: [UInt8] = [1, 1, 24, 8, 0, 4, 0, 0, 0, 0, 0, 0, 1, 1, 0x0A]
        #expect(target.run(input) == .accepted)
    }
}
