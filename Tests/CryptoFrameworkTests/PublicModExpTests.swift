@testable import CryptoFramework
import BigInt
import TestSupport
import Testing

@Suite("The framework's own public-exponent modexp (rule-5 check)")
struct PublicModExpTests {
    @Test("agrees with BigInt on random moduli of several sizes", arguments: [256, 512, 1024, 2048, 4096])
    func agreesWithBigInt(bits: Int) {
        var rng = SplitMix64(seed: UInt64(bits))
        for _ in 0..<8 {
            var nBytes = (0..<(bits / 8)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            nBytes[0] |= 0x80
            nBytes[nBytes.count - 1] |= 1
            let n = nBytes.withUnsafeBytes { BigUInt($0) }
            let modulus = PublicMontgomeryModulus(modulus: nBytes)
            for e: [UInt8] in [[3], [1, 0, 1], [0xff, 0xff, 0xff], [1]] {
                var base = (0..<(bits / 8)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                base[0] &= 0x7f
                let expected = base.withUnsafeBytes { BigUInt($0) }.power(e.withUnsafeBytes { BigUInt($0) }, modulus: n)
                let got = modulus.power(base, exponent: e)
                #expect(got.map { $0.withUnsafeBytes { BigUInt($0) } } == expected)
            }
            // Edge values: 0, 1, n−1; and a base ≥ n is refused.
            #expect(modulus.power([0], exponent: [1, 0, 1]) == [UInt8](repeating: 0, count: bits / 8))
            #expect(modulus.power([1], exponent: [1, 0, 1]) == [UInt8](repeating: 0, count: bits / 8 - 1) + [1])
            var nMinus1 = nBytes
            nMinus1[nMinus1.count - 1] ^= 1
            #expect(modulus.power(nMinus1, exponent: [3]) == nMinus1)  // (−1)³ = −1
            #expect(modulus.power(nBytes, exponent: [3]) == nil)
        }
    }
}
