internal import CGMP
internal import CLibCrypto
import CryptoFramework

/// ``BignumEngine`` over GMP. Secret exponents go through `mpz_powm_sec`
/// (constant time and cache-pattern independent of the exponent); randomness
/// comes from libcrypto's `RAND_priv_bytes`, never GMP's statistical PRNG.
public struct GMPEngine: BignumEngine {
    public typealias Number = GMPInteger

    /// Miller-Rabin rounds for mpz_probab_prime_p: GMP ≥ 6.2 runs BPSW plus
    /// reps − 24 rounds, older GMP `reps` rounds (error ≤ 4⁻⁴⁰ = 2⁻⁸⁰ per candidate).
    static let primalityRounds: Int32 = 40

    public init() {}

    public var identifier: String { "gmp" }

    // MARK: Conversions

    public func number(bigEndian bytes: [UInt8]) -> GMPInteger {
        bytes.withUnsafeBytes { GMPInteger(bigEndian: $0) }
    }

    public func number(secret: SecureBytes) -> GMPInteger {
        secret.withUnsafeBytes { GMPInteger(bigEndian: $0) }
    }

    public func number(_ value: UInt) -> GMPInteger {
        GMPInteger { __gmpz_set_ui($0, value) }
    }

    public func bigEndianBytes(_ x: GMPInteger, length: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: length)
        try bytes.withUnsafeMutableBytes { try x.export(into: $0) }
        return bytes
    }

    public func secureBytes(_ x: GMPInteger, length: Int?) throws -> SecureBytes {
        try SecureBytes(count: length ?? x.byteCount) { try x.export(into: $0) }
    }

    // MARK: Arithmetic

    public func bitLength(_ x: GMPInteger) -> Int { x.bitLength }

    public func compare(_ a: GMPInteger, _ b: GMPInteger) -> Int {
        Int(__gmpz_cmp(a.pointer, b.pointer).signum())
    }

    public func add(_ a: GMPInteger, _ b: GMPInteger) -> GMPInteger {
        GMPInteger { __gmpz_add($0, a.pointer, b.pointer) }
    }

    public func subtract(_ a: GMPInteger, _ b: GMPInteger) -> GMPInteger {
        GMPInteger { __gmpz_sub($0, a.pointer, b.pointer) }
    }

    public func multiply(_ a: GMPInteger, _ b: GMPInteger) -> GMPInteger {
        GMPInteger { __gmpz_mul($0, a.pointer, b.pointer) }
    }

    public func quotient(_ a: GMPInteger, _ b: GMPInteger) -> GMPInteger {
        GMPInteger { __gmpz_fdiv_q($0, a.pointer, b.pointer) }
    }

    public func remainder(_ a: GMPInteger, _ m: GMPInteger) -> GMPInteger {
        GMPInteger { __gmpz_mod($0, a.pointer, m.pointer) }
    }

    public func mulMod(_ a: GMPInteger, _ b: GMPInteger, _ m: GMPInteger) -> GMPInteger {
        GMPInteger { r in
            __gmpz_mul(r, a.pointer, b.pointer)
            __gmpz_mod(r, r, m.pointer)
        }
    }

    public func invMod(_ a: GMPInteger, _ m: GMPInteger) -> GMPInteger? {
        var invertible: Int32 = 0
        let r = GMPInteger { invertible = __gmpz_invert($0, a.pointer, m.pointer) }
        return invertible != 0 ? r : nil
    }

    public func gcd(_ a: GMPInteger, _ b: GMPInteger) -> GMPInteger {
        GMPInteger { __gmpz_gcd($0, a.pointer, b.pointer) }
    }

    /// mpz_powm_sec for secret exponents. It needs an odd modulus and an
    /// exponent > 0: exponent 0 gives 1 mod m here; a secret exponent with
    /// an even modulus is refused rather than sent to the variable-time mpz_powm.
    public func modExp(
        _ base: GMPInteger, _ exponent: GMPInteger, _ modulus: GMPInteger, secret: Bool, context: OperationContext
    ) throws -> GMPInteger {
        guard modulus.signum > 0 else {
            throw CryptoError(.argumentsBad, "gmp: modular exponentiation needs a positive modulus")
        }
        guard exponent.signum >= 0 else {
            throw CryptoError(.argumentsBad, "gmp: modular exponentiation needs a non-negative exponent")
        }
        context.count("gmp.modexp")
        if exponent.signum == 0 {
            return GMPInteger { r in
                __gmpz_set_ui(r, 1)
                __gmpz_mod(r, r, modulus.pointer)
            }
        }
        if secret {
            guard modulus.isOdd else {
                throw CryptoError(.argumentsBad, "gmp: a secret exponent needs an odd modulus (mpz_powm_sec)")
            }
            return GMPInteger { __gmpz_powm_sec($0, base.pointer, exponent.pointer, modulus.pointer) }
        }
        return GMPInteger { __gmpz_powm($0, base.pointer, exponent.pointer, modulus.pointer) }
    }

    // MARK: Primes and randomness

    public func isProbablePrime(_ x: GMPInteger) -> Bool {
        __gmpz_probab_prime_p(x.pointer, Self.primalityRounds) > 0
    }

    public func fillRandom(_ buffer: UnsafeMutableRawBufferPointer) throws {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        var offset = 0
        while offset < buffer.count {  // RAND_priv_bytes takes an Int32 count
            let chunk = min(buffer.count - offset, Int(Int32.max))
            guard RAND_priv_bytes(base.assumingMemoryBound(to: UInt8.self) + offset, Int32(chunk)) == 1 else {
                throw CryptoError(.providerFailed, "gmp: libcrypto RAND_priv_bytes failed to supply random bytes")
            }
            offset += chunk
        }
    }
}
