import CryptoFramework
import Providers
@testable import EmulatedHardware
@testable import ProviderPKCS11
@testable import ProviderSPARCFloat
import Testing

/// The engine's operation counts against formulas read off the code (a skipped
/// or double-counted operation changes them), and the cost model against
/// cycles computed by hand.
@Suite("SPARC FP engine: operation counts and T1 cost model")
struct SPARCFloatCountTests {
    /// FP counts of one kernel call for n words, from MontgomeryFloatMultiplier.multiply:
    /// zeroing 4n+2 cells and b16[2n]; 3 loads and 1 multiply to start; a digit
    /// (5 FMUL, 2 FSUB, 4 conversions) before each of the 2n steps; per step 3 loads,
    /// 3 FMUL, 3 FADD, 1 store plus n − 1 inner terms of 3 loads, 2 FMUL, 2 FADD,
    /// 1 store; cleanups after steps 29, 59, … below 2n, each over the cells from
    /// j + 1 to 4n + 1 (1 load, 2 FMUL, 2 FADD, 2 conversions, 1 store per cell)
    /// and a reload; the conversion of 2n + 2 cells (load, conversion, store each).
    static func kernelFP(_ n: Int) -> FloatOpCounts {
        let cells = 4 * n + 2, steps = 2 * n
        let cleanups = (2 * n - 1) / 30
        let cleanedCells = (1...max(1, cleanups)).reduce(0) { $0 + (cleanups == 0 ? 0 : cells - 30 * $1) }
        var c = FloatOpCounts()
        c.fmul = 1 + 5 * steps + 3 * steps + 2 * (n - 1) * steps + 2 * cleanedCells
        c.fadd = 2 * steps + 3 * steps + 2 * (n - 1) * steps + 2 * cleanedCells
        c.fconv = 4 * steps + 2 * cleanedCells + 2 * (n + 1)
        c.fload = 3 + 3 * steps + 3 * (n - 1) * steps + cleanedCells + cleanups + 2 * (n + 1)
        c.fstore = cells + 1 + steps + (n - 1) * steps + cleanedCells + 2 * (n + 1)
        c.montgomeryMultiplies = 1
        return c
    }

    /// Conversions: words → d32 (load, conversion, store per word); → d16 (per
    /// half); → both (a squaring's input).
    static func d32(_ n: Int) -> FloatOpCounts { fp(load: n, conv: n, store: n) }
    static func d16(_ n: Int) -> FloatOpCounts { fp(load: 2 * n, conv: 2 * n, store: 2 * n) }
    static func d32AndD16(_ n: Int) -> FloatOpCounts { fp(load: 3 * n, conv: 3 * n, store: 3 * n) }

    static func fp(load: Int, conv: Int, store: Int) -> FloatOpCounts {
        FloatOpCounts(fconv: conv, fload: load, fstore: store)
    }

    /// Only the FP fields (data independent) and the kernel-call count.
    static func fpPart(_ c: FloatOpCounts) -> FloatOpCounts {
        var r = FloatOpCounts()
        r.fmul = c.fmul
        r.fadd = c.fadd
        r.fconv = c.fconv
        r.fload = c.fload
        r.fstore = c.fstore
        r.montgomeryMultiplies = c.montgomeryMultiplies
        return r
    }

    /// FP counts of a whole exponentiation with `squarings` and `multiplies` and a table of `table` entries.
    static func modExpFP(_ n: Int, squarings: Int, multiplies: Int, table: Int) -> FloatOpCounts {
        let kernel = kernelFP(n)
        let precompute = d32AndD16(n) + kernel + d32(n) + (kernel + d16(n)) * (table - 1)
        return precompute + (d32AndD16(n) + kernel) * squarings + (d32(n) + kernel) * multiplies
    }

    @Test("One Montgomery product: FP counts match the formula; about 8n² FP arithmetic operations",
          arguments: [1, 2, 15, 16, 17, 32, 48, 64, 96, 128])
    func kernelCounts(n: Int) {
        var modulus = [UInt32](repeating: 0x9E37_79B9, count: n)
        modulus[0] |= 1
        let m = MontgomeryFloatMultiplier(modulusWords: modulus)!
        var counts = FloatOpCounts()
        _ = m.montgomeryProduct([3], [5], counts: &counts)
        #expect(Self.fpPart(counts) == Self.kernelFP(n) + Self.d32(n) + Self.d16(n))
        // Integer work of one call: conversion back (2 loads, 11 ALU, 1 store per
        // word of n + 1) and the d16 split, plus a data-dependent final compare/subtract.
        #expect(counts.iload >= 2 * (n + 1) + n + 1 && counts.iload <= 2 * (n + 1) + n + 1 + 2 * n + 2 * n)
        let arithmetic = counts.fmul + counts.fadd
        if n >= 16 { #expect(abs(Double(arithmetic) / Double(8 * n * n) - 1) < 0.25) }
    }

    /// The integer part of a modExp that does not depend on the data: R² mod N,
    /// three integer Montgomery multiplies (base in, 1 in, result out).
    static func conversionIntegerWork(_ n: Int) -> FloatOpCounts {
        T1IntegerWork.divide(2 * n + 1, by: n) + T1IntegerWork.montgomeryMultiply(n) * 3
    }

    @Test("Whole exponentiations: counts follow the window schedule", arguments: [512, 1024, 2048])
    func modExpCounts(bits: Int) {
        let n = bits / 32
        var modulus = [UInt32](repeating: 0xDEAD_BEEF, count: n)
        modulus[n - 1] |= 0x8000_0000
        let m = FloatModExpEngine.number(words: modulus)
        let base = FloatModExpEngine.number(words: [7, 11, 13])
        let engine = FloatModExpEngine()
        let expBits = 200
        // All ones (200 bits): 6-bit groups, each 6 squarings and a multiply → S = 200, M = ⌈200/6⌉ = 34.
        let ones = FloatModExpEngine.number(words: [UInt32](repeating: 0xFFFF_FFFF, count: 6) + [0xFF])
        // A single 1 then zeros: S = 200, M = 1.
        let power = FloatModExpEngine.number(words: [UInt32](repeating: 0, count: 6) + [0x80])
        // 65537 (17 bits, under 50): 1-bit groups, S = 17, M = 2, one table entry.
        let f4 = GMPEngine().number(65537)
        // 0: nothing but the table (of one entry).
        let zero = GMPEngine().number(0)
        let cases: [(GMPInteger, Int, Int, Int)] = [
            (ones, expBits, (expBits + 5) / 6, 32), (power, expBits, 1, 32), (f4, 17, 2, 1), (zero, 0, 0, 1),
        ]
        for (e, squarings, multiplies, table) in cases {
            let (_, counts) = engine.modExpCounted(base, e, m)
            #expect(Self.fpPart(counts) == Self.modExpFP(n, squarings: squarings, multiplies: multiplies, table: table),
                    "exponent of \(squarings) bits, \(multiplies) multiplies")
            #expect(counts.imul == Self.conversionIntegerWork(n).imul)
            #expect(counts.idiv == Self.conversionIntegerWork(n).idiv)
        }
    }

    @Test("The window schedule matches big_modexp_ncp_float on small patterns")
    func schedule() {
        typealias S = FloatModExponentiation.Step
        func bits(_ s: String) -> [Bool] { s.map { $0 == "1" } }
        // 1-bit groups: each 1 is "square, multiply"; each later 0 a square.
        #expect(FloatModExponentiation.schedule(bitsMostSignificantFirst: bits("101"), windowBits: 1)
                == [.square, .multiply(index: 0), .square, .square, .multiply(index: 0)])
        // 6-bit group 101100 = a^11 · squared twice: k = 4 squarings, a^11 (index 5), l = 2 squarings.
        #expect(FloatModExponentiation.schedule(bitsMostSignificantFirst: bits("101100"), windowBits: 6)
                == [S](repeating: .square, count: 4) + [.multiply(index: 5), .square, .square])
        // A trailing partial group "11": k = 2, a³ (index 1).
        #expect(FloatModExponentiation.schedule(bitsMostSignificantFirst: bits("11111111"), windowBits: 6)
                == [S](repeating: .square, count: 6) + [.multiply(index: 31), .square, .square, .multiply(index: 1)])
        #expect(FloatModExponentiation.windowBits(exponentBits: 49) == 1)
        #expect(FloatModExponentiation.windowBits(exponentBits: 50) == 6)
    }

    @Test("Cost model: hand-computed cycles for fixed counts, with and without a trap penalty")
    func costModelByHand() {
        var c = FloatOpCounts()
        c.fmul = 2; c.fadd = 3; c.fconv = 1; c.fload = 4; c.fstore = 5
        c.ialu = 6; c.iload = 7; c.istore = 8; c.imul = 9; c.idiv = 1
        // 2·29 + 3·26 + 1·26 + 4·9 + 5·8 = 58 + 78 + 26 + 36 + 40 = 238 FP cycles;
        // 6·1 + 7·3 + 8·1 + 9·11 + 1·72 = 6 + 21 + 8 + 99 + 72 = 206 integer cycles.
        #expect(ChipModel.ultraSPARCT1.cycles(c) == 444)
        #expect(ChipModel.ultraSPARCT1.seconds(c) == 444 / 1.2e9)
        // 15 FP instructions × 100 cycles of trap emulation.
        #expect(ChipModel.ultraSPARCT1.withFPTrapPenalty(100).cycles(c) == 1944)
    }

    @Test("Cost model: one 32-bit Montgomery product (N = 2³² − 5, 2·3·R⁻¹) by hand")
    func oneWordProductByHand() {
        let m = MontgomeryFloatMultiplier(modulusWords: [4_294_967_291])!
        var counts = FloatOpCounts()
        let r = m.montgomeryProduct([2], [3], counts: &counts)
        #expect(r == [3_435_973_834])  // 6 · (2³² mod N)⁻¹ mod N, by hand: 6 · 5⁻¹ mod N
        // n = 1, no cleanup. Kernel: FMUL 1 + 2·5 (digits) + 2·3 (steps) = 17; FADD 2·2 + 2·3 = 10;
        // conversions 2·4 + 4 (back) = 12; loads 3 + 2·3 + 4 = 13; stores 6 + 1 + 2 + 4 = 13.
        // Operand conversions: d32 1 load/conv/store, d16 2 of each → FP: 17, 10, 15, 16, 16.
        // FP cycles 17·29 + 10·26 + 15·26 + 16·9 + 16·8 = 493 + 260 + 390 + 144 + 128 = 1,415.
        // Integer: d16 split 1 load, 2 ALU, 2 stores; back-conversion of 2 words 4 loads,
        // 22 ALU, 2 stores; final compare: top word 1 load + 1 ALU, word 0 differs
        // (below N: no subtraction) 2 loads + 2 ALU → 27 ALU, 8 loads, 4 stores = 27 + 24 + 4 = 55.
        #expect(ChipModel.ultraSPARCT1.floatingPointCycles(counts) == 1_415)
        #expect(ChipModel.ultraSPARCT1.cycles(counts) == 1_470)
    }
}
