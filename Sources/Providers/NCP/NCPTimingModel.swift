import ProviderGMP
import EmulatedHardware
import CryptoFramework

/// What one ncp request costs on an UltraSPARC T1, in integer clock cycles:
/// the part a Modular Arithmetic Unit is busy (serial per MAU) and the part
/// the host strand does (the driver, the hypervisor call, the interrupt,
/// Montgomery conversions, CRT recombination, padding).
public struct NCPJobCost: Sendable, Hashable {
    /// Cycles the MAU is occupied (its exponentiations, operand loads, job setup).
    public var mauCycles: Int
    /// Cycles on the submitting T1 strand (not on the MAU).
    public var hostCycles: Int
    /// MAU jobs (one per modular exponentiation, as ncp_big_modexp_ncp submits them).
    public var mauJobs: Int
    /// Montgomery multiplications the MAU performs.
    public var montgomeryMultiplies: Int
    /// The clock the cycles run at (the chip's).
    public var clockHz: Double

    public init(mauCycles: Int = 0, hostCycles: Int = 0, mauJobs: Int = 0, montgomeryMultiplies: Int = 0, clockHz: Double) {
        self.mauCycles = mauCycles
        self.hostCycles = hostCycles
        self.mauJobs = mauJobs
        self.montgomeryMultiplies = montgomeryMultiplies
        self.clockHz = clockHz
    }

    /// Latency of the request: the MAU work and the host work happen one after the other.
    public var totalCycles: Int { mauCycles + hostCycles }

    public var seconds: Double { Double(totalCycles) / clockHz }

    static func + (a: NCPJobCost, b: NCPJobCost) -> NCPJobCost {
        NCPJobCost(
            mauCycles: a.mauCycles + b.mauCycles, hostCycles: a.hostCycles + b.hostCycles,
            mauJobs: a.mauJobs + b.mauJobs, montgomeryMultiplies: a.montgomeryMultiplies + b.montgomeryMultiplies,
            clockHz: a.clockHz)
    }
}

/// The cost model of the ncp device over the chip's Modular Arithmetic Units
/// (docs/DESIGN.md "The two T1 models"), with the parameters of one ``ChipModel``
/// (``ChipModel/cryptoUnits`` and the integer multiply latency; sources there).
/// The device models an UltraSPARC T1 unless its platform hands it another
/// chip, also when it is emulated on the `host` platform.
///
/// Structure:
/// - MAU exponentiation is plain left-to-right binary: one Montgomery squaring
///   per exponent bit and one Montgomery multiply per set bit.
/// - A Montgomery multiply of N 64-bit words performs 2N² + N word products
///   (CIOS: N² for a·b, N² + N for the reduction; Koç, Acar and Kaliski,
///   "Analyzing and Comparing Montgomery Multiplication Algorithms", IEEE
///   Micro 16(3), 1996, table 1), plus per-row carry handling.
/// - Per job, the MAU loads its operands into MA memory; the host strand pays
///   the hypervisor call that moves the ring tail and the completion interrupt.
/// - The host strand computes R² mod m (the Montgomery conversion constant),
///   reduces the input mod p and q, recombines the CRT halves (Garner) and
///   does the PKCS#1 padding, with the T1's integer multiplier.
///
/// Calibration (RSA-1024 private key, CRT: two 512-bit exponentiations, N = 8
/// words, exponents of 512 bits with 256 set bits on average):
///
///     montgomeryMultiply(8)  = 2·(2·8² + 8) + 14·8          =     384 cycles
///     one 512-bit modexp     = (512 + 256)·384 + 4·8·1 + 64  = 295,008 cycles
///     one RSA-1024 private   = 2 · 295,008                   = 590,016 MAU cycles
///     per MAU                = 1.2e9 / 590,016               ≈   2,034 ops/s
///     8 MAUs                 = 8 · 2,034                     ≈  16,270 ops/s
///
/// which lies inside the published 14,000–20,000 RSA-1024 private-key
/// operations per second for the 8-MAU UltraSPARC T1 (Ning Sun and Chi-Chang
/// Lin, "Using the Cryptographic Accelerators in the UltraSPARC T1 and T2
/// Processors", Sun BluePrints Online, Part No 819-5782-20, November 2007,
/// "UltraSPARC T1 Processor" and "Common Performance Capabilities"; the range
/// as docs/DESIGN.md states it). `productCycles` and `rowOverheadCycles` are the
/// two calibrated constants: Sun published the throughput, not the MAU's
/// cycle counts. The host side adds ≈ 18,700 cycles of latency per RSA-1024
/// private operation but does not bound throughput: 32 strands share that
/// work while the 8 MAUs are the bottleneck.
public struct NCPTimingModel: Sendable, Hashable {
    /// The chip whose units and host strands are modeled.
    public let chip: ChipModel

    public init(chip: ChipModel = .ultraSPARCT1) {
        self.chip = chip
    }

    private var unit: ChipModel.CryptoUnits { chip.cryptoUnits }
    /// Host cycles per word-level multiply-accumulate in software bignum code:
    /// the integer multiply plus the loads, adds and store around it.
    private var hostWordOperationCycles: Int { chip.hostWordOperationCycles }

    // MARK: Building blocks

    /// 64-bit words of an operand of `bits` bits.
    public func words(bits: Int) -> Int { max(1, (bits + unit.wordBits - 1) / unit.wordBits) }

    /// One Montgomery multiply (or squaring) of `words`-word operands on a MAU.
    public func montgomeryMultiplyCycles(words n: Int) -> Int {
        unit.productCycles * (2 * n * n + n) + unit.rowOverheadCycles * n
    }

    /// One exponentiation job on a MAU: left-to-right binary over an exponent
    /// of `exponentBits` bits of which `exponentOnes` are set, modulus of `modulusBits`.
    public func modExpJob(modulusBits: Int, exponentBits: Int, exponentOnes: Int) -> NCPJobCost {
        let n = words(bits: modulusBits)
        let multiplies = exponentBits + exponentOnes
        let mau = multiplies * montgomeryMultiplyCycles(words: n)
            + unit.operandsPerJob * n * unit.operandLoadCyclesPerWord + unit.jobSetupCycles
        return NCPJobCost(
            mauCycles: mau, hostCycles: unit.hypervisorCallCycles + unit.interruptCycles + montgomeryConversionCycles(words: n),
            mauJobs: 1, montgomeryMultiplies: multiplies, clockHz: chip.clockHz)
    }

    /// Host: R² mod m for the Montgomery domain, a 2N-by-N word division (≈ 2N² word operations).
    func montgomeryConversionCycles(words n: Int) -> Int { 2 * n * n * hostWordOperationCycles }

    /// Host: reduce an input of 2N words mod an N-word prime (≈ 2N² word operations).
    func reductionCycles(words n: Int) -> Int { 2 * n * n * hostWordOperationCycles }

    /// Host: Garner's recombination h = qinv·(m1 − m2) mod p, m = m2 + h·q (≈ 3N² word operations).
    func crtRecombinationCycles(words n: Int) -> Int { 3 * n * n * hostWordOperationCycles }

    // MARK: Requests

    /// An RSA private-key operation with the CRT: one exponentiation mod p by
    /// dp and one mod q by dq, each its own MAU job, recombined on the host.
    public func rsaPrivate(
        modulusBits: Int, dpBits: Int, dpOnes: Int, dqBits: Int, dqOnes: Int
    ) -> NCPJobCost {
        let half = (modulusBits + 1) / 2
        let n = words(bits: half)
        var cost = modExpJob(modulusBits: half, exponentBits: dpBits, exponentOnes: dpOnes)
            + modExpJob(modulusBits: modulusBits - half, exponentBits: dqBits, exponentOnes: dqOnes)
        cost.hostCycles += 2 * reductionCycles(words: n) + crtRecombinationCycles(words: n)
            + unit.hostByteCycles * (modulusBits + 7) / 8
        return cost
    }

    /// An RSA public-key operation: one exponentiation by e mod n.
    public func rsaPublic(modulusBits: Int, exponentBits: Int, exponentOnes: Int) -> NCPJobCost {
        var cost = modExpJob(modulusBits: modulusBits, exponentBits: exponentBits, exponentOnes: exponentOnes)
        cost.hostCycles += unit.hostByteCycles * (modulusBits + 7) / 8
        return cost
    }

    /// A DH key generation or derivation: one exponentiation mod p.
    public func dhModExp(primeBits: Int, exponentBits: Int, exponentOnes: Int) -> NCPJobCost {
        modExpJob(modulusBits: primeBits, exponentBits: exponentBits, exponentOnes: exponentOnes)
    }

    /// An elliptic-curve request (ECDSA sign or verify, ECDH, a key pair) as one
    /// MAU job that runs the field operations the framework's own EC
    /// algorithms performed (``ECFieldWork``, exact counts from the run):
    /// every multiplication (squarings and m_b included) one Montgomery
    /// multiply of the field's words, every addition, subtraction and
    /// conditional swap one pass over the words, every inversion a Fermat
    /// exponentiation by `inversionExponent` (p − 2, its bits and set bits)
    /// in the unit's binary schedule. The host pays the job's hypervisor call
    /// and interrupt and R² mod p. Which EC primitives Sun's MAU firmware
    /// exposed is not public; this charges the arithmetic the framework does.
    public func ecOperation(work: ECFieldWork, fieldBits: Int, inversionExponent: (bits: Int, ones: Int)) -> NCPJobCost {
        let n = words(bits: fieldBits)
        let multiply = montgomeryMultiplyCycles(words: n)
        let inversionMultiplies = work.inversions * (inversionExponent.bits + inversionExponent.ones)
        let multiplies = work.products + inversionMultiplies
        let passes = work.additions + work.swaps
        let mau = multiplies * multiply + passes * unit.productCycles * n
            + unit.operandsPerJob * n * unit.operandLoadCyclesPerWord + unit.jobSetupCycles
        return NCPJobCost(
            mauCycles: mau, hostCycles: unit.hypervisorCallCycles + unit.interruptCycles + montgomeryConversionCycles(words: n),
            mauJobs: 1, montgomeryMultiplies: multiplies, clockHz: chip.clockHz)
    }

    /// Miller-Rabin rounds per prime of an RSA key: 5 for 512-bit primes and
    /// 4 for 1024-bit ones (FIPS 186-4 Table C.3, error ≤ 2⁻¹⁰⁰).
    func millerRabinRounds(primeBits: Int) -> Int { primeBits >= 1024 ? 4 : 5 }

    /// Fraction of odd candidates that survive trial division by the odd
    /// primes below 2¹⁰ and reach a modular exponentiation: ≈ 2e^−γ / ln(2¹⁰)
    /// ≈ 0.16 (Mertens' third theorem), as a fraction 16/100.
    static let sieveSurvivalPercent = 16

    /// RSA key-pair generation, as an expected value: per prime of h bits,
    /// ln(2^h)/2 odd candidates, of which 16% reach a Fermat/Miller-Rabin
    /// exponentiation on the MAU, then the Miller-Rabin rounds of the prime found.
    public func rsaKeyGeneration(modulusBits: Int) -> NCPJobCost {
        var cost = NCPJobCost(clockHz: chip.clockHz)
        for primeBits in [(modulusBits + 1) / 2, modulusBits / 2] {
            // ln(2^h)/2 = h·ln2/2 ≈ h·347/1000 odd candidates per prime.
            let candidates = primeBits * 347 / 1000
            let exponentiations = candidates * Self.sieveSurvivalPercent / 100 + millerRabinRounds(primeBits: primeBits)
            let one = modExpJob(modulusBits: primeBits, exponentBits: primeBits, exponentOnes: primeBits / 2)
            for _ in 0..<exponentiations { cost = cost + one }
        }
        // d = e⁻¹ mod λ, dp, dq, qinv on the host: a few extended-gcd passes (≈ 4·N² word operations each).
        let n = words(bits: modulusBits)
        cost.hostCycles += 4 * 4 * n * n * hostWordOperationCycles
        return cost
    }

    // MARK: Figures for benchmarks

    /// Modeled request cost for `mechanism` at `bits`, with average exponents:
    /// CKM_RSA_PKCS / CKM_RSA_X_509 sign (private key, CRT, half the exponent
    /// bits set), key-pair generation, DH generate/derive with the framework's
    /// default private exponent for an IKE group of that size (full length otherwise).
    public func modeledCost(mechanism: Mechanism, bits: Int) -> NCPJobCost? {
        switch mechanism {
        case .rsaPKCS, .rsaX509:
            let half = (bits + 1) / 2
            return rsaPrivate(modulusBits: bits, dpBits: half, dpOnes: half / 2, dqBits: bits - half, dqOnes: (bits - half) / 2)
        case .rsaPKCSKeyPairGen:
            return rsaKeyGeneration(modulusBits: bits)
        case .dhPKCSKeyPairGen, .dhPKCSDerive:
            let x = DHGroup.allIKE.first { $0.bits == bits }?.defaultPrivateBits ?? bits
            return dhModExp(primeBits: bits, exponentBits: x, exponentOnes: x / 2)
        default:
            return nil
        }
    }

    /// Modeled RSA public operation (verify) with e = 65537 (17 bits, 2 set).
    public func modeledVerifyCost(bits: Int) -> NCPJobCost {
        rsaPublic(modulusBits: bits, exponentBits: 17, exponentOnes: 2)
    }

    /// Requests per second of the whole device, `mauCount` MAUs busy in
    /// parallel, for ``modeledCost(mechanism:bits:)``: the MAUs bound it unless
    /// the host work of the chip's cores (one pipeline each) does first.
    public func modeledThroughput(mechanism: Mechanism, bits: Int, mauCount: Int? = nil) -> Double? {
        let units = mauCount ?? unit.count
        guard let cost = modeledCost(mechanism: mechanism, bits: bits), units > 0 else { return nil }
        return throughput(of: cost, mauCount: units)
    }

    /// Requests per second of `mauCount` MAUs busy in parallel with requests
    /// costing `cost`, unless the chip's cores' host work bounds it first.
    public func throughput(of cost: NCPJobCost, mauCount: Int) -> Double {
        let mauBound = Double(mauCount) * chip.clockHz / Double(max(cost.mauCycles, 1))
        let hostBound = Double(chip.cores) * chip.clockHz / Double(max(cost.hostCycles, 1))
        return min(mauBound, hostBound)
    }

    /// Modeled latency in seconds of one request on an idle device.
    public func modeledLatency(mechanism: Mechanism, bits: Int) -> Double? {
        modeledCost(mechanism: mechanism, bits: bits)?.seconds
    }
}

/// Bit length and number of set bits of a big-endian number (for exponent costs).
enum ExponentShape {
    static func of(_ bytes: [UInt8]) -> (bits: Int, ones: Int) { bytes.withUnsafeBytes(of) }
    static func of(_ secret: SecureBytes) -> (bits: Int, ones: Int) { secret.withUnsafeBytes(of) }

    /// The shape of m − 2 for an odd m > 2 (the Fermat inversion exponent), big-endian.
    static func minusTwo(_ m: [UInt8]) -> (bits: Int, ones: Int) {
        var bytes = m
        var borrow = 2
        for i in bytes.indices.reversed() where borrow > 0 {
            let value = Int(bytes[i]) - borrow
            bytes[i] = UInt8((value + 256) % 256)
            borrow = value < 0 ? 1 : 0
        }
        return of(bytes)
    }

    static func of(_ raw: UnsafeRawBufferPointer) -> (bits: Int, ones: Int) {
        var ones = 0
        var bits = 0
        for (i, b) in raw.enumerated() {
            ones += b.nonzeroBitCount
            if bits == 0, b != 0 { bits = (raw.count - i) * 8 - b.leadingZeroBitCount }
        }
        return (bits, ones)
    }
}
