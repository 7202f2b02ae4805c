import CryptoFramework

extension ChipModel {
    /// The Sun Fire T2000's UltraSPARC T1, as the sparcfp and ncp cost models see it.
    ///
    /// - Clock 1.2 GHz, 8 cores × 4 strands (Sun Fire T2000 Server Product
    ///   Overview; the 8-core T1 shipped at 1.0 and 1.2 GHz).
    /// - One FPU for the chip, shared by the 8 cores (OpenSPARC T1: the FFU of
    ///   each core sends FP operations over the crossbar to the one FPU, whose
    ///   add, multiply and divide pipes execute FADD/FSUB, every conversion
    ///   (FdTOx, FxTOd, FiTOd) and FMUL in hardware — fpu_in_ctl.v, fpu_add_ctl.v).
    /// - Latencies from GCC's Niagara pipeline description,
    ///   gcc/config/sparc/niagara.md: the single-issue pipe is reserved for an
    ///   operation's whole latency (`niag_pipe*N`), so a strand sees latency.
    ///   FADD/FSUB and F{s,d}TO{i,x} 26 (listed there as "incorrectly modelled"
    ///   with these true values), FMUL `niag_fmult` 29, FP load `niag_9cycle_load`
    ///   9, FP store `niag_8cycle_store` 8, `niag_ialu` 1, `niag_3cycle_load` 3,
    ///   `niag_1cycle_store` 1, `niag_imul` 11, `niag_idiv` 72.
    /// - No trap penalty: none of the instructions above traps on the T1. What
    ///   traps is FSQRT, quad precision and the VIS operations other than
    ///   partitioned add/subtract, faligndata, the logical ops, siam and
    ///   alignaddr (OpenSPARC T1 sparc_ffu_ctl_visctl.v `illegal_vis_e`), which
    ///   Solaris emulates (illumos usr/src/uts/sun4v/cpu/niagara.c,
    ///   `vis1_partial_support()`: IMPDEP1 VIS opcodes and short/partial FP
    ///   loads and stores only).
    /// - The 8 Modular Arithmetic Units (one per core, ncp.h NCP_N1_MAX_NMAUS):
    ///   64-bit operand words (OpenSPARC T1 Microarchitecture Specification,
    ///   "Stream Processing Unit"); `productCycles` 2 and `rowOverheadCycles`
    ///   14 are calibrated so RSA-1024 private operations come to ≈ 16,300/s for
    ///   the chip, inside the published 14,000–20,000/s (Sun BluePrints
    ///   819-5782-20, 2007; see ``NCPTimingModel``). The hypervisor call (1,500)
    ///   and interrupt (2,500) cycles are estimates that affect latency only.
    ///   Each MAU serves its core's 4 strands (NCP_N1_MAX_CPUS_PER_MAU) from a
    ///   512-entry queue (NCP_MAQUEUE_NENTRIES); it has no elliptic-curve
    ///   arithmetic. No cipher/hash units and no hardware random generator.
    public static let ultraSPARCT1 = ChipModel(
        name: "UltraSPARC T1", clockHz: 1.2e9, cores: 8, strandsPerCore: 4, floatingPointUnits: 1,
        latencies: Latencies(
            fmul: 29, fadd: 26, fconv: 26, fload: 9, fstore: 8,
            ialu: 1, iload: 3, istore: 1, imul: 11, idiv: 72),
        cryptoUnits: CryptoUnits(
            count: 8, wordBits: 64, productCycles: 2, rowOverheadCycles: 14,
            operandLoadCyclesPerWord: 1, operandsPerJob: 4, jobSetupCycles: 64,
            hypervisorCallCycles: 1_500, interruptCycles: 2_500,
            hostWordOverheadCycles: 4, hostByteCycles: 1,
            jobQueueEntries: 512, strandsPerUnit: 4, ellipticCurves: false))
}
