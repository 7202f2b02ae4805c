/// One modeled processor: everything the cost models of a platform's emulated
/// providers need to know about the chip, in one value. A platform carries it
/// (``Platform/chip``) and hands it to its providers; a second chip (an
/// UltraSPARC T2 with a FPU per core, say) is a new value and a catalog
/// entry, not edits across providers.
///
/// The framework core only stores it; the providers' cost models read it.
public struct ChipModel: Sendable, Hashable {
    /// Latency of each instruction class, in cycles, as one strand sees it.
    public struct Latencies: Sendable, Hashable {
        /// FMULd.
        public var fmul: Double
        /// FADDd / FSUBd.
        public var fadd: Double
        /// Conversions FdTOx, FxTOd, FiTOd.
        public var fconv: Double
        /// LDDF.
        public var fload: Double
        /// STDF.
        public var fstore: Double
        /// Single-cycle integer ALU operations.
        public var ialu: Double
        /// Integer load.
        public var iload: Double
        /// Integer store.
        public var istore: Double
        /// MULX.
        public var imul: Double
        /// UDIVX.
        public var idiv: Double

        public init(fmul: Double, fadd: Double, fconv: Double, fload: Double, fstore: Double,
                    ialu: Double, iload: Double, istore: Double, imul: Double, idiv: Double) {
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
        }
    }

    /// The on-chip modular-arithmetic units (the T1's MAUs behind `ncp`) and the
    /// driver work around each job, in cycles.
    public struct CryptoUnits: Sendable, Hashable {
        /// Units on the chip (one per core on the T1).
        public var count: Int
        /// Operand word of the unit, in bits.
        public var wordBits: Int
        /// Cycles per word product.
        public var productCycles: Int
        /// Cycles per outer-loop row of a Montgomery multiply.
        public var rowOverheadCycles: Int
        /// Cycles per word loaded into the unit's memory.
        public var operandLoadCyclesPerWord: Int
        /// Operands moved per exponentiation job (base, exponent, modulus, result).
        public var operandsPerJob: Int
        /// Unit-side cycles to fetch a job descriptor and start.
        public var jobSetupCycles: Int
        /// Host strand: the hypervisor call that advances the unit's queue.
        public var hypervisorCallCycles: Int
        /// Host strand: the completion interrupt and its handler.
        public var interruptCycles: Int
        /// Host strand: cycles around each word multiply of software bignum code (loads, adds, store).
        public var hostWordOverheadCycles: Int
        /// Host strand: cycles per byte of padding and byte-order reversal.
        public var hostByteCycles: Int

        public init(count: Int, wordBits: Int, productCycles: Int, rowOverheadCycles: Int,
                    operandLoadCyclesPerWord: Int, operandsPerJob: Int, jobSetupCycles: Int,
                    hypervisorCallCycles: Int, interruptCycles: Int, hostWordOverheadCycles: Int, hostByteCycles: Int) {
            self.count = count
            self.wordBits = wordBits
            self.productCycles = productCycles
            self.rowOverheadCycles = rowOverheadCycles
            self.operandLoadCyclesPerWord = operandLoadCyclesPerWord
            self.operandsPerJob = operandsPerJob
            self.jobSetupCycles = jobSetupCycles
            self.hypervisorCallCycles = hypervisorCallCycles
            self.interruptCycles = interruptCycles
            self.hostWordOverheadCycles = hostWordOverheadCycles
            self.hostByteCycles = hostByteCycles
        }
    }

    /// The chip's name, for reports.
    public var name: String
    public var clockHz: Double
    public var cores: Int
    public var strandsPerCore: Int
    /// Floating-point units on the chip: 1 on the T1, shared by every core.
    public var floatingPointUnits: Int
    public var latencies: Latencies
    public var cryptoUnits: CryptoUnits
    /// Cycles added to every FP instruction: a what-if for an FPU emulated in a
    /// trap handler. 0 on every real chip described here (see ``ultraSPARCT1``).
    public var fpTrapPenaltyCycles: Double

    public init(name: String, clockHz: Double, cores: Int, strandsPerCore: Int, floatingPointUnits: Int,
                latencies: Latencies, cryptoUnits: CryptoUnits, fpTrapPenaltyCycles: Double = 0) {
        self.name = name
        self.clockHz = clockHz
        self.cores = cores
        self.strandsPerCore = strandsPerCore
        self.floatingPointUnits = floatingPointUnits
        self.latencies = latencies
        self.cryptoUnits = cryptoUnits
        self.fpTrapPenaltyCycles = fpTrapPenaltyCycles
    }

    /// Hardware strands of the chip.
    public var strands: Int { cores * strandsPerCore }

    /// Host-side cycles of one word multiply-accumulate of software bignum code.
    public var hostWordOperationCycles: Int { Int(latencies.imul) + cryptoUnits.hostWordOverheadCycles }

    /// This chip with another FP trap penalty (the emulation what-if).
    public func withFPTrapPenalty(_ cycles: Double) -> ChipModel {
        var chip = self
        chip.fpTrapPenaltyCycles = cycles
        return chip
    }

    /// The parameters as one line, for reports and docs.
    public var parameterSummary: String {
        func f(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
        let l = latencies
        return "\(name): clock \(f(clockHz / 1e6)) MHz, \(cores) cores × \(strandsPerCore) strands, "
            + "\(floatingPointUnits) FPU\(floatingPointUnits == 1 ? " shared by all cores" : "s"); "
            + "FMUL \(f(l.fmul)), FADD/FSUB \(f(l.fadd)), conversion \(f(l.fconv)), FP load \(f(l.fload)), "
            + "FP store \(f(l.fstore)), integer ALU \(f(l.ialu)), load \(f(l.iload)), store \(f(l.istore)), "
            + "MULX \(f(l.imul)), UDIVX \(f(l.idiv)) cycles; trap penalty \(f(fpTrapPenaltyCycles)) cycles per FP instruction"
    }
}
