import CryptoFramework
@testable import ProviderOpenSSL
import TestSupport
import Testing

/// openssl's r‖s ↔ DER conversion at the byte edges: leading zero bytes in a
/// half (dropped in DER, restored in r‖s), a high bit (a 00 sign byte in DER),
/// and a DER value too long for the field (refused).
@Suite("ECDSA r‖s ↔ DER in the openssl provider")
struct ECDSASignatureEncodingTests {
    @Test("leading zeros and high bits survive both ways")
    func edges() throws {
        let r = [UInt8](repeating: 0, count: 3) + [0x01] + [UInt8](repeating: 0x22, count: 28)  // 29 significant bytes
        let s = [0x80] + [UInt8](repeating: 0x33, count: 31)  // high bit: DER needs 00 in front
        let der = try ECDSASignatureEncoding.der(fromRawSignature: r + s)
        let expected: [UInt8] = [0x30, UInt8(2 + 29 + 2 + 33), 0x02, 29] + r.dropFirst(3) + [0x02, 33, 0x00] + s
        #expect(der == expected)
        #expect(try ECDSASignatureEncoding.rawSignature(fromDER: der[...], fieldLength: 32) == r + s)
        // The smallest values: r = s = 1.
        let one = [UInt8](repeating: 0, count: 65) + [1]
        let small = try ECDSASignatureEncoding.der(fromRawSignature: one + one)
        #expect(small == [0x30, 6, 0x02, 1, 1, 0x02, 1, 1])
        #expect(try ECDSASignatureEncoding.rawSignature(fromDER: small[...], fieldLength: 66) == one + one)
    }

    @Test("a DER half longer than the field is refused, not truncated")
    func tooLong() throws {
        let der = try ECDSASignatureEncoding.der(fromRawSignature: [UInt8](repeating: 0x7F, count: 33) + [UInt8](repeating: 1, count: 33))
        #expect(throws: CryptoError.self) { try ECDSASignatureEncoding.rawSignature(fromDER: der[...], fieldLength: 32) }
        #expect(throws: CryptoError.self) { try ECDSASignatureEncoding.rawSignature(fromDER: [0x30, 0x00][...], fieldLength: 32) }
    }
}
