import ProviderGMP
import EmulatedHardware
/// Montgomery multiplication in IEEE double precision, with the structure of
/// Solaris' `mont_mulf_noconv` (usr/src/common/bignum/mont_mulf.c), the
/// software bignum kernel Solaris 10 ran on UltraSPARC: written here from that
/// description, and counting every instruction it stands for.
///
/// For a modulus N of n 32-bit words, R = 2^(32n), A and B below N, it returns
/// A·B·R⁻¹ mod N:
/// - A is one double per 32-bit word (`a32`, n entries);
/// - B is two doubles per word, its 16-bit halves (`b16`, 2n + 1 entries, the last 0);
/// - a column array `t` of 4n + 2 doubles, cell k weighing 2^(16k), accumulates
///   a_i·b_j and n_i·d_j into cell j + 2i;
/// - step j (0 ..< 2n) picks the 16-bit Montgomery digit d_j that makes cell j
///   divisible by 2^16 and carries cell j / 2^16 into cell j + 1;
/// - every 30 steps a cleanup renormalises the live cells (two carry chains,
///   one per parity, in base 2^32), so that no double ever loses an integer bit;
/// - cells 2n ... 4n + 1 are converted back to n + 1 integer words, and N is
///   subtracted once if the result is not below N.
///
/// Exactness (every value below is a non-negative integer held exactly; a
/// double holds every integer below 2^53). Let W = 2^32 − 1 bound a word of
/// A or N, H = 2^16 − 1 a half-word of B or a digit, so one column term
/// a_i·b_j + n_i·d_j ≤ 2WH < 2·2^48, and each product alone < 2^48.
/// 1. A cleanup leaves a cell at most (2^32 − 1) + (2^21 − 1) < 2^33 =: C (its low
///    32 bits plus the carry ⌊x/2^32⌋ of the cell two below, x < 2^53).
/// 2. Cleanups run after steps 29, 59, 89 … Within the 30 steps j0+1 … j0+30 that
///    follow one (or the first 30 steps, cells starting at 0), cell k receives a
///    term only from steps j ≡ k (mod 2) with j ≤ k − 2: a cell still waiting at
///    the next cleanup got at most 15 terms, ≤ C + 30WH < 2^53 − 2^49 + 2^33.
/// 3. The cell consumed at step j ∈ j0+1 … j0+30 got at most 14 such terms
///    (from steps j0+1 … j − 2 of its parity), then a_0·b_j and the carry at step
///    j − 1, then n_0·d_j at step j: a ≤ C + 28WH + WH + carry + WH
///    = C + 30WH + carry < 2^53 − 2^49 + 2^33 + 2^37 < 2^53, with carry = a'/2^16 < 2^37
///    for the previous step's a' < 2^53 (induction from the first step, a' = 0).
/// 4. Every intermediate of a sum is bounded by the sum (all terms ≥ 0); products
///    are below 2^48; ⌊x·2^−32⌋ of x < 2^53 is below 2^21, exact in an Int64;
///    x·2^−16 of a multiple of 2^16 is exact (a power-of-two scaling).
/// 5. The digit: low32(x)·n0′ < 2^32·2^16 = 2^48, and d = that mod 2^16, so
///    cell j + n_0·d ≡ low32 − low32·n_0·n_0⁻¹ ≡ 0 (mod 2^16) for n0′ = −N⁻¹ mod 2^16.
/// 6. The result T = (A·B + D·N)/R < (N² + R·N)/R < 2N needs n + 1 words; a
///    carry out of cell 4n + 1 (weight 2^(64n + 48)) is therefore impossible.
/// Solaris cleans up after step 30 and then every 30 steps, from cell j + 1 or
/// j + 2 by parity; starting the cleanup at cell j + 1 always is what makes
/// bound 3 hold with room to spare for every cadence up to 30.
public struct MontgomeryFloatMultiplier: Sendable {
    /// Steps between carry cleanups (mont_mulf.c's `jj == 30`).
    public static let cleanupInterval = 30

    /// n: 32-bit words of the modulus.
    public let wordCount: Int
    /// The modulus, least significant word first, top word non-zero.
    public let modulusWords: [UInt32]
    /// The modulus, one double per word (Solaris' `dn`).
    let modulus32: [Double]
    /// −N⁻¹ mod 2^16 (Solaris' `dn0`).
    let n0Prime: Double

    static let twoTo16 = 65536.0
    static let twoToMinus16 = 1.0 / 65536.0
    static let twoTo32 = 65536.0 * 65536.0
    static let twoToMinus32 = 1.0 / (65536.0 * 65536.0)

    /// A multiplier for the odd modulus whose words (least significant first)
    /// are `modulusWords`; nil for an even or zero modulus.
    public init?(modulusWords words: [UInt32]) {
        var words = words
        while let last = words.last, last == 0 { words.removeLast() }
        guard let low = words.first, low & 1 == 1 else { return nil }
        // n0⁻¹ mod 2^32 by Newton's iteration: each step doubles the correct low bits (3 → 48).
        var inverse = low
        for _ in 0..<4 { inverse = inverse &* (2 &- low &* inverse) }
        wordCount = words.count
        modulusWords = words
        modulus32 = words.map { Double($0) }
        n0Prime = Double((0 &- inverse) & 0xFFFF)
    }

    /// Scratch arrays for one exponentiation (Solaris allocates them per big_modexp call).
    public final class Workspace {
        /// The column array, 4n + 2 cells.
        var columns: [Double]
        /// A operand as 32-bit words in doubles.
        var a32: [Double]
        /// B operand as 16-bit halves in doubles, 2n + 1 cells.
        var b16: [Double]
        /// The product as n + 1 words.
        var product: [UInt32]

        public init(wordCount n: Int) {
            columns = [Double](repeating: 0, count: 4 * n + 2)
            a32 = [Double](repeating: 0, count: n)
            b16 = [Double](repeating: 0, count: 2 * n + 1)
            product = [UInt32](repeating: 0, count: n + 1)
        }
    }

    // MARK: The kernel

    /// The 16-bit Montgomery digit for a column value x < 2^53:
    /// (low32(x)·n0′) mod 2^16, as mont_mulf's `mod(lower32(x)·dn0, 2^−16, 2^16)`.
    /// Executes 5 FMUL, 2 FSUB and two floor()s (4 conversions).
    @inline(__always)
    static func digit(_ x: Double, _ n0Prime: Double, _ counts: inout FloatOpCounts) -> Double {
        let low = x - twoTo32 * floorNonNegative(x * twoToMinus32)
        let y = low * n0Prime
        counts.fmul += 5
        counts.fadd += 2
        counts.fconv += 4
        return y - twoTo16 * floorNonNegative(y * twoToMinus16)
    }

    /// ⌊x⌋ for 0 ≤ x < 2^63 as the SPARC code does it: FdTOx then FxTOd (two
    /// conversions, counted by the caller).
    @inline(__always)
    static func floorNonNegative(_ x: Double) -> Double {
        Double(Int64(x))
    }

    /// `result[0...n]` = a32·b16·R⁻¹ mod N (result[n] = 0 afterwards), for
    /// operands below N in the layouts above. `b16[2n]` is (re)set to 0 here.
    public func multiply(
        a32: UnsafePointer<Double>, b16: UnsafeMutablePointer<Double>,
        columns t: UnsafeMutablePointer<Double>, result: UnsafeMutablePointer<UInt32>,
        counts: inout FloatOpCounts
    ) {
        let n = wordCount
        let cells = 4 * n + 2
        counts.montgomeryMultiplies += 1
        t.update(repeating: 0, count: cells)
        b16[2 * n] = 0
        counts.fstore += cells + 1

        modulus32.withUnsafeBufferPointer { nd in
            let a0 = a32[0], m0 = nd[0]
            var current = a0 * b16[0]  // cell 0 holds a_0·b_0 and nothing else yet
            counts.fload += 3
            counts.fmul += 1
            var d = Self.digit(current, n0Prime, &counts)
            for j in 0..<(2 * n) {
                let bj = b16[j]
                // Cell j + n_0·d_j is a multiple of 2^16; carry it into cell j + 1,
                // which also takes step j + 1's a_0·b_(j+1) now, so that it is complete
                // (but for its own n_0·d) when its digit is chosen.
                let a = current + m0 * d
                let next = t[j + 1] + a0 * b16[j + 1] + a * Self.twoToMinus16
                t[j + 1] = next
                counts.fload += 3
                counts.fmul += 3
                counts.fadd += 3
                counts.fstore += 1
                var cell = t + j + 2
                for i in 1..<n {
                    cell.pointee = cell.pointee + a32[i] * bj + nd[i] * d
                    cell += 2
                }
                counts.fload += 3 * (n - 1)
                counts.fmul += 2 * (n - 1)
                counts.fadd += 2 * (n - 1)
                counts.fstore += n - 1
                guard j + 1 < 2 * n else { break }
                if (j + 1) % Self.cleanupInterval == 0 {
                    Self.cleanup(t, from: j + 1, to: cells, &counts)
                    current = t[j + 1]
                    counts.fload += 1
                } else {
                    current = next
                }
                d = Self.digit(current, n0Prime, &counts)
            }
        }
        Self.columnsToWords(t + 2 * n, wordCount: n + 1, result, &counts)
        subtractModulusIfNeeded(result, &counts)
    }

    /// Renormalises cells `from ..< to`: each becomes its low 32 bits plus the
    /// high part of the cell two below it (a carry chain per parity, base 2^32
    /// within a chain), as mont_mulf.c's cleanup(). The carry out of the top is 0 (bound 6).
    /// Per cell: 1 load, 2 FMUL, 1 FSUB, 1 FADD, 2 conversions, 1 store.
    static func cleanup(_ t: UnsafeMutablePointer<Double>, from: Int, to: Int, _ counts: inout FloatOpCounts) {
        var carryEven = 0.0, carryOdd = 0.0
        var k = from
        while k < to {
            let x = t[k]
            let high = floorNonNegative(x * twoToMinus32)
            let low = x - twoTo32 * high
            if k & 1 == 0 {
                t[k] = low + carryEven
                carryEven = high
            } else {
                t[k] = low + carryOdd
                carryOdd = high
            }
            k += 1
        }
        let cellCount = to - from
        counts.fload += cellCount
        counts.fmul += 2 * cellCount
        counts.fadd += 2 * cellCount
        counts.fconv += 2 * cellCount
        counts.fstore += cellCount
    }

    // MARK: Conversions (mont_mulf.c's conv_* routines)

    /// `words` cells pairs (cell 2i weighs 2^(32i), cell 2i + 1 weighs 2^(32i + 16),
    /// each below 2^53) into `words` 32-bit words with carries (conv_d16_to_i32).
    /// Per cell: FdTOx, an FP store and an integer load to reach an integer
    /// register; per word 11 integer ALU operations and a store.
    static func columnsToWords(
        _ cells: UnsafePointer<Double>, wordCount words: Int, _ out: UnsafeMutablePointer<UInt32>,
        _ counts: inout FloatOpCounts
    ) {
        var carry: UInt64 = 0
        for i in 0..<words {
            let low = UInt64(cells[2 * i])
            let high = UInt64(cells[2 * i + 1])
            let sum = carry + (low & 0xFFFF_FFFF) + ((high & 0xFFFF) << 16)
            out[i] = UInt32(truncatingIfNeeded: sum)
            carry = (sum >> 32) + (low >> 32) + (high >> 16)
        }
        counts.fload += 2 * words
        counts.fconv += 2 * words
        counts.fstore += 2 * words
        counts.iload += 2 * words
        counts.ialu += 11 * words
        counts.istore += words
    }

    /// result (n + 1 words, below 2N) minus N if it is not below N (adjust_montf_result).
    /// Counts exactly the comparisons executed (data dependent) and the subtraction if taken.
    func subtractModulusIfNeeded(_ r: UnsafeMutablePointer<UInt32>, _ counts: inout FloatOpCounts) {
        let n = wordCount
        var subtract = r[n] != 0
        counts.iload += 1
        counts.ialu += 1
        if !subtract {
            subtract = true  // equal to N also subtracts (result 0)
            var i = n - 1
            while i >= 0 {
                counts.iload += 2
                counts.ialu += 1
                if r[i] != modulusWords[i] {
                    subtract = r[i] > modulusWords[i]
                    counts.ialu += 1
                    break
                }
                i -= 1
            }
        }
        guard subtract else { return }
        var borrow: UInt64 = 0
        for i in 0..<n {
            let difference = UInt64(r[i]) &- UInt64(modulusWords[i]) &- borrow
            r[i] = UInt32(truncatingIfNeeded: difference)
            borrow = difference >> 63
        }
        r[n] = 0
        counts.iload += 2 * n
        counts.ialu += 3 * n
        counts.istore += n + 1
    }

    /// words → one double per word (conv_i32_to_d32): per word an LDF of the
    /// word into an FP register, a conversion, a store.
    static func wordsToD32(_ words: UnsafePointer<UInt32>, _ n: Int, _ d32: UnsafeMutablePointer<Double>, _ counts: inout FloatOpCounts) {
        for i in 0..<n { d32[i] = Double(words[i]) }
        counts.fload += n
        counts.fconv += n
        counts.fstore += n
    }

    /// words → two doubles per word, the 16-bit halves (conv_i32_to_d16): per
    /// word an integer load, AND and shift, two integer stores of the halves,
    /// then per half an LDF, a conversion and a store.
    static func wordsToD16(_ words: UnsafePointer<UInt32>, _ n: Int, _ d16: UnsafeMutablePointer<Double>, _ counts: inout FloatOpCounts) {
        for i in 0..<n {
            let w = words[i]
            d16[2 * i] = Double(w & 0xFFFF)
            d16[2 * i + 1] = Double(w >> 16)
        }
        counts.iload += n
        counts.ialu += 2 * n
        counts.istore += 2 * n
        counts.fload += 2 * n
        counts.fconv += 2 * n
        counts.fstore += 2 * n
    }

    /// Both layouts of the same words in one pass (conv_i32_to_d32_and_d16),
    /// the input of a squaring: the two above minus the second integer load.
    static func wordsToD32AndD16(
        _ words: UnsafePointer<UInt32>, _ n: Int, _ d32: UnsafeMutablePointer<Double>,
        _ d16: UnsafeMutablePointer<Double>, _ counts: inout FloatOpCounts
    ) {
        for i in 0..<n {
            let w = words[i]
            d32[i] = Double(w)
            d16[2 * i] = Double(w & 0xFFFF)
            d16[2 * i + 1] = Double(w >> 16)
        }
        counts.iload += n
        counts.ialu += 2 * n
        counts.istore += 2 * n
        counts.fload += 3 * n
        counts.fconv += 3 * n
        counts.fstore += 3 * n
    }

    // MARK: Convenience for whole numbers

    /// a·b·R⁻¹ mod N for word arrays (least significant first, each below N,
    /// at most n words): converts, multiplies, returns n words.
    public func montgomeryProduct(_ a: [UInt32], _ b: [UInt32], counts: inout FloatOpCounts) -> [UInt32] {
        let n = wordCount
        let work = Workspace(wordCount: n)
        let aw = Self.padded(a, n), bw = Self.padded(b, n)
        aw.withUnsafeBufferPointer { ap in
            bw.withUnsafeBufferPointer { bp in
                work.a32.withUnsafeMutableBufferPointer { a32 in
                    work.b16.withUnsafeMutableBufferPointer { b16 in
                        work.columns.withUnsafeMutableBufferPointer { t in
                            work.product.withUnsafeMutableBufferPointer { r in
                                Self.wordsToD32(ap.baseAddress!, n, a32.baseAddress!, &counts)
                                Self.wordsToD16(bp.baseAddress!, n, b16.baseAddress!, &counts)
                                multiply(a32: a32.baseAddress!, b16: b16.baseAddress!,
                                         columns: t.baseAddress!, result: r.baseAddress!, counts: &counts)
                            }
                        }
                    }
                }
            }
        }
        return Array(work.product.prefix(n))
    }

    static func padded(_ words: [UInt32], _ n: Int) -> [UInt32] {
        precondition(words.count <= n || words[n...].allSatisfy { $0 == 0 }, "operand wider than the modulus")
        return Array(words.prefix(n)) + [UInt32](repeating: 0, count: max(0, n - words.count))
    }
}
