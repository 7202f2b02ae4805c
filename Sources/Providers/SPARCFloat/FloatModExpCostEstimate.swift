import ProviderGMP
import EmulatedHardware
import Synchronization
import CryptoFramework

/// Expected counts for FP exponentiations the engine does not run itself:
/// GMP's primality tests during RSA key generation, charged as if Solaris had
/// run its Miller–Rabin rounds on the FP engine.
enum FloatModExpCostEstimate {
    /// Counts of one FP squaring (conversion to both layouts + the kernel) for n words, measured once per n.
    private static let squaringCache = Locked<[Int: FloatOpCounts]>([:])

    static func squaring(wordCount n: Int) -> FloatOpCounts {
        if let cached = squaringCache.withLock({ $0[n] }) { return cached }
        var counts = FloatOpCounts()
        let modulus = [UInt32](repeating: 0xFFFF_FFFF, count: n)  // odd, n words
        let multiplier = MontgomeryFloatMultiplier(modulusWords: modulus)!
        let x = [UInt32](repeating: 0x1234_5678, count: n)
        let work = MontgomeryFloatMultiplier.Workspace(wordCount: n)
        x.withUnsafeBufferPointer { xp in
            work.a32.withUnsafeMutableBufferPointer { a32 in
                work.b16.withUnsafeMutableBufferPointer { b16 in
                    work.columns.withUnsafeMutableBufferPointer { t in
                        work.product.withUnsafeMutableBufferPointer { r in
                            MontgomeryFloatMultiplier.wordsToD32AndD16(xp.baseAddress!, n, a32.baseAddress!, b16.baseAddress!, &counts)
                            multiplier.multiply(a32: a32.baseAddress!, b16: b16.baseAddress!,
                                                columns: t.baseAddress!, result: r.baseAddress!, counts: &counts)
                        }
                    }
                }
            }
        }
        squaringCache.withLock { $0[n] = counts }
        return counts
    }

    /// Expected counts of one exponentiation with a `bits`-bit modulus and
    /// exponent: `bits` squarings, one multiplication per 7 bits of the
    /// 6-bit sliding window, 32 table entries (multiplications cost about a squaring).
    static func modExp(bits: Int) -> FloatOpCounts {
        let n = T1IntegerWork.words(bits: bits)
        return squaring(wordCount: n) * (bits + (bits + 6) / 7 + 32)
            + T1IntegerWork.divide(2 * n + 1, by: n) + T1IntegerWork.montgomeryMultiply(n) * 3
    }

    /// A probable-prime test of a `bits`-bit candidate: a composite is taken to
    /// fail its first round (one exponentiation); a prime passes GMP's
    /// mpz_probab_prime_p(·, 40), which since GMP 6.2 is BPSW (a base-2 round and
    /// a strong Lucas test, about two exponentiations) plus 40 − 24 = 16 rounds.
    static func primalityTest(bits: Int, isPrime: Bool) -> FloatOpCounts {
        modExp(bits: bits) * (isPrime ? 19 : 1)
    }
}
