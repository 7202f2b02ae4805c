import CryptoFramework

/// The `sparcfp` software provider of the `t2000` platform: Solaris' software
/// bignum on UltraSPARC T1 — RSA and DH through the framework's algorithms
/// over ``FloatModExpEngine`` (the floating-point Montgomery multiply), and the
/// IKE symmetric mechanisms computed by libcrypto — every request charged in
/// modeled T1 cycles (``T1CostModel``, ``T1SymmetricCost``).
public final class SPARCFloatProvider: CryptoProvider {
    /// RSA moduli and DH primes served: 512 to 4096 bits, the range the FP
    /// engine is tested at (Solaris' bignum served up to 4096-bit RSA).
    public static let keyBits = 512...4096

    static let mechanisms: [MechanismInfo] = {
        let signatureMechanisms: [Mechanism] = [
            .rsaPKCS, .rsaX509, .rsaPKCSPSS,
            .sha1RSAPKCS, .sha224RSAPKCS, .sha256RSAPKCS, .sha384RSAPKCS, .sha512RSAPKCS,
            .sha1RSAPKCSPSS, .sha224RSAPKCSPSS, .sha256RSAPKCSPSS, .sha384RSAPKCSPSS, .sha512RSAPKCSPSS,
        ]
        func info(_ mechanism: Mechanism, _ flags: MechanismFlags) -> MechanismInfo {
            MechanismInfo(mechanism, minKeyBits: keyBits.lowerBound, maxKeyBits: keyBits.upperBound, flags: flags)
        }
        return signatureMechanisms.map { info($0, [.sign, .verify]) } + [
            info(.rsaPKCSKeyPairGen, .generateKeyPair),
            info(.dhPKCSKeyPairGen, .generateKeyPair),
            info(.dhPKCSDerive, .derive),
            MechanismInfo(.sha1, flags: .digest),
            MechanismInfo(.sha256, flags: .digest),
            // HMAC keys of 1 byte to 1 KiB, as the openssl provider computing them.
            MechanismInfo(.sha1HMAC, minKeyBits: 8, maxKeyBits: 8192, flags: [.sign, .verify]),
            MechanismInfo(.sha256HMAC, minKeyBits: 8, maxKeyBits: 8192, flags: [.sign, .verify]),
            MechanismInfo(.aesCBC, minKeyBits: 128, maxKeyBits: 256, flags: [.encrypt, .decrypt]),
            MechanismInfo(.des3CBC, minKeyBits: 192, maxKeyBits: 192, flags: [.encrypt, .decrypt]),
        ]
    }()

    public let descriptor = ProviderDescriptor(
        name: "sparcfp",
        summary: "UltraSPARC T1 software bignum: RSA and DH over a floating-point Montgomery multiply (modeled T1 time)",
        mechanisms: SPARCFloatProvider.mechanisms)

    /// The T1 parameters every request is charged with.
    public let costModel: T1CostModel
    /// Computes the symmetric mechanisms; only their cost is sparcfp's.
    private let libcrypto = OpenSSLProvider()

    /// `costModel`: the published T1 parameters by default; pass one with a
    /// trap penalty (e.g. from ``SPARCFloatCalibration``) to model emulated FP.
    public init(costModel: T1CostModel = .t2000) {
        self.costModel = costModel
    }

    public func perform(_ request: CryptoRequest, context: OperationContext) throws -> CryptoResult {
        guard let info = descriptor.info(for: request.mechanism), info.flags.contains(request.requiredFlag) else {
            throw unsupported(request)
        }
        guard info.accepts(keyBits: request.keyBits) else {
            throw CryptoError(.keySizeRange,
                "sparcfp serves \(request.mechanism) with \(info.minKeyBits)...\(info.maxKeyBits)-bit keys, not \(request.keyBits ?? 0)")
        }
        let engine = FloatModExpEngine(costModel: costModel, charging: context)
        let rsa = RSAAlgorithms(engine: engine)
        let dh = DHAlgorithms(engine: engine)
        let hash: HashFunction = { [costModel] algorithm, data in
            if let cycles = T1SymmetricCost.digest(algorithm, bytes: data.count) {
                context.addModeled(cycles: cycles, clockHz: costModel.clockHz)
            }
            return try GMPDigest.digest(algorithm, data)
        }
        switch request {
        case .sign(let mechanism, let key, let data, let pss):
            guard let scheme = RSAScheme(mechanism) else { throw unsupported(request) }
            return .bytes(try rsa.sign(scheme: scheme, key: key, data: data, pss: pss, hash: hash, context: context))
        case .verify(let mechanism, let key, let data, let signature, let pss):
            guard let scheme = RSAScheme(mechanism) else { throw unsupported(request) }
            return .verified(try rsa.verify(
                scheme: scheme, key: key, data: data, signature: signature, pss: pss, hash: hash, context: context))
        case .generateRSAKeyPair(let bits, let publicExponent):
            return .rsaKeyPair(try rsa.generateKeyPair(bits: bits, publicExponent: publicExponent, context: context))
        case .generateDHKeyPair(let group, let privateBits):
            return .dhKeyPair(try dh.generateKeyPair(group: group, privateBits: privateBits, context: context))
        case .deriveDH(let privateKey, let peerPublicValue):
            return .secret(try dh.derive(privateKey: privateKey, peerPublicValue: peerPublicValue, context: context))
        case .digest, .mac, .encrypt, .decrypt:
            guard let cycles = T1SymmetricCost.cycles(request) else { throw unsupported(request) }
            let result = try libcrypto.perform(request, context: OperationContext())
            context.count("sparcfp.symmetric_bytes", request.dataCount)
            context.addModeled(cycles: cycles, clockHz: costModel.clockHz)
            return result
        case .random:
            throw unsupported(request)
        }
    }
}

extension CryptoRequest {
    /// Bytes of input data of a symmetric request (0 for others).
    fileprivate var dataCount: Int {
        switch self {
        case .digest(_, let data), .mac(_, _, let data), .encrypt(_, _, _, let data), .decrypt(_, _, _, let data):
            data.count
        default: 0
        }
    }
}
