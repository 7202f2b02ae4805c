import CryptoFramework

/// What one field operation of an elliptic-curve request costs in Solaris'
/// software ECC, as instructions (``FloatOpCounts``) a strand of the
/// platform's chip issues: the cost model behind sparcfp's EC mechanisms.
///
/// **What Solaris ran.** Solaris' software ECC (the kernel `ecc` module and
/// softtoken/libsoftcrypto) is NSS's freebl ECC, `usr/src/common/crypto/ecc`,
/// over NSS's MPI bignum, `usr/src/common/mpi` — not over the `bignum`
/// library whose floating-point `mont_mulf` RSA and DH use:
/// - illumos' copy of MPI holds only the C files (mpi.c, mplogic.c,
///   mpmontg.c, mpprime.c, mp_gf2m.c): NSS's SPARC floating-point Montgomery
///   code (mpv_sparc.c, montmulf) is not there, and
///   `lib/pkcs11/pkcs11_softtoken/Makefile.com` builds `MPI_COBJECTS` with no
///   `MPI_PSR_OBJECTS` for SPARC and no MPI flags beyond `-DMP_API_COMPATIBLE
///   -DNSS_ECC_MORE_THAN_SUITE_B`;
/// - NSS's floating-point prime-field ECC (`ECL_USE_FP`, ecp_fp*.c) is not
///   among the ECC objects, so `ecl.c` builds P-256 as `ECGroup_consGFp` with
///   `ec_group_set_gfp256` (schoolbook `mp_mul`/`mp_sqr`, then the fast NIST
///   reduction `ec_GFp_nistp256_mod`, Hankerson–Menezes–Vanstone Algorithm
///   2.29), and P-384 — absent from its switch — with the generic
///   `ECGroup_consGFp_mont` (`mp_mul`/`mp_sqr` and the Montgomery reduction
///   `s_mp_redc` of mpmontg.c);
/// - `mpi.h` makes `mp_digit` an `unsigned long` when long is wider than 32
///   bits (sparcv9) and an `unsigned long long` otherwise, both with
///   `MP_NO_MP_WORD`: a digit product is `MP_MUL_DxD`, four 32×32→64-bit
///   multiplies (MULX) and the shifts and carries that assemble them (mpi.c).
/// The ECC and MPI files carry Sun copyrights of 2007–2008 (softtoken's
/// Makefile.com adding softEC.o is 2008's): Solaris most likely gained
/// software ECC after the 2007 Solaris 10 this project's T2000 story ran.
///
/// **What is charged.** The field operations the framework's own EC
/// algorithms performed (``ECFieldWork``, exact counts from the run), each at
/// the cost of the MPI routine that would do it at the curve's size:
/// - a multiplication: `mp_mul`, n² digit products, then the curve's reduction;
/// - a squaring: `mp_sqr`, n(n−1)/2 cross products, the doubling of 2n digits
///   (`s_mp_mul_2`) and n digit squares (`s_mpv_sqr_add_prop`, three
///   multiplies each), then the reduction;
/// - the reduction: P-256's fast reduction (eleven 4-digit additions and
///   subtractions of rearranged halves, then at most two corrections), or
///   P-384's Montgomery reduction (n rows of n digit products, each row's
///   digit m = T[i]·n′ one MULX, the n-digit shift and the final
///   compare-and-subtract);
/// - an addition or subtraction (`ec_GFp_add`/`ec_GFp_sub`): one n-digit
///   add with carry, a compare with p and a conditional subtract;
/// - a conditional swap (the ladder's; MPI has none): n digits exchanged
///   under a mask;
/// - an inversion: the framework's Fermat inversion, a binary exponentiation
///   by p − 2 of (bits − 1) squarings and (set bits − 1) multiplications.
/// Scalars are counted with the field's operations (``ECFieldWork``); on
/// P-256 and P-384 n has p's length, so each is charged at p's reduction.
///
/// Instruction counts are derived from the C of those routines: scalars in
/// registers, every digit read or written a load or store, loop control not
/// counted (as ``FloatOpCounts`` everywhere). They are derivations, not
/// measurements; no published figure for Solaris' software ECC on a T1 or T2
/// was found. The point arithmetic is the framework's (a constant-time
/// Montgomery ladder over complete formulas), not NSS's: NSS multiplied by a
/// width-5 wNAF in modified Jacobian coordinates (ecp_jm.c), about 10 field
/// products per scalar bit against the ladder's 27, so this charges the
/// constant-time algorithm the framework runs rather than the faster,
/// variable-time one Solaris ran (docs/sparcfp.md).
public struct MPIFieldCost: Sendable, Hashable {
    /// How the curve's products are reduced in NSS's ECC.
    public enum Reduction: String, Sendable, Hashable {
        /// `ec_GFp_nistp256_mod`: the fast NIST reduction (ecp_256.c).
        case nistP256
        /// `s_mp_redc`: generic Montgomery reduction (ecp_mont.c, mpmontg.c).
        case montgomery
    }

    /// The curves whose NSS arithmetic is modeled (P-256 and P-384).
    public static let curves: ECCurves = [.p256, .p384]

    public let curve: ECCurve
    /// 64-bit digits of a field element.
    public let digits: Int
    public let reduction: Reduction
    /// p − 2's bit length and set bits (the Fermat inversion's schedule).
    public let inversionExponent: (bits: Int, ones: Int)

    public static func == (a: MPIFieldCost, b: MPIFieldCost) -> Bool { a.curve == b.curve }
    public func hash(into hasher: inout Hasher) { hasher.combine(curve) }

    /// The model for `curve`, or nil for a curve NSS's code is not modeled for.
    public init?(curve: ECCurve) {
        guard Self.curves.contains(curve), let parameters = curve.primeCurve else { return nil }
        self.curve = curve
        digits = (curve.keyBits + 63) / 64
        reduction = curve == .p256 ? .nistP256 : .montgomery
        inversionExponent = Self.minusTwoShape(parameters.p)
    }

    // MARK: Digit-level pieces (mpi.c with MP_NO_MP_WORD)

    /// One digit product accumulated into the result (`s_mpv_mul_d_add_prop`'s
    /// inner step): `MP_MUL_DxD` — a's two halves split (b's are split once per
    /// row), four MULX, the middle products added and shifted into the high and
    /// low words with two carry tests (11 ALU operations) — then the carry in
    /// and the result digit added, each with a carry test (6), the carry moved
    /// (1); a[i] and c[i] loaded, c[i] stored.
    static let digitProduct = FloatOpCounts(ialu: 18, iload: 2, istore: 1, imul: 4)

    /// One digit square of `s_mpv_sqr_add_prop`: `MP_SQR_D` (three MULX: the two
    /// half squares and the cross product, shifted and added in, 8 ALU) added
    /// into two result digits with carries (8); a[i] and two result digits
    /// loaded, two stored.
    static let digitSquare = FloatOpCounts(ialu: 16, iload: 3, istore: 2, imul: 3)

    /// One digit of an add or subtract with carry (`s_mp_add`, `s_mp_sub` with
    /// MP_NO_MP_WORD): sum, carry test, carry add, carry test, carry merge.
    static let addDigit = FloatOpCounts(ialu: 5, iload: 2, istore: 1)

    /// One digit of `s_mp_cmp`: two loads and a compare.
    static let compareDigit = FloatOpCounts(ialu: 1, iload: 2)

    /// One digit of `s_mp_mul_2` (doubling) or of a digit shift: load, two
    /// shifts and an or for the carried bit, store.
    static let shiftDigit = FloatOpCounts(ialu: 3, iload: 1, istore: 1)

    /// One digit of a masked exchange: two loads, x = (a ^ b) & mask, a ^= x,
    /// b ^= x (four ALU with the mask's), two stores.
    static let swapDigit = FloatOpCounts(ialu: 4, iload: 2, istore: 2)

    // MARK: Field operations

    /// `mp_mul` of two n-digit elements: n² digit products.
    public var product: FloatOpCounts { Self.digitProduct * (digits * digits) }

    /// `mp_sqr` of an n-digit element: cross products, doubling, digit squares.
    public var square: FloatOpCounts {
        Self.digitProduct * (digits * (digits - 1) / 2) + Self.shiftDigit * (2 * digits) + Self.digitSquare * digits
    }

    /// Reduction of a 2n-digit product.
    public var reduce: FloatOpCounts {
        switch reduction {
        case .nistP256:
            // HMV Algorithm 2.29 as ecp_256.c's 64-bit path codes it: the 8 upper
            // and lower digits loaded; s1 + 2s2 + 2s3 + s4 + s5 − s6 − s7 − s8 − s9
            // is eleven 4-digit additions and subtractions (s2 and s3 twice), each
            // term assembled from 32-bit halves (two shifts per digit) and added
            // with carry; then at most two 4-digit corrections by p; 4 digits stored.
            let terms = 11
            let carryALU = Self.addDigit.ialu
            return FloatOpCounts(ialu: (carryALU + 2) * terms * digits + carryALU * 2 * digits, iload: 2 * digits, istore: digits)
        case .montgomery:
            // s_mp_redc: per digit i, m = T[i]·n′ (one MULX) and n digit
            // products into T; T shifted down n digits; compare with p and subtract.
            var row = Self.digitProduct * digits
            row.imul += 1
            return row * digits + Self.shiftDigit * (digits + 1) + Self.compareDigit * digits + Self.addDigit * digits
        }
    }

    /// `ec_GFp_add` / `ec_GFp_sub`: an n-digit add with carry, a compare with p,
    /// a conditional subtract (charged always: the counts do not follow values).
    public var addition: FloatOpCounts { Self.addDigit * digits + Self.compareDigit * digits + Self.addDigit * digits }

    /// A conditional exchange of two elements.
    public var swap: FloatOpCounts { Self.swapDigit * digits }

    /// A Fermat inversion: (bits − 1) squarings and (ones − 1) multiplications, each reduced.
    public var inversion: FloatOpCounts {
        (square + reduce) * (inversionExponent.bits - 1) + (product + reduce) * (inversionExponent.ones - 1)
    }

    /// The instructions of `work`, and the reductions among them.
    public func counts(_ work: ECFieldWork) -> (counts: FloatOpCounts, reductions: Int) {
        let counts = (product + reduce) * work.multiplications + (square + reduce) * work.squarings
            + addition * work.additions + swap * work.swaps + inversion * work.inversions
        let reductions = work.products + work.inversions * (inversionExponent.bits - 1 + inversionExponent.ones - 1)
        return (counts, reductions)
    }

    /// Bit length and set bits of p − 2 (p odd, above 2), p big-endian.
    static func minusTwoShape(_ p: [UInt8]) -> (bits: Int, ones: Int) {
        var bytes = p
        var borrow = 2
        for i in bytes.indices.reversed() where borrow > 0 {
            let value = Int(bytes[i]) - borrow
            bytes[i] = UInt8((value + 256) % 256)
            borrow = value < 0 ? 1 : 0
        }
        let first = bytes.firstIndex { $0 != 0 } ?? bytes.count
        let bits = first == bytes.count ? 0 : (bytes.count - first - 1) * 8 + (8 - bytes[first].leadingZeroBitCount)
        return (bits, bytes.reduce(0) { $0 + $1.nonzeroBitCount })
    }
}
