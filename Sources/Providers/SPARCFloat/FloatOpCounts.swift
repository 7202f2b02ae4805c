import ProviderGMP
import EmulatedHardware
import CryptoFramework

/// What the sparcfp engine executed, counted as the UltraSPARC instructions
/// the same code would issue: floating-point multiplies, adds/subtracts,
/// int↔FP conversions, FP loads and stores, and the integer work around them.
///
/// Conventions (the counting sites say the same next to the code):
/// - scalars live in registers; every array element read or written is a load or store;
/// - `floor(x)` of a non-negative double is `fdtox` + `fxtod`: two conversions
///   (Solaris' inline templates for mont_mulf do it that way, with no libm call);
/// - a double that must reach an integer register goes FP register → memory →
///   integer register (T1 has no direct move): conversion, FP store, integer load;
/// - loop control (increments, compares, branches) is not counted.
public struct FloatOpCounts: WorkTally, Hashable, CustomStringConvertible {
    /// FMULd.
    public var fmul = 0
    /// FADDd and FSUBd.
    public var fadd = 0
    /// FdTOx / FxTOd / FiTOd.
    public var fconv = 0
    /// LDDF (and LDF of a 32-bit word into an FP register).
    public var fload = 0
    /// STDF.
    public var fstore = 0
    /// Single-cycle integer ALU operations (add, and, shift, compare, move).
    public var ialu = 0
    /// Integer loads.
    public var iload = 0
    /// Integer stores.
    public var istore = 0
    /// Integer multiplies (MULX of two 32-bit words).
    public var imul = 0
    /// Integer divides (UDIVX: one per quotient digit of a schoolbook division).
    public var idiv = 0
    /// Floating-point Montgomery multiplications (calls of the mont_mulf kernel).
    public var montgomeryMultiplies = 0

    public init() {}

    /// Counts given by field (the others 0).
    public init(fmul: Int = 0, fadd: Int = 0, fconv: Int = 0, fload: Int = 0, fstore: Int = 0,
                ialu: Int = 0, iload: Int = 0, istore: Int = 0, imul: Int = 0, idiv: Int = 0, montgomeryMultiplies: Int = 0) {
        self.fmul = fmul
        self.fadd = fadd
        self.fconv = fconv
        self.fload = fload
        self.fstore = fstore
        self.ialu = ialu
        self.iload = iload
        self.istore = istore
        self.imul = imul
        self.idiv = idiv
        self.montgomeryMultiplies = montgomeryMultiplies
    }

    /// All FP instructions: the ones the trap-emulation penalty applies to.
    public var floatingPointOperations: Int { fmul + fadd + fconv + fload + fstore }

    public static func + (a: FloatOpCounts, b: FloatOpCounts) -> FloatOpCounts {
        var r = a
        r += b
        return r
    }

    public static func += (a: inout FloatOpCounts, b: FloatOpCounts) {
        a.fmul += b.fmul
        a.fadd += b.fadd
        a.fconv += b.fconv
        a.fload += b.fload
        a.fstore += b.fstore
        a.ialu += b.ialu
        a.iload += b.iload
        a.istore += b.istore
        a.imul += b.imul
        a.idiv += b.idiv
        a.montgomeryMultiplies += b.montgomeryMultiplies
    }

    public static func * (a: FloatOpCounts, k: Int) -> FloatOpCounts {
        var r = FloatOpCounts()
        r.fmul = a.fmul * k
        r.fadd = a.fadd * k
        r.fconv = a.fconv * k
        r.fload = a.fload * k
        r.fstore = a.fstore * k
        r.ialu = a.ialu * k
        r.iload = a.iload * k
        r.istore = a.istore * k
        r.imul = a.imul * k
        r.idiv = a.idiv * k
        r.montgomeryMultiplies = a.montgomeryMultiplies * k
        return r
    }

    /// The counts under the names an ``OperationReport`` carries them.
    public var named: [(String, Int)] {
        [("fmul", fmul), ("fadd", fadd), ("fconv", fconv), ("fload", fload), ("fstore", fstore),
         ("ialu", ialu), ("iload", iload), ("istore", istore), ("imul", imul), ("idiv", idiv),
         ("sparcfp.mont_mulf", montgomeryMultiplies)]
    }

    /// Adds the counts to the request's report: typed (``OperationReport/work``,
    /// what cost models read) and under their display names.
    public func record(in context: OperationContext) {
        context.record(self)
        for (name, n) in named where n != 0 { context.count(name, n) }
    }

    public var description: String {
        named.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
    }
}
