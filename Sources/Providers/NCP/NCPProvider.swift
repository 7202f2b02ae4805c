import EmulatedHardware
import CryptoFramework
import ProviderGMP
import Dispatch
import Synchronization

/// `ncp/0`: the Solaris ncp driver over the UltraSPARC T1's Modular
/// Arithmetic Units, emulated. Requests become MAU jobs on bounded per-MAU
/// rings, computed with GMP on the MAUs' worker threads (the results are
/// real); their time is modeled in T1 cycles (``NCPTimingModel``). A full
/// ring answers busy and the framework overflows to software; faults can be
/// injected through ``faults``. Like the real unit, it does not check its RSA
/// signatures: the framework does, before release (Selection rule 5), so a
/// caller of ``perform(_:context:)`` outside the framework gets them unchecked.
public final class NCPProvider: CryptoProvider {
    /// RSA moduli of 32...256 bytes (ncp.h RSA_MIN_KEY_LEN / RSA_MAX_KEY_LEN,
    /// registered × 8 as bits in ncp_kcf.c's ncp_mech_info_table).
    public static let rsaKeyBits = 256...2048
    /// DH primes of 64...256 bytes: ncp_dh.c checks the prime length in bytes
    /// against DH_MIN_KEY_LEN / DH_MAX_KEY_LEN and the table registers them × 8;
    /// 512 bits is also the framework's smallest DH prime, 2048 the MAU's
    /// largest operand (docs/DESIGN.md: RSA and DH up to 2048 bits, as the real ncp).
    public static let dhKeyBits = 512...2048

    /// The mechanism table of the T1's ncp, as ncp registered it (minus DSA,
    /// which the framework does not catalogue). CKF_HW: the device performs them.
    public static let mechanisms: [MechanismInfo] = {
        func rsa(_ m: Mechanism, _ flags: MechanismFlags) -> MechanismInfo {
            MechanismInfo(m, minKeyBits: rsaKeyBits.lowerBound, maxKeyBits: rsaKeyBits.upperBound, flags: flags.union(.hardware))
        }
        func dh(_ m: Mechanism, _ flags: MechanismFlags) -> MechanismInfo {
            MechanismInfo(m, minKeyBits: dhKeyBits.lowerBound, maxKeyBits: dhKeyBits.upperBound, flags: flags.union(.hardware))
        }
        // RSA encryption too: ncp_kcf.c registers cipher entry points for its RSA
        // mechanisms (the MAU computes the power; padding stays on the host).
        // OAEP was never in ncp's table.
        return [
            rsa(.rsaPKCS, [.sign, .verify, .encrypt, .decrypt]),
            rsa(.rsaX509, [.sign, .verify, .encrypt, .decrypt]),
            rsa(.rsaPKCSKeyPairGen, .generateKeyPair),
            dh(.dhPKCSKeyPairGen, .generateKeyPair),
            dh(.dhPKCSDerive, .derive),
        ]
    }()

    /// The elliptic-curve mechanisms of a MAU that does EC (the T2's), raw as
    /// ncp would register them: CKM_ECDSA over the caller's hash (the hashed
    /// CKM_ECDSA_SHA* are composed with a software digest, Selection rule 6),
    /// CKM_ECDH1_DERIVE and CKM_EC_KEY_PAIR_GEN, on P-256, P-384 and P-521.
    /// Solaris 10's ncp of 2007 registered none (illumos ncp.h lists RSA, DSA
    /// and DH only): these are what the T2's MAU could do, served as a later
    /// ncp would (docs/t2.md).
    public static let ellipticCurveMechanisms: [MechanismInfo] = {
        let bits = ECCurve.p256.keyBits...ECCurve.p521.keyBits
        let flags = MechanismInfo.primeCurveFlags.union(.hardware)
        return [
            MechanismInfo(.ecdsa, minKeyBits: bits.lowerBound, maxKeyBits: bits.upperBound,
                          flags: flags.union([.sign, .verify]), curves: .prime),
            MechanismInfo(.ecKeyPairGen, minKeyBits: bits.lowerBound, maxKeyBits: bits.upperBound,
                          flags: flags.union(.generateKeyPair), curves: .prime),
            MechanismInfo(.ecdh1Derive, minKeyBits: bits.lowerBound, maxKeyBits: bits.upperBound,
                          flags: flags.union(.derive), curves: .prime),
        ]
    }()

    /// The table of an ncp on `chip`: the T1's, plus EC when the chip's MAU does it.
    public static func mechanisms(for chip: ChipModel) -> [MechanismInfo] {
        mechanisms + (chip.cryptoUnits.ellipticCurves ? ellipticCurveMechanisms : [])
    }

    public let descriptor: ProviderDescriptor
    public let configuration: NCPConfiguration
    /// The cost model, with the parameters of the chip the platform handed in.
    public let timing: NCPTimingModel
    let device: NCPDevice
    /// The MAU computes the CRT signature and does not check it, as the real
    /// unit did not: the framework checks every signature a hardware provider
    /// returns, on a software provider, before release (Selection rule 5), so
    /// the check is made once, and never by the device under check.
    private let rsa = RSAAlgorithms(engine: GMPEngine(), checksPrivateResults: false)
    private let dh = DHAlgorithms(engine: GMPEngine())
    /// The framework's own EC over GMP's residue arithmetic: true answers and
    /// exact field-operation counts, which the MAU's cost model charges.
    private let ec = ECAlgorithms(engine: GMPEngine())

    /// A device as configured, its time modeled on `chip`; no thread starts until the first job.
    public init(configuration: NCPConfiguration = NCPConfiguration(), chip: ChipModel = .ultraSPARCT1) {
        self.configuration = configuration
        self.timing = NCPTimingModel(chip: chip)
        self.device = NCPDevice(configuration: configuration, ellipticCurves: chip.cryptoUnits.ellipticCurves)
        self.descriptor = ProviderDescriptor(
            name: "ncp/\(configuration.instance)", kind: .hardware,
            summary: "Niagara crypto provider: \(configuration.mauCount) \(chip.name) Modular Arithmetic Units (emulated)",
            mechanisms: Self.mechanisms(for: chip))
    }

    deinit { device.shutdown() }

    public var load: Int { device.load }
    public var isFailed: Bool { device.isFailed }
    public var kstats: [Kstat] { statistics.kstats }

    /// Modeled device throughput (all MAUs busy) from ``NCPTimingModel``.
    public func modeledThroughput(mechanism: Mechanism, operation: String, keyBits: Int) -> Double? {
        guard descriptor.info(for: mechanism)?.accepts(keyBits: keyBits) ?? false else { return nil }
        if operation == "verify" {
            return timing.throughput(of: timing.modeledVerifyCost(bits: keyBits), mauCount: configuration.mauCount)
        }
        return timing.modeledThroughput(mechanism: mechanism, bits: keyBits, mauCount: configuration.mauCount)
    }

    /// The device's counters, typed.
    public var statistics: NCPStatistics { NCPStatistics(device: device) }

    /// Fault injection into this device.
    public var faults: NCPFaults { NCPFaults(device: device) }

    // MARK: Serving

    /// Queues the job and blocks the calling thread until a MAU answers.
    public func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
        let answer = Locked<Result<CryptoResult, CryptoError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let job = try makeJob(request, context: context) { outcome in
            answer.withLock { $0 = outcome }
            done.signal()
        }
        try device.submit(job)
        done.wait()
        return try answer.withLock { $0! }.get()
    }

    /// Queues the job and suspends (holding no thread) until a MAU answers.
    public func performAsync(_ request: CryptoRequest, context: OperationContext) async throws -> CryptoResult {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<CryptoResult, any Error>) in
            do {
                let job = try makeJob(request, context: context) { outcome in
                    continuation.resume(with: outcome.mapError { $0 as any Error })
                }
                try device.submit(job)
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// Checks the request against the mechanism table and builds its MAU job.
    /// Padding and encoding happen with the arithmetic on the worker; the cost
    /// model charges them to the host side, as the real driver did them there.
    private func makeJob(
        _ request: CryptoRequest, context: OperationContext,
        finish: @escaping @Sendable (Result<CryptoResult, CryptoError>) -> Void
    ) throws -> MAUJob {
        _ = try tableEntry(for: request)
        let (rsa, dh, ec, timing) = (self.rsa, self.dh, self.ec, self.timing)
        let algorithm: NCPAlgorithm
        let compute: @Sendable () throws -> (CryptoResult, NCPJobCost)
        switch request {
        case .sign(let mechanism, let key, let data, let pss):
            guard let scheme = RSAScheme(mechanism) else { throw unsupported(request) }
            algorithm = .rsaPrivate
            compute = {
                let signature = try rsa.sign(
                    scheme: scheme, key: key, data: data, pss: pss, hash: GMPDigest.digest, context: OperationContext())
                let dp = ExponentShape.of(key.exponent1), dq = ExponentShape.of(key.exponent2)
                let cost = timing.rsaPrivate(
                    modulusBits: key.bits, dpBits: dp.bits, dpOnes: dp.ones, dqBits: dq.bits, dqOnes: dq.ones)
                return (.bytes(signature), cost)
            }
        case .verify(let mechanism, let key, let data, let signature, let pss):
            guard let scheme = RSAScheme(mechanism) else { throw unsupported(request) }
            algorithm = .rsaPublic
            compute = {
                let ok = try rsa.verify(
                    scheme: scheme, key: key, data: data, signature: signature, pss: pss,
                    hash: GMPDigest.digest, context: OperationContext())
                let e = ExponentShape.of(key.publicExponent)
                return (.verified(ok), timing.rsaPublic(modulusBits: key.bits, exponentBits: e.bits, exponentOnes: e.ones))
            }
        case .encryptRSA(let mechanism, let key, let data, let oaep):
            algorithm = .rsaPublic
            compute = {
                let context = OperationContext()
                let ciphertext = try RSAEncryption.encrypt(
                    mechanism, key: key, data: data, oaep: oaep,
                    publicOperation: { try rsa.publicOperation(key: key, input: $0, context: context) },
                    random: { try rsa.engine.randomBytes(count: $0) }, hash: GMPDigest.digest)
                let e = ExponentShape.of(key.publicExponent)
                return (.bytes(ciphertext), timing.rsaPublic(modulusBits: key.bits, exponentBits: e.bits, exponentOnes: e.ones))
            }
        case .decryptRSA(let mechanism, let key, let data, let oaep):
            // The MAU computes c^d unchecked, as for a signature; RSAEncryption checks
            // the result against the public key before unpadding it. An injected
            // corruption hits the power as it leaves the unit, where the check must catch it.
            algorithm = .rsaPrivate
            let faults = device.faultState
            compute = {
                let context = OperationContext()
                let plaintext = try RSAEncryption.decrypt(
                    mechanism, key: key, ciphertext: data, oaep: oaep,
                    privateOperation: {
                        var power = try rsa.privateOperation(key: key, input: $0, context: context)
                        if !power.isEmpty, faults.rollCorruption() { power[power.count - 1] ^= 0x01 }
                        return power
                    },
                    hash: GMPDigest.digest)
                let dp = ExponentShape.of(key.exponent1), dq = ExponentShape.of(key.exponent2)
                let cost = timing.rsaPrivate(
                    modulusBits: key.bits, dpBits: dp.bits, dpOnes: dp.ones, dqBits: dq.bits, dqOnes: dq.ones)
                return (.secret(plaintext), cost)
            }
        case .generateRSAKeyPair(let bits, let publicExponent):
            algorithm = .rsaGenerate
            compute = {
                let key = try rsa.generateKeyPair(bits: bits, publicExponent: publicExponent, context: OperationContext())
                return (.rsaKeyPair(key), timing.rsaKeyGeneration(modulusBits: bits))
            }
        case .generateDHKeyPair(let group, let privateBits):
            algorithm = .dhGenerate
            compute = {
                let pair = try dh.generateKeyPair(group: group, privateBits: privateBits, context: OperationContext())
                let x = ExponentShape.of(pair.privateKey.value)
                return (.dhKeyPair(pair), timing.dhModExp(primeBits: group.bits, exponentBits: x.bits, exponentOnes: x.ones))
            }
        case .deriveDH(let privateKey, let peerPublicValue):
            algorithm = .dhDerive
            compute = {
                let secret = try dh.derive(privateKey: privateKey, peerPublicValue: peerPublicValue, context: OperationContext())
                let x = ExponentShape.of(privateKey.value)
                return (.secret(secret), timing.dhModExp(primeBits: privateKey.group.bits, exponentBits: x.bits, exponentOnes: x.ones))
            }
        case .signEC(let mechanism, let key, let data):
            algorithm = .ecdsaSign
            compute = {
                try Self.ecJob(curve: key.curve, timing: timing) { context in
                    .bytes(try ec.sign(mechanism, key: key, data: data, hash: GMPDigest.digest,
                                       secretHash: GMPDigest.digest(_:secret:), context: context))
                }
            }
        case .verifyEC(let mechanism, let key, let data, let signature):
            algorithm = .ecdsaVerify
            compute = {
                try Self.ecJob(curve: key.curve, timing: timing) { context in
                    .verified(try ec.verify(mechanism, key: key, data: data, signature: signature,
                                            hash: GMPDigest.digest, context: context))
                }
            }
        case .generateECKeyPair(let curve):
            algorithm = .ecGenerate
            compute = {
                try Self.ecJob(curve: curve, timing: timing) { context in .ecKeyPair(try ec.generateKeyPair(curve: curve, context: context)) }
            }
        case .deriveECDH(let privateKey, let peerPublicValue, let parameters):
            algorithm = .ecdhDerive
            compute = {
                try Self.ecJob(curve: privateKey.curve, timing: timing) { context in
                    .secret(try ec.derive(privateKey: privateKey, peerPublicValue: peerPublicValue, parameters: parameters,
                                          secretHash: GMPDigest.digest(_:secret:), context: context))
                }
            }
        default:
            throw unsupported(request)
        }
        return MAUJob(algorithm: algorithm, context: context, compute: compute, finish: finish)
    }
}

extension NCPProvider {
    /// Runs one EC request with its own context, so the field operations
    /// counted are this request's alone, and charges them as one MAU job.
    fileprivate static func ecJob(
        curve: ECCurve, timing: NCPTimingModel, _ body: (OperationContext) throws -> CryptoResult
    ) throws -> (CryptoResult, NCPJobCost) {
        guard let parameters = curve.primeCurve else {
            throw CryptoError(.mechanismInvalid, "ncp: the MAU does elliptic curves over prime fields only, not \(curve)")
        }
        let context = OperationContext()
        let result = try body(context)
        let work = context.work.tally(ECFieldWork.self) ?? ECFieldWork()
        let pMinus2 = ExponentShape.minusTwo(parameters.p)
        let cost = timing.ecOperation(work: work, fieldBits: curve.keyBits, inversionExponent: pMinus2)
        return (result, cost)
    }
}
