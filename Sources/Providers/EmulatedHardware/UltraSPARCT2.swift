import CryptoFramework

extension ChipModel {
    /// The Sun SPARC Enterprise T5220's UltraSPARC T2, as the t5220 platform's
    /// cost models see it (docs/t2.md has the story and what stays open).
    ///
    /// - Clock 1.4 GHz, 8 cores × 8 strands (Sun SPARC Enterprise T5120 and
    ///   T5220 Server Architecture, white paper, October 2007: the T5220 shipped
    ///   with 1.2 and 1.4 GHz T2s of 4, 6 or 8 cores).
    /// - One floating-point and graphics unit (FGU) per core, shared by that
    ///   core's 8 strands (same white paper, "UltraSPARC T2 Processor
    ///   Architecture"), where the T1 had one FPU for the chip.
    /// - Latencies from GCC's Niagara-2 pipeline description,
    ///   gcc/config/sparc/niagara2.md (revision with separate Niagara-2 and
    ///   Niagara-3 entries): single-issue per strand, the pipe reserved for the
    ///   whole latency, so one strand sees latency. `niag2_fp` 6 (FMUL and the
    ///   FP moves and compares), `niag2_3cycle_load` 3 (integer and FP loads),
    ///   `niag2_1cycle_store` 1 (integer and FP stores), `niag2_ialu` 1,
    ///   `niag2_imul` 5, `niag2_idiv` 26. GCC has no Niagara-2 entry for the
    ///   add/subtract/convert class; it is taken as 6, the FGU's pipelined
    ///   add latency (OpenSPARC T2 Core Microarchitecture Specification, FGU
    ///   chapter) — not re-read here, so listed as open in docs/t2.md.
    /// - No trap penalty: FMUL, FADD/FSUB, the conversions and FP loads and
    ///   stores all execute in the FGU.
    /// - 8 Modular Arithmetic Units, one per core, each serving that core's 8
    ///   strands (illumos usr/src/uts/sun4v/sys/ncp.h NCP_N2_MAX_NMAUS 8,
    ///   NCP_N2_MAX_CPUS_PER_MAU 8), each with a 512-entry job queue
    ///   (NCP_MAQUEUE_NENTRIES). No T2 MAU cycle counts, and no published T2
    ///   RSA or ECC rate to calibrate against, were found (OpenSPARC T2 docs,
    ///   BluePrints 819-5782-20, Sun's T2 blogs and white paper: docs/t2.md,
    ///   "What stays open"), so the T1's calibrated per-word cycles are an
    ///   open assumption kept (``ultraSPARCT1``); at 1.4 GHz they give ≈ 19,000 RSA-1024
    ///   private-key operations per second for the chip. The hypervisor-call
    ///   and interrupt estimates are the T1's. The MAU does elliptic-curve
    ///   arithmetic (Ning Sun, "Cryptography Acceleration on UltraSPARC T2
    ///   Systems", Sun blog, 2007: ECC on prime and binary curves, "ECCp-160
    ///   and ECCb-163"; Sun's "Introduction to the UltraSPARC cryptographic
    ///   accelerators": "Additional public key algorithms (Elliptic Curve
    ///   Cryptography)").
    /// - 8 cipher/hash units (the Stream Processing Unit's, one per core,
    ///   behind n2cp), each fed by a 32-entry control-word queue (n2cp.h
    ///   CWQ_NENTRIES) with at most 64 KB per job (CW_MAX_DATA_LEN; the driver
    ///   splits longer input). Throughput: about 9 GB/s of bulk cipher for
    ///   two T2 Plus chips, 16 cores (Greg Sprack, "Improved crypto scaling on
    ///   T2+", Sun blog, June 2009), ≈ 560 MB/s per core, ≈ 2.5 cycles per
    ///   byte at 1.4 GHz; taken as AES-128 (10 rounds on a 16-byte block,
    ///   40 cycles) it gives `cyclesPerRound` 4, applied to every cipher and
    ///   hash round (a calibration on one figure, see ``StreamUnits``). Job set-up
    ///   (64 unit cycles) and the host's control word, hypervisor call and
    ///   completion (4,000 cycles) are estimates as the MAU's are.
    /// - An on-chip random number generator (n2rng(7D): "hardware assisted
    ///   random numbers ... built into the Ultra-SPARC T2"), read by hypervisor
    ///   call; 8 bytes and 1,500 cycles per call are estimates.
    public static let ultraSPARCT2 = ChipModel(
        name: "UltraSPARC T2", clockHz: 1.4e9, cores: 8, strandsPerCore: 8, floatingPointUnits: 8,
        latencies: Latencies(
            fmul: 6, fadd: 6, fconv: 6, fload: 3, fstore: 1,
            ialu: 1, iload: 3, istore: 1, imul: 5, idiv: 26),
        cryptoUnits: CryptoUnits(
            count: 8, wordBits: 64, productCycles: 2, rowOverheadCycles: 14,
            operandLoadCyclesPerWord: 1, operandsPerJob: 4, jobSetupCycles: 64,
            hypervisorCallCycles: 1_500, interruptCycles: 2_500,
            hostWordOverheadCycles: 4, hostByteCycles: 1,
            jobQueueEntries: 512, strandsPerUnit: 8, ellipticCurves: true),
        streamUnits: StreamUnits(
            count: 8, queueEntries: 32, maxJobBytes: 65_536, cyclesPerRound: 4,
            jobSetupCycles: 64, hostJobCycles: 4_000),
        randomUnit: RandomUnit(bytesPerCall: 8, callCycles: 1_500))
}
