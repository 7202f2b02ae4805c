import CryptoFramework

/// One IKE Phase I responder's cryptography, as sparcfp serves it: the four
/// public-key operations and the symmetric bytes.
public struct SPARCFloatWorkload: Sendable {
    /// A symmetric request of the negotiation: mechanism, data bytes, key bytes.
    public struct SymmetricStep: Sendable {
        public var mechanism: Mechanism
        public var bytes: Int
        public var keyBytes: Int
        public init(_ mechanism: Mechanism, bytes: Int, keyBytes: Int = 0) {
            self.mechanism = mechanism
            self.bytes = bytes
            self.keyBytes = keyBytes
        }
    }

    /// RSA modulus of the responder's (and initiator's) signature key.
    public var rsaBits: Int
    /// The Oakley group of the DH exchange.
    public var dhGroup: DHGroup
    /// DH private exponent bits (nil: the group's default; `dhGroup.bits`: full length).
    public var dhPrivateBits: Int?
    public var symmetric: [SymmetricStep]

    public init(rsaBits: Int = 1024, dhGroup: DHGroup = .modp2, dhPrivateBits: Int? = nil,
                symmetric: [SymmetricStep] = SPARCFloatWorkload.ikeMainModeSymmetric) {
        self.rsaBits = rsaBits
        self.dhGroup = dhGroup
        self.dhPrivateBits = dhPrivateBits
        self.symmetric = symmetric
    }

    /// IKEv1 Main Mode, responder, SHA-1 PRF and 3DES (RFC 2409 §5): SKEYID and
    /// SKEYID_d/a/e (four HMACs over at most a few hundred bytes), HASH_I and
    /// HASH_R (two HMACs over ~ 300 bytes of KE payloads, cookies, SA and ID),
    /// decrypting message 5 and encrypting message 6 (~ 200 bytes each: ID,
    /// certificate-free SIG and HASH payloads).
    public static let ikeMainModeSymmetric: [SymmetricStep] = [
        SymmetricStep(.sha1HMAC, bytes: 40, keyBytes: 32),   // SKEYID = prf(Ni_b | Nr_b, g^xy)
        SymmetricStep(.sha1HMAC, bytes: 128 + 17, keyBytes: 20),  // SKEYID_d
        SymmetricStep(.sha1HMAC, bytes: 20 + 128 + 17, keyBytes: 20),  // SKEYID_a
        SymmetricStep(.sha1HMAC, bytes: 20 + 128 + 17, keyBytes: 20),  // SKEYID_e
        SymmetricStep(.des3CBC, bytes: 200, keyBytes: 24),   // decrypt message 5
        SymmetricStep(.sha1HMAC, bytes: 300, keyBytes: 20),  // HASH_I
        SymmetricStep(.sha1HMAC, bytes: 300, keyBytes: 20),  // HASH_R
        SymmetricStep(.des3CBC, bytes: 200, keyBytes: 24),   // encrypt message 6
    ]
}

/// What a calibration found.
public struct CalibrationResult: Sendable, CustomStringConvertible {
    public let measuredSeconds: Double
    /// Modeled time of the workload with the published latencies (no penalty).
    public let publishedModelSeconds: Double
    /// FP instructions (arithmetic, conversions, loads, stores) in the workload.
    public let fpInstructions: Int
    /// Everything sparcfp executed in the workload.
    public let counts: FloatOpCounts
    /// Cycles per FP instruction to add so the model reproduces the measurement
    /// (negative: the published latencies alone are already slower than measured).
    public let penaltyCycles: Double
    /// The model with that penalty.
    public let costModel: T1CostModel

    public var description: String {
        let fmt = { (x: Double) in String(format: "%.1f", x) }
        let perOp = penaltyCycles + costModel.fmulCycles
        return """
            measured Phase I: \(fmt(measuredSeconds * 1e3)) ms; modeled with the published latencies: \(fmt(publishedModelSeconds * 1e3)) ms
            FP instructions per Phase I: \(fpInstructions) (\(counts.montgomeryMultiplies) mont_mulf calls)
            solved trap-emulation penalty: \(fmt(penaltyCycles)) cycles per FP instruction \
            (an FMUL would take \(fmt(perOp)) cycles, against 29 published; FADD 26, conversions 26, FP load 9, FP store 8 — gcc niagara.md)
            """
    }
}

/// Solves for the per-FP-instruction trap penalty that makes the sparcfp model
/// reproduce a measured IKE Phase I time (modeled time is linear in the
/// penalty: time = (base cycles + penalty × FP instructions) / clock).
public enum SPARCFloatCalibration {
    /// Runs `workload` once on sparcfp with `costModel` (its own penalty
    /// ignored) and returns the modeled cycles at penalty 0 with the counts.
    /// Keys and the DH peer come from the host's openssl provider; the run uses fresh random exponents.
    public static func measure(_ workload: SPARCFloatWorkload, costModel: T1CostModel = .t2000) throws -> (cycles: Double, counts: FloatOpCounts) {
        let sparc = SPARCFloatProvider(costModel: costModel.withTrapPenalty(0))
        let host = OpenSSLProvider()
        var cycles = 0.0
        var counts = FloatOpCounts()
        func run(_ request: CryptoRequest) throws -> CryptoResult {
            let context = OperationContext()
            let result = try sparc.perform(request, context: context)
            cycles += context.modeledCycles ?? 0
            counts += FloatOpCounts(named: context.counts)
            return result
        }
        guard case .rsaKeyPair(let key) = try host.perform(
            .generateRSAKeyPair(bits: workload.rsaBits, publicExponent: []), context: OperationContext())
        else { throw CryptoError(.providerFailed, "calibration: no RSA key from openssl") }
        guard case .dhKeyPair(let peer) = try host.perform(
            .generateDHKeyPair(group: workload.dhGroup, privateBits: workload.dhPrivateBits), context: OperationContext())
        else { throw CryptoError(.providerFailed, "calibration: no DH peer from openssl") }
        // IKEv1 signs the raw 20-byte HASH with CKM_RSA_PKCS.
        let hash = [UInt8](repeating: 0x5A, count: 20)
        guard case .bytes(let signature) = try run(.sign(.rsaPKCS, key: key, data: hash, pss: nil)) else {
            throw CryptoError(.providerFailed, "calibration: sign returned no bytes")
        }
        _ = try run(.verify(.rsaPKCS, key: key.publicKey, data: hash, signature: signature, pss: nil))
        guard case .dhKeyPair(let mine) = try run(.generateDHKeyPair(group: workload.dhGroup, privateBits: workload.dhPrivateBits)) else {
            throw CryptoError(.providerFailed, "calibration: DH generate returned no key pair")
        }
        _ = try run(.deriveDH(privateKey: mine.privateKey, peerPublicValue: peer.publicValue))
        for step in workload.symmetric {
            let key = SecureBytes([UInt8](repeating: 0x42, count: max(step.keyBytes, 1)))
            let data = [UInt8](repeating: 0x17, count: step.bytes)
            switch step.mechanism {
            case .sha1, .sha256: _ = try run(.digest(step.mechanism, data: data))
            case .aesCBC, .des3CBC:
                let block = step.mechanism == .aesCBC ? 16 : 8
                let whole = [UInt8](repeating: 0x17, count: (step.bytes + block - 1) / block * block)
                _ = try run(.encrypt(step.mechanism, key: key, iv: [UInt8](repeating: 0, count: block), data: whole))
            default: _ = try run(.mac(step.mechanism, key: key, data: SecureBytes(data)))
            }
        }
        return (cycles, counts)
    }

    /// The penalty that makes the model of `workload` take `measuredSeconds`.
    public static func solvePenalty(
        measuredSeconds: Double, workload: SPARCFloatWorkload = SPARCFloatWorkload(), costModel: T1CostModel = .t2000
    ) throws -> CalibrationResult {
        let (cycles, counts) = try measure(workload, costModel: costModel)
        return solve(measuredSeconds: measuredSeconds, baseCycles: cycles, counts: counts, costModel: costModel)
    }

    /// The linear solution for already measured counts.
    public static func solve(measuredSeconds: Double, baseCycles: Double, counts: FloatOpCounts, costModel: T1CostModel = .t2000) -> CalibrationResult {
        let fp = counts.floatingPointOperations
        let penalty = fp > 0 ? (measuredSeconds * costModel.clockHz - baseCycles) / Double(fp) : 0
        return CalibrationResult(
            measuredSeconds: measuredSeconds, publishedModelSeconds: baseCycles / costModel.clockHz,
            fpInstructions: fp, counts: counts, penaltyCycles: penalty, costModel: costModel.withTrapPenalty(penalty))
    }

    /// The 2007 T2000 measurement without ncp: 7.73 s per Phase I (DESIGN.md).
    public static let measured2007WithoutNCP = 7.73
}
