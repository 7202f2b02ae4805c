internal import CGMP
internal import CLibCrypto
import CryptoFramework

#if canImport(Glibc)
import Glibc
#endif

/// ``BignumEngine`` over GMP. Secret exponents go through `mpn_sec_powm`
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
        GMPInteger(capacityBits: UInt.bitWidth) { __gmpz_set_ui($0, value) }
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
        GMPInteger(capacityBits: max(a.bitLength, b.bitLength) + 1) { __gmpz_add($0, a.pointer, b.pointer) }
    }

    public func subtract(_ a: GMPInteger, _ b: GMPInteger) -> GMPInteger {
        GMPInteger(capacityBits: max(a.bitLength, b.bitLength) + 1) { __gmpz_sub($0, a.pointer, b.pointer) }
    }

    public func multiply(_ a: GMPInteger, _ b: GMPInteger) -> GMPInteger {
        GMPInteger(capacityBits: a.bitLength + b.bitLength) { __gmpz_mul($0, a.pointer, b.pointer) }
    }

    public func quotient(_ a: GMPInteger, _ b: GMPInteger) -> GMPInteger {
        GMPInteger(capacityBits: a.bitLength + 1) { __gmpz_fdiv_q($0, a.pointer, b.pointer) }
    }

    public func remainder(_ a: GMPInteger, _ m: GMPInteger) -> GMPInteger {
        GMPInteger(capacityBits: m.bitLength) { __gmpz_mod($0, a.pointer, m.pointer) }
    }

    public func mulMod(_ a: GMPInteger, _ b: GMPInteger, _ m: GMPInteger) -> GMPInteger {
        GMPInteger(capacityBits: a.bitLength + b.bitLength) { r in
            __gmpz_mul(r, a.pointer, b.pointer)
            __gmpz_mod(r, r, m.pointer)
        }
    }

    public func invMod(_ a: GMPInteger, _ m: GMPInteger) -> GMPInteger? {
        var invertible: Int32 = 0
        let r = GMPInteger(capacityBits: m.bitLength) { invertible = __gmpz_invert($0, a.pointer, m.pointer) }
        return invertible != 0 ? r : nil
    }

    public func gcd(_ a: GMPInteger, _ b: GMPInteger) -> GMPInteger {
        GMPInteger(capacityBits: max(a.bitLength, b.bitLength)) { __gmpz_gcd($0, a.pointer, b.pointer) }
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
            return GMPInteger(capacityBits: modulus.bitLength) { r in
                __gmpz_set_ui(r, 1)
                __gmpz_mod(r, r, modulus.pointer)
            }
        }
        if secret {
            guard modulus.isOdd else {
                throw CryptoError(.argumentsBad, "gmp: a secret exponent needs an odd modulus (mpz_powm_sec)")
            }
            return secretModExp(base, exponent, modulus)
        }
        return GMPInteger(capacityBits: modulus.bitLength) { __gmpz_powm($0, base.pointer, exponent.pointer, modulus.pointer) }
    }

    /// mpn_sec_powm (the constant-time core of mpz_powm_sec) on a scratch
    /// buffer owned here and wiped afterwards, so no intermediate of a secret
    /// exponentiation is left in memory GMP allocated (see ``GMPInteger``).
    /// Needs an odd modulus and an exponent > 0 (checked by the caller).
    private func secretModExp(_ base: GMPInteger, _ exponent: GMPInteger, _ modulus: GMPInteger) -> GMPInteger {
        let reduced = base.signum < 0 || compare(base, modulus) >= 0 ? remainder(base, modulus) : base
        let n = modulus.limbCount
        guard reduced.signum > 0 else { return GMPInteger(capacityBits: modulus.bitLength) }  // 0^e = 0
        let bn = reduced.limbCount
        let enb = mp_bitcnt_t(exponent.bitLength)
        let scratchLimbs = Int(__gmpn_sec_powm_itch(bn, enb, n))
        let scratch = UnsafeMutablePointer<mp_limb_t>.allocate(capacity: max(scratchLimbs, 1))
        defer {
            explicit_bzero(scratch, max(scratchLimbs, 1) * MemoryLayout<mp_limb_t>.size)
            scratch.deallocate()
        }
        return GMPInteger(capacityBits: n * mp_limb_t.bitWidth) { r in
            let rp = __gmpz_limbs_write(r, n)
            __gmpn_sec_powm(
                rp, __gmpz_limbs_read(reduced.pointer), bn, __gmpz_limbs_read(exponent.pointer), enb,
                __gmpz_limbs_read(modulus.pointer), n, scratch)
            __gmpz_limbs_finish(r, n)  // normalizes: high zero limbs drop out of the size
        }
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
