/// The modular arithmetic the RSA and DH algorithms need, so that every
/// bignum provider (GMP; the SPARC floating-point emulation; the emulated MAU)
/// runs the same algorithm code and differs only in how it computes — above
/// all in ``modExp(_:_:_:secret:context:)``, the one hot operation an engine
/// overrides, counts and models.
///
/// Numbers are non-negative integers and immutable: every operation returns a
/// new number. An engine wipes a number's storage when it is released.
public protocol BignumEngine: Sendable {
    associatedtype Number: Sendable

    /// Short name used for key-handle cache slots (`"gmp"` → `"gmp.rsa"`).
    var identifier: String { get }

    // MARK: Conversions

    /// The number whose big-endian unsigned representation is `bytes` (empty is 0).
    func number(bigEndian bytes: [UInt8]) -> Number
    /// The same from a secret buffer, without an intermediate unwiped copy.
    func number(secret: SecureBytes) -> Number
    /// A small constant.
    func number(_ value: UInt) -> Number
    /// `x` as exactly `length` big-endian bytes, left-padded with zeros.
    /// Throws `dataLengthRange` when `x` does not fit.
    func bigEndianBytes(_ x: Number, length: Int) throws -> [UInt8]
    /// `x` into a wiping buffer: `length` bytes left-padded, or the minimal
    /// length when `length` is nil. Throws `dataLengthRange` when it does not fit.
    func secureBytes(_ x: Number, length: Int?) throws -> SecureBytes

    // MARK: Arithmetic

    /// Number of significant bits (0 for 0).
    func bitLength(_ x: Number) -> Int
    /// −1, 0 or 1 as a <, =, > b.
    func compare(_ a: Number, _ b: Number) -> Int
    func add(_ a: Number, _ b: Number) -> Number
    /// a − b; the caller guarantees a ≥ b.
    func subtract(_ a: Number, _ b: Number) -> Number
    func multiply(_ a: Number, _ b: Number) -> Number
    /// ⌊a / b⌋ for b > 0.
    func quotient(_ a: Number, _ b: Number) -> Number
    /// a mod m, in 0..<m, for m > 0.
    func remainder(_ a: Number, _ m: Number) -> Number
    /// a·b mod m.
    func mulMod(_ a: Number, _ b: Number, _ m: Number) -> Number
    /// a⁻¹ mod m, or nil when gcd(a, m) ≠ 1.
    func invMod(_ a: Number, _ m: Number) -> Number?
    func gcd(_ a: Number, _ b: Number) -> Number
    /// base^exponent mod modulus. With `secret`, the engine must not let time
    /// or memory access depend on the exponent's value (GMP: mpn_sec_powm).
    /// Engines with a cost model account the operation in `context`.
    func modExp(_ base: Number, _ exponent: Number, _ modulus: Number, secret: Bool, context: OperationContext) throws -> Number

    // MARK: Residues modulo an odd prime (the elliptic-curve field and group order)

    // Every input is already reduced (below `modulus`), and the modulus is
    // public. An engine that can should make the work depend on the modulus's
    // length only, never on the values (GMP: mpn_sec_* on fixed limb counts);
    // the defaults below are written over the general operations above and
    // promise no more than those do. See ``ECPointArithmetic``.

    /// (a + b) mod modulus.
    func fieldAdd(_ a: Number, _ b: Number, modulus: Number) -> Number
    /// (a − b) mod modulus.
    func fieldSubtract(_ a: Number, _ b: Number, modulus: Number) -> Number
    /// a·b mod modulus.
    func fieldMultiply(_ a: Number, _ b: Number, modulus: Number) -> Number
    /// a⁻¹ mod a prime modulus by Fermat, a^(modulus−2), as a secret
    /// exponentiation (0 gives 0). Engines with a cost model account it in `context`.
    func fieldInverse(_ a: Number, modulus: Number, context: OperationContext) throws -> Number
    /// (b, a) when `swap` is 1, (a, b) when it is 0, without a branch or a
    /// memory access that depends on `swap`.
    func fieldSwap(_ swap: UInt8, _ a: Number, _ b: Number, modulus: Number) -> (Number, Number)
    /// Charges the field work of one EC operation to `context` (an engine with
    /// a cost model turns it into modeled time; by default it is recorded as a
    /// typed tally and as counts, ``ECFieldWork/record(in:)``).
    func account(_ work: ECFieldWork, context: OperationContext)

    // MARK: Primes and randomness

    /// Whether `x` is prime with error probability at most 2⁻⁸⁰ (or a BPSW-strength test).
    func isProbablePrime(_ x: Number) -> Bool
    /// Fills `buffer` from a cryptographically secure generator (never a
    /// library's statistical PRNG). Throws when the generator fails.
    func fillRandom(_ buffer: UnsafeMutableRawBufferPointer) throws
}

extension BignumEngine {
    /// Whether gcd(a, b) = 1.
    public func isCoprime(_ a: Number, _ b: Number) -> Bool {
        compare(gcd(a, b), number(1)) == 0
    }

    /// `count` random bytes in a wiping buffer.
    public func randomBytes(count: Int) throws -> SecureBytes {
        try SecureBytes(count: count) { try fillRandom($0) }
    }

    /// A uniformly random number of at most `bits` bits; with `topBits` = t > 0,
    /// its t most significant bits are set (so it has exactly `bits` bits);
    /// with `odd`, its lowest bit is set.
    public func random(bits: Int, topBits: Int = 0, odd: Bool = false) throws -> Number {
        guard bits > 0, (0...bits).contains(topBits) else {
            throw CryptoError(.argumentsBad, "random(bits: \(bits), topBits: \(topBits)) asks for an impossible number")
        }
        let count = (bits + 7) / 8
        let excess = count * 8 - bits
        let bytes = try SecureBytes(count: count) { buffer in
            try fillRandom(buffer)
            buffer[0] &= UInt8(0xFF >> excess)
            for bit in (bits - topBits)..<bits {  // bit numbers counted from the least significant
                buffer[count - 1 - bit / 8] |= UInt8(1) << (bit % 8)
            }
            if odd { buffer[count - 1] |= 1 }
        }
        return number(secret: bytes)
    }

    /// A uniformly random number in 0..<bound (bound > 0), by rejection sampling.
    public func random(below bound: Number) throws -> Number {
        let bits = bitLength(bound)
        guard bits > 0 else { throw CryptoError(.argumentsBad, "random(below:) needs a positive bound") }
        while true {
            let candidate = try random(bits: bits)
            if compare(candidate, bound) < 0 { return candidate }
        }
    }
}
