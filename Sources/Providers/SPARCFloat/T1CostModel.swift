import CryptoFramework

/// Cycles on one UltraSPARC T1 strand for what the sparcfp engine executed.
///
/// Every instruction is charged its full latency, one after another: the T1
/// core is single-issue and in-order, and the mont_mulf inner loop is a chain
/// of dependent FP operations, so one strand sees latency, not throughput.
/// Sources:
/// - FP latencies: GCC's Niagara pipeline description, gcc/config/sparc/niagara.md
///   (FPADD/FPSUB 26, F{s,d}TO{i,x} and FxTO{s,d} 26 — listed there as "incorrectly
///   modelled" with these true values —, FMUL `niag_fmult` 29, FP load
///   `niag_9cycle_load` 9, FP store `niag_8cycle_store` 8).
/// - Integer: the same file (`niag_ialu` 1, `niag_3cycle_load` 3,
///   `niag_1cycle_store` 1, `niag_imul` 11, `niag_idiv` 72).
/// - Clock: 1.2 GHz, the Sun Fire T2000's UltraSPARC T1 (``Platform/t2000ClockHz``).
///
/// The T1 has one FPU for the whole chip (8 cores × 4 strands). This model is
/// one operation on an otherwise idle chip. Under concurrency FP operations
/// from all 32 strands queue for that one unit, so the chip's FP throughput —
/// not each strand's latency — bounds aggregate sparcfp throughput: N
/// concurrent modular exponentiations take about N times the FP time of one.
///
/// `fpTrapPenaltyCycles` is added to every FP instruction (arithmetic,
/// conversion, load, store): the cost of emulating it in a trap handler, which
/// is what the engineer who measured 7.73 s in 2007 believed was happening.
/// The published latencies imply no trap: the default is 0, and
/// ``SPARCFloatCalibration`` solves for the value a measured time implies.
public struct T1CostModel: Sendable, Hashable {
    public var clockHz: Double
    public var fmulCycles: Double
    public var faddCycles: Double
    public var fconvCycles: Double
    public var floadCycles: Double
    public var fstoreCycles: Double
    public var ialuCycles: Double
    public var iloadCycles: Double
    public var istoreCycles: Double
    public var imulCycles: Double
    public var idivCycles: Double
    /// Extra cycles per FP instruction (trap emulation); 0 per the published sources.
    public var fpTrapPenaltyCycles: Double

    public init(
        clockHz: Double = Platform.t2000ClockHz,
        fmulCycles: Double = 29, faddCycles: Double = 26, fconvCycles: Double = 26,
        floadCycles: Double = 9, fstoreCycles: Double = 8,
        ialuCycles: Double = 1, iloadCycles: Double = 3, istoreCycles: Double = 1,
        imulCycles: Double = 11, idivCycles: Double = 72,
        fpTrapPenaltyCycles: Double = 0
    ) {
        self.clockHz = clockHz
        self.fmulCycles = fmulCycles
        self.faddCycles = faddCycles
        self.fconvCycles = fconvCycles
        self.floadCycles = floadCycles
        self.fstoreCycles = fstoreCycles
        self.ialuCycles = ialuCycles
        self.iloadCycles = iloadCycles
        self.istoreCycles = istoreCycles
        self.imulCycles = imulCycles
        self.idivCycles = idivCycles
        self.fpTrapPenaltyCycles = fpTrapPenaltyCycles
    }

    /// The published parameters at 1.2 GHz, no trap penalty.
    public static let t2000 = T1CostModel()

    /// This model with another trap penalty.
    public func withTrapPenalty(_ cycles: Double) -> T1CostModel {
        var m = self
        m.fpTrapPenaltyCycles = cycles
        return m
    }

    /// Cycles of the FP instructions without any trap penalty.
    public func floatingPointCycles(_ c: FloatOpCounts) -> Double {
        Double(c.fmul) * fmulCycles + Double(c.fadd) * faddCycles + Double(c.fconv) * fconvCycles
            + Double(c.fload) * floadCycles + Double(c.fstore) * fstoreCycles
    }

    /// Cycles of the integer instructions.
    public func integerCycles(_ c: FloatOpCounts) -> Double {
        Double(c.ialu) * ialuCycles + Double(c.iload) * iloadCycles + Double(c.istore) * istoreCycles
            + Double(c.imul) * imulCycles + Double(c.idiv) * idivCycles
    }

    /// All cycles: FP + integer + penalty × FP instructions.
    public func cycles(_ c: FloatOpCounts) -> Double {
        floatingPointCycles(c) + integerCycles(c) + Double(c.floatingPointOperations) * fpTrapPenaltyCycles
    }

    public func seconds(_ c: FloatOpCounts) -> Double { cycles(c) / clockHz }

    /// Records `counts` in the request's report and charges their cycles.
    public func charge(_ counts: FloatOpCounts, to context: OperationContext) {
        counts.record(in: context)
        context.addModeled(cycles: cycles(counts), clockHz: clockHz)
    }

    /// The parameters as one line for reports and the README table.
    public var parameterSummary: String {
        func f(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
        return "clock \(f(clockHz / 1e6)) MHz; FMUL \(f(fmulCycles)), FADD/FSUB \(f(faddCycles)), "
            + "conversion \(f(fconvCycles)), FP load \(f(floadCycles)), FP store \(f(fstoreCycles)), "
            + "integer ALU \(f(ialuCycles)), load \(f(iloadCycles)), store \(f(istoreCycles)), "
            + "MULX \(f(imulCycles)), UDIVX \(f(idivCycles)) cycles; trap penalty \(f(fpTrapPenaltyCycles)) cycles per FP instruction"
    }
}
