import FuzzTargets
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
}
