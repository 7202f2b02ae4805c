import CryptoFramework
import Synchronization

/// The `sparcfp` software provider of the `t2000` platform: Solaris' software
/// bignum on UltraSPARC T1 — RSA and DH through the framework's algorithms
/// over ``FloatModExpEngine`` (the floating-point Montgomery multiply), and the
/// IKE symmetric mechanisms computed by libcrypto — every request charged in
/// modeled T1 cycles (``T1CostModel``, ``T1SymmetricCost``).
public final class SPARCFloatProvider: CryptoProvider {
    /// RSA moduli and DH primes served: 512 to 4096 bits, the range the FP
    /// engine is tested at (Solaris' bignum served up to 4096-bit RSA).
    public static let keyBits = 512...4096

    static let mechanisms: [MechanismInfo] =
        MechanismInfo.rsaTable(bits: keyBits) + MechanismInfo.dhTable(bits: keyBits) + [
            MechanismInfo(.sha1, flags: .digest),
            MechanismInfo(.sha256, flags: .digest),
            // HMAC keys of 1 byte to 1 KiB, as the openssl provider computing them.
            MechanismInfo(.sha1HMAC, minKeyBits: 8, maxKeyBits: 8192, flags: [.sign, .verify]),
            MechanismInfo(.sha256HMAC, minKeyBits: 8, maxKeyBits: 8192, flags: [.sign, .verify]),
            MechanismInfo(.aesCBC, minKeyBits: 128, maxKeyBits: 256, flags: [.encrypt, .decrypt]),
            MechanismInfo(.des3CBC, minKeyBits: 192, maxKeyBits: 192, flags: [.encrypt, .decrypt]),
            // Solaris' swrand: the T2000 has no hardware generator (ncp has none; n2rng came with the T2).
            MechanismInfo(.random, flags: [.generate]),
        ]

    public let descriptor = ProviderDescriptor(
        name: "sparcfp",
        summary: "UltraSPARC T1 software bignum: RSA and DH over a floating-point Montgomery multiply (modeled T1 time)",
        mechanisms: SPARCFloatProvider.mechanisms)

    /// The T1 parameters every request is charged with.
    public let costModel: T1CostModel
    /// Modeled chip throughput per operation kind, computed once (SPARCFloatThroughput.swift).
    let throughputCache = Locked<[ThroughputSlot: Double]>([:])
    /// Computes the symmetric mechanisms; only their cost is sparcfp's.
    private let libcrypto = OpenSSLProvider()
    /// Computes `random`; only its cost is sparcfp's. Nil if libsodium failed to start.
    private let random: SodiumProvider?

    /// `costModel`: the published T1 parameters by default; pass one with a
    /// trap penalty (e.g. from ``SPARCFloatCalibration``) to model emulated FP.
    public init(costModel: T1CostModel = .t2000) {
        self.costModel = costModel
        self.random = try? SodiumProvider()
    }

    public func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
        _ = try tableEntry(for: request)
        let engine = FloatModExpEngine(costModel: costModel, charging: context)
        let server = BignumRequestServer(engine: engine)
        let hash: HashFunction = { [costModel] algorithm, data in
            if let cycles = T1SymmetricCost.digest(algorithm, bytes: data.count) {
                context.addModeled(cycles: cycles, clockHz: costModel.clockHz)
            }
            return try GMPDigest.digest(algorithm, data)
        }
        if let result = try server.serve(request, hash: hash, context: context) { return result }
        switch request {
        case .digest, .mac, .encrypt, .decrypt:
            guard let cycles = T1SymmetricCost.cycles(request) else { throw unsupported(request) }
            let result = try libcrypto.perform(request, context: OperationContext())
            context.count("sparcfp.symmetric_bytes", request.dataCount)
            context.addModeled(cycles: cycles, clockHz: costModel.clockHz)
            return result
        case .random(let count):
            guard let random else { throw CryptoError(.providerFailed, "sparcfp: libsodium failed to initialise; no random source") }
            let result = try random.perform(request, context: OperationContext())
            context.addModeled(cycles: T1SymmetricCost.random(bytes: count), clockHz: costModel.clockHz)
            return result
        default:
            throw unsupported(request)
        }
    }
}

extension CryptoRequest {
    /// Bytes of input data of a symmetric request (0 for others).
    fileprivate var dataCount: Int {
        switch self {
        case .digest(_, let data), .encrypt(_, _, _, let data), .decrypt(_, _, _, let data):
            data.count
        case .mac(_, _, let data):
            data.count
        default: 0
        }
    }
}
