import ProviderGMP
import EmulatedHardware
/// The integer bignum work around the FP kernel — Montgomery conversions,
/// divisions, CRT recombination, blinding — charged as the word loops of
/// Solaris' integer routines (usr/src/common/bignum/bignumimpl.c) would issue
/// them on one T1 strand. The host computes these with GMP; only their cost is modeled.
///
/// The unit is the word multiply-accumulate of big_mul_add_vec,
/// `t = a[i]·d + r[i] + carry; r[i] = low(t); carry = high(t)`: two integer
/// loads, one MULX, two adds and a shift, one store.
enum T1IntegerWork {
    static let multiplyAccumulate = FloatOpCounts(ialu: 3, iload: 2, istore: 1, imul: 1)

    /// One word of an add, subtract or compare-and-subtract loop (big_add_abs /
    /// big_sub_vec): two loads, add with carry (three ALU operations), a store.
    static let addWord = FloatOpCounts(ialu: 3, iload: 2, istore: 1)

    /// 32-bit words of a number of `bits` bits (at least 1).
    static func words(bits: Int) -> Int { max(1, (bits + 31) / 32) }

    /// Schoolbook product of m and n words (big_mul): m·n multiply-accumulates.
    static func multiply(_ m: Int, _ n: Int) -> FloatOpCounts {
        multiplyAccumulate * (m * n)
    }

    /// Schoolbook division of m words by n (big_div_pos): one UDIVX-estimated
    /// quotient digit and an n-word multiply-subtract per digit of the quotient.
    static func divide(_ m: Int, by n: Int) -> FloatOpCounts {
        let digits = max(0, m - n + 1)
        var c = multiplyAccumulate * (digits * n)
        c.idiv += digits
        return c
    }

    /// Integer Montgomery multiplication of n words (big_mont_mul): the n×n
    /// product, n reduction rows of n words with one digit multiply each, and
    /// the final compare-and-subtract.
    static func montgomeryMultiply(_ n: Int) -> FloatOpCounts {
        var c = multiplyAccumulate * (2 * n * n) + addWord * n
        c.imul += n
        return c
    }

    /// a·b mod m, a and b below m (m of n words): product plus division.
    static func multiplyMod(_ n: Int) -> FloatOpCounts {
        multiply(n, n) + divide(2 * n, by: n)
    }

    /// Inverse modulo an n-word number by the binary extended Euclidean
    /// algorithm: about 2·32n halving/subtracting iterations, each passing over
    /// four n-word numbers (u, v and their cofactors) once.
    static func inverse(_ n: Int) -> FloatOpCounts {
        addWord * (2 * 32 * n * 4 * n)
    }

    /// Addition or subtraction of n-word numbers.
    static func add(_ n: Int) -> FloatOpCounts { addWord * n }
}
