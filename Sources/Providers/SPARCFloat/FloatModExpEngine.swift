import EmulatedHardware
internal import CGMP
import CryptoFramework
import ProviderGMP

/// ``BignumEngine`` of the `sparcfp` provider: modular exponentiation by the
/// floating-point Montgomery multiply of Solaris on UltraSPARC
/// (``MontgomeryFloatMultiplier``, ``FloatModExponentiation``), counted and
/// modeled; every other operation delegated to ``GMPEngine`` and charged as
/// the integer word loops Solaris' bignum would run (``T1IntegerWork``).
///
/// An engine made with `charging:` adds the integer work of the operations
/// that have no context parameter (remainders, products, inverses — the CRT
/// recombination and blinding of RSA) to that request's report; make one per request.
public struct FloatModExpEngine: BignumEngine {
    public typealias Number = GMPInteger

    let gmp = GMPEngine()
    /// The chip whose latencies every count is charged at.
    public let chip: ChipModel
    /// The Montgomery multiplication the exponentiation runs on.
    public let kernel: SolarisBignumKernel
    /// Where integer work outside ``modExp(_:_:_:secret:context:)`` is charged; nil: nowhere.
    let ambient: OperationContext?
    /// The cost of an EC request's field operations (Solaris' software ECC at
    /// the request's curve); nil: EC work is recorded, not charged.
    public let ecCost: MPIFieldCost?

    public init(chip: ChipModel = .ultraSPARCT1, kernel: SolarisBignumKernel = .floatingPoint,
                charging context: OperationContext? = nil, ecCost: MPIFieldCost? = nil) {
        self.chip = chip
        self.kernel = kernel
        self.ambient = context
        self.ecCost = ecCost
    }

    public var identifier: String { kernel.providerName }

    private func charge(_ counts: FloatOpCounts) {
        if let ambient { chip.charge(counts, to: ambient) }
    }

    private func words(_ x: GMPInteger) -> Int { T1IntegerWork.words(bits: x.bitLength) }

    // MARK: Conversions (no arithmetic to charge)

    public func number(bigEndian bytes: [UInt8]) -> GMPInteger { gmp.number(bigEndian: bytes) }
    public func number(secret: SecureBytes) -> GMPInteger { gmp.number(secret: secret) }
    public func number(_ value: UInt) -> GMPInteger { gmp.number(value) }
    public func bigEndianBytes(_ x: GMPInteger, length: Int) throws -> [UInt8] { try gmp.bigEndianBytes(x, length: length) }
    public func secureBytes(_ x: GMPInteger, length: Int?) throws -> SecureBytes { try gmp.secureBytes(x, length: length) }

    // MARK: Arithmetic, charged as integer work

    public func bitLength(_ x: GMPInteger) -> Int { gmp.bitLength(x) }
    public func compare(_ a: GMPInteger, _ b: GMPInteger) -> Int { gmp.compare(a, b) }

    public func add(_ a: GMPInteger, _ b: GMPInteger) -> GMPInteger {
        charge(T1IntegerWork.add(max(words(a), words(b))))
        return gmp.add(a, b)
    }

    public func subtract(_ a: GMPInteger, _ b: GMPInteger) -> GMPInteger {
        charge(T1IntegerWork.add(words(a)))
        return gmp.subtract(a, b)
    }

    public func multiply(_ a: GMPInteger, _ b: GMPInteger) -> GMPInteger {
        charge(T1IntegerWork.multiply(words(a), words(b)))
        return gmp.multiply(a, b)
    }

    public func quotient(_ a: GMPInteger, _ b: GMPInteger) -> GMPInteger {
        charge(T1IntegerWork.divide(words(a), by: words(b)))
        return gmp.quotient(a, b)
    }

    public func remainder(_ a: GMPInteger, _ m: GMPInteger) -> GMPInteger {
        charge(T1IntegerWork.divide(words(a), by: words(m)))
        return gmp.remainder(a, m)
    }

    public func mulMod(_ a: GMPInteger, _ b: GMPInteger, _ m: GMPInteger) -> GMPInteger {
        charge(T1IntegerWork.multiply(words(a), words(b)) + T1IntegerWork.divide(words(a) + words(b), by: words(m)))
        return gmp.mulMod(a, b, m)
    }

    public func invMod(_ a: GMPInteger, _ m: GMPInteger) -> GMPInteger? {
        charge(T1IntegerWork.inverse(words(m)))
        return gmp.invMod(a, m)
    }

    public func gcd(_ a: GMPInteger, _ b: GMPInteger) -> GMPInteger {
        charge(T1IntegerWork.inverse(max(words(a), words(b))))
        return gmp.gcd(a, b)
    }

    // MARK: Residues for the elliptic curves

    // Computed by GMP's constant-time mpn_sec_* (``GMPEngine``), charged
    // nothing here: the request's whole field work is charged at once, from
    // its exact counts, by ``account(_:context:)``.

    public func fieldAdd(_ a: GMPInteger, _ b: GMPInteger, modulus: GMPInteger) -> GMPInteger {
        gmp.fieldAdd(a, b, modulus: modulus)
    }

    public func fieldSubtract(_ a: GMPInteger, _ b: GMPInteger, modulus: GMPInteger) -> GMPInteger {
        gmp.fieldSubtract(a, b, modulus: modulus)
    }

    public func fieldMultiply(_ a: GMPInteger, _ b: GMPInteger, modulus: GMPInteger) -> GMPInteger {
        gmp.fieldMultiply(a, b, modulus: modulus)
    }

    public func fieldInverse(_ a: GMPInteger, modulus: GMPInteger, context: OperationContext) throws -> GMPInteger {
        try gmp.fieldInverse(a, modulus: modulus, context: OperationContext())
    }

    public func fieldSwap(_ swap: UInt8, _ a: GMPInteger, _ b: GMPInteger, modulus: GMPInteger) -> (GMPInteger, GMPInteger) {
        gmp.fieldSwap(swap, a, b, modulus: modulus)
    }

    /// Records the field work (``ECFieldWork/record(in:)``) and, with an
    /// ``ecCost``, charges its instructions at the chip's latencies (integer
    /// work: it holds a strand, not the FPU) and counts the reductions as
    /// `<provider>.ec.reduce`.
    public func account(_ work: ECFieldWork, context: OperationContext) {
        work.record(in: context)
        guard let ecCost else { return }
        let (counts, reductions) = ecCost.counts(work)
        context.count("\(identifier).ec.reduce", reductions)
        chip.charge(counts, to: context)
    }

    // MARK: The hot operation

    /// base^exponent mod modulus by the FP Montgomery exponentiation, for an
    /// odd modulus above 1; its counts and modeled cycles go to `context`.
    /// An even modulus (or 1) has no Montgomery form: GMP computes it, counted as
    /// `sparcfp.gmp_fallback` and charged nothing. Secret or not, the schedule
    /// is Solaris' sliding window, whose timing follows the exponent (see
    /// ``FloatModExponentiation``); RSA's base blinding still applies.
    public func modExp(
        _ base: GMPInteger, _ exponent: GMPInteger, _ modulus: GMPInteger, secret: Bool, context: OperationContext
    ) throws -> GMPInteger {
        guard modulus.signum > 0 else {
            throw CryptoError(.argumentsBad, "sparcfp: modular exponentiation needs a positive modulus")
        }
        guard exponent.signum >= 0, base.signum >= 0 else {
            throw CryptoError(.argumentsBad, "sparcfp: modular exponentiation needs a non-negative base and exponent")
        }
        guard modulus.isOdd, modulus.bitLength > 1 else {
            context.count("\(identifier).gmp_fallback")
            return try gmp.modExp(base, exponent, modulus, secret: secret, context: context)
        }
        let (result, counts) = kernel == .floatingPoint
            ? modExpCounted(base, exponent, modulus) : integerModExpCounted(base, exponent, modulus)
        context.count("\(identifier).modexp")
        chip.charge(counts, to: context)
        return result
    }

    /// The FP exponentiation with its counts, for an odd modulus > 1 (tests and benchmarks).
    public func modExpCounted(_ base: GMPInteger, _ exponent: GMPInteger, _ modulus: GMPInteger) -> (GMPInteger, FloatOpCounts) {
        precondition(modulus.isOdd && modulus.bitLength > 1, "the FP Montgomery exponentiation needs an odd modulus above 1")
        var counts = FloatOpCounts()
        let modulusWords = Self.words(of: modulus)
        let n = modulusWords.count
        let multiplier = MontgomeryFloatMultiplier(modulusWords: modulusWords)!

        // Integer work of big_modexp_ext: reduce the base if it is not below N,
        // R² mod N (big_mont_rr, a (2n+1)-by-n division), the base and 1 into
        // Montgomery form (two big_mont_conv = big_mont_mul by R²), and the
        // result back out (big_mont_mul by 1). The host does them with GMP.
        let reduced = reduceAndConvert(base, modulus, n: n, counts: &counts)
        let shift = 32 * n
        let baseMont = GMPInteger(capacityBits: reduced.bitLength + shift) { r in
            __gmpz_mul_2exp(r, reduced.pointer, mp_bitcnt_t(shift))
            __gmpz_mod(r, r, modulus.pointer)
        }
        let oneMont = GMPInteger(capacityBits: shift + 1) { r in
            __gmpz_set_ui(r, 1)
            __gmpz_mul_2exp(r, r, mp_bitcnt_t(shift))
            __gmpz_mod(r, r, modulus.pointer)
        }
        let resultMont = FloatModExponentiation.power(
            baseMont: Self.words(of: baseMont), oneMont: Self.words(of: oneMont),
            exponentBits: Self.bitsMostSignificantFirst(exponent), multiplier: multiplier, counts: &counts)
        // Out of Montgomery form: x·R⁻¹ = Montgomery product with 1. Charged above
        // as Solaris' integer big_mont_mul; the FP kernel computes it here, uncounted.
        var uncounted = FloatOpCounts()
        let plain = multiplier.montgomeryProduct(resultMont, [1], counts: &uncounted)
        return (Self.number(words: plain), counts)
    }

    /// Integer work of big_modexp around either kernel: reduce the base if it
    /// is not below N, R² mod N (big_mont_rr, a (2n+1)-by-n division), the base
    /// and 1 into Montgomery form (two big_mont_conv = big_mont_mul by R²), and
    /// the result back out (big_mont_mul by 1). Returns the reduced base.
    private func reduceAndConvert(_ base: GMPInteger, _ modulus: GMPInteger, n: Int, counts: inout FloatOpCounts) -> GMPInteger {
        var reduced = base
        if gmp.compare(base, modulus) >= 0 {
            counts += T1IntegerWork.divide(words(base), by: n)
            reduced = gmp.remainder(base, modulus)
        }
        counts += T1IntegerWork.divide(2 * n + 1, by: n) + T1IntegerWork.montgomeryMultiply(n) * 3
        return reduced
    }

    /// The integer exponentiation of Solaris' `-DUMUL64` build (bignumimpl.c
    /// `big_modexp` without USE_FLOATING_POINT): the same window schedule as the
    /// FP path, every step one integer big_mont_mul of n words (32×32→64-bit
    /// MULX multiply-accumulates, ``T1IntegerWork/montgomeryMultiply(_:)``). The
    /// host executes each step of the schedule with GMP (a·b mod N, which the
    /// Montgomery form only rescales), so the result is real and the charged
    /// steps are the ones that ran.
    public func integerModExpCounted(_ base: GMPInteger, _ exponent: GMPInteger, _ modulus: GMPInteger) -> (GMPInteger, FloatOpCounts) {
        precondition(modulus.isOdd && modulus.bitLength > 1, "Montgomery exponentiation needs an odd modulus above 1")
        var counts = FloatOpCounts()
        let n = words(modulus)
        let a = reduceAndConvert(base, modulus, n: n, counts: &counts)
        let bits = Self.bitsMostSignificantFirst(exponent)
        let group = FloatModExponentiation.windowBits(exponentBits: bits.count)
        let tableSize = group == 1 ? 1 : 1 << (group - 1)
        let step = T1IntegerWork.montgomeryMultiply(n)
        // Table: a, then a² and a^(2i+1) = a²·a^(2i−1): tableSize big_mont_mul calls.
        var table = [a]
        let square = gmp.mulMod(a, a, modulus)
        for i in 1..<max(tableSize, 1) { table.append(gmp.mulMod(square, table[i - 1], modulus)) }
        counts += step * tableSize
        var x = gmp.number(1)
        for s in FloatModExponentiation.schedule(bitsMostSignificantFirst: bits, windowBits: group) {
            switch s {
            case .square: x = gmp.mulMod(x, x, modulus)
            case .multiply(let index): x = gmp.mulMod(x, table[index], modulus)
            }
            counts += step
        }
        return (gmp.remainder(x, modulus), counts)
    }

    // MARK: Words

    /// x as 32-bit words, least significant first (empty for 0).
    static func words(of x: GMPInteger) -> [UInt32] {
        let count = (x.bitLength + 31) / 32
        guard count > 0 else { return [] }
        var out = [UInt32](repeating: 0, count: count)
        var written = 0
        out.withUnsafeMutableBytes { _ = __gmpz_export($0.baseAddress, &written, -1, 4, 0, 0, x.pointer) }
        return out
    }

    /// The number with these 32-bit words, least significant first.
    static func number(words: [UInt32]) -> GMPInteger {
        GMPInteger(capacityBits: words.count * 32) { r in
            words.withUnsafeBytes { __gmpz_import(r, words.count, -1, 4, 0, 0, $0.baseAddress) }
        }
    }

    /// The exponent's bits from the most significant (a leading 1), empty for 0.
    static func bitsMostSignificantFirst(_ e: GMPInteger) -> [Bool] {
        let w = words(of: e)
        let bits = e.bitLength
        return (0..<bits).reversed().map { (w[$0 / 32] >> UInt32($0 % 32)) & 1 == 1 }
    }

    // MARK: Primes and randomness

    public func isProbablePrime(_ x: GMPInteger) -> Bool {
        let prime = gmp.isProbablePrime(x)
        charge(FloatModExpCostEstimate.primalityTest(bits: x.bitLength, isPrime: prime))
        return prime
    }

    public func fillRandom(_ buffer: UnsafeMutableRawBufferPointer) throws { try gmp.fillRandom(buffer) }
}
