import ProviderGMP
import EmulatedHardware
/// Modular exponentiation over ``MontgomeryFloatMultiplier`` with the window
/// schedule of Solaris' big_modexp_ncp_float (usr/src/common/bignum/bignumimpl.c):
/// exponents under 50 bits go bit by bit; longer ones in groups of up to
/// MAX_EXP_BIT_GROUP_SIZE = 6 bits, each starting at a 1 bit, against a table
/// of the 32 odd powers a, a³, …, a⁶³ kept in the 16-bit (B operand) layout.
/// A squaring converts the running product to both layouts; a multiplication
/// converts it to the A layout and takes the table entry as B.
///
/// Inputs and output are in Montgomery form (x·R mod N); the conversions are
/// integer work done by the caller. Not constant time: the sequence of
/// squarings and multiplications, and the table entry read, follow the
/// exponent's bits, as in the Solaris code this reproduces.
enum FloatModExponentiation {
    /// MAX_EXP_BIT_GROUP_SIZE in Solaris' bignum.h.
    static let maxWindowBits = 6
    /// big_modexp_ncp_float uses 1-bit groups for exponents shorter than this.
    static let shortExponentBits = 50

    /// The group size big_modexp_ncp_float picks for an exponent of `bits` bits.
    static func windowBits(exponentBits bits: Int) -> Int {
        bits < shortExponentBits ? 1 : maxWindowBits
    }

    /// One step of the schedule: square the running product, or multiply it by
    /// table entry `index` (a^(2·index + 1)).
    enum Step: Equatable {
        case square
        case multiply(index: Int)
    }

    /// The squarings and multiplications big_modexp_ncp_float performs for an
    /// exponent given as bits, most significant first (a leading 1 expected;
    /// empty for exponent 0). Includes its k squarings of the initial Montgomery 1.
    static func schedule(bitsMostSignificantFirst bits: [Bool], windowBits group: Int) -> [Step] {
        var steps: [Step] = []
        var k = 0, l = 0, p = 0, collected = 0
        func finishGroup() {
            steps += Array(repeating: .square, count: k)
            if p != 0 { steps.append(.multiply(index: p >> (l + 1))) }
            steps += Array(repeating: .square, count: l)
            k = 0; l = 0; p = 0; collected = 0
        }
        for bit in bits {
            if collected == 0 && !bit {
                steps.append(.square)
                continue
            }
            collected += 1
            p = p * 2 + (bit ? 1 : 0)
            if bit {
                k += l + 1
                l = 0
            } else {
                l += 1
            }
            if collected == group { finishGroup() }
        }
        finishGroup()
        return steps
    }

    /// base^e in Montgomery form: `baseMont` = a·R mod N, `oneMont` = R mod N,
    /// both n words below N. Returns n words below N.
    static func power(
        baseMont: [UInt32], oneMont: [UInt32], exponentBits bits: [Bool],
        multiplier m: MontgomeryFloatMultiplier, counts: inout FloatOpCounts
    ) -> [UInt32] {
        let n = m.wordCount
        let group = windowBits(exponentBits: bits.count)
        let tableSize = group == 1 ? 1 : 1 << (group - 1)
        let steps = schedule(bitsMostSignificantFirst: bits, windowBits: group)
        let work = MontgomeryFloatMultiplier.Workspace(wordCount: n)
        var table = [Double](repeating: 0, count: tableSize * (2 * n + 1))
        let base = MontgomeryFloatMultiplier.padded(baseMont, n)

        work.a32.withUnsafeMutableBufferPointer { a32b in
            work.b16.withUnsafeMutableBufferPointer { b16b in
                work.columns.withUnsafeMutableBufferPointer { tb in
                    work.product.withUnsafeMutableBufferPointer { pb in
                        table.withUnsafeMutableBufferPointer { tableb in
                            base.withUnsafeBufferPointer { baseb in
                                let a32 = a32b.baseAddress!, b16 = b16b.baseAddress!
                                let t = tb.baseAddress!, prod = pb.baseAddress!
                                func entry(_ i: Int) -> UnsafeMutablePointer<Double> {
                                    tableb.baseAddress! + i * (2 * n + 1)
                                }
                                // Table: a (both layouts), a² into the A layout, then a^(2i+1) = a²·a^(2i−1).
                                MontgomeryFloatMultiplier.wordsToD32AndD16(baseb.baseAddress!, n, a32, entry(0), &counts)
                                m.multiply(a32: a32, b16: entry(0), columns: t, result: prod, counts: &counts)
                                MontgomeryFloatMultiplier.wordsToD32(prod, n, a32, &counts)
                                for i in 1..<tableSize {
                                    m.multiply(a32: a32, b16: entry(i - 1), columns: t, result: prod, counts: &counts)
                                    MontgomeryFloatMultiplier.wordsToD16(prod, n, entry(i), &counts)
                                }
                                // The running product starts as Montgomery 1 (an integer copy).
                                for i in 0...n { prod[i] = i < oneMont.count ? oneMont[i] : 0 }
                                counts.istore += n + 1
                                for step in steps {
                                    switch step {
                                    case .square:
                                        MontgomeryFloatMultiplier.wordsToD32AndD16(prod, n, a32, b16, &counts)
                                        m.multiply(a32: a32, b16: b16, columns: t, result: prod, counts: &counts)
                                    case .multiply(let index):
                                        MontgomeryFloatMultiplier.wordsToD32(prod, n, a32, &counts)
                                        m.multiply(a32: a32, b16: entry(index), columns: t, result: prod, counts: &counts)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Array(work.product.prefix(n))
    }
}
