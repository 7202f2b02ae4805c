import ProviderGMP
import EmulatedHardware
import CryptoFramework

/// Cycles on one strand of the platform's chip for what a software bignum
/// engine executed (``FloatOpCounts``): every instruction charged its full
/// latency, one after another. The T1 core is single-issue and in order and
/// mont_mulf's inner loop is a chain of dependent FP operations, so one strand
/// sees latency, not throughput (gcc niagara.md reserves the pipe for the
/// whole latency); the parameters and their sources are in ``ChipModel``.
///
/// The model is one operation on an otherwise idle chip. On a chip with one
/// FPU (``ChipModel/floatingPointUnits``) FP operations of concurrent requests
/// queue for that unit (``SPARCFloatProvider/modeledThroughput(mechanism:operation:keyBits:)``).
///
/// ``ChipModel/fpTrapPenaltyCycles`` is added to every FP instruction
/// (arithmetic, conversion, load, store): the cost of emulating it in a trap
/// handler, which the engineer who measured 7.73 s in 2007 believed was
/// happening. It is a what-if; the T1 documentation says these instructions
/// run in hardware, and every chip value here has it at 0.
extension ChipModel {
    /// Cycles of the FP instructions without any trap penalty.
    public func floatingPointCycles(_ c: FloatOpCounts) -> Double {
        let l = latencies
        return Double(c.fmul) * l.fmul + Double(c.fadd) * l.fadd + Double(c.fconv) * l.fconv
            + Double(c.fload) * l.fload + Double(c.fstore) * l.fstore
    }

    /// Cycles of the integer instructions.
    public func integerCycles(_ c: FloatOpCounts) -> Double {
        let l = latencies
        return Double(c.ialu) * l.ialu + Double(c.iload) * l.iload + Double(c.istore) * l.istore
            + Double(c.imul) * l.imul + Double(c.idiv) * l.idiv
    }

    /// All cycles: FP + integer + trap penalty × FP instructions.
    public func cycles(_ c: FloatOpCounts) -> Double {
        floatingPointCycles(c) + integerCycles(c) + Double(c.floatingPointOperations) * fpTrapPenaltyCycles
    }

    public func seconds(_ c: FloatOpCounts) -> Double { cycles(c) / clockHz }

    /// Records `counts` in the request's report (typed and by name) and charges their cycles.
    /// The FP cycles (penalty included) are also recorded as ``ResourceCycles/floatingPoint``:
    /// the part of the time a strand holds the chip's FPU.
    public func charge(_ counts: FloatOpCounts, to context: OperationContext) {
        counts.record(in: context)
        context.record(ResourceCycles(floatingPoint: floatingPointCycles(counts) + Double(counts.floatingPointOperations) * fpTrapPenaltyCycles))
        context.addModeled(cycles: cycles(counts), clockHz: clockHz)
    }
}
