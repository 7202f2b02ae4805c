/// One modeled processor: everything the cost models of a platform's emulated
/// providers need to know about the chip, in one value. A platform carries it
/// (``Platform/chip``) and hands it to its providers; a second chip (an
/// UltraSPARC T2 with a FPU per core) is a new value and a catalog entry,
/// not edits across providers.
///
/// The shared resources a capacity model queues on are data here: the FPUs
/// (``floatingPointUnits``, ``strandsPerFloatingPointUnit``), the
/// modular-arithmetic units (``CryptoUnits/count``, ``CryptoUnits/jobQueueEntries``,
/// ``CryptoUnits/strandsPerUnit``), the cipher and hash units
/// (``StreamUnits/count``, ``StreamUnits/queueEntries``) and the strands.
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
        /// Entries of each unit's job queue (the T1's and T2's: 512, ncp.h NCP_MAQUEUE_NENTRIES).
        public var jobQueueEntries: Int
        /// Strands that share one unit (its core's strands: 4 on the T1, 8 on the T2).
        public var strandsPerUnit: Int
        /// Whether the unit does elliptic-curve arithmetic (the T2's MAU does; the T1's does not).
        public var ellipticCurves: Bool

        public init(count: Int, wordBits: Int, productCycles: Int, rowOverheadCycles: Int,
                    operandLoadCyclesPerWord: Int, operandsPerJob: Int, jobSetupCycles: Int,
                    hypervisorCallCycles: Int, interruptCycles: Int, hostWordOverheadCycles: Int, hostByteCycles: Int,
                    jobQueueEntries: Int = 512, strandsPerUnit: Int = 4, ellipticCurves: Bool = false) {
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
            self.jobQueueEntries = jobQueueEntries
            self.strandsPerUnit = strandsPerUnit
            self.ellipticCurves = ellipticCurves
        }
    }

    /// The per-core cipher and hash units (the T2's Stream Processing Units
    /// behind `n2cp`, fed through one control-word queue per core), in cycles.
    public struct StreamUnits: Sendable, Hashable {
        /// Units on the chip (one per core).
        public var count: Int
        /// Entries of each unit's control-word queue.
        public var queueEntries: Int
        /// The most bytes one job may carry; the driver splits longer input into jobs of this size.
        public var maxJobBytes: Int
        /// Unit cycles per cipher or hash round, on one block.
        public var cyclesPerRound: Int
        /// Unit cycles to fetch a control word and its key and IV.
        public var jobSetupCycles: Int
        /// Host strand per job: building the control word, the hypervisor call
        /// that moves the queue tail, and the completion.
        public var hostJobCycles: Int

        public init(count: Int, queueEntries: Int, maxJobBytes: Int, cyclesPerRound: Int,
                    jobSetupCycles: Int, hostJobCycles: Int) {
            self.count = count
            self.queueEntries = queueEntries
            self.maxJobBytes = maxJobBytes
            self.cyclesPerRound = cyclesPerRound
            self.jobSetupCycles = jobSetupCycles
            self.hostJobCycles = hostJobCycles
        }
    }

    /// The on-chip random number generator (the T2's, behind `n2rng`).
    public struct RandomUnit: Sendable, Hashable {
        /// Bytes one hypervisor call returns.
        public var bytesPerCall: Int
        /// Host-strand cycles of one such call.
        public var callCycles: Int

        public init(bytesPerCall: Int, callCycles: Int) {
            self.bytesPerCall = bytesPerCall
            self.callCycles = callCycles
        }
    }

    /// The chip's name, for reports.
    public var name: String
    public var clockHz: Double
    public var cores: Int
    public var strandsPerCore: Int
    /// Floating-point units on the chip: 1 on the T1, shared by every core; one per core on the T2.
    public var floatingPointUnits: Int
    public var latencies: Latencies
    public var cryptoUnits: CryptoUnits
    /// Cipher and hash units (nil: the chip has none, as the T1).
    public var streamUnits: StreamUnits?
    /// A hardware random number generator (nil: none, as the T1).
    public var randomUnit: RandomUnit?
    /// Cycles added to every FP instruction: a what-if for an FPU emulated in a
    /// trap handler. 0 on every real chip described here (see ``ultraSPARCT1``).
    public var fpTrapPenaltyCycles: Double

    public init(name: String, clockHz: Double, cores: Int, strandsPerCore: Int, floatingPointUnits: Int,
                latencies: Latencies, cryptoUnits: CryptoUnits, streamUnits: StreamUnits? = nil,
                randomUnit: RandomUnit? = nil, fpTrapPenaltyCycles: Double = 0) {
        self.name = name
        self.clockHz = clockHz
        self.cores = cores
        self.strandsPerCore = strandsPerCore
        self.floatingPointUnits = floatingPointUnits
        self.latencies = latencies
        self.cryptoUnits = cryptoUnits
        self.streamUnits = streamUnits
        self.randomUnit = randomUnit
        self.fpTrapPenaltyCycles = fpTrapPenaltyCycles
    }

    /// Hardware strands of the chip.
    public var strands: Int { cores * strandsPerCore }

    /// Strands that share one FPU: every strand of the chip on the T1, a core's on the T2.
    public var strandsPerFloatingPointUnit: Int { max(1, strands / max(1, floatingPointUnits)) }

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
