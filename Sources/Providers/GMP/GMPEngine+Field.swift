internal import CGMP
import CryptoFramework

#if canImport(Glibc)
import Glibc
#endif

/// Residue arithmetic for the elliptic curves on GMP's side-channel-silent
/// `mpn_sec_*` / `mpn_cnd_*` functions: every operand is copied into a buffer
/// of exactly the modulus's limb count, so the sequence of instructions and
/// memory accesses inside GMP depends on that count alone, not on the values.
///
/// What is not constant time, and why it is small: the copy into and out of
/// the fixed buffers follows the mpz's normalized size (it has fewer limbs
/// only when its top 64 bits are zero, probability about 2⁻⁶⁴ per value), and
/// each result is a freshly allocated ``GMPInteger``. Scratch buffers are
/// wiped before they are freed.
extension GMPEngine {
    public func fieldAdd(_ a: GMPInteger, _ b: GMPInteger, modulus: GMPInteger) -> GMPInteger {
        let n = modulus.limbCount
        return Self.withLimbs(4 * n) { buffer in
            let (x, y, sum, difference) = (buffer, buffer + n, buffer + 2 * n, buffer + 3 * n)
            Self.copy(a, into: x, limbs: n)
            Self.copy(b, into: y, limbs: n)
            let carry = __gmpn_add_n(sum, x, y, n)
            let borrow = __gmpn_sub_n(difference, sum, __gmpz_limbs_read(modulus.pointer), n)
            // a + b − m is the answer unless a + b < m, i.e. no carry out and a borrow.
            __gmpn_cnd_swap(carry | (borrow ^ 1), sum, difference, n)
            return Self.integer(from: sum, limbs: n)
        }
    }

    public func fieldSubtract(_ a: GMPInteger, _ b: GMPInteger, modulus: GMPInteger) -> GMPInteger {
        let n = modulus.limbCount
        return Self.withLimbs(3 * n) { buffer in
            let (x, y, difference) = (buffer, buffer + n, buffer + 2 * n)
            Self.copy(a, into: x, limbs: n)
            Self.copy(b, into: y, limbs: n)
            let borrow = __gmpn_sub_n(difference, x, y, n)
            _ = __gmpn_cnd_add_n(borrow, difference, difference, __gmpz_limbs_read(modulus.pointer), n)
            return Self.integer(from: difference, limbs: n)
        }
    }

    /// mpn_sec_mul, then mpn_sec_div_r for the remainder.
    public func fieldMultiply(_ a: GMPInteger, _ b: GMPInteger, modulus: GMPInteger) -> GMPInteger {
        let n = modulus.limbCount
        let scratch = max(Int(__gmpn_sec_mul_itch(n, n)), Int(__gmpn_sec_div_r_itch(2 * n, n)), 1)
        return Self.withLimbs(4 * n + scratch) { buffer in
            let (x, y, product, work) = (buffer, buffer + n, buffer + 2 * n, buffer + 4 * n)
            Self.copy(a, into: x, limbs: n)
            Self.copy(b, into: y, limbs: n)
            __gmpn_sec_mul(product, x, n, y, n, work)
            __gmpn_sec_div_r(product, 2 * n, __gmpz_limbs_read(modulus.pointer), n, work)
            return Self.integer(from: product, limbs: n)
        }
    }

    /// a^(m−2) by mpn_sec_powm with the base at the modulus's full limb count.
    public func fieldInverse(_ a: GMPInteger, modulus: GMPInteger, context: OperationContext) throws -> GMPInteger {
        guard modulus.isOdd, modulus.bitLength > 2 else {
            throw CryptoError(.argumentsBad, "gmp: a Fermat inversion needs an odd prime modulus above 2")
        }
        context.count("gmp.modexp")
        let n = modulus.limbCount
        let exponent = subtract(modulus, number(2))
        let exponentBits = mp_bitcnt_t(exponent.bitLength)
        let scratch = max(Int(__gmpn_sec_powm_itch(n, exponentBits, n)), 1)
        return Self.withLimbs(2 * n + scratch) { buffer in
            let (base, result, work) = (buffer, buffer + n, buffer + 2 * n)
            Self.copy(a, into: base, limbs: n)
            __gmpn_sec_powm(
                result, base, n, __gmpz_limbs_read(exponent.pointer), exponentBits, __gmpz_limbs_read(modulus.pointer), n, work)
            return Self.integer(from: result, limbs: n)
        }
    }

    /// mpn_cnd_swap on copies at the modulus's limb count.
    public func fieldSwap(_ swap: UInt8, _ a: GMPInteger, _ b: GMPInteger, modulus: GMPInteger) -> (GMPInteger, GMPInteger) {
        let n = modulus.limbCount
        return Self.withLimbs(2 * n) { buffer in
            let (x, y) = (buffer, buffer + n)
            Self.copy(a, into: x, limbs: n)
            Self.copy(b, into: y, limbs: n)
            __gmpn_cnd_swap(mp_limb_t(swap & 1), x, y, n)
            return (Self.integer(from: x, limbs: n), Self.integer(from: y, limbs: n))
        }
    }

    // MARK: Fixed-size limb buffers

    /// Runs `body` on `count` limbs of scratch, wiped and freed afterwards.
    private static func withLimbs<R>(_ count: Int, _ body: (UnsafeMutablePointer<mp_limb_t>) -> R) -> R {
        let buffer = UnsafeMutablePointer<mp_limb_t>.allocate(capacity: count)
        defer {
            explicit_bzero(buffer, count * MemoryLayout<mp_limb_t>.size)
            buffer.deallocate()
        }
        return body(buffer)
    }

    /// `x` (below the modulus) as exactly `limbs` limbs, zeros above its own.
    private static func copy(_ x: GMPInteger, into destination: UnsafeMutablePointer<mp_limb_t>, limbs: Int) {
        let used = x.limbCount
        precondition(used <= limbs, "gmp: a residue wider than its modulus")
        if used > 0 { destination.update(from: __gmpz_limbs_read(x.pointer), count: used) }
        (destination + used).initialize(repeating: 0, count: limbs - used)
    }

    /// A new integer from `limbs` limbs (normalized: high zero limbs leave its size).
    private static func integer(from source: UnsafeMutablePointer<mp_limb_t>, limbs: Int) -> GMPInteger {
        GMPInteger(capacityBits: limbs * mp_limb_t.bitWidth) { r in
            __gmpz_limbs_write(r, limbs).update(from: source, count: limbs)
            __gmpz_limbs_finish(r, limbs)
        }
    }
}
